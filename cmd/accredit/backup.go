package main

// Backup and restore copy Accredit's JetStream streams directly, not through
// the API. The copying and the file format are natsstore's (Backup,
// CheckBackup, Restore; domain/natsstore/backup.go describes the file): here
// are the commands, their flags, where the data is, and what the operator is
// told.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/natsstore"
)

const backupAbout = `
The file is gzip-compressed JSON lines: a header record, then for each
stream a record with its JetStream configuration followed by one record per
message (stream sequence, subject, headers, data in base64), and an end
record with the count of each stream. The streams are ACCREDIT_CHECKPOINTS,
KV_ACCREDIT_MAIL (notification choices, the outbox, the notifier's cursor),
ACCREDIT_EVENTS, KV_ACCREDIT_DATA_KEYS and OBJ_ACCREDIT_EVIDENCE, copied in that
order (sessions and leases are left out).

NOT in the backup, and to be backed up separately and kept safe:
  - the master key file (ACCREDIT_MASTER_KEY_FILE, default <data>/keys/master.key):
    without it the personal data in the backup (names, emails, texts,
    evidence) cannot be read;
  - the audit signing key (ACCREDIT_SIGNING_KEY_FILE, default
    <data>/keys/audit-ed25519.pem): without it the restored checkpoints do not
    verify;
  - the credential signing keys (ACCREDIT_CREDENTIAL_KEY_DIR, default
    <data>/keys/credentials): without them the awards' credentials already
    issued no longer verify against the office's published keys.

Where the data is: --nats-url (or ACCREDIT_NATS_URL) for a NATS server or
cluster, e.g. the client port of accreditd's embedded server
(ACCREDIT_NATS_LISTEN), while accreditd runs; or --data-dir for the embedded
store of an accreditd that is stopped.`

// natsFlags are how backup and restore reach JetStream.
type natsFlags struct {
	url, creds, dataDir *string
	// sync is the embedded server's fsync interval (0: every write).
	sync time.Duration
}

func addNATSFlags(l *leaf) natsFlags {
	return natsFlags{
		url:     l.fs.String("nats-url", "", "NATS server or cluster URL(s), comma-separated, user:password@ allowed (ACCREDIT_NATS_URL)"),
		creds:   l.fs.String("nats-creds", "", "NATS credentials file (JWT and NKey), if the server wants one"),
		dataDir: l.fs.String("data-dir", "", "instead of --nats-url: the data directory of a STOPPED accreditd with the embedded server"),
	}
}

// connect opens JetStream as the flags say; close stops it all.
func (c *cli) connect(path string, f natsFlags) (conn *natsstore.Conn, where string, closeFn func(), err error) {
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
		conn, err := natsstore.OpenEmbedded(natsstore.EmbeddedConfig{DataDir: *f.dataDir, SyncInterval: f.sync})
		if err != nil {
			if errors.Is(err, natsstore.ErrDataDirLocked) {
				return nil, "", nil, fmt.Errorf("%w\n  stop accreditd first, or use its client port (ACCREDIT_NATS_LISTEN) with --nats-url", err)
			}
			return nil, "", nil, err
		}
		return conn, "the embedded store in " + *f.dataDir, func() { conn.Close(2 * time.Second) }, nil
	}
	conn, err = natsstore.Dial(u, natsstore.DialOptions{Name: "accredit backup", Timeout: 10 * time.Second, Creds: *f.creds})
	if err != nil {
		return nil, "", nil, fmt.Errorf("connect to NATS at %s: %w", natsstore.RedactURLs(u), err)
	}
	return conn, natsstore.RedactURLs(u), func() { conn.Close(2 * time.Second) }, nil
}

func cmdBackup(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit backup", "", "Backs up Accredit's JetStream streams to one file (standard output without --out).\n"+backupAbout, "", 0, 0)
	nf := addNATSFlags(l)
	out := l.fs.String("out", "", "the backup file (written whole, then renamed into place); default standard output")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	conn, where, closeConn, err := c.connect(l.path, nf)
	if err != nil {
		return err
	}
	defer closeConn()

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
	counts, err := natsstore.Backup(ctx, conn, dst, c.stderr)
	if err != nil {
		return fmt.Errorf("backup from %s: %w", where, err)
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
	var each []string
	for _, s := range natsstore.BackupStreams {
		if n, ok := counts[s]; ok {
			each = append(each, fmt.Sprintf("%s %d", s, n))
		}
	}
	fmt.Fprintf(c.stderr, "accredit: backed up %s to %s; messages per stream: %s.\naccredit: the master key (ACCREDIT_MASTER_KEY_FILE), the audit signing key (ACCREDIT_SIGNING_KEY_FILE) and the credential keys (ACCREDIT_CREDENTIAL_KEY_DIR) are NOT in it: back them up separately.\n", where, target, strings.Join(each, ", "))
	return nil
}

func cmdRestore(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit restore", "", `
Restores a backup (see accredit backup --help) into a JetStream that does
not hold Accredit's streams yet: a new NATS cluster, or a new data directory
(--data-dir, made if it does not exist) BEFORE accreditd first starts on it.
accreditd writes on start (its first office user), so do not start it
before the restore.

It reads the whole file first and refuses a damaged or truncated one. It
refuses to write into a stream that already holds messages (nothing is
changed then). It creates each stream with its backed-up configuration
(ACCREDIT_EVENTS and ACCREDIT_CHECKPOINTS deny deletes and purges) and
republishes every message in order, without the Nats-Expected-* headers;
the event and checkpoint streams keep their sequence numbers. A restore
that fails part-way deletes the streams it wrote into (they were empty or
absent), so it can be run again once the cause is fixed. Into
--data-dir (the embedded server, a single server) each stream gets 1
replica, so a cluster's backup restores on one host. Then put the
master key, the audit signing key and the credential key directory in
place and start accreditd: it
rebuilds its state from the restored streams. Users log in again (sessions
are not restored).`+"\n"+backupAbout, "", 0, 0)
	nf := addNATSFlags(l)
	in := l.fs.String("in", "", "the backup file (required)")
	replicas := l.fs.Int("replicas", 0, "replicas of each restored stream; 0 keeps the backed-up number (with --data-dir: 1, the embedded server being one)")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	if *in == "" {
		return usagef(l.path, "missing --in")
	}
	if *nf.dataDir != "" {
		// The embedded server is a single server: a cluster's backup (its
		// streams R3) restores there with one replica each.
		switch {
		case *replicas > 1:
			return usagef(l.path, "--replicas %d with --data-dir: the embedded server is a single server, which holds 1 replica", *replicas)
		case *replicas == 0:
			*replicas = 1
		}
	}
	b, err := natsstore.CheckBackup(*in)
	if err != nil {
		return err
	}
	if *nf.dataDir != "" {
		// The usual target is a new data directory: make it, as seed does.
		if err := os.MkdirAll(*nf.dataDir, 0o700); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
	}
	conn, where, closeConn, err := c.connect(l.path, nf)
	if err != nil {
		return err
	}
	defer closeConn()
	counts, err := natsstore.Restore(ctx, conn, b, *replicas)
	var full *natsstore.NotEmptyError
	if errors.As(err, &full) {
		return &exitError{code: exitFailed, msg: fmt.Sprintf("restore into %s refused: stream %s already holds %d messages (up to sequence %d); restore only into a JetStream without Accredit's data (a new cluster, or a new data directory before accreditd starts). Nothing was changed.",
			where, full.Stream, full.Messages, full.LastSeq)}
	}
	if err != nil {
		return fmt.Errorf("restore into %s: %w", where, err)
	}
	if c.jsonOut() {
		return c.printJSON(nil, map[string]any{"restored": counts, "target": where})
	}
	var each []string
	for _, p := range b.Streams() {
		each = append(each, fmt.Sprintf("%s %d", p.Record.Stream, counts[p.Record.Stream]))
	}
	fmt.Fprintf(c.stdout, "Restored into %s; messages per stream: %s.\nPut the master key, the audit signing key and the credential key directory (ACCREDIT_CREDENTIAL_KEY_DIR) in place, then start accreditd; users log in again.\n", where, strings.Join(each, ", "))
	return nil
}
