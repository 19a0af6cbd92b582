package cases

import (
	"context"
	"encoding/json"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// HistoryEntry is one event of a case as the caller may see it. Data keeps
// the payload's own JSON shape (each event type has its own), its personal
// fields opened.
type HistoryEntry struct {
	Seq        uint64       `json:"seq"`
	ID         string       `json:"id"`
	Type       string       `json:"type"`
	Version    uint64       `json:"version"`
	OccurredAt time.Time    `json:"occurred_at"`
	Actor      domain.Actor `json:"actor"`
	Data       any          `json:"data"`
}

// History returns every event of the case in order, as actor may see it:
// an assessment the caller may not yet see keeps its place, its content
// hidden. Errors: NotFound, Unavailable.
func (s *Service) History(ctx context.Context, actor domain.Actor, id string) ([]HistoryEntry, error) {
	c, _, err := s.visible(actor, id)
	if err != nil {
		return nil, err
	}
	evs, err := s.store.Load(ctx, accreditation.StreamPrefix+"."+id)
	if err != nil {
		return nil, domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	return s.historyOf(ctx, actor, c, evs), nil
}

// historyOf shapes events of case c as actor may see them by c's rules.
func (s *Service) historyOf(ctx context.Context, actor domain.Actor, c *accreditation.Case, evs []eventstore.Event) []HistoryEntry {
	visible := map[accreditation.AssessorRole]bool{}
	for _, a := range c.VisibleAssessments(actor) {
		visible[a.Role] = true
	}
	interviews := map[accreditation.AssessorRole]bool{}
	for _, r := range accreditation.AssessorRoles {
		interviews[r] = c.SeesInterviewRecord(actor, r)
	}
	office := actor.Role == domain.RoleOffice || actor.Role == domain.RoleSystem
	sees := sees{office: office, moderation: c.SeesModeration(actor), renewal: c.SeesRenewal(actor), feeReason: c.SeesFeeReason(actor),
		proceedings: c.SeesProceedings(actor)}
	rounds, assessedIn := assessmentRounds(evs, actor)
	current := 0
	if len(rounds) > 0 {
		current = rounds[len(rounds)-1]
	}
	renewals, renewalAssessor := renewalRounds(evs)
	out := make([]HistoryEntry, 0, len(evs))
	for i, e := range evs {
		ss := sees
		// An earlier round's assessments and moderation: an assessor sees
		// them only if they assessed in it. One who takes a role after an
		// appeal sent the case back must assess without knowing what was
		// recommended before (the case view holds the current round only).
		ss.otherRound = actor.Role == domain.RoleAssessor && rounds[i] != current && !assessedIn[rounds[i]]
		// An assessor reads the texts of the renewals given to them (the
		// last the office gave each to): the one they assess now, and one
		// they assessed before, as they keep the assessments they made;
		// not what the holder wrote for a renewal someone else assessed.
		if actor.Role == domain.RoleAssessor {
			ss.renewal = actor.ID != "" && renewalAssessor[renewals[i]] == actor.ID
		}
		out = append(out, s.historyEntry(ctx, e, visible, interviews, ss))
	}
	return out
}

// assessmentRounds numbers each event's round of assessment (an appeal
// upheld back to assessment starts the next) and says in which rounds
// actor submitted an assessment.
func assessmentRounds(evs []eventstore.Event, actor domain.Actor) (rounds []int, assessedIn map[int]bool) {
	rounds, assessedIn = make([]int, len(evs)), map[int]bool{}
	round := 0
	for i, e := range evs {
		rounds[i] = round
		switch accreditation.EventType(e.Type) {
		case accreditation.EventAssessmentSubmitted:
			if e.Actor.ID == actor.ID {
				assessedIn[round] = true
			}
		case accreditation.EventAppealDecided:
			var d accreditation.AppealDecided
			if json.Unmarshal(e.Data, &d) == nil && d.Outcome == accreditation.AppealUpheld && d.ReturnTo != accreditation.ReturnToDecision {
				round++
			}
		}
	}
	return rounds, assessedIn
}

// renewalRounds numbers each event's renewal of the accreditation: a
// renewal submitted anew (not resubmitted after a return) starts the next,
// so the last number is the current renewal's. assessor is, by round, the
// assessor the office gave that renewal to last (one given it and then
// replaced is not its assessor).
func renewalRounds(evs []eventstore.Event) (rounds []int, assessor map[int]string) {
	rounds, assessor = make([]int, len(evs)), map[int]string{}
	round := 0
	for i, e := range evs {
		switch accreditation.EventType(e.Type) {
		case accreditation.EventRenewalSubmitted:
			var d struct {
				Resubmission bool `json:"resubmission"`
			}
			if json.Unmarshal(e.Data, &d) == nil && !d.Resubmission {
				round++
			}
		case accreditation.EventRenewalAssigned:
			var d accreditation.RenewalAssigned
			if json.Unmarshal(e.Data, &d) == nil {
				assessor[round] = d.AssessorID
			}
		}
		rounds[i] = round
	}
	return rounds, assessor
}

// historyEntry shapes one event. A payload that is not JSON (the store
// never holds one; Apply would have failed on it too) is logged and shown
// as null data, so that one bad event does not hide the rest of the record.
// sees is what of a case's history its reader sees beyond the assessments
// and the interviews' records: as the office, a moderation's record, a
// renewal's texts, why the fee was waived.
// otherRound is set for an event of a round of assessment its reader (an
// assessor) took no part in.
type sees struct{ office, moderation, renewal, feeReason, proceedings, otherRound bool }

// proceedingsText is, by event type, the personal text of a case's
// proceedings its event carries (Case.SeesProceedings): one who may not
// read it sees the event, and that the text is there, not the text.
var proceedingsText = map[accreditation.EventType]string{
	accreditation.EventCaseScreened:         "reason",
	accreditation.EventInformationRequested: "questions",
	accreditation.EventInformationProvided:  "answer",
	accreditation.EventInterviewScheduled:   "place",
	accreditation.EventCaseWithdrawn:        "reason",
	accreditation.EventAppealFiled:          "grounds",
	accreditation.EventAppealDecided:        "rationale",
}

func (s *Service) historyEntry(ctx context.Context, e eventstore.Event, visible, interviews map[accreditation.AssessorRole]bool, sees sees) HistoryEntry {
	var data any
	if err := json.Unmarshal(e.Data, &data); err != nil {
		s.log.Error("case history: undecodable event payload shown as null", "event", e.ID, "type", e.Type, "err", err)
		data = nil
	}
	m, _ := data.(map[string]any)
	role, _ := m["role"].(string)
	switch accreditation.EventType(e.Type) {
	case accreditation.EventAssessmentSubmitted:
		if sees.otherRound {
			data = map[string]any{"role": role, "hidden": "an assessment of a round before an appeal, which you took no part in"}
		} else if !visible[accreditation.AssessorRole(role)] {
			data = map[string]any{"role": role, "hidden": "not visible to you until both assessments are in (or, for the applicant, until the decision)"}
		}
	case accreditation.EventInterviewRecorded:
		if !interviews[accreditation.AssessorRole(role)] {
			data = map[string]any{"role": role, "hidden": "the assessors' interview notes: not visible to the applicant, nor to the other assessor until both assessments are in"}
		}
	case accreditation.EventModerationRequired, accreditation.EventCaseModerated:
		// The recommendations that differed, and the office's: as hidden
		// from the applicant as the assessments are, until the decision.
		if !sees.moderation {
			data = map[string]any{"hidden": "the assessors' and the moderator's recommendations: not visible to the applicant until the decision"}
		} else if sees.otherRound {
			data = map[string]any{"hidden": "the recommendations of a round of assessment before an appeal, which you took no part in"}
		}
	case accreditation.EventRenewalSubmitted, accreditation.EventRenewalAssessed:
		if !sees.renewal {
			data = map[string]any{"accreditation_id": m["accreditation_id"], "hidden": "the renewal's content: for the holder, the EMCC office and the renewal's assessor"}
		}
	case accreditation.EventPaymentRecorded:
		if _, ok := m["reason"]; ok && !sees.feeReason {
			delete(m, "reason")
			m["hidden"] = "why the fee was waived: for the applicant and the EMCC office"
		}
	case accreditation.EventAssessorUnassigned:
		// Why an assessor was taken off is the office's business (it may
		// concern the assessor): others see only that the role changed.
		if !sees.office {
			data = map[string]any{"role": role, "hidden": "who was taken off and why: for the EMCC office"}
		}
	}
	if field, ok := proceedingsText[accreditation.EventType(e.Type)]; ok && !sees.proceedings && m != nil {
		if _, ok := m[field]; ok {
			delete(m, field)
			m["hidden"] = "what passed between the applicant and the EMCC office: for those who hold a part in the case"
		}
	}
	return HistoryEntry{Seq: e.Seq, ID: e.ID, Type: e.Type, Version: e.Version, OccurredAt: e.OccurredAt, Actor: e.Actor,
		Data: pii.RevealTree(ctx, s.vault, data)}
}

// Reveal returns v (any JSON-marshallable value) as a JSON tree with every
// sealed value opened, for a read model's rows. Errors: Internal (v is not
// JSON-marshallable).
func (s *Service) Reveal(ctx context.Context, v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, domain.Wrap(domain.Internal, err, "encode %T", v)
	}
	var t any
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, domain.Wrap(domain.Internal, err, "decode %T", v)
	}
	return pii.RevealTree(ctx, s.vault, t), nil
}
