package search_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections/search"
)

// openCase appends an EQA case's opening, its programme sealed under the
// applicant's key as the cases service seals it.
func (f fixture) openCase(t *testing.T, applicant, programme, provider string) string {
	t.Helper()
	ctx := context.Background()
	id := ulid.Make().String()
	opened := accreditation.CaseOpened{CaseID: id, Scheme: accreditation.SchemeEQA, ApplicantID: applicant}
	var err error
	if opened.ProgrammeName, err = f.vault.Seal(ctx, applicant, programme); err != nil {
		t.Fatal(err)
	}
	if opened.ProgrammeProvider, err = f.vault.Seal(ctx, applicant, provider); err != nil {
		t.Fatal(err)
	}
	f.append(t, "cases."+id, string(accreditation.EventCaseOpened), opened)
	return id
}

// stores are the stores the snapshot tests run on: memory and JetStream.
func stores(t *testing.T) map[string]func(t *testing.T) fixture {
	return map[string]func(t *testing.T) fixture{
		"memory": newFixture,
		"jetstream": func(t *testing.T) fixture {
			f := newFixture(t)
			f.store = natstest.Start(t).EventStore(t)
			return f
		},
	}
}

// sameAnswers fails t unless both indexes answer every query alike.
func sameAnswers(t *testing.T, got, want *search.Index, queries ...string) {
	t.Helper()
	for _, q := range append(queries, "") {
		g, _ := got.Users(search.UserQuery{Text: q, Limit: 100})
		w, _ := want.Users(search.UserQuery{Text: q, Limit: 100})
		if !reflect.DeepEqual(g, w) {
			t.Errorf("users %q: resumed %+v, built from the store %+v", q, g, w)
		}
		gc, _ := got.Cases(search.CaseQuery{Text: q, Limit: 100})
		wc, _ := want.Cases(search.CaseQuery{Text: q, Limit: 100})
		if !reflect.DeepEqual(gc, wc) {
			t.Errorf("cases %q: resumed %+v, built from the store %+v", q, gc, wc)
		}
	}
}

// TestTheIndexResumesFromItsSnapshotAsBuiltFromTheStore: an index that
// starts from its snapshot reads only the commits after it and answers as
// one built from the store's start, through changes on both sides of the
// snapshot (registrations, an email change, erasures, cases). The file
// holds no name, email or programme in the clear.
func TestTheIndexResumesFromItsSnapshotAsBuiltFromTheStore(t *testing.T) {
	for name, fixtureOn := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := fixtureOn(t)
			ada := f.register(t, domain.RoleApplicant, "Ada Lovelace", "ada@example.org")
			grace := f.register(t, domain.RoleApplicant, "Grace Hopper", "grace@example.org")
			emmy := f.register(t, domain.RoleApplicant, "Emmy Noether", "emmy@example.org")
			f.register(t, domain.RoleAssessor, "Alan Turing", "alan@example.org")
			f.openCase(t, ada, "Analytical Engines Programme", "Babbage Academy")
			f.openCase(t, emmy, "Invariant Theory Course", "Erlangen Institute")
			email, err := f.vault.Seal(ctx, grace, "grace.hopper@example.net")
			if err != nil {
				t.Fatal(err)
			}
			f.append(t, accounts.UserPrefix+"."+grace, accounts.EventEmailChanged, accounts.EmailChanged{UserID: grace, Email: email})
			f.append(t, accounts.UserPrefix+"."+emmy, accounts.EventUserErased, accounts.UserErased{UserID: emmy, Reason: "request"})

			path := filepath.Join(t.TempDir(), "search", "index.json")
			first := search.New(f.store, f.vault.Open, nil)
			first.Persist(path, f.passes())
			at, _ := f.store.LastSeq(ctx)
			run(t, first)
			waitBuilt(t, first, at)
			if pos, written, err := first.SaveSnapshot(ctx); err != nil || !written || pos != at {
				t.Fatalf("SaveSnapshot: %d, %v, %v; want %d written", pos, written, err, at)
			}
			if _, written, err := first.SaveSnapshot(ctx); err != nil || written {
				t.Fatalf("a second SaveSnapshot with nothing new: written %v, %v", written, err)
			}
			// A commit the index reads nothing of: the file stays as it is.
			f.append(t, "cases."+ulid.Make().String(), "accreditation.portfolio_updated", map[string]any{"note": "a step"})
			waitBuilt(t, first, at+1)
			if _, written, err := first.SaveSnapshot(ctx); err != nil || written {
				t.Fatalf("SaveSnapshot after a commit that changed nothing: written %v, %v", written, err)
			}
			file, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, clear := range []string{"Lovelace", "Hopper", "Turing", "example.org", "Analytical", "Babbage"} {
				if bytes.Contains(file, []byte(clear)) {
					t.Fatalf("the snapshot holds %q in the clear:\n%s", clear, file)
				}
			}

			// After the snapshot: a new user and case, an erasure.
			f.register(t, domain.RoleApplicant, "Katherine Johnson", "katherine@example.org")
			f.openCase(t, grace, "Compilers for Coaches", "Navy Programme")
			f.append(t, accounts.UserPrefix+"."+ada, accounts.EventUserErased, accounts.UserErased{UserID: ada, Reason: "request"})
			last, _ := f.store.LastSeq(ctx)

			resumed := search.New(f.store, f.vault.Open, nil)
			resumed.Persist(path, f.passes())
			run(t, resumed)
			waitBuilt(t, resumed, last)
			if got := search.ResumedFrom(resumed); got != at {
				t.Fatalf("resumed from %d, want the snapshot's %d", got, at)
			}
			if st := resumed.Status(); !st.Built || st.Indexed != last {
				t.Fatalf("status %+v, want built at %d", st, last)
			}
			built := search.New(f.store, f.vault.Open, nil)
			run(t, built)
			waitBuilt(t, built, last)
			sameAnswers(t, resumed, built, "ada", "lovelace", "grace", "example.net", "emmy", "alan", "katherine",
				"analytical", "babbage", "invariant", "compilers", "navy")
			if got, _ := resumed.Users(search.UserQuery{Text: "grace.hopper"}); len(got) != 1 {
				t.Errorf("the email changed before the snapshot: found %v", got)
			}
			if got, _ := resumed.Cases(search.CaseQuery{Text: "compilers"}); len(got) != 1 {
				t.Errorf("the case opened after the snapshot: found %v", got)
			}
			if got, _ := resumed.Users(search.UserQuery{Text: "ada"}); len(got) != 0 {
				t.Errorf("erased after the snapshot, still found: %v", got)
			}
		})
	}
}

// TestAPersonWhoseKeyIsGoneIsNotInTheSnapshotsIndex: a person whose key
// was erased after the snapshot was written (the erasure event not yet
// read) cannot be read back from it, and one whose key went before it was
// written is not sealed into it: nothing of them comes back from the file.
func TestAPersonWhoseKeyIsGoneIsNotInTheSnapshotsIndex(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ada := f.register(t, domain.RoleApplicant, "Ada Lovelace", "ada@example.org")
	grace := f.register(t, domain.RoleApplicant, "Grace Hopper", "grace@example.org")
	f.openCase(t, grace, "Compilers for Coaches", "Navy Programme")
	path := filepath.Join(t.TempDir(), "index.json")
	x := search.New(f.store, f.vault.Open, nil)
	x.Persist(path, f.passes())
	run(t, x)
	waitBuilt(t, x, 3)
	if err := f.vault.Erase(ctx, ada); err != nil { // before the snapshot
		t.Fatal(err)
	}
	if _, _, err := x.SaveSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.vault.Erase(ctx, grace); err != nil { // after it
		t.Fatal(err)
	}
	var snap struct {
		Users []struct {
			ID   string          `json:"id"`
			Name json.RawMessage `json:"name"`
		} `json:"users"`
	}
	if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &snap) != nil {
		t.Fatalf("read the snapshot: %v", err)
	}
	for _, u := range snap.Users {
		if u.ID == ada && u.Name != nil {
			t.Fatalf("the user whose key was gone was sealed into the snapshot: %s", u.Name)
		}
	}

	resumed := search.New(f.store, f.vault.Open, nil)
	resumed.Persist(path, f.passes())
	run(t, resumed)
	waitBuilt(t, resumed, 3)
	if search.ResumedFrom(resumed) != 3 {
		t.Fatalf("not resumed from the snapshot (from %d)", search.ResumedFrom(resumed))
	}
	for _, q := range []string{"ada", "lovelace", "grace", "hopper", "compilers", "navy"} {
		if got, _ := resumed.Users(search.UserQuery{Text: q}); len(got) != 0 {
			t.Errorf("%q: found %v", q, got)
		}
		if got, _ := resumed.Cases(search.CaseQuery{Text: q}); len(got) != 0 {
			t.Errorf("%q: found cases %v", q, got)
		}
	}
}

// TestASnapshotThatDoesNotFitTheStoreIsNotUsed: a file of another store
// (another commit at its position), one ahead of the store, and one that
// is not a snapshot are each left aside with a log line, and the index is
// built from the store's start as without one.
func TestASnapshotThatDoesNotFitTheStoreIsNotUsed(t *testing.T) {
	ctx := context.Background()
	other := newFixture(t)
	for _, n := range []string{"Ada Lovelace", "Grace Hopper", "Emmy Noether"} {
		other.register(t, domain.RoleApplicant, n, "someone@example.org")
	}
	path := filepath.Join(t.TempDir(), "index.json")
	x := search.New(other.store, other.vault.Open, nil)
	x.Persist(path, other.passes())
	run(t, x)
	waitBuilt(t, x, 3)
	if _, _, err := x.SaveSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	snapshot, _ := os.ReadFile(path)

	for name, store := range map[string]func(f fixture) fixture{
		"another store with as many commits": func(f fixture) fixture {
			for _, n := range []string{"Alan Turing", "Katherine Johnson", "Claude Shannon"} {
				f.register(t, domain.RoleApplicant, n, "other@example.org")
			}
			return f
		},
		"a store behind the snapshot": func(f fixture) fixture {
			f.register(t, domain.RoleApplicant, "Alan Turing", "alan@example.org")
			return f
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.vault = other.vault // the keys are not what is checked
			f = store(f)
			if err := os.WriteFile(path, snapshot, 0o600); err != nil {
				t.Fatal(err)
			}
			last, _ := f.store.LastSeq(ctx)
			var logs lockedBuffer
			y := search.New(f.store, f.vault.Open, logger(&logs))
			y.Persist(path, f.passes())
			run(t, y)
			waitBuilt(t, y, last)
			if search.ResumedFrom(y) != 0 || !logs.Contains("snapshot not used") {
				t.Fatalf("resumed from %d; log:\n%s", search.ResumedFrom(y), logs.String())
			}
			if got, _ := y.Users(search.UserQuery{Text: "noether"}); len(got) != 0 {
				t.Fatalf("a user of the other store: %v", got)
			}
			if got, _ := y.Users(search.UserQuery{Text: "alan"}); len(got) != 1 {
				t.Fatalf("this store's user: %v", got)
			}
		})
	}
	t.Run("not a snapshot", func(t *testing.T) {
		if err := os.WriteFile(path, []byte(`{"format":"something else","position":1}`), 0o600); err != nil {
			t.Fatal(err)
		}
		var logs lockedBuffer
		y := search.New(other.store, other.vault.Open, logger(&logs))
		y.Persist(path, other.passes())
		run(t, y)
		waitBuilt(t, y, 3)
		if search.ResumedFrom(y) != 0 || !logs.Contains("snapshot not used") {
			t.Fatalf("resumed from %d; log:\n%s", search.ResumedFrom(y), logs.String())
		}
		if got, _ := y.Users(search.UserQuery{}); len(got) != 3 {
			t.Fatalf("built from the store: %v", got)
		}
	})
}

var _ eventstore.Store = plainStore{}

// lockedBuffer is a log sink the index's goroutine writes while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Contains(l.b.Bytes(), []byte(s))
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func logger(w *lockedBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// failingPass fails every seal while *failing (the key store unavailable).
type failingPass struct {
	*pii.Pass
	failing *bool
}

func (p failingPass) SealExisting(ctx context.Context, subject, plain string) (pii.Sealed, error) {
	if *p.failing {
		return pii.Sealed{}, errors.New("key store unavailable")
	}
	return p.Pass.SealExisting(ctx, subject, plain)
}

// TestASnapshotNotWrittenWholeLeavesTheLastOne: a value that cannot be
// sealed (the key store failing) or a stop whose budget is spent ends the
// write with an error, and the file written before stays as it was, with
// nothing half-written beside it.
func TestASnapshotNotWrittenWholeLeavesTheLastOne(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.register(t, domain.RoleApplicant, "Ada Lovelace", "ada@example.org")
	dir := t.TempDir()
	path := filepath.Join(dir, "index.json")
	failing := false
	x := search.New(f.store, f.vault.Open, nil)
	x.Persist(path, func() search.Pass { return failingPass{f.vault.Pass(), &failing} })
	run(t, x)
	waitBuilt(t, x, 1)
	if _, _, err := x.SaveSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.register(t, domain.RoleApplicant, "Grace Hopper", "grace@example.org")
	waitBuilt(t, x, 2)
	failing = true
	if _, written, err := x.SaveSnapshot(ctx); err == nil || written {
		t.Fatalf("a key store failing: written %v, %v; want an error", written, err)
	}
	failing = false
	spent, cancel := context.WithCancel(ctx)
	cancel()
	if _, written, err := x.SaveSnapshot(spent); err == nil || written {
		t.Fatalf("no time left: written %v, %v; want an error", written, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Fatal("the last snapshot changed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left beside the snapshot: %v", entries)
	}
	if _, written, err := x.SaveSnapshot(ctx); err != nil || !written {
		t.Fatalf("once it can: written %v, %v", written, err)
	}
}

// TestEachSaveAndLoadOfTheSnapshotIsAPassOfItsOwn: a save seals every
// value, and a load or a build opens them, within one pass of its own (in
// which the vault reads everyone's keys at once), not with the index's
// opener.
func TestEachSaveAndLoadOfTheSnapshotIsAPassOfItsOwn(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.register(t, domain.RoleApplicant, "Ada Lovelace", "ada@example.org")
	f.register(t, domain.RoleApplicant, "Grace Hopper", "grace@example.org")
	path := filepath.Join(t.TempDir(), "index.json")
	var passes atomic.Int32
	counted := func() search.Pass {
		passes.Add(1)
		return f.vault.Pass()
	}
	x := search.New(f.store, f.vault.Open, nil)
	x.Persist(path, counted)
	run(t, x)
	waitBuilt(t, x, 2)
	if got := passes.Load(); got != 1 {
		t.Fatalf("after the build: %d passes, want 1", got)
	}
	for i, want := range []int32{2, 3} {
		if i > 0 {
			f.register(t, domain.RoleApplicant, "Emmy Noether", "emmy@example.org")
			waitBuilt(t, x, 3)
		}
		if _, written, err := x.SaveSnapshot(ctx); err != nil || !written {
			t.Fatalf("save %d: written %v, %v", i+1, written, err)
		}
		if got := passes.Load(); got != want {
			t.Fatalf("after save %d: %d passes, want %d", i+1, got, want)
		}
	}

	notForALoad := func(context.Context, pii.Sealed) (string, error) {
		return "", errors.New("the index's opener, not the pass's")
	}
	y := search.New(f.store, notForALoad, nil)
	y.Persist(path, counted)
	run(t, y)
	waitBuilt(t, y, 3)
	if search.ResumedFrom(y) != 3 {
		t.Fatalf("not resumed from the snapshot (from %d)", search.ResumedFrom(y))
	}
	if got := passes.Load(); got != 4 {
		t.Fatalf("after the load: %d passes, want 4", got)
	}
	if got, _ := y.Users(search.UserQuery{Text: "noether"}); !equal(names(got), []string{"Emmy Noether"}) {
		t.Fatalf("noether: found %v", names(got))
	}

	z := search.New(f.store, notForALoad, nil)
	z.Persist(filepath.Join(t.TempDir(), "none yet.json"), counted)
	run(t, z)
	waitBuilt(t, z, 3)
	if got := passes.Load(); got != 5 {
		t.Fatalf("after a build with no snapshot: %d passes, want 5", got)
	}
	if got, _ := z.Users(search.UserQuery{}); len(got) != 3 {
		t.Fatalf("built: %v", names(got))
	}
}
