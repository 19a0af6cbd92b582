package natsstore

// Backup and restore work on JetStream directly, not through the event
// store: they copy the streams that hold Accredit's state, with their
// configuration and every message (subject, headers, data) in order.
//
// The backup file is gzip-compressed JSON lines, one record per line:
//
//	{"kind":"header","format":"accredit-backup","version":1,"created_at":"…","streams":["ACCREDIT_EVENTS",…]}
//	{"kind":"stream","stream":"ACCREDIT_EVENTS","config":{…JetStream stream config…},"first_seq":1,"last_seq":N,"messages":M}
//	{"kind":"msg","stream":"ACCREDIT_EVENTS","seq":1,"subject":"accredit.ev.…","time":"…","headers":{"Accredit-Hash":["…"]},"data":"<base64>"}
//	… M msg records, then the next stream record and its messages …
//	{"kind":"end","counts":{"ACCREDIT_EVENTS":M,…}}
//
// The streams are ACCREDIT_EVENTS (every event), ACCREDIT_CHECKPOINTS (the
// signed audit checkpoints), KV_ACCREDIT_MAIL (the users' notification
// choices, the outbox with the ids of the mail already written, the
// notifier's cursor, recovery links), KV_ACCREDIT_DATA_KEYS (the per-person data
// keys, wrapped by the master key) and OBJ_ACCREDIT_EVIDENCE (the evidence
// files, encrypted). Sessions and leases are left out: they are
// short-lived.
// Each stream is copied up to its last message when its copy starts, in that
// order, so that every key and file the copied events refer to is in the
// file.
//
// NOT in the backup, and to be backed up separately: the master key file
// (ACCREDIT_MASTER_KEY_FILE, <data>/keys/master.key), without which the
// personal data in the backup (names, emails, texts, evidence) cannot be
// read, and the audit signing key (ACCREDIT_SIGNING_KEY_FILE,
// <data>/keys/audit-ed25519.pem), without which the restored checkpoints
// cannot be verified, and the credential signing keys
// (ACCREDIT_CREDENTIAL_KEY_DIR, <data>/keys/credentials), without which
// the credentials already issued no longer verify.

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// BackupFormat is the format name in a backup file's header.
const BackupFormat = "accredit-backup"

// BackupStreams are the streams a backup holds, in the order copied: the
// checkpoints before the events, so that each checkpoint a backup holds
// covers events it holds (one signed while the events were copied would
// name versions the backup lacks, and its restored history would read as
// events removed); the mail bucket before the events too, so that the
// notifier's cursor and the outbox ids (e<seq>.<kind>.<recipient>) name
// only events the backup holds: a restored notifier goes on from the
// cursor, over commits whose mail the restored outbox already holds
// (written once, not sent again), and a cursor past the restored events
// would skip the mail of new ones; the keys and the evidence after the
// events.
var BackupStreams = []string{
	CheckpointsStream,
	"KV_" + MailBucket,
	EventsStream,
	"KV_" + KeysBucket,
	"OBJ_" + EvidenceBucket,
}

// BackupRecord is one line of a backup file.
type BackupRecord struct {
	Kind string `json:"kind"` // header, stream, msg, end

	// header
	Format    string    `json:"format,omitempty"`
	Version   int       `json:"version,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	Streams   []string  `json:"streams,omitempty"`

	// stream and msg
	Stream   string                  `json:"stream,omitempty"`
	Config   *jetstream.StreamConfig `json:"config,omitempty"`
	FirstSeq uint64                  `json:"first_seq,omitempty"`
	LastSeq  uint64                  `json:"last_seq,omitempty"`
	Messages uint64                  `json:"messages,omitempty"`

	// msg
	Seq     uint64              `json:"seq,omitempty"`
	Subject string              `json:"subject,omitempty"`
	Time    time.Time           `json:"time,omitzero"`
	Headers map[string][]string `json:"headers,omitempty"`
	Data    []byte              `json:"data,omitempty"`

	// end
	Counts map[string]uint64 `json:"counts,omitempty"`
}

// Headers a direct get adds to a message; not part of it.
var directGetHeaders = []string{jetstream.StreamHeader, jetstream.SequenceHeader, jetstream.TimeStampHeaer,
	jetstream.SubjectHeader, "Nats-Last-Sequence", "Nats-Num-Pending", "Nats-UpTo-Sequence"}

// Backup writes a whole backup file of the BackupStreams on c to w; it
// returns the count of messages per stream. A stream that does not exist is
// skipped, with a line to log.
func Backup(ctx context.Context, c *Conn, w io.Writer, log io.Writer) (map[string]uint64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	gz := gzip.NewWriter(bw)
	counts, err := backup(ctx, c.js, json.NewEncoder(gz), log)
	if err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("write the backup: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("write the backup: %w", err)
	}
	return counts, nil
}

// bucketChases bounds how many times the copy of a bucket moves its end
// on to where the bucket has got to meanwhile: a bucket written faster
// than it is copied would otherwise be chased for ever. Past it, a key
// written twice during the copy may be left out, as it was before a
// bucket was copied to its moving end at all.
const bucketChases = 100

// backupBegun, when set (tests), is called once a stream's copy has taken
// its state and before it copies a message.
var backupBegun func(stream string)

// backup writes every record of a backup to enc; it returns the count of
// messages per stream.
func backup(ctx context.Context, js jetstream.JetStream, enc *json.Encoder, log io.Writer) (map[string]uint64, error) {
	counts := map[string]uint64{}
	if err := enc.Encode(BackupRecord{Kind: "header", Format: BackupFormat, Version: 1, CreatedAt: time.Now().UTC(), Streams: BackupStreams}); err != nil {
		return nil, err
	}
	for _, name := range BackupStreams {
		st, err := js.Stream(ctx, name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			fmt.Fprintf(log, "accredit: no stream %s to back up (accreditd never created it); skipped\n", name)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stream %s: %w", name, err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			return nil, fmt.Errorf("stream %s: %w", name, err)
		}
		if backupBegun != nil {
			backupBegun(name)
		}
		cfg := info.Config
		if err := enc.Encode(BackupRecord{Kind: "stream", Stream: name, Config: &cfg, FirstSeq: info.State.FirstSeq, LastSeq: info.State.LastSeq, Messages: info.State.Msgs}); err != nil {
			return nil, err
		}
		var n uint64
		behind, end, chased := 0, info.State.LastSeq, 0
		// A bucket (mail, keys) keeps a key's last revisions only: a key
		// written again while it is copied loses the revision before the
		// copy reached it, with no delete, and its new one lies past the
		// end the copy began with. Copied up to that end alone, the backup
		// held neither revision (and the count check below failed, at
		// random, on a running accreditd whose notifier moved its cursor).
		// A bucket is copied up to its end as the copy finds it, so every
		// key is in it, at a revision it had during the copy.
		revisions := cfg.MaxMsgsPerSubject > 0
		drops := !cfg.DenyDelete || revisions // messages may go without a delete being refused
		// reaches moves end on to the bucket's end now, while it does not
		// reach seq and the chases last; it reports whether end reaches seq.
		reaches := func(seq uint64) (bool, error) {
			for seq > end && revisions && chased < bucketChases {
				now, err := st.Info(ctx)
				if err != nil {
					return false, fmt.Errorf("stream %s: %w", name, err)
				}
				chased++
				if now.State.LastSeq <= end {
					break // nothing written since
				}
				end = now.State.LastSeq
			}
			return seq <= end, nil
		}
		for seq := info.State.FirstSeq; info.State.Msgs > 0; {
			if ok, err := reaches(seq); err != nil {
				return nil, err
			} else if !ok {
				break
			}
			m, err := st.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(">"))
			if errors.Is(err, jetstream.ErrMsgNotFound) && !drops && behind < directBehindTries {
				// Nothing is deleted from this stream: a replica answering the
				// direct get is behind the leader that gave LastSeq.
				behind++
				select {
				case <-time.After(20 * time.Millisecond):
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				continue
			}
			if errors.Is(err, jetstream.ErrMsgNotFound) && drops {
				// Gone since, or a replica behind: the leader knows.
				if m, err = leaderNext(ctx, js.Conn(), name, seq); err == nil && m == nil {
					err = jetstream.ErrMsgNotFound
				}
			}
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("stream %s: message %d: %w", name, seq, err)
			}
			if ok, err := reaches(m.Sequence); err != nil {
				return nil, err
			} else if !ok {
				break // written after the copy began (or after the chases)
			}
			h := map[string][]string{}
			for k, v := range m.Header {
				h[k] = v
			}
			for _, k := range directGetHeaders {
				delete(h, k)
			}
			if len(h) == 0 {
				h = nil
			}
			if err := enc.Encode(BackupRecord{Kind: "msg", Stream: name, Seq: m.Sequence, Subject: m.Subject, Time: m.Time.UTC(), Headers: h, Data: m.Data}); err != nil {
				return nil, err
			}
			n++
			seq = m.Sequence + 1
		}
		if cfg.DenyDelete && !revisions && n != info.State.Msgs {
			// Without deletes every message up to LastSeq is there to copy:
			// fewer is a backup that would restore without the newest.
			return nil, fmt.Errorf("stream %s: copied %d of its %d messages: the backup is incomplete", name, n, info.State.Msgs)
		}
		counts[name] = n
	}
	return counts, enc.Encode(BackupRecord{Kind: "end", Counts: counts})
}

// backupReader reads the records of a backup file in turn.
type backupReader struct {
	f   *os.File
	gz  *gzip.Reader
	dec *json.Decoder
}

func openBackup(path string) (*backupReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	gz, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s is not a backup of accredit (not gzip): %w", path, err)
	}
	return &backupReader{f: f, gz: gz, dec: json.NewDecoder(gz)}, nil
}

func (r *backupReader) next() (BackupRecord, error) {
	var rec BackupRecord
	err := r.dec.Decode(&rec)
	return rec, err
}

func (r *backupReader) Close() error { _ = r.gz.Close(); return r.f.Close() }

// BackupFile is a backup file whose structure CheckBackup has checked.
type BackupFile struct {
	path  string
	plans []BackupStream
}

// BackupStream is what a backup file holds for one stream.
type BackupStream struct {
	// Record is the stream's record: its name, configuration and state
	// when it was copied.
	Record BackupRecord
	// Messages is the number of message records that follow it.
	Messages uint64
}

// Streams are the streams of the file, in order.
func (b *BackupFile) Streams() []BackupStream { return b.plans }

// CheckBackup reads the whole file and checks its structure: the header,
// every stream's record and messages in order, and the end record with
// matching counts. A truncated or altered file fails here, before anything
// is written.
func CheckBackup(path string) (*BackupFile, error) {
	r, err := openBackup(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h, err := r.next()
	if err != nil || h.Kind != "header" || h.Format != BackupFormat {
		return nil, fmt.Errorf("%s is not a backup of accredit (no %s header)", path, BackupFormat)
	}
	if h.Version != 1 {
		return nil, fmt.Errorf("%s is a backup of format version %d; this accredit reads version 1", path, h.Version)
	}
	var plans []BackupStream
	var cur *BackupStream
	var lastSeq uint64
	for {
		rec, err := r.next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s is truncated: it has no end record", path)
		}
		if err != nil {
			return nil, fmt.Errorf("%s is damaged: %w", path, err)
		}
		switch rec.Kind {
		case "stream":
			if rec.Config == nil || rec.Config.Name != rec.Stream {
				return nil, fmt.Errorf("%s is damaged: stream record %q without its configuration", path, rec.Stream)
			}
			plans = append(plans, BackupStream{Record: rec})
			cur, lastSeq = &plans[len(plans)-1], 0
		case "msg":
			if cur == nil || rec.Stream != cur.Record.Stream || rec.Seq <= lastSeq || rec.Subject == "" {
				return nil, fmt.Errorf("%s is damaged: message %d of %q out of place", path, rec.Seq, rec.Stream)
			}
			cur.Messages++
			lastSeq = rec.Seq
		case "end":
			for _, p := range plans {
				if rec.Counts[p.Record.Stream] != p.Messages {
					return nil, fmt.Errorf("%s is damaged: %d messages of %s, the end record says %d", path, p.Messages, p.Record.Stream, rec.Counts[p.Record.Stream])
				}
			}
			return &BackupFile{path: path, plans: plans}, nil
		default:
			return nil, fmt.Errorf("%s is damaged: unknown record %q", path, rec.Kind)
		}
	}
}

// NotEmptyError is Restore's refusal: a stream of the backup already holds
// messages on the target. Nothing was changed.
type NotEmptyError struct {
	Stream            string
	Messages, LastSeq uint64
}

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("stream %s already holds %d messages (up to sequence %d)", e.Stream, e.Messages, e.LastSeq)
}

// Restore restores b on c: into streams that do not exist or are empty
// (otherwise *NotEmptyError, before anything is written). It creates each
// stream with its backed-up configuration (replicas, when more than 0,
// replacing the backed-up number) and republishes every message in order,
// without the Nats-Expected-* and Nats-Batch-* headers; streams without gaps keep their
// sequence numbers. It returns the count of messages restored per stream.
func Restore(ctx context.Context, c *Conn, b *BackupFile, replicas int) (map[string]uint64, error) {
	js := c.js
	// Refuse before writing anything.
	existing := map[string]bool{}
	for _, p := range b.plans {
		st, err := js.Stream(ctx, p.Record.Stream)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stream %s: %w", p.Record.Stream, err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			return nil, fmt.Errorf("stream %s: %w", p.Record.Stream, err)
		}
		if info.State.Msgs > 0 || info.State.LastSeq > 0 {
			return nil, &NotEmptyError{Stream: p.Record.Stream, Messages: info.State.Msgs, LastSeq: info.State.LastSeq}
		}
		existing[p.Record.Stream] = true
	}
	return restore(ctx, js, b.path, b.plans, existing, replicas)
}

// restoreConfig is the stream configuration to create: the backed-up one,
// without what the server sets itself.
func restoreConfig(p BackupStream, replicas int) jetstream.StreamConfig {
	cfg := *p.Record.Config
	if len(cfg.Metadata) > 0 {
		md := map[string]string{}
		for k, v := range cfg.Metadata {
			if !strings.HasPrefix(k, "_nats.") {
				md[k] = v
			}
		}
		cfg.Metadata = md
	}
	if replicas > 0 {
		cfg.Replicas = replicas
	}
	if p.Record.FirstSeq > 1 {
		cfg.FirstSeq = p.Record.FirstSeq
	}
	return cfg
}

func restore(ctx context.Context, js jetstream.JetStream, path string, plans []BackupStream, existing map[string]bool, replicas int) (_ map[string]uint64, err error) {
	// A restore that fails part-way deletes the streams it wrote into
	// (each was absent or empty before), so that it can be run again: it
	// refuses a stream that holds messages.
	var written []string
	defer func() {
		if err == nil || len(written) == 0 {
			return
		}
		var left []string
		for _, name := range written {
			if derr := js.DeleteStream(context.WithoutCancel(ctx), name); derr != nil && !errors.Is(derr, jetstream.ErrStreamNotFound) {
				left = append(left, fmt.Sprintf("%s (%v)", name, derr))
			}
		}
		if len(left) > 0 {
			err = fmt.Errorf("%w; deleting what it wrote failed too, delete these streams before restoring again: %s", err, strings.Join(left, ", "))
			return
		}
		err = fmt.Errorf("%w; the streams it wrote into (%s) are deleted again: restore again once the cause is fixed", err, strings.Join(written, ", "))
	}()
	for _, p := range plans {
		cfg := restoreConfig(p, replicas)
		var err error
		if existing[p.Record.Stream] {
			_, err = js.UpdateStream(ctx, cfg)
		} else {
			_, err = js.CreateStream(ctx, cfg)
		}
		if err != nil {
			return nil, fmt.Errorf("create stream %s: %w", p.Record.Stream, err)
		}
		written = append(written, p.Record.Stream)
	}
	r, err := openBackup(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// Streams whose sequence numbers must come back as they were: those
	// with no gap (the event and checkpoint streams deny deletes).
	contiguous := map[string]bool{}
	for _, p := range plans {
		// A bucket's copy may go past the end its record gives (see
		// backup): its sequence numbers are never kept.
		contiguous[p.Record.Stream] = p.Record.Messages > 0 && p.Record.LastSeq-p.Record.FirstSeq+1 == p.Record.Messages &&
			p.Record.Config.MaxMsgsPerSubject <= 0
	}
	counts := map[string]uint64{}
	for {
		rec, err := r.next()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if rec.Kind == "end" {
			return counts, nil
		}
		if rec.Kind != "msg" {
			continue
		}
		msg := nats.NewMsg(rec.Subject)
		msg.Data = rec.Data
		for k, vs := range rec.Headers {
			// Expectations held when first published; batch headers
			// (group commit) would make the server take each message for
			// part of a batch.
			if k := textproto.CanonicalMIMEHeaderKey(k); strings.HasPrefix(k, "Nats-Expected-") || strings.HasPrefix(k, "Nats-Batch-") {
				continue
			}
			msg.Header[k] = vs
		}
		ack, err := js.PublishMsg(ctx, msg, jetstream.WithExpectStream(rec.Stream))
		if err == nil && ack.Duplicate && msg.Header.Get(jetstream.MsgIDHeader) != "" {
			// The same message id again after the original duplicate window:
			// stored twice at the time, so store it again without the id.
			msg.Header.Del(jetstream.MsgIDHeader)
			ack, err = js.PublishMsg(ctx, msg, jetstream.WithExpectStream(rec.Stream))
		}
		if err != nil {
			return nil, fmt.Errorf("stream %s: message %d (%s): %w", rec.Stream, rec.Seq, rec.Subject, err)
		}
		if contiguous[rec.Stream] && ack.Sequence != rec.Seq {
			return nil, fmt.Errorf("stream %s: message %d came back as %d: the stream was not empty or another client is writing to it", rec.Stream, rec.Seq, ack.Sequence)
		}
		counts[rec.Stream]++
	}
}
