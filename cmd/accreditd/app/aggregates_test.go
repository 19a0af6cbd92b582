package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/credential"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/rulesets"
	"github.com/emcc/accredit/domain/seed"
	"github.com/emcc/accredit/domain/selfcheck"
	"github.com/emcc/accredit/projections/search"
)

// TestTheWriteSideResumesFromItsSnapshot seeds a store with users of every
// role and cases in every state the seed makes, stops (the write side's snapshot is written
// on stop) and starts again: the indexes come from the snapshot, not a
// replay, and equal, byte for byte, what a replay of the store makes, as do
// the aggregates, field by field, kept in memory or read on demand; a
// command made before the restart and retried after it is answered as the
// first; events another process wrote after the snapshot are applied; a
// corrupt snapshot is ignored and the store replayed.
func TestTheWriteSideResumesFromItsSnapshot(t *testing.T) {
	in := apptest.Start(t)
	file := filepath.Join(in.Cfg.DataDir, "aggregates", "aggregates.json")
	sum := seedInto(t, in.App)
	office := domain.Actor{ID: "office-test", Role: domain.RoleOffice}
	publish := func(a *app.App) (aggregate.Result, error) {
		v := 25.0
		_, res, err := a.Cases.Rules().Publish(context.Background(), aggregate.Meta{Actor: office, CommandID: "publish-before-restart", RequestHash: "h"},
			rulesets.PublishRequest{Scheme: "EQA", BasedOn: accreditation.DefaultEQAID, EffectiveFrom: "2027-01-01",
				Rules: []rulesets.RuleChange{{Name: accreditation.RuleContactHours, Values: map[framework.Level]*float64{"foundation": &v}}}})
		return res, err
	}
	first, err := publish(in.App)
	if err != nil {
		t.Fatal(err)
	}

	in.Restart(t)
	loaded(t, in, true)
	again, err := publish(in.App)
	if err != nil || !again.Duplicate || again.Seq != first.Seq {
		t.Fatalf("the command retried after a restart from the snapshot: got %+v, %v; want the first result at seq %d", again, err, first.Seq)
	}
	if _, _, err := in.App.Accounts.Create(context.Background(), aggregate.Meta{Command: "register"}, accounts.NewUser{
		Email: "after-restart@example.org", Password: "a long password", Name: "After Restart", Role: domain.RoleApplicant}); err != nil {
		t.Fatalf("a new command after a restart from the snapshot: %v", err)
	}
	if _, _, err := in.App.Accounts.Create(context.Background(), aggregate.Meta{Command: "register"}, accounts.NewUser{
		Email: sum.Applicant, Password: "a long password", Name: "Taken", Role: domain.RoleApplicant}); !domain.Is(err, domain.Conflict) {
		t.Fatalf("registering a seeded applicant's email after the restart: got %v, want Conflict (the email index came back)", err)
	}
	restored := writeSide(t, in.App)
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	// No snapshot: a replay, whose snapshot is written on stop; with room
	// for 4 aggregates of a kind, every one read from its stream equals
	// what the process before kept (or read), and no more than 4 are held.
	in.Cfg.AggregateCache = 4
	in.Restart(t)
	loaded(t, in, false)
	same(t, "restart from the snapshot", restored, writeSide(t, in.App))
	for _, p := range in.App.Feed.Snapshotters() {
		if r, ok := p.(interface{ Cached() int }); ok && r.Cached() > 4 {
			t.Fatalf("%s holds %d aggregates, over the cache size of 4", p.SnapshotName(), r.Cached())
		}
	}
	in.Cfg.AggregateCache = 0

	// Another process writes after the snapshot: a start from it applies them.
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	older, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no snapshot written on stop: %v", err)
	}
	in.Restart(t)
	generate(t, in.App, 7, nil)
	want := writeSide(t, in.App)
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, older, 0o600); err != nil {
		t.Fatal(err)
	}
	in.Restart(t)
	loaded(t, in, true)
	same(t, "an older snapshot and what came after it", writeSide(t, in.App), want)

	// A corrupt snapshot: ignored, the store replayed.
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, older[:len(older)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	in.Restart(t)
	loaded(t, in, false)
	if !strings.Contains(in.Log.String(), `"msg":"aggregates snapshot not used; replaying the store"`) {
		t.Fatalf("a corrupt snapshot was not said to be ignored; log:\n%s", in.Log)
	}
	same(t, "a replay after a corrupt snapshot", writeSide(t, in.App), want)
}

// seedInto writes a small data set with every state and role into a's
// store and waits until a has applied it.
func seedInto(t *testing.T, a *app.App) seed.Summary {
	t.Helper()
	hash, err := accounts.SeedPasswordHash("a long seeding password")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := seed.Run(context.Background(), seed.Config{Cases: 30, Users: seed.MinUsers() + 15, Seed: 5,
		Until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), PasswordHash: hash, Vault: a.Vault},
		&seed.StoreWriter{Store: a.Events})
	if err != nil {
		t.Fatal(err)
	}
	// Every state the seed makes (its own test holds it to every state).
	made := 0
	for _, s := range accreditation.States {
		if sum.States[s] > 0 {
			made++
		}
	}
	if made < 12 {
		t.Fatalf("the seed made cases in %d states, want 12 or more: %v", made, sum.States)
	}
	// The seed makes no self-checks: two users keep some.
	for i, user := range []string{"selfcheck-user-1", "selfcheck-user-2"} {
		for range i + 1 {
			if _, _, err := a.SelfChecks.Save(context.Background(), aggregate.Meta{Command: "save_self_check", Actor: domain.Actor{ID: user, Role: domain.RoleApplicant}},
				[]selfcheck.Input{{Indicator: 1 + i, Rating: "partly"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Nor status list indexes of credentials: two awards get one.
	for _, acc := range []string{"seed-award-1", "seed-award-2"} {
		if _, err := a.Credentials.Index(context.Background(), domain.Actor{ID: "office-test", Role: domain.RoleOffice}, acc); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Feed.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sum
}

// loaded checks whether the start loaded the aggregates from the snapshot
// (at the feed's position, when nothing came after it) or replayed.
func loaded(t *testing.T, in *apptest.Instance, want bool) {
	t.Helper()
	log := in.Log.String()
	got := strings.Contains(log, `"msg":"aggregates loaded from their snapshot"`)
	if got != want {
		t.Fatalf("loaded from the snapshot: got %v, want %v; log:\n%s", got, want, log)
	}
}

// state is the write side of one process: each aggregate kind's states by
// id with their versions, and the other parts as they save themselves.
type state struct {
	aggregates map[string]map[string]any
	versions   map[string]map[string]uint64
	parts      map[string][]byte
	users      []accounts.UserView
	versionsOf []rulesets.Version
	position   uint64
}

func writeSide(t *testing.T, a *app.App) state {
	t.Helper()
	if err := a.Feed.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := state{aggregates: map[string]map[string]any{}, versions: map[string]map[string]uint64{}, parts: map[string][]byte{},
		users: usersOf(t, a), versionsOf: a.Cases.Rules().Versions(), position: a.Feed.Position()}
	streams := streamsOf(t, a)
	kinds := 0
	for _, p := range a.Feed.Snapshotters() {
		ids := streams[p.SnapshotName()]
		switch r := p.(type) {
		case *aggregate.Repository[*accreditation.Case]:
			s.aggregates[p.SnapshotName()], s.versions[p.SnapshotName()] = states(t, r, ids)
		case *aggregate.Repository[*accounts.User]:
			s.aggregates[p.SnapshotName()], s.versions[p.SnapshotName()] = states(t, r, ids)
		case *aggregate.Repository[*accounts.Reservation]:
			s.aggregates[p.SnapshotName()], s.versions[p.SnapshotName()] = states(t, r, ids)
		case *aggregate.Repository[*rulesets.Book]:
			s.aggregates[p.SnapshotName()], s.versions[p.SnapshotName()] = states(t, r, ids)
		case *aggregate.Repository[*selfcheck.History]:
			s.aggregates[p.SnapshotName()], s.versions[p.SnapshotName()] = states(t, r, ids)
		case *aggregate.Repository[*credential.Indexes]:
			s.aggregates[p.SnapshotName()], s.versions[p.SnapshotName()] = states(t, r, ids)
		}
		var buf bytes.Buffer
		if err := p.SaveSnapshot(context.Background(), func(v any) error { return json.NewEncoder(&buf).Encode(v) }); err != nil {
			t.Fatal(err)
		}
		s.parts[p.SnapshotName()] = buf.Bytes()
		if _, ok := p.(interface{ Cached() int }); !ok {
			continue // an index, saved whole
		}
		if len(s.aggregates[p.SnapshotName()]) == 0 {
			t.Fatalf("no aggregate of kind %s to compare", p.SnapshotName())
		}
		kinds++
	}
	if kinds != 6 {
		t.Fatalf("compared %d aggregate kinds, want 6 (cases, users, email reservations, rule-set books, self-checks, credential status indexes)", kinds)
	}
	return s
}

// streamsOf lists the aggregate ids in a's store by stream prefix
// ("accreditation": the case ids), from the store itself.
func streamsOf(t *testing.T, a *app.App) map[string][]string {
	t.Helper()
	ctx := context.Background()
	last, err := a.Events.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	out := map[string][]string{}
	err = a.Events.Read(ctx, 0, last, func(c eventstore.Commit) error {
		if i := strings.LastIndexByte(c.Stream, '.'); i > 0 && !seen[c.Stream] {
			seen[c.Stream] = true
			out[c.Stream[:i]] = append(out[c.Stream[:i]], c.Stream[i+1:])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// states reads each aggregate of ids as r has it: kept in memory by the
// feed, or read from its stream.
func states[S aggregate.Root[S]](t *testing.T, r *aggregate.Repository[S], ids []string) (map[string]any, map[string]uint64) {
	t.Helper()
	out, versions := map[string]any{}, map[string]uint64{}
	for _, id := range ids {
		s, v, ok, err := r.Find(context.Background(), id)
		if err != nil || !ok {
			t.Fatalf("%s: %v, %v", r.StreamID(id), ok, err)
		}
		out[id], versions[id] = s, v
	}
	return out, versions
}

func same(t *testing.T, what string, got, want state) {
	t.Helper()
	if got.position != want.position {
		t.Fatalf("%s: at %d, the replay at %d", what, got.position, want.position)
	}
	for kind, byID := range want.aggregates {
		if len(got.aggregates[kind]) != len(byID) {
			t.Errorf("%s: %d of %s, the replay has %d", what, len(got.aggregates[kind]), kind, len(byID))
		}
		for id, w := range byID {
			if g := got.aggregates[kind][id]; !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %s %s differs from the replay:\n got %s\nwant %s", what, kind, id, js(g), js(w))
			}
			if g, w := got.versions[kind][id], want.versions[kind][id]; g != w {
				t.Errorf("%s: %s %s at version %d, the replay at %d", what, kind, id, g, w)
			}
		}
	}
	for name, b := range want.parts {
		if !bytes.Equal(got.parts[name], b) {
			t.Errorf("%s: part %s differs from the replay (%d bytes, want %d)", what, name, len(got.parts[name]), len(b))
		}
	}
	if !reflect.DeepEqual(got.users, want.users) {
		t.Errorf("%s: the list of users differs from the replay (%d users, want %d)", what, len(got.users), len(want.users))
	}
	if !reflect.DeepEqual(got.versionsOf, want.versionsOf) {
		t.Errorf("%s: the rule-set versions differ from the replay (%d, want %d)", what, len(got.versionsOf), len(want.versionsOf))
	}
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestTheSnapshotHoldsNoPersonalDataInTheClear reads the aggregates' and
// the search index's snapshots of a seeded store, written on stop, for the
// names and emails the seed gave the users: none is there; they are
// sealed. The restart's search index resumes from its snapshot and finds
// the users by name.
func TestTheSnapshotHoldsNoPersonalDataInTheClear(t *testing.T) {
	in := apptest.Start(t)
	seedInto(t, in.App)
	ctx := context.Background()
	created, _, err := in.App.Accounts.Create(ctx, aggregate.Meta{Command: "register"}, accounts.NewUser{
		Email: "Clear.Text@Example.org", Password: "a long password", Name: "Zebedee Cleartext", Role: domain.RoleApplicant})
	if err != nil {
		t.Fatal(err)
	}
	last, err := in.App.Events.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, time.Minute) // a bound on a hang, not a speed
	defer cancel()
	if err := in.App.Search.WaitFor(wait, last); err != nil {
		t.Fatal(err)
	}
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	snaps := map[string][]byte{}
	for _, f := range []string{filepath.Join("aggregates", "aggregates.json"), filepath.Join("search", "index.json")} {
		if snaps[f], err = os.ReadFile(filepath.Join(in.Cfg.DataDir, f)); err != nil {
			t.Fatal(err)
		}
	}
	in.Restart(t)
	texts := []string{"Zebedee", "Cleartext", "clear.text@example.org", "Clear.Text@Example.org"}
	for _, u := range usersOf(t, in.App) {
		texts = append(texts, u.Email, u.Name)
	}
	if len(texts) < 20 {
		t.Fatalf("only %d texts to look for", len(texts))
	}
	for f, snap := range snaps {
		for _, s := range texts {
			if s != "" && bytes.Contains(bytes.ToLower(snap), bytes.ToLower([]byte(s))) {
				t.Errorf("%s holds %q in the clear", f, s)
			}
		}
		if !bytes.Contains(snap, []byte(created.ID)) {
			t.Fatalf("the new user's id is not in %s: did it save the users?", f)
		}
	}
	if want := `"msg":"search index resumed from its snapshot","position":` + strconv.FormatUint(last, 10); !strings.Contains(in.Log.String(), want) {
		t.Fatalf("the restart's search index did not resume from the snapshot at %d; log:\n%s", last, in.Log)
	}
	if err := in.App.Search.WaitFor(wait, last); err != nil {
		t.Fatal(err)
	}
	if got, _ := in.App.Search.Users(search.UserQuery{Text: "zebedee cleartext"}); len(got) != 1 || got[0].ID != created.ID {
		t.Fatalf("the resumed index finds %+v, want %s", got, created.ID)
	}
}
