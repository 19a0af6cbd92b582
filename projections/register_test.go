package projections_test

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections"
)

func registerEvent(t *testing.T, stream string, typ accreditation.EventType, payload any) eventstore.Event {
	t.Helper()
	data, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.Event{Stream: stream, Type: string(typ), SchemaVersion: 1, Data: data}
}

// The register's shaping is made again once per change, and told what
// changed: every entry the first time and after a restore, the entries an
// award or an end touched, the holders whose name an account event may
// have changed (an erasure, or any account event not known to leave the
// name), nothing for events that change neither.
func TestTheRegisterShapesItsListOncePerChange(t *testing.T) {
	m := projections.NewRegister()
	shaped := 0
	var last projections.RegisterChanges
	shape := func() int {
		return m.Shaped(func(prev any, changed projections.RegisterChanges) (any, bool) {
			shaped++
			last = changed
			return len(m.Current()), false
		}).(int)
	}
	award := func(caseID, accID string, at time.Time) {
		stream := accreditation.StreamPrefix + "." + caseID
		m.Apply(registerEvent(t, stream, accreditation.EventCaseOpened, accreditation.CaseOpened{CaseID: caseID, ApplicantID: "holder-" + caseID, Scheme: accreditation.SchemeEIA}))
		m.Apply(registerEvent(t, stream, accreditation.EventAccreditationAwarded, accreditation.AccreditationAwarded{AccreditationID: accID,
			Level: framework.Practitioner, AwardedAt: at, ValidUntil: at.AddDate(5, 0, 0)}))
	}
	want := func(what string, n, times int, all bool, accs, holders []string) {
		t.Helper()
		if got := shape(); got != n || shaped != times || last.All != all || !sameKeys(last.Accreditations, accs) || !sameKeys(last.Holders, holders) {
			t.Fatalf("%s: %d listed, shaped %d times, told %+v; want %d, %d times, all %v, accreditations %v, holders %v", what, got, shaped, last, n, times, all, accs, holders)
		}
	}
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	award("c1", "a1", t0)
	want("after one award", 1, 1, true, nil, nil)
	want("again", 1, 1, true, nil, nil)
	m.Apply(registerEvent(t, accreditation.StreamPrefix+".c3", accreditation.EventCaseOpened, accreditation.CaseOpened{CaseID: "c3", ApplicantID: "h3"}))
	m.Apply(eventstore.Event{Stream: accounts.UserPrefix + ".holder-c1", Type: accounts.EventPasswordChanged, Data: []byte(`{"user_id":"holder-c1"}`)})
	want("without a change to the list", 1, 1, true, nil, nil)
	award("c2", "a2", t0.Add(time.Hour))
	want("after a second award", 2, 2, false, []string{"a2"}, nil)
	if cur := m.Current(); cur[0].AccreditationID != "a2" {
		t.Fatalf("newest award first: got %s, want a2", cur[0].AccreditationID)
	}
	m.Apply(registerEvent(t, accreditation.StreamPrefix+".c2", accreditation.EventAccreditationWithdrawn, accreditation.AccreditationWithdrawn{AccreditationID: "a2"}))
	m.Apply(registerEvent(t, accreditation.StreamPrefix+".c1", accreditation.EventAccreditationRenewed, accreditation.AccreditationRenewed{AccreditationID: "a1", ValidUntil: t0.AddDate(10, 0, 0)}))
	want("after a withdrawal and a renewal", 1, 3, false, []string{"a1", "a2"}, nil)
	m.Apply(eventstore.Event{Stream: accounts.UserPrefix + ".holder-c1", Type: accounts.EventUserErased, Data: []byte(`{"user_id":"holder-c1"}`)})
	want("after an erasure", 1, 4, false, nil, []string{"holder-c1"})
	// The old directory stream names the user in the payload; an account
	// event the register does not know may change a name.
	m.Apply(eventstore.Event{Stream: accounts.DirectoryStream, Type: "accounts.name_changed", Data: []byte(`{"user_id":"holder-c2"}`)})
	want("after another account event", 1, 5, false, nil, []string{"holder-c2"})
	m.Apply(eventstore.Event{Stream: accounts.DirectoryStream, Type: accounts.EventUserErased, Data: []byte(`{}`)})
	want("after an erasure that names nobody", 1, 6, true, nil, nil)
	b, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Restore(b); err != nil {
		t.Fatal(err)
	}
	want("after a restore", 1, 7, true, nil, nil)
}

func sameKeys(m map[string]bool, keys []string) bool {
	if len(m) != len(keys) {
		return false
	}
	for _, k := range keys {
		if !m[k] {
			return false
		}
	}
	return true
}

// Readers who arrive at once after a change wait for one shaping.
func TestTheRegisterShapesOnceForReadersAtOnce(t *testing.T) {
	m := projections.NewRegister()
	stream := accreditation.StreamPrefix + ".c1"
	m.Apply(registerEvent(t, stream, accreditation.EventCaseOpened, accreditation.CaseOpened{CaseID: "c1", ApplicantID: "h1", Scheme: accreditation.SchemeEIA}))
	m.Apply(registerEvent(t, stream, accreditation.EventAccreditationAwarded, accreditation.AccreditationAwarded{AccreditationID: "a1", Level: framework.Practitioner}))
	var shaped atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			m.Shaped(func(any, projections.RegisterChanges) (any, bool) { shaped.Add(1); return 1, false })
		})
	}
	wg.Wait()
	if n := shaped.Load(); n != 1 {
		t.Fatalf("32 readers at once shaped %d times, want 1", n)
	}
}
