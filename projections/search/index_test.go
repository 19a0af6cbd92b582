package search_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections/search"
)

type fixture struct {
	store eventstore.Store
	vault *pii.Vault
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	v, err := pii.NewVault(pii.NewMemoryKeys(), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{store: eventstore.NewMemory(), vault: v}
}

// passes begins the snapshot's passes over everyone's keys as accreditd
// does.
func (f fixture) passes() func() search.Pass {
	return func() search.Pass { return f.vault.Pass() }
}

// register appends a user's registration as the accounts service does.
func (f fixture) register(t *testing.T, role domain.Role, name, email string) string {
	t.Helper()
	ctx := context.Background()
	id := ulid.Make().String()
	n, err := f.vault.Seal(ctx, id, name)
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.vault.Seal(ctx, id, email)
	if err != nil {
		t.Fatal(err)
	}
	f.append(t, accounts.UserPrefix+"."+id, accounts.EventUserRegistered, accounts.UserRegistered{UserID: id, Role: role, Name: n, Email: e})
	return id
}

func (f fixture) append(t *testing.T, stream, typ string, payload any) {
	t.Helper()
	data, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	h, err := f.store.Head(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.store.Append(context.Background(), eventstore.AppendRequest{Stream: stream, Expected: h, Events: []eventstore.Event{{
		ID: ulid.Make().String(), Type: typ, SchemaVersion: 1, OccurredAt: time.Now(), Data: data}}})
	if err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, x *search.Index) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); x.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
}

func waitBuilt(t *testing.T, x *search.Index, seq uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a bound on a hang, not a speed
	defer cancel()
	if err := x.WaitFor(ctx, seq); err != nil {
		t.Fatalf("the index did not reach %d: %v (%+v)", seq, err, x.Status())
	}
}

func names(users []search.User) []string {
	out := []string{}
	for _, u := range users {
		out = append(out, u.Name)
	}
	return out
}

// TestWordsAreFoundByTheirStartWithoutCaseOrAccents: every word of a query
// must start a word of the name or email; case, accents and punctuation
// do not matter; pages follow one another without a gap or a repeat.
func TestWordsAreFoundByTheirStartWithoutCaseOrAccents(t *testing.T) {
	f := newFixture(t)
	f.register(t, domain.RoleApplicant, "Zoë van den Berg-Ås", "zoe@voorbeeld.nl")
	f.register(t, domain.RoleApplicant, "Seán O'Brien", "sean.obrien@example.ie")
	f.register(t, domain.RoleAssessor, "Anna Bergström", "anna@example.org")
	x := search.New(f.store, f.vault.Open, nil)
	run(t, x)
	waitBuilt(t, x, 3)
	for q, want := range map[string][]string{
		"berg":          {"Zoë van den Berg-Ås", "Anna Bergström"},
		"BERG zoe":      {"Zoë van den Berg-Ås"},
		"bergstrom":     {"Anna Bergström"},
		"o'brien":       {"Seán O'Brien"},
		"sean@example":  {"Seán O'Brien"},
		"as":            {"Zoë van den Berg-Ås"},
		"example":       {"Seán O'Brien", "Anna Bergström"},
		"erg":           {}, // the start of a word, not its middle
		"":              {"Zoë van den Berg-Ås", "Seán O'Brien", "Anna Bergström"},
		"voorbeeld.nl ": {"Zoë van den Berg-Ås"},
	} {
		got, _ := x.Users(search.UserQuery{Text: q})
		if g := names(got); !equal(g, want) {
			t.Errorf("%q: got %v, want %v", q, g, want)
		}
	}
	if got, _ := x.Users(search.UserQuery{Text: "berg", Role: domain.RoleAssessor}); !equal(names(got), []string{"Anna Bergström"}) {
		t.Errorf("berg among assessors: got %v", names(got))
	}
	var all []string
	after := ""
	for pages := 0; ; pages++ {
		page, next := x.Users(search.UserQuery{After: after, Limit: 2})
		all = append(all, names(page)...)
		if next == "" {
			break
		}
		if pages > 3 {
			t.Fatal("pages do not end")
		}
		after = next
	}
	if !equal(all, []string{"Zoë van den Berg-Ås", "Seán O'Brien", "Anna Bergström"}) {
		t.Fatalf("paged: got %v", all)
	}
}

// TestAKeyStoreThatFailsDelaysTheIndexButLosesNothing: while sealed values
// cannot be opened (the key store does not answer), the index stops where
// it is and reads the commit again; no user is skipped.
func TestAKeyStoreThatFailsDelaysTheIndexButLosesNothing(t *testing.T) {
	f := newFixture(t)
	f.register(t, domain.RoleApplicant, "Ada Lovelace", "ada@example.org")
	f.register(t, domain.RoleApplicant, "Grace Hopper", "grace@example.org")
	var failures atomic.Int32
	failures.Store(3)
	open := func(ctx context.Context, s pii.Sealed) (string, error) {
		if failures.Add(-1) >= 0 {
			return "", errors.New("key store unavailable")
		}
		return f.vault.Open(ctx, s)
	}
	x := search.New(f.store, open, nil)
	run(t, x)
	waitBuilt(t, x, 2)
	got, _ := x.Users(search.UserQuery{})
	if !equal(names(got), []string{"Ada Lovelace", "Grace Hopper"}) {
		t.Fatalf("after failures: got %v", names(got))
	}
	if st := x.Status(); !st.Built || st.Indexed != 2 || st.Of != 2 {
		t.Fatalf("status: %+v", st)
	}
}

// TestAnErasedUserLeavesTheIndex: erasure drops the person; their email
// changing later (it cannot, but a replay must not revive them) changes
// nothing.
func TestAnErasedUserLeavesTheIndex(t *testing.T) {
	f := newFixture(t)
	id := f.register(t, domain.RoleApplicant, "Ada Lovelace", "ada@example.org")
	f.append(t, accounts.UserPrefix+"."+id, accounts.EventUserErased, accounts.UserErased{UserID: id, Reason: "request"})
	x := search.New(f.store, f.vault.Open, nil)
	run(t, x)
	waitBuilt(t, x, 2)
	if got, _ := x.Users(search.UserQuery{Text: "ada"}); len(got) != 0 {
		t.Fatalf("erased user found: %v", got)
	}
	if _, ok := x.User(id); ok {
		t.Fatal("User returns an erased user")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// plainStore is a store that hands its commits over decoded only.
type plainStore struct{ eventstore.Store }

// TestOnJetStreamTheIndexPassesOverWhatItDoesNotRead: on JetStream the
// index moves past commits that hold none of the events it reads without
// decoding them, and ends as an index that decoded every commit: the same
// users and cases, found by the same words. A commit whose type is written
// with a \u escape is read, not passed over.
func TestOnJetStreamTheIndexPassesOverWhatItDoesNotRead(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	f := newFixture(t)
	f.store = srv.EventStore(t)

	ada := f.register(t, domain.RoleApplicant, "Ada Lovelace", "ada@example.org")
	grace := f.register(t, domain.RoleApplicant, "Grace Hopper", "grace@example.org")
	erased := f.register(t, domain.RoleApplicant, "Emmy Noether", "emmy@example.org")
	f.register(t, domain.RoleAssessor, "Alan Turing", "alan@example.org")
	email, err := f.vault.Seal(ctx, grace, "grace.hopper@example.net")
	if err != nil {
		t.Fatal(err)
	}
	f.append(t, accounts.UserPrefix+"."+grace, accounts.EventEmailChanged, accounts.EmailChanged{UserID: grace, Email: email})
	f.append(t, accounts.UserPrefix+"."+erased, accounts.EventUserErased, accounts.UserErased{UserID: erased, Reason: "request"})
	for i, applicant := range []string{ada, grace, erased} {
		id := ulid.Make().String()
		opened := accreditation.CaseOpened{CaseID: id, Scheme: accreditation.SchemeEIA, ApplicantID: applicant}
		if i == 0 {
			opened.Scheme = accreditation.SchemeEQA
			if opened.ProgrammeName, err = f.vault.Seal(ctx, id, "Analytical Engines Programme"); err != nil {
				t.Fatal(err)
			}
			if opened.ProgrammeProvider, err = f.vault.Seal(ctx, id, "Babbage & Co"); err != nil {
				t.Fatal(err)
			}
		}
		f.append(t, "cases."+id, string(accreditation.EventCaseOpened), opened)
		// A case's other steps: nothing the index reads. One holds an
		// ampersand, which encoding/json writes as \u0026.
		for j := range 5 {
			f.append(t, "cases."+id, "accreditation.portfolio_updated", map[string]any{"note": fmt.Sprintf("step %d", j)})
		}
		f.append(t, "cases."+id, "accreditation.portfolio_updated", map[string]any{"note": "Q&A"})
	}
	// A registration written by another hand: its type with an escape.
	late := ulid.Make().String()
	name, _ := f.vault.Seal(ctx, late, "Katherine Johnson")
	mail, _ := f.vault.Seal(ctx, late, "katherine@example.org")
	payload, _ := json.Marshal(accounts.UserRegistered{UserID: late, Role: domain.RoleApplicant, Name: name, Email: mail})
	body, _ := json.Marshal([]map[string]any{{"id": ulid.Make().String(), "type": "accounts.user_registered", "schema_version": 1,
		"occurred_at": time.Now(), "data": json.RawMessage(payload)}})
	body = bytes.Replace(body, []byte("accounts.user_registered"), []byte(`accounts\u002euser_registered`), 1)
	js, err := jetstream.New(srv.Conn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "accredit.ev."+accounts.UserPrefix+"."+late, body); err != nil {
		t.Fatal(err)
	}
	last, err := f.store.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}

	peeked := search.New(f.store, f.vault.Open, nil)
	decoded := search.New(plainStore{f.store}, f.vault.Open, nil)
	for _, x := range []*search.Index{peeked, decoded} {
		run(t, x)
		waitBuilt(t, x, last)
	}
	if n := search.Passed(peeked); n != 3*5 {
		t.Errorf("commits passed over undecoded: got %d, want the 15 plain steps (not the escaped ones)", n)
	}
	if n := search.Passed(decoded); n != 0 {
		t.Errorf("a store that hands commits over decoded: %d passed over, want 0", n)
	}
	for _, q := range []string{"", "ada", "grace hopper", "example.net", "emmy", "katherine", "alan"} {
		p, _ := peeked.Users(search.UserQuery{Text: q, Limit: 100})
		d, _ := decoded.Users(search.UserQuery{Text: q, Limit: 100})
		if !reflect.DeepEqual(p, d) {
			t.Errorf("users %q: passing over gives %+v, decoding all %+v", q, p, d)
		}
	}
	for _, q := range []string{"", "analytical", "babbage", "lovelace", "hopper", "noether"} {
		p, _ := peeked.Cases(search.CaseQuery{Text: q, Limit: 100})
		d, _ := decoded.Cases(search.CaseQuery{Text: q, Limit: 100})
		if !reflect.DeepEqual(p, d) {
			t.Errorf("cases %q: passing over gives %+v, decoding all %+v", q, p, d)
		}
	}
	if got, _ := peeked.Users(search.UserQuery{Text: "katherine"}); len(got) != 1 {
		t.Errorf("the registration written with an escape: found %v, want Katherine Johnson", got)
	}
	if got, _ := peeked.Cases(search.CaseQuery{Text: "babbage"}); len(got) != 1 {
		t.Errorf("the EQA case by its provider: found %v, want one", got)
	}
	if got, _ := peeked.Users(search.UserQuery{Text: "emmy"}); len(got) != 0 {
		t.Errorf("the erased user: found %v, want none", got)
	}
}

// endUnread is a store whose end cannot be read the first time it is asked.
type endUnread struct {
	eventstore.Store
	failed atomic.Bool
}

func (s *endUnread) LastSeq(ctx context.Context) (uint64, error) {
	if s.failed.CompareAndSwap(false, true) {
		return 0, errors.New("nats: timeout")
	}
	return s.Store.LastSeq(ctx)
}

// TestTheBuildIsNotSaidDoneBeforeTheStoresEnd: when the store's end cannot
// be read as the build begins, the index asks again rather than say it is
// built after its first commit, with most of the store unread.
func TestTheBuildIsNotSaidDoneBeforeTheStoresEnd(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"Ada Lovelace", "Grace Hopper", "Anna Berg"} {
		f.register(t, domain.RoleApplicant, n, "x@example.org")
	}
	held, release := make(chan struct{}, 1), make(chan struct{})
	var opens atomic.Int32
	open := func(ctx context.Context, s pii.Sealed) (string, error) {
		if opens.Add(1) > 2 { // the second registration's values wait
			select {
			case held <- struct{}{}:
			default:
			}
			<-release
		}
		return f.vault.Open(ctx, s)
	}
	x := search.New(&endUnread{Store: f.store}, open, nil)
	run(t, x)
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	t.Cleanup(let) // before run's: the index's Run cannot end while an open waits
	select {
	case <-held:
	case <-time.After(time.Minute): // a bound on a hang, not a speed
		t.Fatal("the index never read the second registration")
	}
	select {
	case <-x.Built():
		users, _ := x.Users(search.UserQuery{})
		t.Fatalf("said built (%+v) holding %v of the store's 3 users", x.Status(), names(users))
	default:
	}
	let()
	waitBuilt(t, x, 3)
	<-x.Built()
	if users, _ := x.Users(search.UserQuery{}); len(users) != 3 {
		t.Fatalf("built with %v", names(users))
	}
}
