package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections"
)

// fakeHolders are the register's holders, counting the reads.
type fakeHolders struct {
	mu      sync.Mutex
	users   map[string]accounts.UserView
	failing map[string]bool // a passing failure of the store
	reads   int
	// together, when set, holds each read until that many are under way
	// at once (met then closed), or a minute passed (gaveUp).
	together       int
	inFlight, most int
	met            chan struct{}
	gaveUp         bool
}

func (f *fakeHolders) HolderName(_ context.Context, id string) (string, error) {
	f.mu.Lock()
	if f.together > 0 && !f.gaveUp {
		f.inFlight++
		f.most = max(f.most, f.inFlight)
		if f.inFlight == f.together {
			select {
			case <-f.met: // met before
			default:
				close(f.met)
			}
		}
		met := f.met
		f.mu.Unlock()
		select {
		case <-met:
		case <-time.After(time.Minute):
			f.mu.Lock()
			f.gaveUp = true
			f.mu.Unlock()
		}
		f.mu.Lock()
		f.inFlight--
	}
	defer f.mu.Unlock()
	f.reads++
	if f.failing[id] {
		return "", errors.New("store unavailable")
	}
	u, ok := f.users[id]
	if !ok {
		return "", domain.Errorf(domain.NotFound, "no user %s", id)
	}
	if u.Erased {
		return pii.Erased, nil
	}
	return u.Name, nil
}

func (f *fakeHolders) readsSoFar() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}

// registerFixture is a register read model fed events, and the public
// register over it.
type registerFixture struct {
	t       *testing.T
	reg     *projections.Register
	pub     PublicRegister
	holders *fakeHolders
	vault   *pii.Vault
	now     time.Time
}

func newRegisterFixture(t *testing.T) *registerFixture {
	vault, err := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	f := &registerFixture{t: t, reg: projections.NewRegister(), vault: vault, now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		holders: &fakeHolders{users: map[string]accounts.UserView{}, failing: map[string]bool{}}}
	f.pub = PublicRegister{Users: f.holders, Vault: vault, Now: func() time.Time { return f.now }}
	return f
}

func (f *registerFixture) apply(stream, typ string, payload any) {
	f.t.Helper()
	data, err := json.Marshal(payload)
	if err != nil {
		f.t.Fatal(err)
	}
	f.reg.Apply(eventstore.Event{Stream: stream, Type: typ, SchemaVersion: 1, Data: data})
}

// award opens case c of holder and awards accreditation acc at at; an EQA
// case's programme and provider are sealed with the holder's key.
func (f *registerFixture) award(c, acc, holder string, eqa bool, at time.Time) {
	f.t.Helper()
	if _, ok := f.holders.users[holder]; !ok {
		f.holders.users[holder] = accounts.UserView{ID: holder, Name: "Holder <" + holder + "> & co"}
	}
	opened := accreditation.CaseOpened{CaseID: c, ApplicantID: holder, Scheme: accreditation.SchemeEIA}
	if eqa {
		ctx := context.Background()
		opened.Scheme = accreditation.SchemeEQA
		opened.ProgrammeName, _ = f.vault.Seal(ctx, holder, "Programme of "+c)
		opened.ProgrammeProvider, _ = f.vault.Seal(ctx, holder, "Provider "+holder)
	}
	stream := accreditation.StreamPrefix + "." + c
	f.apply(stream, string(accreditation.EventCaseOpened), opened)
	f.apply(stream, string(accreditation.EventAccreditationAwarded), accreditation.AccreditationAwarded{AccreditationID: acc,
		Level: framework.Practitioner, AwardedAt: at, ValidUntil: at.AddDate(5, 0, 0)})
}

// TestTheRegisterShapedAfterEachChangeIsAFreshShaping: after each change
// (awards, a renewal, an end, a rename, erasures, a holder that could not be
// read for a moment), the list Listed keeps is the one a shaping from
// scratch gives, byte for byte, and only the changed rows' holders are read.
func TestTheRegisterShapedAfterEachChangeIsAFreshShaping(t *testing.T) {
	f := newRegisterFixture(t)
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := range 40 {
		at := t0.Add(-time.Duration(i/2) * time.Hour) // two awards at each instant: the order falls to the id
		f.award(fmt.Sprintf("c%02d", i), fmt.Sprintf("a%02d", i), fmt.Sprintf("h%02d", i%15), i%5 == 0, at)
	}
	reads := func(what string, want int, do func()) *RegisterList {
		t.Helper()
		before := f.holders.readsSoFar()
		do()
		f.pub.Listed(context.Background(), f.reg)
		if got := f.holders.readsSoFar() - before; got != want {
			t.Fatalf("%s: read %d holders, want %d", what, got, want)
		}
		return f.listed(what)
	}
	// The first shaping reads each holder once (the EQA rows none: the
	// provider's name stands for the holder's): 12 of the 15.
	reads("the first shaping", 12, func() {})
	reads("an award to a holder with a row", 0, func() { f.award("c40", "a40", "h01", false, t0.Add(time.Hour)) })
	reads("an award to a new holder", 1, func() { f.award("c41", "a41", "h41", false, t0.Add(-100*time.Hour)) })
	reads("an EQA award", 0, func() { f.award("c42", "a42", "h42", true, t0.Add(-3*time.Hour)) })
	reads("a renewal", 0, func() {
		f.apply(accreditation.StreamPrefix+".c07", string(accreditation.EventAccreditationRenewed), accreditation.AccreditationRenewed{AccreditationID: "a07", ValidUntil: t0.AddDate(9, 0, 0)})
	})
	reads("a withdrawal, a revocation and an expiry", 0, func() {
		f.apply(accreditation.StreamPrefix+".c03", string(accreditation.EventAccreditationWithdrawn), accreditation.AccreditationWithdrawn{AccreditationID: "a03"})
		f.apply(accreditation.StreamPrefix+".c10", string(accreditation.EventAccreditationRevoked), accreditation.AccreditationRevoked{AccreditationID: "a10"})
		f.apply(accreditation.StreamPrefix+".c40", string(accreditation.EventAccreditationExpired), accreditation.AccreditationExpired{AccreditationID: "a40"})
	})
	// A rename: any account event not known to leave the name reads the
	// holder again.
	l := reads("a rename", 1, func() {
		f.holders.users["h02"] = accounts.UserView{ID: "h02", Name: "Renamed Person"}
		f.apply(accounts.UserPrefix+".h02", "accounts.name_changed", map[string]string{"user_id": "h02"})
	})
	if rows, _ := l.Search(RegisterFilter{Text: "renamed person"}, 0, 0); len(rows) != 3 {
		t.Fatalf("after the rename: %d rows found by the new name, want h02's 3", len(rows))
	}
	// Erasures: the holder's rows leave the list at once, an EQA holder's
	// programmes with them (their key is gone; h05's rows are all EQA).
	l = reads("two erasures", 1, func() {
		for _, h := range []string{"h04", "h05"} {
			u := f.holders.users[h]
			u.Erased = true
			f.holders.users[h] = u
			if err := f.vault.Erase(context.Background(), h); err != nil {
				t.Fatal(err)
			}
			f.apply(accounts.UserPrefix+"."+h, accounts.EventUserErased, accounts.UserErased{UserID: h})
		}
	})
	for _, r := range l.rows {
		if r.holderID == "h04" || r.holderID == "h05" {
			t.Fatalf("after the erasures the list still shows %s's %s", r.holderID, r.AccreditationID)
		}
	}
	// An event that changes nothing shown keeps the list, and its ETag.
	same := reads("a password change", 0, func() {
		f.apply(accounts.UserPrefix+".h06", accounts.EventPasswordChanged, map[string]string{"user_id": "h06"})
		f.apply(accounts.UserPrefix+".h99", accounts.EventUserRegistered, map[string]string{"user_id": "h99"})
	})
	if same != l {
		t.Fatal("a change that shows nothing made a new list")
	}
	// A holder who cannot be read for a moment is left out, and shaped
	// again at the next change.
	f.holders.failing["h50"] = true
	l = reads("an award whose holder cannot be read", 1, func() { f.award("c50", "a50", "h50", false, t0.Add(2*time.Hour)) })
	if l.rows[0].AccreditationID == "a50" {
		t.Fatal("a row without its holder's name is listed")
	}
	delete(f.holders.failing, "h50")
	l = reads("the next award", 2, func() { f.award("c51", "a51", "h51", false, t0.Add(3*time.Hour)) })
	if l.rows[1].AccreditationID != "a50" {
		t.Fatalf("the row whose holder could not be read is not listed at the next change: %s", l.rows[1].AccreditationID)
	}
	// Readers at once after a change share one shaping.
	f.award("c52", "a52", "h52", false, t0.Add(4*time.Hour))
	before := f.holders.readsSoFar()
	lists := make([]*RegisterList, 16)
	var wg sync.WaitGroup
	for i := range lists {
		wg.Go(func() { lists[i] = f.pub.Listed(context.Background(), f.reg) })
	}
	wg.Wait()
	if got := f.holders.readsSoFar() - before; got != 1 || slices.ContainsFunc(lists, func(x *RegisterList) bool { return x != lists[0] }) {
		t.Fatalf("16 readers at once read %d holders, want 1 (and one list)", got)
	}
	if lists[0].rows[0].AccreditationID != "a52" {
		t.Fatalf("readers at once after an award do not see it: %s first", lists[0].rows[0].AccreditationID)
	}
	f.listed("after readers at once")
}

// listed is the list Listed keeps, checked against a shaping from scratch.
func (f *registerFixture) listed(what string) *RegisterList {
	f.t.Helper()
	ctx := context.Background()
	l := f.pub.Listed(ctx, f.reg)
	var want []RegisterRow
	for _, e := range f.reg.Current() {
		row, listed, err := f.pub.Row(ctx, e)
		if err == nil && listed { // not read for now: the lists leave it out too
			want = append(want, row)
		}
	}
	if want == nil {
		want = []RegisterRow{}
	}
	var whole bytes.Buffer
	if err := json.NewEncoder(&whole).Encode(map[string]any{"accreditations": want}); err != nil {
		f.t.Fatal(err)
	}
	if body, _ := l.JSON(); !bytes.Equal(body, whole.Bytes()) {
		f.t.Fatalf("%s: the whole list\ngot  %s\nwant %s", what, body, whole.Bytes())
	}
	if got, _ := l.Search(RegisterFilter{}, 0, 0); !slices.Equal(got, want) {
		f.t.Fatalf("%s: Search's rows\ngot  %+v\nwant %+v", what, got, want)
	}
	fresh := listOf(want)
	for _, flt := range []RegisterFilter{{}, {Scheme: "EQA"}, {Scheme: "EIA"}, {Text: "h0"}, {Text: "provider"}} {
		for _, limit := range []int{1, 3, 50} {
			for _, from := range []int{0, 1, 7, len(want)} {
				if got, w := l.PageJSON(flt, from, limit), fresh.PageJSON(flt, from, limit); !bytes.Equal(got, w) {
					f.t.Fatalf("%s: %+v from %d limit %d\ngot  %s\nwant %s", what, flt, from, limit, got, w)
				}
			}
		}
	}
	for _, r := range want {
		e, _ := f.reg.Lookup(r.AccreditationID)
		if got, w := l.After(e.AwardedAt, e.AccreditationID), fresh.After(e.AwardedAt, e.AccreditationID); got != w {
			f.t.Fatalf("%s: the page after %s starts at %d, want %d", what, r.AccreditationID, got, w)
		}
	}
	return l
}

// BenchmarkRegisterAfterChange is the first read of the register after a
// change (an award, then Listed), at 10k and 100k accreditations, against
// shaping the whole register from scratch as each change did before. The
// holders are in memory here: the store's reads of them, which the whole
// shaping paid for every holder, are not in these figures.
func BenchmarkRegisterAfterChange(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		f := newRegisterFixture(&testing.T{})
		t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
		for i := range n {
			f.award(fmt.Sprintf("c%07d", i), fmt.Sprintf("a%07d", i), fmt.Sprintf("h%07d", i), i%10 == 0, t0.Add(-time.Duration(i)*time.Minute))
		}
		ctx := context.Background()
		f.pub.Listed(ctx, f.reg)
		b.Run(fmt.Sprintf("accreditations=%d/one_change", n), func(b *testing.B) {
			defer reportCPU(b)()
			for i := range b.N {
				f.award(fmt.Sprintf("x%07d", i), fmt.Sprintf("x%07d", i), fmt.Sprintf("h%07d", i%n), false, t0.Add(-time.Duration(i*7919%n)*time.Minute+time.Second))
				if l := f.pub.Listed(ctx, f.reg); l.Len() < n {
					b.Fatalf("%d rows", l.Len())
				}
			}
		})
		b.Run(fmt.Sprintf("accreditations=%d/from_scratch", n), func(b *testing.B) {
			defer reportCPU(b)()
			for range b.N {
				st := &registerShaping{rows: map[string]*shapedRow{}, byHolder: map[string][]string{}, names: map[string]string{}, retry: map[string]bool{}}
				st.update(ctx, f.pub, f.reg, projections.RegisterChanges{All: true})
			}
		})
	}
}

// reportCPU reports the process's CPU time per op (user and system), the
// figure a loaded machine's wall clock does not show.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() { b.ReportMetric(float64((cpu()-start).Microseconds())/float64(b.N), "cpu_us/op") }
}

// A first shaping opens the holders' names several at once: each may wait
// on the key store, and at 100k holders one after the other took 20 to 30
// s. Every read here waits until openWorkers are under way together.
func TestAFirstShapingOpensNamesSeveralAtOnce(t *testing.T) {
	f := newRegisterFixture(t)
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := range 3 * openWorkers {
		f.award(fmt.Sprintf("c%02d", i), fmt.Sprintf("a%02d", i), fmt.Sprintf("h%02d", i), false, t0.Add(-time.Duration(i)*time.Hour))
	}
	f.holders.together, f.holders.met = openWorkers, make(chan struct{})
	l := f.pub.Listed(context.Background(), f.reg)
	if f.holders.gaveUp || f.holders.most < openWorkers {
		t.Fatalf("at most %d names opened at once, want %d", f.holders.most, openWorkers)
	}
	if got := len(l.rows); got != 3*openWorkers {
		t.Fatalf("%d rows listed, want %d", got, 3*openWorkers)
	}
	for i, r := range l.rows {
		if want := fmt.Sprintf("Holder <h%02d> & co", i); r.Holder != want {
			t.Fatalf("row %d: holder %q, want %q", i, r.Holder, want)
		}
	}
}

// TestAnErasedHolderIsNotListedWhileTheAccountsLag: the read side applies a
// holder's erasure on its own, and the accounts (which the write side
// brings up to date) may still give their name a moment after; a register
// read then does not list the name, nor does any read after, a shaping of
// every row included. The name was once kept and listed until a restart.
func TestAnErasedHolderIsNotListedWhileTheAccountsLag(t *testing.T) {
	f := newRegisterFixture(t)
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	f.award("c1", "a1", "h1", false, at)
	f.award("c2", "a2", "h2", true, at)
	f.award("c3", "a3", "h3", false, at)
	holders := func(what string) []string {
		t.Helper()
		l := f.pub.Listed(context.Background(), f.reg)
		rows, _ := l.Search(RegisterFilter{}, 0, 0)
		body, _ := l.JSON()
		var out []string
		for _, r := range rows {
			out = append(out, r.AccreditationID)
		}
		for _, name := range []string{"h1", "h2"} {
			if strings.Contains(string(body), "<"+name+">") || strings.Contains(string(body), "Provider "+name) {
				t.Fatalf("%s: the whole list names erased %s: %s", what, name, body)
			}
		}
		return out
	}
	if got := f.pub.Listed(context.Background(), f.reg).Len(); got != 3 {
		t.Fatalf("before: %d rows listed, want 3", got)
	}
	// The register applies the erasures; the accounts and the keys have not yet.
	f.apply(accounts.UserPrefix+".h1", accounts.EventUserErased, accounts.UserErased{UserID: "h1"})
	f.apply(accounts.UserPrefix+".h2", accounts.EventUserErased, accounts.UserErased{UserID: "h2"})
	if got := holders("in the window"); !slices.Equal(got, []string{"a3"}) {
		t.Fatalf("in the window: listed %v, want a3 only", got)
	}
	// An account event that names no user: every row is shaped again.
	f.apply(accounts.DirectoryStream, accounts.EventUserRegistered, map[string]any{})
	if got := holders("after a shaping of every row"); !slices.Equal(got, []string{"a3"}) {
		t.Fatalf("after a shaping of every row: listed %v, want a3 only", got)
	}
}

// TestAVerificationWhoseHolderCannotBeReadIsNotAnErasure: a holder's name
// that the store cannot give for a moment makes a verification Unavailable
// (to try again), not an answer that the holder was erased; once it can, the
// row names them.
func TestAVerificationWhoseHolderCannotBeReadIsNotAnErasure(t *testing.T) {
	f := newRegisterFixture(t)
	f.award("c1", "a1", "h1", false, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	e, _ := f.reg.Lookup("a1")
	f.holders.failing["h1"] = true
	row, listed, err := f.pub.Row(context.Background(), e)
	if !domain.Is(err, domain.Unavailable) || listed || row.Holder != "" {
		t.Fatalf("holder not readable: row %+v, listed %v, err %v; want Unavailable", row, listed, err)
	}
	delete(f.holders.failing, "h1")
	if row, listed, err = f.pub.Row(context.Background(), e); err != nil || !listed || row.Holder != "Holder <h1> & co" || !row.Valid {
		t.Fatalf("holder readable: row %+v, listed %v, err %v", row, listed, err)
	}
}

// TestTheRegisterSearchIgnoresAccentsAndCase: a visitor looking for "José
// García" may type "jose garcia", and one who types the accents finds a
// name the office entered without them, as the office's own search does.
func TestTheRegisterSearchIgnoresAccentsAndCase(t *testing.T) {
	f := newRegisterFixture(t)
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	f.award("c1", "a1", "h1", false, at)
	f.award("c2", "a2", "h2", false, at.Add(time.Hour))
	f.holders.users["h1"] = accounts.UserView{ID: "h1", Name: "José García Ångström"}
	f.holders.users["h2"] = accounts.UserView{ID: "h2", Name: "Zoe Bergstrom"}
	l := f.listed("two holders")
	for q, want := range map[string]string{
		"jose garcia": "José García Ångström", "GARCÍA": "José García Ångström", "angstrom": "José García Ångström",
		"Zoë Bergström": "Zoe Bergstrom", "bergstrom": "Zoe Bergstrom",
	} {
		rows, _ := l.Search(RegisterFilter{Text: q}, 0, 0)
		if len(rows) != 1 || rows[0].Holder != want {
			t.Errorf("search %q found %v, want %q only", q, rows, want)
		}
		if n := l.Count(RegisterFilter{Text: q}); n != 1 {
			t.Errorf("search %q counts %d rows, want 1", q, n)
		}
		if page := string(l.PageJSON(RegisterFilter{Text: q}, 0, 50)); !strings.Contains(page, want) {
			t.Errorf("search %q: the page %s does not hold %q", q, page, want)
		}
	}
}
