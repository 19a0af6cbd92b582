package cases

import (
	"context"
	"encoding/json"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
)

// AssessedCase is a case an assessor took a role on, with the part of its
// history that is theirs: the events they recorded (a claim, an
// assessment, an interview's record, questions to the applicant, a
// renewal's assessment) and those that gave them a role or took it off.
type AssessedCase struct {
	CaseID  string               `json:"case_id"`
	Scheme  accreditation.Scheme `json:"scheme"`
	Level   framework.Level      `json:"level"`
	Entries []HistoryEntry       `json:"entries"`
}

// AssessedBy is, for assessor userID's right of access, every case they
// took a role on (also one taken off them since), oldest first, with what
// they recorded on it opened. Why the office took them off a case stays
// the office's, as in the case's history. It reads their cases only (the
// index knows them). Errors: Unavailable.
func (s *Service) AssessedBy(ctx context.Context, userID string) ([]AssessedCase, error) {
	out := []AssessedCase{}
	all := map[accreditation.AssessorRole]bool{accreditation.RoleAssessor: true, accreditation.RoleVerifier: true}
	for _, id := range s.index.assessedBy(userID) {
		evs, err := s.store.Load(ctx, accreditation.StreamPrefix+"."+id)
		if err != nil {
			return nil, domain.Wrap(domain.Unavailable, err, "event store unavailable")
		}
		ac := AssessedCase{CaseID: id, Entries: []HistoryEntry{}}
		for _, e := range evs {
			if accreditation.EventType(e.Type) == accreditation.EventCaseOpened {
				var p accreditation.CaseOpened
				if json.Unmarshal(e.Data, &p) == nil {
					ac.Scheme, ac.Level = p.Scheme, p.Level
				}
			}
			if e.Actor.ID == userID || names(e.Type, e.Data, userID) {
				ac.Entries = append(ac.Entries, s.historyEntry(ctx, e, all, all, sees{moderation: true, renewal: true, proceedings: true}))
			}
		}
		out = append(out, ac)
	}
	return out, nil
}

// names reports whether an event's payload gives userID a role or takes
// it off them (assessor_assigned, assessor_unassigned, renewal_assigned).
func names(typ string, data json.RawMessage, userID string) bool {
	switch accreditation.EventType(typ) {
	case accreditation.EventAssessorAssigned, accreditation.EventAssessorUnassigned, accreditation.EventRenewalAssigned:
	default:
		return false
	}
	var p struct {
		UserID     string `json:"user_id"`
		AssessorID string `json:"assessor_id"`
	}
	return json.Unmarshal(data, &p) == nil && (p.UserID == userID || p.AssessorID == userID)
}
