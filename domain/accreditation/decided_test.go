package accreditation

import (
	"reflect"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/framework"
)

// ApplyDecided, given the payloads as the commands made them or as
// DecodePayload decodes them from the stored events, leaves the case as
// Apply leaves it from the stored JSON, after every step of an EQA course
// through moderation, award, renewal and revocation.
func TestApplyDecidedChangesTheCaseAsApplyDoes(t *testing.T) {
	h := newHarness(t)
	rs := h.rules
	decided, ahead := Factory(framework.Default())(h.c.ID), Factory(framework.Default())(h.c.ID)
	doc := evidence("ev-1", []int{1, 2, 3, 4, 5, 6, 7, 8}, nil)
	doc.Kind = KindProgrammeDocument
	steps := []step{
		{"open", 0, applicant, with((*Case).Open, openInput(SchemeEQA)), nil, StateDraft},
		{"portfolio", time.Hour, applicant, with((*Case).UpdatePortfolio, eligibleEQA()), nil, StateDraft},
		{"programme document", time.Hour, applicant, with((*Case).AddEvidence, doc), nil, StateDraft},
		{"self-assessment", time.Hour, applicant, with((*Case).UpdateSelfAssessment, SelfAssessmentInput{Category: 1, Statement: seal("I know myself")}), nil, StateDraft},
		{"submit", time.Hour, applicant, submitCmd(rs), nil, StateSubmitted},
		{"return", day, officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("handbook missing")}), nil, StateReturned},
		{"resubmit", time.Hour, applicant, submitCmd(rs), nil, StateSubmitted},
		{"accept", day, officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningAccepted}), nil, StateAwaitingAssessment},
		{"assign assessor", day, officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: profile(assessorA)}), nil, StateAwaitingAssessment},
		{"claim verifier", day, assessorB, with((*Case).Claim, ClaimInput{Profile: profile(assessorB)}), nil, StateInAssessment},
		{"ask", day, assessorA, with((*Case).RequestInformation, ask("who teaches category 4?")), nil, StateInformationRequested},
		{"answer", day, applicant, with((*Case).ProvideInformation, answer("two faculty members")), nil, StateInAssessment},
		{"assess", day, assessorA, assess(RecommendAward, ""), nil, StateInAssessment},
		{"verify", day, assessorB, assess(RecommendAwardLower, framework.Foundation), nil, StateModeration},
		{"moderate", day, officeDecide, with((*Case).Moderate, ModerationInput{Recommendation: RecommendAward, Rationale: seal("curriculum at level")}), nil, StateAwaitingDecision},
		{"decide", day, officeDecide, with((*Case).Decide, award(framework.Practitioner, "acc-eqa-1")), nil, StateAwarded},
		{"renew", (4*365 + 250) * day, applicant, renewCmd(rs, eqaRenewal()), nil, StateAwarded},
		{"assign the renewal", day, officeDecide, assignRenewal(assessorC), nil, StateAwarded},
		{"return the renewal", day, assessorC, assessRenewal(RenewalReturn, "more on feedback"), nil, StateAwarded},
		{"resubmit the renewal", day, applicant, renewCmd(rs, eqaRenewal()), nil, StateAwarded},
		{"assess the renewal", day, assessorC, assessRenewal(RenewalRenew, "aims met"), nil, StateAwarded},
		{"revoke", day, officeDecide, with((*Case).Revoke, ReasonInput{Reason: seal("complaint upheld")}), nil, StateAwarded},
	}
	for _, s := range steps {
		h.later(s.after)
		changes, err := h.run(s.actor, s.cmd)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		from := len(h.log)
		h.apply(s.actor, changes)
		for i, ch := range changes {
			if err := decided.ApplyDecided(h.log[from+i], ch.Data); err != nil {
				t.Fatalf("%s: ApplyDecided %s: %v", s.name, ch.Type, err)
			}
			e, payload, err := DecodePayload(h.log[from+i])
			if err != nil || payload == nil {
				t.Fatalf("%s: DecodePayload %s: payload %v, err %v", s.name, ch.Type, payload, err)
			}
			if err := ahead.ApplyDecided(e, payload); err != nil {
				t.Fatalf("%s: ApplyDecided of the decoded %s: %v", s.name, ch.Type, err)
			}
		}
		if h.c.State != s.state {
			t.Fatalf("after %s: state got %q, want %q", s.name, h.c.State, s.state)
		}
		if !reflect.DeepEqual(decided, h.c) {
			t.Fatalf("after %s: ApplyDecided and Apply differ: %s", s.name, firstDiff(mustJSON(t, decided), mustJSON(t, h.c)))
		}
		if !reflect.DeepEqual(ahead, h.c) {
			t.Fatalf("after %s: decoded ahead and Apply differ: %s", s.name, firstDiff(mustJSON(t, ahead), mustJSON(t, h.c)))
		}
	}
}
