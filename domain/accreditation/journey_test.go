package accreditation

import (
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
)

// step is one command of a journey and what it must lead to.
type step struct {
	name   string
	after  time.Duration // on the clock before the step
	actor  domain.Actor
	cmd    command
	events []EventType
	state  State
}

func walk(t *testing.T, h *harness, steps []step) {
	t.Helper()
	for _, s := range steps {
		h.later(s.after)
		got := h.do(s.actor, s.cmd)
		wantTypes(t, got, s.events...)
		if h.c.State != s.state {
			t.Fatalf("after %s: state got %q, want %q", s.name, h.c.State, s.state)
		}
	}
}

// An EIA coach from opening to renewal: returned once at screening, one
// request for information, the assessors agree, the office awards, the
// holder renews and the renewed accreditation expires ten years on.
func TestEIAJourney(t *testing.T) {
	h := newHarness(t)
	rs := h.rules
	walk(t, h, []step{
		{"open", 0, applicant, with((*Case).Open, openInput(SchemeEIA)), []EventType{EventCaseOpened}, StateDraft},
		{"portfolio", time.Hour, applicant, with((*Case).UpdatePortfolio, eligibleEIA()), []EventType{EventPortfolioUpdated}, StateDraft},
		{"evidence 1", time.Hour, applicant, with((*Case).AddEvidence, evidence("ev-1", []int{1, 2, 3, 4}, nil)), []EventType{EventEvidenceAdded}, StateDraft},
		{"evidence 2", time.Hour, applicant, with((*Case).AddEvidence, evidence("ev-2", []int{5}, []int{21, 27, 28})), []EventType{EventEvidenceAdded}, StateDraft},
		{"self-assessment", time.Hour, applicant, with((*Case).UpdateSelfAssessment, SelfAssessmentInput{Category: 1, Statement: seal("I know myself")}), []EventType{EventSelfAssessmentUpdated}, StateDraft},
		{"submit", time.Hour, applicant, submitCmd(rs), []EventType{EventCaseSubmitted}, StateSubmitted},
		{"return", day, officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("supervisor reference missing")}), []EventType{EventCaseScreened}, StateReturned},
		{"reference", day, applicant, with((*Case).AddEvidence, evidence("ev-3", nil, nil)), []EventType{EventEvidenceAdded}, StateReturned},
		{"resubmit", time.Hour, applicant, submitCmd(rs), []EventType{EventCaseSubmitted}, StateSubmitted},
		{"accept", day, officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningAccepted}), []EventType{EventCaseScreened}, StateAwaitingAssessment},
		{"claim", day, assessorA, with((*Case).Claim, ClaimInput{Profile: profile(assessorA)}), []EventType{EventAssessorAssigned}, StateAwaitingAssessment},
		{"assign verifier", day, officeScreen, with((*Case).Assign, AssignInput{Role: RoleVerifier, Profile: profile(assessorB)}), []EventType{EventAssessorAssigned}, StateInAssessment},
		{"ask", day, assessorA, with((*Case).RequestInformation, ask("supervision arrangements?")), []EventType{EventInformationRequested}, StateInformationRequested},
		{"answer", day, applicant, with((*Case).ProvideInformation, answer("monthly, with a peer group")), []EventType{EventInformationProvided}, StateInAssessment},
		{"assess", day, assessorA, assess(RecommendAward, ""), []EventType{EventAssessmentSubmitted}, StateInAssessment},
		{"verify", day, assessorB, assess(RecommendAward, framework.Practitioner), []EventType{EventAssessmentSubmitted}, StateAwaitingDecision},
		{"decide", day, officeDecide, with((*Case).Decide, award(framework.Practitioner, "acc-eia-1")), []EventType{EventDecisionMade, EventAccreditationAwarded}, StateAwarded},
	})
	until := h.c.Accreditation.ValidUntil
	if want := h.c.Decision.At.AddDate(5, 0, 0); !until.Equal(want) {
		t.Fatalf("valid until: got %s, want %s", until, want)
	}
	h.now = until.AddDate(0, -3, 0)
	walk(t, h, []step{
		{"renew", 0, applicant, renewCmd(rs, eiaRenewal()), []EventType{EventRenewalSubmitted}, StateAwarded},
		{"assign the renewal", day, officeScreen, assignRenewal(assessorC), []EventType{EventRenewalAssigned}, StateAwarded},
		{"assess the renewal", day, assessorC, assessRenewal(RenewalRenew, "five years evidenced"), []EventType{EventRenewalAssessed, EventAccreditationRenewed}, StateAwarded},
	})
	if got, want := h.c.Accreditation.ValidUntil, until.AddDate(5, 0, 0); !got.Equal(want) {
		t.Fatalf("renewed valid until: got %s, want %s", got, want)
	}
	h.now = h.c.Accreditation.ValidUntil
	walk(t, h, []step{{"expire", 0, domain.System, expireCmd(), []EventType{EventAccreditationExpired}, StateAwarded}})
	if h.c.Accreditation.Status != StatusExpired {
		t.Fatalf("status: got %q, want expired", h.c.Accreditation.Status)
	}
	replayed := replay(t, h)
	if got, want := replayed.Accreditation.ValidUntil, h.c.Accreditation.ValidUntil; !got.Equal(want) {
		t.Fatalf("replay: valid until got %s, want %s", got, want)
	}
}

// An EQA programme from opening to renewal: the assessors disagree, the
// office moderates and awards, the provider renews; the award is later
// revoked.
func TestEQAJourney(t *testing.T) {
	h := newHarness(t)
	rs := h.rules
	doc := evidence("ev-1", []int{1, 2, 3, 4, 5, 6, 7, 8}, nil)
	doc.Kind = KindProgrammeDocument
	walk(t, h, []step{
		{"open", 0, applicant, with((*Case).Open, openInput(SchemeEQA)), []EventType{EventCaseOpened}, StateDraft},
		{"portfolio", time.Hour, applicant, with((*Case).UpdatePortfolio, eligibleEQA()), []EventType{EventPortfolioUpdated}, StateDraft},
		{"programme document", time.Hour, applicant, with((*Case).AddEvidence, doc), []EventType{EventEvidenceAdded}, StateDraft},
		{"submit", time.Hour, applicant, submitCmd(rs), []EventType{EventCaseSubmitted}, StateSubmitted},
		{"accept", day, officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningAccepted}), []EventType{EventCaseScreened}, StateAwaitingAssessment},
		{"assign assessor", day, officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: profile(assessorA)}), []EventType{EventAssessorAssigned}, StateAwaitingAssessment},
		{"claim verifier", day, assessorB, with((*Case).Claim, ClaimInput{Profile: profile(assessorB)}), []EventType{EventAssessorAssigned}, StateInAssessment},
		{"assess", day, assessorA, assess(RecommendAward, ""), []EventType{EventAssessmentSubmitted}, StateInAssessment},
		{"verify", day, assessorB, assess(RecommendAwardLower, framework.Foundation),
			[]EventType{EventAssessmentSubmitted, EventModerationRequired}, StateModeration},
		{"moderate", day, officeDecide, with((*Case).Moderate, ModerationInput{Recommendation: RecommendAward, Rationale: seal("curriculum at level")}),
			[]EventType{EventCaseModerated}, StateAwaitingDecision},
		{"decide", day, officeDecide, with((*Case).Decide, award(framework.Practitioner, "acc-eqa-1")), []EventType{EventDecisionMade, EventAccreditationAwarded}, StateAwarded},
	})
	until := h.c.Accreditation.ValidUntil
	h.now = until.AddDate(0, -1, 0)
	// An EQA renewal shows the five aims.
	walk(t, h, []step{
		{"renew", 0, applicant, renewCmd(rs, eqaRenewal()), []EventType{EventRenewalSubmitted}, StateAwarded},
		{"assign the renewal", day, officeScreen, assignRenewal(assessorC), []EventType{EventRenewalAssigned}, StateAwarded},
		{"assess the renewal", day, assessorC, assessRenewal(RenewalRenew, "the five aims are met"), []EventType{EventRenewalAssessed, EventAccreditationRenewed}, StateAwarded},
		{"revoke", day, officeDecide, with((*Case).Revoke, ReasonInput{Reason: seal("complaint upheld")}), []EventType{EventAccreditationRevoked}, StateAwarded},
	})
	if a := h.c.Accreditation; a.Status != StatusRevoked || !a.ValidUntil.Equal(until.AddDate(5, 0, 0)) {
		t.Fatalf("accreditation: got %+v", a)
	}
	replay(t, h)
}

// replay rebuilds the case from the harness's event log and checks that it
// equals the live one.
func replay(t *testing.T, h *harness) *Case {
	t.Helper()
	c := New(h.c.ID)
	for _, e := range h.log {
		if err := c.Apply(e); err != nil {
			t.Fatalf("replay %s: %v", e.Type, err)
		}
	}
	if got, want := mustJSON(t, c), mustJSON(t, h.c); got != want {
		t.Fatalf("replayed state differs: %s", firstDiff(got, want))
	}
	return c
}
