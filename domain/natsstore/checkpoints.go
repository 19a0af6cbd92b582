package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/emcc/accredit/domain/audit"
)

// CheckpointsStream holds the signed checkpoints of the audit chain.
const (
	CheckpointsStream  = "ACCREDIT_CHECKPOINTS"
	checkpointsSubject = "accredit.checkpoints"
)

// A checkpoint holds every stream's head, about 130 bytes each, so one of
// a large office is larger than a message may be (max_payload, 1 MiB by
// default). Such a checkpoint is stored as parts, each carrying these
// headers; a checkpoint that fits is one message without them, as before.
const (
	partHeader   = "Accredit-Checkpoint-Part" // "<i>/<n>", from 1
	partOfHeader = "Accredit-Checkpoint-Id"   // the same on every part of one checkpoint
)

// CheckpointStore keeps signed checkpoints in their own append-only stream.
type CheckpointStore struct {
	js       jetstream.JetStream
	stream   jetstream.Stream
	partSize int
}

// OpenCheckpointStore creates or updates the checkpoints stream.
func OpenCheckpointStore(ctx context.Context, js jetstream.JetStream, cfg Config) (*CheckpointStore, error) {
	st, err := ensure(ctx, cfg.Log, "create stream "+CheckpointsStream, func(ctx context.Context) (jetstream.Stream, error) {
		return js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name: CheckpointsStream, Description: "Signed checkpoints of every event stream's head",
			Subjects: []string{checkpointsSubject}, Storage: jetstream.FileStorage, Replicas: cfg.replicas(),
			DenyDelete: true, DenyPurge: true, AllowDirect: true,
		})
	})
	if err != nil {
		return nil, err
	}
	// Half the largest message: room for the headers and the stream's own.
	partSize := 512 << 10
	if nc := js.Conn(); nc != nil && nc.MaxPayload() > 0 {
		partSize = int(nc.MaxPayload()) / 2
	}
	if m := st.CachedInfo().Config.MaxMsgSize; m > 0 {
		partSize = min(partSize, int(m)/2)
	}
	return &CheckpointStore{js: js, stream: st, partSize: partSize}, nil
}

// Add implements audit.CheckpointStore: one message, or parts when the
// checkpoint is larger than one may be.
func (s *CheckpointStore) Add(ctx context.Context, c audit.Checkpoint) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if len(b) <= s.partSize {
		_, err = s.js.Publish(ctx, checkpointsSubject, b)
		return err
	}
	id, n := nuid.Next(), (len(b)+s.partSize-1)/s.partSize
	for i := range n {
		m := nats.NewMsg(checkpointsSubject)
		m.Header.Set(partOfHeader, id)
		m.Header.Set(partHeader, fmt.Sprintf("%d/%d", i+1, n))
		m.Data = b[i*s.partSize : min(len(b), (i+1)*s.partSize)]
		if _, err := s.js.PublishMsg(ctx, m); err != nil {
			return fmt.Errorf("checkpoint %d part %d of %d: %w", c.Seq, i+1, n, err)
		}
	}
	return nil
}

// List implements audit.CheckpointStore. A checkpoint in parts is listed
// where its last part is; one whose parts are not all there (its writer
// stopped part way) is not listed, as a checkpoint never written.
func (s *CheckpointStore) List(ctx context.Context) ([]audit.Checkpoint, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return nil, err
	}
	var out []audit.Checkpoint
	type parts struct {
		next, of int
		data     []byte
	}
	partial := map[string]*parts{} // by checkpoint id
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.stream.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue // a gap (the stream denies deletes: none expected) shows up as fewer checkpoints
		}
		if err != nil {
			// Not a gap: an audit that went on would check fewer
			// checkpoints and still report success.
			return nil, fmt.Errorf("read checkpoint message %d: %w", seq, err)
		}
		data := m.Data
		if id := m.Header.Get(partOfHeader); id != "" {
			i, n, ok := parsePart(m.Header.Get(partHeader))
			p := partial[id]
			switch {
			case ok && i == 1:
				p = &parts{next: 1, of: n}
				partial[id] = p
			case !ok || p == nil || p.next != i || p.of != n:
				delete(partial, id) // a part missing or out of place: incomplete
				continue
			}
			p.data = append(p.data, m.Data...)
			if p.next++; i < n {
				continue
			}
			data = p.data
			delete(partial, id)
		}
		var c audit.Checkpoint
		if err := json.Unmarshal(data, &c); err != nil {
			return nil, fmt.Errorf("checkpoint %d: %w", seq, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// parsePart reads a part header, "<i>/<n>" with 1 <= i <= n.
func parsePart(h string) (i, n int, ok bool) {
	a, b, found := strings.Cut(h, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	return i, n, found && err1 == nil && err2 == nil && i >= 1 && i <= n
}

// Last returns the checkpoint stored last, as List would list it last;
// ok is false when there is none. It reads the last message (and the other
// parts of a checkpoint in parts), not the stream: the start and the
// periodic checkpoint look at it. Parts that are not the last message's
// own, in order (two writers interleaved), are left to List.
func (s *CheckpointStore) Last(ctx context.Context) (c audit.Checkpoint, ok bool, err error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return c, false, err
	}
	if info.State.Msgs == 0 {
		return c, false, nil
	}
	last, first := info.State.LastSeq, info.State.FirstSeq
	m, err := s.stream.GetMsg(ctx, last)
	if err != nil {
		return c, false, fmt.Errorf("read checkpoint message %d: %w", last, err)
	}
	data := m.Data
	if id := m.Header.Get(partOfHeader); id != "" {
		i, n, pok := parsePart(m.Header.Get(partHeader))
		if !pok || i != n || last-first+1 < uint64(n) {
			return s.lastListed(ctx)
		}
		data = nil
		for k := last - uint64(n) + 1; k <= last; k++ {
			p, err := s.stream.GetMsg(ctx, k)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				return s.lastListed(ctx)
			}
			if err != nil {
				return c, false, fmt.Errorf("read checkpoint message %d: %w", k, err)
			}
			pi, pn, pok := parsePart(p.Header.Get(partHeader))
			if p.Header.Get(partOfHeader) != id || !pok || pn != n || uint64(pi) != k-(last-uint64(n)) {
				return s.lastListed(ctx)
			}
			data = append(data, p.Data...)
		}
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, false, fmt.Errorf("checkpoint %d: %w", last, err)
	}
	return c, true, nil
}

// lastListed is Last from the whole list.
func (s *CheckpointStore) lastListed(ctx context.Context) (audit.Checkpoint, bool, error) {
	all, err := s.List(ctx)
	if err != nil || len(all) == 0 {
		return audit.Checkpoint{}, false, err
	}
	return all[len(all)-1], true, nil
}
