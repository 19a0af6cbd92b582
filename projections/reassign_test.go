package projections_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections"
)

// A reassignment moves the case from the old holder's own cases to the new
// one's, and an unassignment drops it from the holder's; a restore from the
// snapshot agrees.
func TestReassignmentMovesTheCaseBetweenAssessorsQueues(t *testing.T) {
	m := projections.NewCases()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	n := 0
	office := domain.Actor{ID: "office-1", Role: domain.RoleOffice}
	apply := func(actor domain.Actor, typ accreditation.EventType, payload any) {
		t.Helper()
		data, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		n++
		at = at.Add(time.Hour)
		m.Apply(eventstore.Event{ID: fmt.Sprintf("ev-%d", n), Stream: accreditation.StreamPrefix + ".case-1", Version: uint64(n), Seq: uint64(n),
			Type: string(typ), SchemaVersion: 1, OccurredAt: at, Actor: actor, Data: data})
	}
	apply(domain.Actor{ID: "app-1", Role: domain.RoleApplicant}, accreditation.EventCaseOpened,
		accreditation.CaseOpened{CaseID: "case-1", Scheme: accreditation.SchemeEIA, Level: framework.Practitioner, Language: "en", ApplicantID: "app-1"})
	apply(domain.Actor{ID: "app-1", Role: domain.RoleApplicant}, accreditation.EventCaseSubmitted, accreditation.CaseSubmitted{RuleSetVersion: "eia-2024-1"})
	apply(office, accreditation.EventCaseScreened, accreditation.CaseScreened{Outcome: accreditation.ScreeningAccepted})
	apply(office, accreditation.EventAssessorAssigned, accreditation.AssessorAssigned{Role: accreditation.RoleAssessor, UserID: "ass-1", How: accreditation.HowAssigned})
	apply(office, accreditation.EventAssessorAssigned, accreditation.AssessorAssigned{Role: accreditation.RoleVerifier, UserID: "ass-2", How: accreditation.HowAssigned})

	mine := func(m *projections.Cases, user string) string {
		p := accreditation.AssessorProfile{UserID: user, Schemes: []string{"EIA"}, MaxLevel: framework.MasterPractitioner, Languages: []string{"en"}, Active: true}
		_, page := m.AssessorQueue(p, at, 56*24*time.Hour, 100)
		var ids []string
		for _, it := range page.Items {
			ids = append(ids, it.CaseID+"/"+string(it.MyRole))
		}
		return fmt.Sprint(ids)
	}
	want := func(m *projections.Cases, when string, byUser map[string]string) {
		t.Helper()
		for u, w := range byUser {
			if got := mine(m, u); got != w {
				t.Fatalf("%s: %s's own cases: got %s, want %s", when, u, got, w)
			}
		}
	}
	want(m, "assigned", map[string]string{"ass-1": "[case-1/assessor]", "ass-2": "[case-1/verifier]", "ass-3": "[]"})

	// Reassignment: one commit of two events.
	apply(office, accreditation.EventAssessorUnassigned, accreditation.AssessorUnassigned{Role: accreditation.RoleAssessor, UserID: "ass-1"})
	apply(office, accreditation.EventAssessorAssigned, accreditation.AssessorAssigned{Role: accreditation.RoleAssessor, UserID: "ass-3", How: accreditation.HowAssigned})
	reassigned := map[string]string{"ass-1": "[]", "ass-2": "[case-1/verifier]", "ass-3": "[case-1/assessor]"}
	want(m, "reassigned", reassigned)

	snap, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	restored := projections.NewCases()
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	want(restored, "restored after the reassignment", reassigned)

	// Unassignment: the verifier leaves; the case awaits assessment again.
	apply(office, accreditation.EventAssessorUnassigned, accreditation.AssessorUnassigned{Role: accreditation.RoleVerifier, UserID: "ass-2"})
	want(m, "unassigned", map[string]string{"ass-1": "[]", "ass-2": "[]", "ass-3": "[case-1/assessor]"})
	if c, _ := m.Case("case-1"); c.State != accreditation.StateAwaitingAssessment {
		t.Fatalf("state: got %q, want %q", c.State, accreditation.StateAwaitingAssessment)
	}
	if f, _ := m.Facts("case-1"); fmt.Sprint(f.Assessors) != "[ass-3]" {
		t.Fatalf("facts' assessors: got %v, want [ass-3]", f.Assessors)
	}
}
