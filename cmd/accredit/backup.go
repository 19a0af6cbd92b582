package main

// Backup and restore work on JetStream directly, not through the API: they
// copy the streams that hold Accredit's state, with their configuration and
// every message (subject, headers, data) in order.
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
// signed audit checkpoints), KV_ACCREDIT_KEYS (the per-person data keys,
// wrapped by the master key) and OBJ_ACCREDIT_EVIDENCE (the evidence files,
// encrypted). Sessions and leases are left out: they are short-lived.
// Each stream is copied up to its last message when its copy starts, in that
// order, so that every key and file the copied events refer to is in the
// file.
//
// NOT in the backup, and to be backed up separately: the master key file
// (ACCREDIT_MASTER_KEY_FILE, <data>/keys/master.key), without which the
// personal data in the backup (names, emails, texts, evidence) cannot be
// read, and the audit signing key (ACCREDIT_SIGNING_KEY_FILE,
// <data>/keys/audit-ed25519.pem), without which the restored checkpoints
// cannot be verified.

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/natsstore"
)

const backupFormat = "accredit-backup"

// backupStreams are the streams a backup holds, in the order copied.
var backupStreams = []string{
	natsstore.EventsStream,
	natsstore.CheckpointsStream,
	"KV_" + natsstore.KeysBucket,
	"OBJ_" + natsstore.EvidenceBucket,
}

// record is one line of a backup file.
type record struct {
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

const backupAbout = `
The file is gzip-compressed JSON lines: a header record, then for each
stream a record with its JetStream configuration followed by one record per
message (stream sequence, subject, headers, data in base64), and an end
record with the count of each stream. The streams are ACCREDIT_EVENTS,
ACCREDIT_CHECKPOINTS, KV_ACCREDIT_KEYS and OBJ_ACCREDIT_EVIDENCE (sessions
and leases are left out).

NOT in the backup, and to be backed up separately and kept safe:
  - the master key file (ACCREDIT_MASTER_KEY_FILE, default <data>/keys/master.key):
    without it the personal data in the backup (names, emails, texts,
    evidence) cannot be read;
  - the audit signing key (ACCREDIT_SIGNING_KEY_FILE, default
    <data>/keys/audit-ed25519.pem): without it the restored checkpoints do not
    verify.

Where the data is: --nats-url (or ACCREDIT_NATS_URL) for a NATS server or
cluster, e.g. the client port of accreditd's embedded server
(ACCREDIT_NATS_LISTEN), while accreditd runs; or --data-dir for the embedded
store of an accreditd that is stopped.`

// natsFlags are how backup and restore reach JetStream.
type natsFlags struct {
	url, creds, dataDir *string
}

func addNATSFlags(l *leaf) natsFlags {
	return natsFlags{
		url:     l.fs.String("nats-url", "", "NATS server or cluster URL(s), comma-separated, user:password@ allowed (ACCREDIT_NATS_URL)"),
		creds:   l.fs.String("nats-creds", "", "NATS credentials file (JWT and NKey), if the server wants one"),
		dataDir: l.fs.String("data-dir", "", "instead of --nats-url: the data directory of a STOPPED accreditd with the embedded server"),
	}
}

// connect opens JetStream as the flags say; close stops it all.
func (c *cli) connect(path string, f natsFlags) (js jetstream.JetStream, where string, closeFn func(), err error) {
	u := firstOf(*f.url, c.getenv("ACCREDIT_NATS_URL"))
	switch {
	case u != "" && *f.dataDir != "":
		return nil, "", nil, usagef(path, "give --nats-url or --data-dir, not both")
	case u == "" && *f.dataDir == "":
		return nil, "", nil, usagef(path, "missing --nats-url (or ACCREDIT_NATS_URL) or --data-dir")
	}
	if *f.dataDir != "" {
		if _, err := os.Stat(*f.dataDir); err != nil {
			return nil, "", nil, fmt.Errorf("data directory: %w", err)
		}
		emb, err := natsstore.StartEmbedded(natsstore.EmbeddedConfig{DataDir: *f.dataDir})
		if err != nil {
			if errors.Is(err, natsstore.ErrDataDirLocked) {
				return nil, "", nil, fmt.Errorf("%w\n  stop accreditd first, or use its client port (ACCREDIT_NATS_LISTEN) with --nats-url", err)
			}
			return nil, "", nil, err
		}
		nc, err := emb.Connect()
		if err != nil {
			emb.Shutdown()
			return nil, "", nil, err
		}
		js, err := jetstream.New(nc)
		if err != nil {
			nc.Close()
			emb.Shutdown()
			return nil, "", nil, err
		}
		return js, "the embedded store in " + *f.dataDir, func() { _ = nc.Drain(); waitClosed(nc); emb.Shutdown() }, nil
	}
	opts := []nats.Option{nats.Name("accredit backup"), nats.Timeout(10 * time.Second)}
	if *f.creds != "" {
		opts = append(opts, nats.UserCredentials(*f.creds))
	}
	nc, err := nats.Connect(u, opts...)
	if err != nil {
		return nil, "", nil, fmt.Errorf("connect to NATS at %s: %w", redactURL(u), err)
	}
	js, err = jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, "", nil, err
	}
	return js, redactURL(u), func() { _ = nc.Drain(); waitClosed(nc) }, nil
}

func waitClosed(nc *nats.Conn) {
	for i := 0; i < 200 && !nc.IsClosed(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	nc.Close()
}

// redactURL hides the passwords of NATS URLs.
func redactURL(s string) string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		if u, err := url.Parse(strings.TrimSpace(p)); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), "REDACTED")
				parts[i] = strings.Replace(u.String(), "REDACTED", "***", 1)
			}
		}
	}
	return strings.Join(parts, ",")
}

func cmdBackup(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit backup", "", "Backs up Accredit's JetStream streams to one file (standard output without --out).\n"+backupAbout, "", 0, 0)
	nf := addNATSFlags(l)
	out := l.fs.String("out", "", "the backup file (written whole, then renamed into place); default standard output")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	js, where, closeJS, err := c.connect(l.path, nf)
	if err != nil {
		return err
	}
	defer closeJS()

	var dst io.Writer = c.stdout
	var tmp *os.File
	if *out != "" {
		if tmp, err = os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*"); err != nil {
			return fmt.Errorf("create %s: %w", *out, err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		dst = tmp
	}
	bw := bufio.NewWriterSize(dst, 1<<20)
	gz := gzip.NewWriter(bw)
	enc := json.NewEncoder(gz)
	counts, err := backup(ctx, js, enc, c.stderr)
	if err != nil {
		return fmt.Errorf("backup from %s: %w", where, err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("write the backup: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write the backup: %w", err)
	}
	target := "standard output"
	if tmp != nil {
		if err := tmp.Sync(); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		if err := tmp.Close(); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		target = *out
	}
	summary := map[string]any{"file": target, "streams": counts, "source": where}
	if c.jsonOut() {
		if tmp == nil {
			b, _ := json.Marshal(summary)
			fmt.Fprintln(c.stderr, string(b))
			return nil
		}
		return c.printJSON(nil, summary)
	}
	fmt.Fprintf(c.stderr, "accredit: backed up %s to %s:", where, target)
	for _, s := range backupStreams {
		if n, ok := counts[s]; ok {
			fmt.Fprintf(c.stderr, " %s %d,", s, n)
		}
	}
	fmt.Fprintf(c.stderr, " messages.\naccredit: the master key (ACCREDIT_MASTER_KEY_FILE) and the audit signing key are NOT in it: back them up separately.\n")
	return nil
}

// backup writes every record of a backup to enc; it returns the count of
// messages per stream.
func backup(ctx context.Context, js jetstream.JetStream, enc *json.Encoder, log io.Writer) (map[string]uint64, error) {
	counts := map[string]uint64{}
	if err := enc.Encode(record{Kind: "header", Format: backupFormat, Version: 1, CreatedAt: time.Now().UTC(), Streams: backupStreams}); err != nil {
		return nil, err
	}
	for _, name := range backupStreams {
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
		cfg := info.Config
		if err := enc.Encode(record{Kind: "stream", Stream: name, Config: &cfg, FirstSeq: info.State.FirstSeq, LastSeq: info.State.LastSeq, Messages: info.State.Msgs}); err != nil {
			return nil, err
		}
		var n uint64
		for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; {
			m, err := st.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(">"))
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("stream %s: message %d: %w", name, seq, err)
			}
			if m.Sequence > info.State.LastSeq {
				break // written after the copy began
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
			if err := enc.Encode(record{Kind: "msg", Stream: name, Seq: m.Sequence, Subject: m.Subject, Time: m.Time.UTC(), Headers: h, Data: m.Data}); err != nil {
				return nil, err
			}
			n++
			seq = m.Sequence + 1
		}
		counts[name] = n
	}
	return counts, enc.Encode(record{Kind: "end", Counts: counts})
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

func (r *backupReader) next() (record, error) {
	var rec record
	err := r.dec.Decode(&rec)
	return rec, err
}

func (r *backupReader) Close() error { _ = r.gz.Close(); return r.f.Close() }

// streamPlan is what the file holds for one stream.
type streamPlan struct {
	rec  record
	msgs uint64
}

// checkBackup reads the whole file and checks its structure: the header,
// every stream's record and messages in order, and the end record with
// matching counts. A truncated or altered file fails here, before anything
// is written.
func checkBackup(path string) ([]streamPlan, error) {
	r, err := openBackup(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h, err := r.next()
	if err != nil || h.Kind != "header" || h.Format != backupFormat {
		return nil, fmt.Errorf("%s is not a backup of accredit (no %s header)", path, backupFormat)
	}
	if h.Version != 1 {
		return nil, fmt.Errorf("%s is a backup of format version %d; this accredit reads version 1", path, h.Version)
	}
	var plans []streamPlan
	var cur *streamPlan
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
			plans = append(plans, streamPlan{rec: rec})
			cur, lastSeq = &plans[len(plans)-1], 0
		case "msg":
			if cur == nil || rec.Stream != cur.rec.Stream || rec.Seq <= lastSeq || rec.Subject == "" {
				return nil, fmt.Errorf("%s is damaged: message %d of %q out of place", path, rec.Seq, rec.Stream)
			}
			cur.msgs++
			lastSeq = rec.Seq
		case "end":
			for _, p := range plans {
				if rec.Counts[p.rec.Stream] != p.msgs {
					return nil, fmt.Errorf("%s is damaged: %d messages of %s, the end record says %d", path, p.msgs, p.rec.Stream, rec.Counts[p.rec.Stream])
				}
			}
			return plans, nil
		default:
			return nil, fmt.Errorf("%s is damaged: unknown record %q", path, rec.Kind)
		}
	}
}

func cmdRestore(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit restore", "", `
Restores a backup (see accredit backup --help) into a JetStream that does
not hold Accredit's streams yet: a new NATS cluster, or a new data directory
(--data-dir) BEFORE accreditd first starts on it. accreditd writes on start
(its first office user), so do not start it before the restore.

It reads the whole file first and refuses a damaged or truncated one. It
refuses to write into a stream that already holds messages (nothing is
changed then). It creates each stream with its backed-up configuration
(ACCREDIT_EVENTS and ACCREDIT_CHECKPOINTS deny deletes and purges) and
republishes every message in order, without the Nats-Expected-* headers;
the event and checkpoint streams keep their sequence numbers. Then put the
master key and the audit signing key in place and start accreditd: it
rebuilds its state from the restored streams. Users log in again (sessions
are not restored).`+"\n"+backupAbout, "", 0, 0)
	nf := addNATSFlags(l)
	in := l.fs.String("in", "", "the backup file (required)")
	replicas := l.fs.Int("replicas", 0, "replicas of each restored stream; 0 keeps the backed-up number")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	if *in == "" {
		return usagef(l.path, "missing --in")
	}
	plans, err := checkBackup(*in)
	if err != nil {
		return err
	}
	js, where, closeJS, err := c.connect(l.path, nf)
	if err != nil {
		return err
	}
	defer closeJS()
	// Refuse before writing anything.
	existing := map[string]bool{}
	for _, p := range plans {
		st, err := js.Stream(ctx, p.rec.Stream)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("stream %s at %s: %w", p.rec.Stream, where, err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			return fmt.Errorf("stream %s at %s: %w", p.rec.Stream, where, err)
		}
		if info.State.Msgs > 0 || info.State.LastSeq > 0 {
			return &exitError{code: exitFailed, msg: fmt.Sprintf("restore into %s refused: stream %s already holds %d messages (up to sequence %d); restore only into a JetStream without Accredit's data (a new cluster, or a new data directory before accreditd starts). Nothing was changed.",
				where, p.rec.Stream, info.State.Msgs, info.State.LastSeq)}
		}
		existing[p.rec.Stream] = true
	}
	counts, err := restore(ctx, js, *in, plans, existing, *replicas)
	if err != nil {
		return fmt.Errorf("restore into %s: %w", where, err)
	}
	if c.jsonOut() {
		return c.printJSON(nil, map[string]any{"restored": counts, "target": where})
	}
	fmt.Fprintf(c.stdout, "Restored into %s:", where)
	for _, p := range plans {
		fmt.Fprintf(c.stdout, " %s %d,", p.rec.Stream, counts[p.rec.Stream])
	}
	fmt.Fprintf(c.stdout, " messages.\nPut the master key and the audit signing key in place, then start accreditd; users log in again.\n")
	return nil
}

// restoreConfig is the stream configuration to create: the backed-up one,
// without what the server sets itself.
func restoreConfig(p streamPlan, replicas int) jetstream.StreamConfig {
	cfg := *p.rec.Config
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
	if p.rec.FirstSeq > 1 {
		cfg.FirstSeq = p.rec.FirstSeq
	}
	return cfg
}

func restore(ctx context.Context, js jetstream.JetStream, path string, plans []streamPlan, existing map[string]bool, replicas int) (map[string]uint64, error) {
	for _, p := range plans {
		cfg := restoreConfig(p, replicas)
		var err error
		if existing[p.rec.Stream] {
			_, err = js.UpdateStream(ctx, cfg)
		} else {
			_, err = js.CreateStream(ctx, cfg)
		}
		if err != nil {
			return nil, fmt.Errorf("create stream %s: %w", p.rec.Stream, err)
		}
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
		contiguous[p.rec.Stream] = p.rec.Messages > 0 && p.rec.LastSeq-p.rec.FirstSeq+1 == p.rec.Messages
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
			if strings.HasPrefix(textproto.CanonicalMIMEHeaderKey(k), "Nats-Expected-") {
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
