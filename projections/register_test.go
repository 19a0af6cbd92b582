package projections_test

import (
	"encoding/json"
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

// The register's list and its shaping are made once per change: again after
// an award and after a person's erasure (a holder's name), not for events
// that change neither.
func TestTheRegisterShapesItsListOncePerChange(t *testing.T) {
	m := projections.NewRegister()
	shaped := 0
	shape := func() int {
		return m.Shaped(func(current []projections.RegisterEntry) any { shaped++; return len(current) }).(int)
	}
	award := func(caseID, accID string, at time.Time) {
		stream := accreditation.StreamPrefix + "." + caseID
		m.Apply(registerEvent(t, stream, accreditation.EventCaseOpened, accreditation.CaseOpened{CaseID: caseID, ApplicantID: "holder-" + caseID, Scheme: accreditation.SchemeEIA}))
		m.Apply(registerEvent(t, stream, accreditation.EventAccreditationAwarded, accreditation.AccreditationAwarded{AccreditationID: accID,
			Level: framework.Practitioner, AwardedAt: at, ValidUntil: at.AddDate(5, 0, 0)}))
	}
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	award("c1", "a1", t0)
	if n := shape(); n != 1 || shaped != 1 {
		t.Fatalf("after one award: %d listed, shaped %d times; want 1 and 1", n, shaped)
	}
	shape()
	m.Apply(registerEvent(t, accreditation.StreamPrefix+".c3", accreditation.EventCaseOpened, accreditation.CaseOpened{CaseID: "c3", ApplicantID: "h3"}))
	if shape(); shaped != 1 {
		t.Fatalf("shaped %d times without a change to the list, want 1", shaped)
	}
	award("c2", "a2", t0.Add(time.Hour))
	if n := shape(); n != 2 || shaped != 2 {
		t.Fatalf("after a second award: %d listed, shaped %d times; want 2 and 2", n, shaped)
	}
	if cur := m.Current(); cur[0].AccreditationID != "a2" {
		t.Fatalf("newest award first: got %s, want a2", cur[0].AccreditationID)
	}
	m.Apply(eventstore.Event{Stream: accounts.UserPrefix + ".holder-c1", Type: accounts.EventUserErased, Data: []byte(`{}`)})
	if shape(); shaped != 3 {
		t.Fatalf("shaped %d times after an erasure, want 3", shaped)
	}
}
