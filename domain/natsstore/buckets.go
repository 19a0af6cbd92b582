package natsstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/pii"
)

// Bucket names.
const (
	KeysBucket     = "ACCREDIT_DATA_KEYS"
	SessionsBucket = "ACCREDIT_SESSIONS"
	EvidenceBucket = "ACCREDIT_EVIDENCE"

	// LegacyKeysBucket held the keys until 2026-12: a KV bucket as nats
	// makes it, whose stream denies deletes, so an erased key was only
	// purged and its bytes stayed in the stream's files. OpenKeyStore
	// moves its keys into KeysBucket and deletes it.
	LegacyKeysBucket = "ACCREDIT_KEYS"
)

// keysHistory keeps an erasure's marker beside the key it erases until
// the key is overwritten where it lies: with one message a subject, the
// marker would push the key out as a limit does, which leaves its bytes.
const keysHistory = 2

// KeyStore keeps wrapped per-person data keys in a KV bucket. Erasing a
// key writes a marker on its subject, which refuses a new key there, and
// then erases the key's message in the stream's files (JetStream's secure
// delete overwrites it with random bytes).
type KeyStore struct {
	kv     jetstream.KeyValue
	js     jetstream.JetStream
	stream jetstream.Stream
}

// keysStreamConfig is the keys bucket's stream: what nats makes for a KV
// bucket, with deletes allowed (for the secure delete) and two messages a
// subject (keysHistory).
func keysStreamConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              "KV_" + KeysBucket,
		Description:       "Wrapped per-person data keys (crypto-shredding); an erased key is overwritten",
		Subjects:          []string{"$KV." + KeysBucket + ".>"},
		MaxMsgsPerSubject: keysHistory,
		MaxBytes:          -1,
		MaxMsgSize:        -1,
		MaxMsgs:           -1,
		MaxConsumers:      -1,
		Storage:           jetstream.FileStorage,
		Replicas:          replicas,
		AllowRollup:       true,
		AllowDirect:       true,
		Duplicates:        2 * time.Minute,
		Discard:           jetstream.DiscardNew,
	}
}

// OpenKeyStore creates or updates the keys bucket, and moves the keys of
// LegacyKeysBucket into it if that bucket is still there.
func OpenKeyStore(ctx context.Context, js jetstream.JetStream, cfg Config) (*KeyStore, error) {
	stream, err := ensure(ctx, cfg.Log, "create bucket "+KeysBucket, func(ctx context.Context) (jetstream.Stream, error) {
		return js.CreateOrUpdateStream(ctx, keysStreamConfig(cfg.replicas()))
	})
	if err != nil {
		return nil, err
	}
	kv, err := ensure(ctx, cfg.Log, "bind bucket "+KeysBucket, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.KeyValue(ctx, KeysBucket)
	})
	if err != nil {
		return nil, err
	}
	k := &KeyStore{kv: kv, js: js, stream: stream}
	if err := k.moveLegacy(ctx, cfg.Log); err != nil {
		return nil, fmt.Errorf("move the keys of %s into %s: %w", LegacyKeysBucket, KeysBucket, err)
	}
	return k, nil
}

// Get implements pii.KeyStore. An erased subject's last message is a
// marker, which the bucket keeps (nothing purges the markers of this
// bucket).
func (k *KeyStore) Get(ctx context.Context, subject string) ([]byte, error) {
	e, err := k.kv.Get(ctx, subject)
	if errors.Is(err, jetstream.ErrKeyDeleted) {
		return nil, pii.ErrErased
	}
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		// A replica may not have a key made a moment ago: ask the leader.
		v, op, lerr := kvLeaderOp(ctx, k.js, KeysBucket, subject)
		switch {
		case lerr != nil:
			return nil, lerr
		case op == kvDeleted:
			return nil, pii.ErrErased
		case op == kvNone:
			return nil, pii.ErrNoKey
		}
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	return e.Value(), nil
}

// Create implements pii.KeyStore: a write expecting no message at all on
// the key's subject, so that a marker (an erased subject) refuses it
// as a key does; nats' KeyValue.Create would write over the marker.
func (k *KeyStore) Create(ctx context.Context, subject string, wrapped []byte) ([]byte, error) {
	_, err := k.kv.Update(ctx, subject, wrapped, 0)
	if err == nil {
		return wrapped, nil
	}
	// Another creator won, or the subject is erased, or the store failed.
	if got, gerr := k.Get(ctx, subject); gerr == nil || errors.Is(gerr, pii.ErrErased) {
		return got, gerr
	}
	return nil, err
}

// Each implements pii.KeyStore: a watch of the whole bucket (an ordered
// consumer of each key's last value, erased ones left out), stopped once
// it has delivered what the bucket held when it began.
func (k *KeyStore) Each(ctx context.Context, fn func(subject string, wrapped []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := k.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return fmt.Errorf("keys: watch: %w", err)
	}
	defer w.Stop()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return fmt.Errorf("keys: the watch ended early: %w", context.Cause(ctx))
			}
			if e == nil { // every key the bucket held has come
				return nil
			}
			if err := fn(e.Key(), e.Value()); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Delete implements pii.KeyStore. It writes a marker on the subject
// (expecting the subject's last message, so that two erasures at once
// write one) and then erases every key the subject still holds, so that a
// second call finishes what a first one stopped half-way.
func (k *KeyStore) Delete(ctx context.Context, subject string) error {
	for range 5 {
		msgs, err := k.messagesOn(ctx, subject)
		if err != nil {
			return fmt.Errorf("keys: erase %s: %w", subject, err)
		}
		var last *jetstream.RawStreamMsg
		if len(msgs) > 0 {
			last = msgs[len(msgs)-1]
		}
		if last == nil || !isMarker(last) {
			marker := nats.NewMsg("$KV." + KeysBucket + "." + subject)
			marker.Header.Set("KV-Operation", "DEL")
			var after uint64
			if last != nil {
				after = last.Sequence
			}
			marker.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(after, 10))
			if _, err := k.js.PublishMsg(ctx, marker); err != nil {
				if isWrongLastSequence(err) {
					continue // written to meanwhile (another erasure, or a key made): look again
				}
				return fmt.Errorf("keys: mark %s erased: %w", subject, err)
			}
		}
		for _, m := range msgs {
			if isMarker(m) {
				continue
			}
			if err := k.stream.SecureDeleteMsg(ctx, m.Sequence); err != nil && !k.gone(ctx, m.Sequence) {
				return fmt.Errorf("keys: erase %s: %w", subject, err)
			}
		}
		return nil
	}
	return fmt.Errorf("keys: erase %s: the subject kept changing", subject)
}

// messagesOn reads every message on a key's subject from the stream's
// leader, oldest first: keysHistory at most, and a few more should
// writes race. (nats' KeyValue.History can wait for ever when a message
// it counted is deleted while it reads, as a concurrent erasure does.)
func (k *KeyStore) messagesOn(ctx context.Context, subject string) ([]*jetstream.RawStreamMsg, error) {
	var out []*jetstream.RawStreamMsg
	for seq := uint64(1); len(out) < 2*keysHistory; {
		m, err := leaderNextOn(ctx, k.js.Conn(), "KV_"+KeysBucket, seq, "$KV."+KeysBucket+"."+subject)
		if err != nil || m == nil {
			return out, err
		}
		out = append(out, m)
		seq = m.Sequence + 1
	}
	return out, nil
}

// isMarker reports whether m is a key's erasure (or an older purge).
func isMarker(m *jetstream.RawStreamMsg) bool {
	op := m.Header.Get("KV-Operation")
	return op == "DEL" || op == "PURGE"
}

// gone reports whether the keys stream's leader no longer holds message
// seq: another erasure of the same subject overwrote it first (the delete
// then fails as "sequence not found", an error nats does not type).
func (k *KeyStore) gone(ctx context.Context, seq uint64) bool {
	m, err := leaderNext(ctx, k.js.Conn(), "KV_"+KeysBucket, seq)
	return err == nil && (m == nil || m.Sequence != seq)
}

// moveLegacy copies each subject's last message from LegacyKeysBucket (a
// key, or an erasure's marker) into the keys bucket and deletes the old
// bucket with its files. It seals the old bucket first, so that a process
// of an earlier version still running is refused a new key rather than
// writing one the copy misses. A subject the keys bucket already holds is
// left as it is (a copy begun before, or by another process).
func (k *KeyStore) moveLegacy(ctx context.Context, log *slog.Logger) error {
	name := "KV_" + LegacyKeysBucket
	old, err := k.js.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	moved, erased, err := k.copyLegacy(ctx, old)
	if err != nil {
		if _, serr := k.js.Stream(ctx, name); errors.Is(serr, jetstream.ErrStreamNotFound) {
			return nil // another process moved them and deleted it meanwhile
		}
		return err
	}
	if err := k.js.DeleteStream(ctx, name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	if log != nil {
		log.Info("the per-person keys moved to a bucket that overwrites an erased key; the old bucket is deleted",
			"from", LegacyKeysBucket, "to", KeysBucket, "keys", moved, "erased", erased)
	}
	return nil
}

func (k *KeyStore) copyLegacy(ctx context.Context, old jetstream.Stream) (moved, erased int, err error) {
	cfg := old.CachedInfo().Config
	if !cfg.Sealed {
		cfg.Sealed = true
		if _, err := k.js.UpdateStream(ctx, cfg); err != nil {
			return 0, 0, fmt.Errorf("seal %s: %w", cfg.Name, err)
		}
	}
	oldKV, err := k.js.KeyValue(ctx, LegacyKeysBucket)
	if err != nil {
		return 0, 0, err
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := oldKV.WatchAll(wctx)
	if err != nil {
		return 0, 0, err
	}
	defer w.Stop()
	var pending []jetstream.PubAckFuture
	settle := func() error {
		for _, f := range pending {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				if !isWrongLastSequence(err) { // already copied
					return fmt.Errorf("copy %s: %w", f.Msg().Subject, err)
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		pending = pending[:0]
		return nil
	}
	for {
		var e jetstream.KeyValueEntry
		select {
		case got, ok := <-w.Updates():
			if !ok {
				return 0, 0, fmt.Errorf("the watch of %s ended early: %w", LegacyKeysBucket, context.Cause(wctx))
			}
			e = got
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		}
		if e == nil { // every subject the old bucket held has come
			return moved, erased, settle()
		}
		msg := nats.NewMsg("$KV." + KeysBucket + "." + e.Key())
		msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0")
		if e.Operation() == jetstream.KeyValuePut {
			msg.Data = e.Value()
			moved++
		} else {
			msg.Header.Set("KV-Operation", "DEL")
			erased++
		}
		f, err := k.js.PublishMsgAsync(msg)
		if err != nil {
			return 0, 0, fmt.Errorf("copy %s: %w", e.Key(), err)
		}
		pending = append(pending, f)
		if len(pending) >= 256 {
			if err := settle(); err != nil {
				return 0, 0, err
			}
		}
	}
}
