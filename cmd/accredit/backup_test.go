package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/natsstore"
)

// freeAddr picks a free TCP address on 127.0.0.1.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// wipeAllBut removes everything in dir except keep (the keys, which an
// operator backs up separately).
func wipeAllBut(t *testing.T, dir, keep string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != keep {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// bareJetStream starts the embedded JetStream alone (no accreditd) on dir
// with a client port, as an empty server to restore into.
func bareJetStream(t *testing.T, dir string) (url string, stop func()) {
	t.Helper()
	emb, err := natsstore.StartEmbedded(natsstore.EmbeddedConfig{DataDir: dir, Listen: freeAddr(t)})
	if err != nil {
		t.Fatal(err)
	}
	return emb.ClientURL(), emb.Shutdown
}

// TestBackupAndRestoreBringBackEverything: back up a running accreditd
// through its NATS client port, lose the data directory (all but the keys,
// backed up separately), restore into an empty JetStream on it, start
// accreditd again, and find every case, evidence file, user and the audit
// chain as they were.
func TestBackupAndRestoreBringBackEverything(t *testing.T) {
	dir := t.TempDir()
	cfg := apptest.Config(dir)
	cfg.NATSListen = freeAddr(t)
	in := apptest.StartWith(t, cfg, app.Options{})
	tm := newTeam(t, in)
	awarded := tm.submitted(t)
	accID := tm.awarded(t, awarded)
	draft := tm.submitted(t)
	apptest.Expect(t, in.Post(t, "/api/v1/audit/checkpoints", tm.admin, nil), 201)
	before := map[string]map[string]any{}
	for _, id := range []string{awarded, draft} {
		before[id] = apptest.Expect(t, in.Get(t, "/api/v1/cases/"+id, tm.admin), 200).Map(t)
	}
	ev := before[awarded]["evidence"].([]any)[0].(map[string]any)["id"].(string)

	h := &harness{t: t, in: in, env: map[string]string{"HOME": t.TempDir()}}
	file := filepath.Join(t.TempDir(), "accredit.backup.gz")
	r := h.must(0, "", "backup", "--nats-url", "nats://"+cfg.NATSListen, "--out", file)
	contains(t, "backup", r.stderr, "ACCREDIT_EVENTS", "KV_ACCREDIT_DATA_KEYS", "OBJ_ACCREDIT_EVIDENCE", "master key", "ACCREDIT_SIGNING_KEY_FILE", "ACCREDIT_CREDENTIAL_KEY_DIR", "NOT in it")
	checkBackupFile(t, file)

	// Restoring into a server that holds the data is refused, changing nothing.
	r = h.must(exitFailed, "", "restore", "--nats-url", "nats://"+cfg.NATSListen, "--in", file)
	contains(t, "restore into non-empty", r.stderr, "refused", "ACCREDIT_CHECKPOINTS already holds", "Nothing was changed")

	// Disaster: the data directory is gone but for the keys.
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	wipeAllBut(t, dir, "keys")

	// Restore into an empty JetStream on the new data directory, before
	// accreditd starts (it writes its first office user on start).
	url, stop := bareJetStream(t, dir)
	r = h.must(0, "", "restore", "--nats-url", url, "--in", file)
	contains(t, "restore", r.stdout, "Restored into", "ACCREDIT_EVENTS", "OBJ_ACCREDIT_EVIDENCE", "ACCREDIT_CREDENTIAL_KEY_DIR")
	// Twice is refused.
	h.must(exitFailed, "", "restore", "--nats-url", url, "--in", file)
	stop()

	in = apptest.StartWith(t, cfg, app.Options{})
	admin := in.AdminToken(t)
	for id, was := range before {
		now := apptest.Expect(t, in.Get(t, "/api/v1/cases/"+id, admin), 200).Map(t)
		for _, k := range []string{"state", "version", "level", "applicant_id", "accreditation", "evidence", "assessments", "decision", "self_assessment"} {
			if a, b := jsonOf(was[k]), jsonOf(now[k]); a != b {
				t.Errorf("case %s %s after restore:\n got %s\nwant %s", id, k, b, a)
			}
		}
	}
	f := apptest.Expect(t, in.Get(t, "/api/v1/cases/"+awarded+"/evidence/"+ev+"/file", admin), 200)
	if string(f.Body) != string(pdf) {
		t.Fatalf("evidence after restore: %q", f.Body)
	}
	// Sessions are gone; the users log in again.
	apptest.Expect(t, in.Get(t, "/api/v1/me", tm.applicant.Token), 401)
	tok := in.Login(t, tm.applicant.Email, tm.applicant.Password)
	if me := apptest.Expect(t, in.Get(t, "/api/v1/me", tok), 200).Map(t); me["name"] != "Carla Coach" {
		t.Fatalf("applicant after restore: %v", me)
	}
	in.Login(t, tm.assessor.Email, tm.assessor.Password)
	rep := apptest.Expect(t, in.Get(t, "/api/v1/audit/verify", admin), 200).Map(t)
	if rep["intact"] != true || len(rep["checkpoints"].([]any)) != 1 {
		t.Fatalf("audit after restore: %v", rep)
	}
	caughtUp(t, in, "") // the register is a read model
	if v := apptest.Expect(t, in.Get(t, "/api/v1/register/"+accID, ""), 200).Map(t); v["valid"] != true {
		t.Fatalf("register after restore: %v", v)
	}
	// The restored system takes new work.
	tm2 := &team{in: in, admin: admin, applicant: tm.applicant}
	tm2.applicant.Token = tok
	tm2.submitted(t)
}

// TestBackupAndRestoreKeepMailPreferencesAndOutbox: a user's notification
// choices and the outbox (ACCREDIT_MAIL) survive a backup-wipe-restore, and
// the restored notifier writes no mail again.
func TestBackupAndRestoreKeepMailPreferencesAndOutbox(t *testing.T) {
	dir := t.TempDir()
	cfg := apptest.Config(dir)
	cfg.NATSListen = freeAddr(t)
	in := apptest.StartWith(t, cfg, app.Options{})
	tm := newTeam(t, in)
	tm.awarded(t, tm.submitted(t))
	apptest.Expect(t, in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"receive": []string{"decision"}, "language": "nl"}), 200)
	before := apptest.Expect(t, in.Get(t, "/api/v1/me/notifications", tm.applicant.Token), 200).Map(t)
	outbox := func(in *apptest.Instance, tok string) string {
		t.Helper()
		m := apptest.Expect(t, in.Get(t, "/api/v1/outbox", tok), 200).Map(t)
		return jsonOf(m["messages"])
	}
	// The notifier writes the decision's mail after the commit.
	var mailBefore string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if mailBefore = outbox(in, tm.admin); mailBefore != "[]" && mailBefore != "null" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail in the outbox to back up: %s", mailBefore)
		}
	}

	h := &harness{t: t, in: in, env: map[string]string{"HOME": t.TempDir()}}
	file := filepath.Join(t.TempDir(), "b.gz")
	h.must(0, "", "backup", "--nats-url", "nats://"+cfg.NATSListen, "--out", file)
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	wipeAllBut(t, dir, "keys")
	url, stop := bareJetStream(t, dir)
	h.must(0, "", "restore", "--nats-url", url, "--in", file)
	stop()
	in = apptest.StartWith(t, cfg, app.Options{})
	tok := in.Login(t, tm.applicant.Email, tm.applicant.Password)
	after := apptest.Expect(t, in.Get(t, "/api/v1/me/notifications", tok), 200).Map(t)
	if jsonOf(before) != jsonOf(after) {
		t.Fatalf("notification choices after backup and restore:\n got %s\nwant %s", jsonOf(after), jsonOf(before))
	}
	if got := outbox(in, in.AdminToken(t)); got != mailBefore {
		t.Fatalf("outbox after backup and restore:\n got %s\nwant %s", got, mailBefore)
	}
}

// TestRestoreOfATamperedBackupFailsTheAuditAndDamagedFilesAreRefused: a
// backup whose event was altered restores, and audit verify then says so
// (exit 5); a truncated file is refused before anything is written. This
// one restores with --data-dir, into a stopped accreditd's directory.
func TestRestoreOfATamperedBackupFailsTheAuditAndDamagedFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	in := apptest.StartWith(t, apptest.Config(dir), app.Options{})
	in.CreateUser(t, in.AdminToken(t), "assessor", "tess@example.org", "Tess Tamper")
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, in: in, env: map[string]string{"HOME": t.TempDir()}}
	file := filepath.Join(t.TempDir(), "b.gz")
	r := h.must(0, "", "backup", "--data-dir", dir, "--out", file)
	contains(t, "backup", r.stderr, "to "+file+"; messages per stream: ACCREDIT_CHECKPOINTS ", ", ACCREDIT_EVENTS ")

	// Truncated: refused.
	short := filepath.Join(t.TempDir(), "short.gz")
	rewriteBackup(t, file, short, func(lines []string) []string { return lines[:len(lines)-2] })
	// The target is a new data directory, not made yet: restore makes it.
	target := filepath.Join(t.TempDir(), "restored")
	r = h.must(exitFailed, "", "restore", "--data-dir", target, "--in", short)
	contains(t, "truncated", r.stderr, "truncated")
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("a refused restore made its data directory: %v", err)
	}

	// Tampered: an event's time moved by a year.
	bad := filepath.Join(t.TempDir(), "bad.gz")
	rewriteBackup(t, file, bad, func(lines []string) []string {
		for i, l := range lines {
			var rec natsstore.BackupRecord
			_ = json.Unmarshal([]byte(l), &rec)
			if rec.Kind == "msg" && rec.Stream == natsstore.EventsStream {
				rec.Data = regexp.MustCompile(`"occurred_at":"20`).ReplaceAll(rec.Data, []byte(`"occurred_at":"19`))
				b, _ := json.Marshal(rec)
				lines[i] = string(b)
				break
			}
		}
		return lines
	})
	r = h.must(0, "", "restore", "--data-dir", target, "--in", bad)
	contains(t, "restore", r.stdout, "Restored into the embedded store in "+target+"; messages per stream: ACCREDIT_CHECKPOINTS ", ", ACCREDIT_EVENTS ")
	// Then the keys are put in place, as the help says.
	if err := os.CopyFS(filepath.Join(target, "keys"), os.DirFS(filepath.Join(dir, "keys"))); err != nil {
		t.Fatal(err)
	}
	in = apptest.StartWith(t, apptest.Config(target), app.Options{})
	h.env["ACCREDIT_URL"] = in.URL
	h.loginAdmin()
	r = h.must(exitNotIntact, "", "audit", "verify")
	contains(t, "tampered", r.stdout, "NOT INTACT", "first mismatch")
}

// TestARestoreThatFailsPartWayCanBeRunAgain: a restore stopped by an error
// after it wrote some streams (here the server refuses the keys' messages,
// after the events went in) deletes what it wrote, so the same target takes
// the restore again; were the events left, the second restore would be
// refused as "already holds messages".
func TestARestoreThatFailsPartWayCanBeRunAgain(t *testing.T) {
	dir := t.TempDir()
	in := apptest.StartWith(t, apptest.Config(dir), app.Options{})
	in.CreateUser(t, in.AdminToken(t), "assessor", "pia@example.org", "Pia Partway")
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, in: in, env: map[string]string{"HOME": t.TempDir()}}
	file := filepath.Join(t.TempDir(), "b.gz")
	h.must(0, "", "backup", "--data-dir", dir, "--out", file)

	refused := filepath.Join(t.TempDir(), "refused.gz")
	rewriteBackup(t, file, refused, func(lines []string) []string {
		for i, l := range lines {
			var rec natsstore.BackupRecord
			_ = json.Unmarshal([]byte(l), &rec)
			if rec.Kind == "stream" && rec.Stream == "KV_"+natsstore.KeysBucket {
				rec.Config.MaxMsgSize = 8 // every key is longer
				b, _ := json.Marshal(rec)
				lines[i] = string(b)
			}
		}
		return lines
	})
	target := filepath.Join(t.TempDir(), "restored")
	r := h.must(exitFailed, "", "restore", "--data-dir", target, "--in", refused)
	contains(t, "failed restore", r.stderr, "KV_"+natsstore.KeysBucket, "deleted again")
	r = h.must(0, "", "restore", "--data-dir", target, "--in", file)
	contains(t, "restore again", r.stdout, "Restored into the embedded store in "+target)
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestRestoreOfAClusterBackupIntoADataDirTakesOneReplica: a backup of an
// R3 cluster (its stream configs say replicas 3) restored as README shows,
// with --data-dir into a new single-host directory, gets 1 replica per
// stream (the embedded server is a single server); --replicas 3 there is a
// usage error.
func TestRestoreOfAClusterBackupIntoADataDirTakesOneReplica(t *testing.T) {
	dir := t.TempDir()
	in := apptest.StartWith(t, apptest.Config(dir), app.Options{})
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, in: in, env: map[string]string{"HOME": t.TempDir()}}
	file := filepath.Join(t.TempDir(), "b.gz")
	h.must(0, "", "backup", "--data-dir", dir, "--out", file)
	r3 := filepath.Join(t.TempDir(), "r3.gz")
	rewriteBackup(t, file, r3, func(lines []string) []string {
		for i, l := range lines {
			lines[i] = strings.ReplaceAll(l, `"num_replicas":1`, `"num_replicas":3`)
		}
		return lines
	})
	target := filepath.Join(t.TempDir(), "restored")
	h.must(0, "", "restore", "--data-dir", target, "--in", r3)
	r := h.must(exitUsage, "", "restore", "--data-dir", filepath.Join(t.TempDir(), "other"), "--in", r3, "--replicas", "3")
	contains(t, "--replicas 3 into --data-dir", r.stderr, "single server")
	if err := os.CopyFS(filepath.Join(target, "keys"), os.DirFS(filepath.Join(dir, "keys"))); err != nil {
		t.Fatal(err)
	}
	in = apptest.StartWith(t, apptest.Config(target), app.Options{})
	in.AdminToken(t)
}

// checkBackupFile reads a backup: the header, the five streams with their
// messages, the end record.
func checkBackupFile(t *testing.T, path string) {
	t.Helper()
	b, err := natsstore.CheckBackup(path)
	if err != nil {
		t.Fatal(err)
	}
	plans := b.Streams()
	var names []string
	for _, p := range plans {
		names = append(names, p.Record.Stream)
		if p.Messages == 0 {
			t.Errorf("backup of %s has no messages", p.Record.Stream)
		}
	}
	if strings.Join(names, " ") != strings.Join(natsstore.BackupStreams, " ") {
		t.Fatalf("backup streams: %v", names)
	}
	// The checkpoints are copied before the events: a checkpoint signed
	// while the events are copied is then not in the backup, rather than
	// in it without the events it covers.
	if slices.Index(names, natsstore.CheckpointsStream) > slices.Index(names, natsstore.EventsStream) {
		t.Fatalf("the events are copied before the checkpoints: %v", names)
	}
	// The mail bucket too: its cursor and outbox ids name only events the
	// backup holds.
	if slices.Index(names, "KV_"+natsstore.MailBucket) > slices.Index(names, natsstore.EventsStream) {
		t.Fatalf("the events are copied before the mail bucket: %v", names)
	}
	for _, p := range plans {
		if p.Record.Stream != natsstore.CheckpointsStream && p.Record.Stream != natsstore.EventsStream {
			continue
		}
		if c := p.Record.Config; !c.DenyDelete || !c.DenyPurge {
			t.Fatalf("%s stream config: %+v", p.Record.Stream, c)
		}
	}
}

// rewriteBackup copies a backup through edit (on its JSON lines).
func rewriteBackup(t *testing.T, from, to string, edit func([]string) []string) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(gz)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	w := gzip.NewWriter(out)
	for _, l := range edit(lines) {
		_, _ = w.Write([]byte(l + "\n"))
	}
	_ = w.Close()
	_ = out.Close()
}
