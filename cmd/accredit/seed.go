package main

// Seed fills an empty store with a made-up, realistic data set, directly
// through JetStream (not the API): the making up is domain/seed's, the
// pipelined writing natsstore's BulkWriter and BulkKeys.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/seed"
)

func cmdSeed(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit seed", "", `
Fills an empty Accredit store with a made-up, realistic data set, for a
demonstration or a benchmark: users of every role (office, assessors with
their profiles, applicants) and cases in every state, with portfolios,
evidence (each item's file a one-page PDF saying it is made up; see
--files), self-assessments, assessments, information requests,
moderation, decisions, appeals, renewals and expiries, spread from the
first rule set's start to now. Every event is decided by the
domain's own commands; the same --seed gives the same data set.

It writes to the store directly, many commits in flight at once: point
--data-dir at the data directory of a STOPPED accreditd (or a new one),
or --nats-url at a NATS server with --master-key-file. It refuses a store
that already holds events unless --force is given. Every user gets the
same password (hashed once, printed at the end).`, "", 0, 0)
	nf := addNATSFlags(l)
	cases := l.fs.Int("cases", 2000, "cases to make up")
	users := l.fs.Int("users", 1000, fmt.Sprintf("users to make up, every role (at least %d)", seed.MinUsers()))
	number := l.fs.Uint64("seed", 1, "the random seed: the same seed, the same data set")
	password := l.fs.String("password", "", "every user's password (at least 12 characters); generated and printed when empty")
	force := l.fs.Bool("force", false, "write into a store that already holds events")
	masterKey := l.fs.String("master-key-file", "", "the key wrapping the per-person data keys; default <data-dir>/keys/master.key (ACCREDIT_MASTER_KEY_FILE)")
	syncEvery := l.fs.Duration("sync", time.Second, "with --data-dir: how often the embedded server fsyncs while seeding (a lost seeding run is run again)")
	from := l.fs.String("from", "", "first day of the data set, YYYY-MM-DD; default a week after the first rule set came in force")
	until := l.fs.String("until", "", "last day of the data set, YYYY-MM-DD; default now")
	replicas := l.fs.Int("replicas", 0, "replicas of the streams and buckets it creates (3 on a 3-node cluster, as ACCREDIT_REPLICAS); default: those of the existing event stream, else 1")
	files := l.fs.Bool("files", true, "store each evidence item's file (a one-page PDF saying what it is); --files=false stores the metadata only, faster (make bench)")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	cfg := seed.Config{Cases: *cases, Users: *users, Seed: *number}
	if *cases < 0 {
		return usagef(l.path, "--cases must be 0 or more")
	}
	if *replicas < 0 {
		return usagef(l.path, "--replicas must be 1 or more")
	}
	if *users < seed.MinUsers() {
		return usagef(l.path, "--users must be at least %d (the office, assessors for every language, an applicant)", seed.MinUsers())
	}
	for _, d := range []struct {
		flag, v string
		dst     *time.Time
	}{{"from", *from, &cfg.From}, {"until", *until, &cfg.Until}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.v)
		if err != nil {
			return usagef(l.path, "--%s: %q is not a date such as 2025-06-30", d.flag, d.v)
		}
		*d.dst = t
	}
	if *syncEvery <= 0 {
		return usagef(l.path, "--sync must be a positive interval such as 1s")
	}
	pw := *password
	if pw == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		pw = "seed-" + base64.RawURLEncoding.EncodeToString(b)
	}
	hash, err := accounts.SeedPasswordHash(pw)
	if err != nil {
		return usagef(l.path, "--password: %v", err)
	}
	cfg.PasswordHash = hash

	keyFile := firstOf(*masterKey, c.getenv("ACCREDIT_MASTER_KEY_FILE"))
	if keyFile == "" {
		if *nf.dataDir == "" {
			return usagef(l.path, "with --nats-url, give --master-key-file (the one accreditd uses)")
		}
		keyFile = filepath.Join(*nf.dataDir, "keys", "master.key")
	}
	nf.sync = *syncEvery
	if *nf.dataDir != "" {
		// A new data directory is the usual place to seed.
		if err := os.MkdirAll(*nf.dataDir, 0o700); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
	}
	conn, where, closeConn, err := c.connect(l.path, nf)
	if err != nil {
		return err
	}
	defer closeConn()
	// Read the store's end before opening it: opening creates the streams or
	// updates their configuration (replicas among it), which a refusal
	// must not have done.
	events, found, err := conn.LookupStream(ctx, natsstore.EventsStream)
	if err != nil {
		return err
	}
	if found && events.LastSeq > 0 && !*force {
		return &exitError{code: exitFailed, msg: fmt.Sprintf("seed into %s refused: the store already holds %d commits; seed a new data directory, or give --force to add to it. Nothing was changed.", where, events.LastSeq)}
	}
	n := *replicas
	if n == 0 {
		n = max(events.Replicas, 1) // an existing store keeps its replicas
	}
	scfg := natsstore.Config{Replicas: n}
	cfg.Replicas = n
	store, err := conn.OpenEventStore(ctx, scfg)
	if err != nil {
		return err
	}
	master, err := pii.LoadOrCreateKeyFile(keyFile)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	cfg.Progress = func(p seed.Progress) {
		fmt.Fprintf(c.stderr, "accredit seed: %s  users %d/%d  cases %d/%d  commits %d  events %d  data at %s\n",
			p.Elapsed.Round(time.Second), p.Users, p.UsersTotal, p.Cases, p.Open, p.Commits, p.Events, p.DataTime.Format(time.DateOnly))
	}
	if *files {
		if cfg.Files, err = natsstore.OpenBlobs(ctx, store.JetStream(), scfg); err != nil {
			return err
		}
	}
	start := time.Now()
	sum, position, err := seed.IntoJetStream(ctx, store, master, cfg)
	if err != nil {
		return fmt.Errorf("seed into %s: %w", where, err)
	}
	took := time.Since(start)
	if c.jsonOut() {
		return c.printJSON(nil, map[string]any{"target": where, "summary": sum, "seconds": took.Seconds(),
			"password": pw, "password_hash": hash, "last_seq": position})
	}
	w := c.stdout
	fmt.Fprintf(w, "Seeded %s in %s (%.0f cases/s): %d commits, %d events, store position %d.\n",
		where, took.Round(time.Millisecond), float64(sum.Cases)/took.Seconds(), sum.Commits, sum.Events, position)
	fmt.Fprintf(w, "Users: %d office, %d assessors, %d applicants.\n", sum.Users[domain.RoleOffice], sum.Users[domain.RoleAssessor], sum.Users[domain.RoleApplicant])
	var states []string
	for _, s := range accreditation.States {
		states = append(states, fmt.Sprintf("%s %d", s, sum.States[s]))
	}
	fmt.Fprintf(w, "Cases: %d: %s.\n", sum.Cases, strings.Join(states, ", "))
	fmt.Fprintf(w, "Decisions %d, appeals %d, information requests %d, moderations %d, renewals %d, expiries %d, revocations %d.\n",
		sum.Decisions, sum.Appeals, sum.InformationRequests, sum.Moderations, sum.Renewals, sum.Expiries, sum.Revocations)
	fmt.Fprintf(w, "Every user's password: %s\n  (argon2id hash, the same for all: %s)\n", pw, hash)
	fmt.Fprintf(w, "Log in as office %s, assessor %s or applicant %s.\n", sum.Office, sum.Assessor, sum.Applicant)
	return nil
}
