package accreditation

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

const day = 24 * time.Hour

func ask(q string) InformationRequestInput { return InformationRequestInput{Questions: seal(q)} }

func answer(a string) InformationResponseInput { return InformationResponseInput{Answer: seal(a)} }

func TestInformationRequests(t *testing.T) {
	t.Run("an assessor asks, the applicant answers, the case goes back", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantTypes(t, h.do(assessorA, with((*Case).RequestInformation, ask("which supervisor?"))), EventInformationRequested)
		h.wantState(StateInformationRequested)
		h.do(applicant, with((*Case).AddEvidence, evidence("ev-3", nil, []int{34})))
		wantTypes(t, h.do(applicant, with((*Case).ProvideInformation, answer("Jane"))), EventInformationProvided)
		h.wantState(StateInAssessment)
		r := h.c.InformationRequests[0]
		if r.ID != "1" || r.By != assessorA.ID || !r.Answered() || !reflect.DeepEqual(r.Answer, seal("Jane")) || r.ReturnTo != StateInAssessment {
			t.Fatalf("request: got %+v", r)
		}
		h.do(assessorB, with((*Case).RequestInformation, ask("and since when?")))
		if got := h.c.InformationRequests[1].ID; got != "2" {
			t.Fatalf("second request id: got %q, want 2", got)
		}
	})
	t.Run("the office asks while awaiting the decision", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		h.do(officeDecide, with((*Case).RequestInformation, ask("date of membership?")))
		h.do(applicant, with((*Case).ProvideInformation, answer("2019")))
		h.wantState(StateAwaitingDecision)
		if !h.c.Involved(officeDecide.ID) {
			t.Fatalf("an office user who asked: got not involved, want involved")
		}
	})
	t.Run("Conflict/an assessor cannot ask once the case awaits the decision", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		err := h.fails(assessorA, with((*Case).RequestInformation, ask("q")))
		wantErr(t, err, domain.Conflict, `"awaiting_decision"`)
		wantWrongState(t, err, "state", StateAwaitingDecision)
	})
	t.Run("Conflict/an assessor who has submitted cannot ask; the verifier and the office still may", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(assessorA, assess(RecommendAward, ""))
		err := h.fails(assessorA, with((*Case).RequestInformation, ask("q")))
		wantErr(t, err, domain.Conflict, "has submitted an assessment")
		if !errors.Is(err, ErrAlreadyRecorded) {
			t.Fatalf("got %v, want it recorded already", err)
		}
		if slices.Contains(h.c.AllowedActions(assessorA, h.now, h.rules), ActionRequestInformation) {
			t.Fatalf("the assessor who has submitted is offered the request")
		}
		h.do(assessorB, with((*Case).RequestInformation, ask("and since when?")))
		h.do(applicant, with((*Case).ProvideInformation, answer("2019")))
		h.do(officeDecide, with((*Case).RequestInformation, ask("date of membership?")))
	})
	t.Run("Forbidden/an assessor not on the case", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantErr(t, h.fails(assessorC, with((*Case).RequestInformation, ask("q"))), domain.Forbidden)
	})
	t.Run("Invalid/no questions", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantField(t, h.fails(assessorA, with((*Case).RequestInformation, InformationRequestInput{})), "questions")
	})
	t.Run("Invalid/no answer", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(assessorA, with((*Case).RequestInformation, ask("q")))
		wantField(t, h.fails(applicant, with((*Case).ProvideInformation, InformationResponseInput{})), "answer")
	})
	t.Run("Forbidden/someone else answers", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(assessorA, with((*Case).RequestInformation, ask("q")))
		wantErr(t, h.fails(stranger, with((*Case).ProvideInformation, answer("a"))), domain.Forbidden)
	})
	t.Run("Conflict/assessing while information is requested", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(assessorA, with((*Case).RequestInformation, ask("q")))
		wantErr(t, h.fails(assessorB, assess(RecommendAward, "")), domain.Conflict, `"information_requested"`)
	})
}

// givenModeration is a case whose assessor recommended an award and whose
// verifier an award at foundation.
func givenModeration(tb testing.TB) *harness {
	tb.Helper()
	h := given(tb, SchemeEIA, inAssessment)
	h.do(assessorA, assess(RecommendAward, ""))
	h.do(assessorB, assess(RecommendAwardLower, framework.Foundation))
	h.later(time.Hour)
	return h
}

func TestModerate(t *testing.T) {
	t.Run("the office resolves the disagreement", func(t *testing.T) {
		h := givenModeration(t)
		in := ModerationInput{Recommendation: RecommendAwardLower, Level: framework.Foundation, Rationale: seal("verifier is right")}
		wantTypes(t, h.do(officeDecide, with((*Case).Moderate, in)), EventCaseModerated)
		h.wantState(StateAwaitingDecision)
		m := h.c.Moderation
		if m == nil || !m.Done() || m.By != officeDecide.ID || m.Level != framework.Foundation {
			t.Fatalf("moderation: got %+v", m)
		}
	})
	t.Run("Forbidden/one of the case's assessors", func(t *testing.T) {
		h := givenModeration(t)
		asOffice := domain.Actor{ID: assessorB.ID, Role: domain.RoleOffice}
		in := ModerationInput{Recommendation: RecommendAward, Rationale: seal("r")}
		wantErr(t, h.fails(asOffice, with((*Case).Moderate, in)), domain.Forbidden, "verifier")
	})
	t.Run("Invalid/award_lower without a level", func(t *testing.T) {
		h := givenModeration(t)
		in := ModerationInput{Recommendation: RecommendAwardLower, Rationale: seal("r")}
		wantField(t, h.fails(officeDecide, with((*Case).Moderate, in)), "level")
	})
	t.Run("Conflict/without disagreement", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		in := ModerationInput{Recommendation: RecommendAward, Rationale: seal("r")}
		wantErr(t, h.fails(officeDecide, with((*Case).Moderate, in)), domain.Conflict, `"awaiting_decision"`)
	})
}

func TestDecide(t *testing.T) {
	t.Run("an award records the accreditation, valid five years", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		got := h.do(officeDecide, with((*Case).Decide, award(framework.Practitioner, "acc-7")))
		wantTypes(t, got, EventDecisionMade, EventAccreditationAwarded)
		h.wantState(StateAwarded)
		d, a := h.c.Decision, h.c.Accreditation
		if d == nil || d.Number != 1 || d.By != officeDecide.ID || !d.At.Equal(h.now) || d.Level != framework.Practitioner {
			t.Fatalf("decision: got %+v", d)
		}
		want := Accreditation{ID: "acc-7", Level: framework.Practitioner, AwardedAt: h.now, ValidUntil: h.now.AddDate(5, 0, 0), Status: StatusActive}
		if a == nil || !reflect.DeepEqual(*a, want) {
			t.Fatalf("accreditation: got %+v, want %+v", a, want)
		}
	})
	t.Run("an award at a lower level", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		h.do(officeDecide, with((*Case).Decide, award(framework.Foundation, "acc-7")))
		if h.c.Accreditation.Level != framework.Foundation {
			t.Fatalf("level: got %q, want foundation", h.c.Accreditation.Level)
		}
	})
	t.Run("not awarded", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		in := DecisionInput{Outcome: OutcomeNotAwarded, Rationale: seal("insufficient")}
		wantTypes(t, h.do(officeDecide, with((*Case).Decide, in)), EventDecisionMade)
		h.wantState(StateNotAwarded)
		if h.c.Accreditation != nil {
			t.Fatalf("accreditation: got %+v, want none", h.c.Accreditation)
		}
	})
	t.Run("Forbidden/decision by one of the case's assessors", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		asOffice := domain.Actor{ID: assessorA.ID, Role: domain.RoleOffice}
		wantErr(t, h.fails(asOffice, with((*Case).Decide, award(framework.Practitioner, "acc-7"))), domain.Forbidden, "assessor")
	})
	t.Run("Forbidden/decision by an assessor role", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		wantErr(t, h.fails(assessorC, with((*Case).Decide, award(framework.Practitioner, "acc-7"))), domain.Forbidden, "office")
	})
	t.Run("Invalid/the level's reason lists the levels", func(t *testing.T) {
		for level, want := range map[framework.Level]string{
			"":            "required for an award: one of foundation, practitioner, senior_practitioner, master_practitioner",
			"grandmaster": `"grandmaster" is not a level: one of foundation, practitioner, senior_practitioner, master_practitioner`,
		} {
			h := given(t, SchemeEIA, awaitingDecision)
			var de *domain.Error
			if err := h.fails(officeDecide, with((*Case).Decide, award(level, "acc-7"))); !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Reason != want {
				t.Errorf("level %q: got %v, want the reason %q", level, err, want)
			}
		}
	})
	for _, tc := range []struct {
		name  string
		in    DecisionInput
		field string
	}{
		{"award at a higher level than applied for", award(framework.SeniorPractitioner, "acc-7"), "level"},
		{"award without a level", award("", "acc-7"), "level"},
		{"award without an accreditation id", award(framework.Practitioner, ""), "accreditation_id"},
		{"no rationale", DecisionInput{Outcome: OutcomeNotAwarded}, "rationale"},
		{"not awarded at a level", DecisionInput{Outcome: OutcomeNotAwarded, Level: framework.Foundation, Rationale: seal("r")}, "level"},
		{"unknown outcome", DecisionInput{Outcome: "deferred", Rationale: seal("r")}, "outcome"},
		{"the assessor on the panel", panelOf(award(framework.Practitioner, "acc-7"), officeDecide.ID, VoteFor, assessorA.ID, VoteFor), "panel[1].user_id"},
		{"the verifier on the panel", panelOf(award(framework.Practitioner, "acc-7"), assessorB.ID, VoteFor), "panel[0].user_id"},
		{"the applicant on the panel", panelOf(award(framework.Practitioner, "acc-7"), applicant.ID, VoteFor, officeDecide.ID, VoteFor), "panel[0].user_id"},
		{"a member twice", panelOf(award(framework.Practitioner, "acc-7"), officeDecide.ID, VoteFor, officeDecide.ID, VoteFor), "panel[1].user_id"},
		{"a member without an id", panelOf(award(framework.Practitioner, "acc-7"), "", VoteFor), "panel[0].user_id"},
		{"an unknown vote", panelOf(award(framework.Practitioner, "acc-7"), officeDecide.ID, Vote("maybe")), "panel[0].vote"},
	} {
		t.Run("Invalid/"+tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, awaitingDecision)
			wantField(t, h.fails(officeDecide, with((*Case).Decide, tc.in)), tc.field)
		})
	}
}

// panelOf is in decided by the panel of the user ids and votes given in
// pairs.
func panelOf(in DecisionInput, idsAndVotes ...any) DecisionInput {
	for i := 0; i+1 < len(idsAndVotes); i += 2 {
		in.Panel = append(in.Panel, PanelVote{UserID: idsAndVotes[i].(string), Vote: idsAndVotes[i+1].(Vote)})
	}
	return in
}

// The awarding panel (issue 13 item 5): the decision records its members
// and their votes; the office user who records it need not sit on it.
func TestDecideByThePanel(t *testing.T) {
	t.Run("the panel and its votes are recorded; its members are involved", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		in := panelOf(award(framework.Practitioner, "acc-7"), officeReview.ID, VoteFor, "office-4", VoteAgainst, "office-5", VoteFor)
		h.do(officeDecide, with((*Case).Decide, in))
		if got := h.c.Decision.Panel; !reflect.DeepEqual(got, in.Panel) {
			t.Fatalf("panel: got %v, want %v", got, in.Panel)
		}
		for _, id := range []string{officeReview.ID, "office-4", "office-5"} {
			if !slices.Contains(h.c.partsOf(id), PartPanelMember) {
				t.Errorf("%s: parts %v, want panel_member among them", id, h.c.partsOf(id))
			}
		}
	})
	t.Run("a panel member does not review the appeal", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		h.do(officeDecide, with((*Case).Decide, panelOf(refusal(), officeReview.ID, VoteFor)))
		h.do(applicant, with((*Case).Appeal, grounds()))
		wantErr(t, h.fails(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealDismissed, Rationale: seal("r")})), domain.Forbidden, PartPanelMember)
	})
	t.Run("no panel named: the recording office user alone, voting for", func(t *testing.T) {
		h := givenDecided(t, refusal())
		if want := []PanelVote{{UserID: officeDecide.ID, Vote: VoteFor}}; !reflect.DeepEqual(h.c.Decision.Panel, want) {
			t.Fatalf("panel: got %v, want %v", h.c.Decision.Panel, want)
		}
	})
	for _, tc := range []struct {
		name  string
		votes []any
	}{
		{"a tie", []any{officeReview.ID, VoteFor, "office-4", VoteAgainst}},
		{"a majority against", []any{officeReview.ID, VoteAgainst, "office-4", VoteAgainst, "office-5", VoteFor}},
		{"everyone abstains", []any{officeReview.ID, VoteAbstain}},
	} {
		t.Run("Unprocessable/the votes do not carry the outcome: "+tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, awaitingDecision)
			err := h.fails(officeDecide, with((*Case).Decide, panelOf(award(framework.Practitioner, "acc-7"), tc.votes...)))
			wantErr(t, err, domain.Unprocessable, "votes")
			var n [2]int
			for i := 0; i < len(tc.votes); i += 2 {
				switch tc.votes[i+1] {
				case VoteFor:
					n[0]++
				case VoteAgainst:
					n[1]++
				}
			}
			if !errors.Is(err, ErrVotesDoNotCarry) || err.Extra["votes_for"] != n[0] || err.Extra["votes_against"] != n[1] {
				t.Fatalf("got %v (Extra %v), want an ErrVotesDoNotCarry counting %d for and %d against", err, err.Extra, n[0], n[1])
			}
		})
	}
	t.Run("a decision recorded before panels still reads, with no panel", func(t *testing.T) {
		c := given(t, SchemeEIA, awaitingDecision).c
		old := eventstore.Event{ID: "old", Type: string(EventDecisionMade), SchemaVersion: 1, OccurredAt: t0, Actor: officeDecide,
			Data: json.RawMessage(`{"number":1,"outcome":"not_awarded","rationale":{}}`)}
		if err := c.Apply(old); err != nil {
			t.Fatalf("apply: %v", err)
		}
		if d := c.Decision; d == nil || d.Panel != nil || d.By != officeDecide.ID || c.State != StateNotAwarded {
			t.Fatalf("decision: got %+v in %s, want a refusal by %s with no panel", d, c.State, officeDecide.ID)
		}
	})
}

// givenDecided is a case decided as in: awaiting the decision, then decided
// by officeDecide.
func givenDecided(tb testing.TB, in DecisionInput) *harness {
	tb.Helper()
	h := given(tb, SchemeEIA, awaitingDecision)
	h.do(officeDecide, with((*Case).Decide, in))
	return h
}

func refusal() DecisionInput {
	return DecisionInput{Outcome: OutcomeNotAwarded, Rationale: seal("insufficient")}
}

func TestWithdraw(t *testing.T) {
	for _, s := range []stage{opened, submitted, accepted, inAssessment, awaitingDecision} {
		t.Run("before a decision: stage "+stageName[s], func(t *testing.T) {
			h := given(t, SchemeEIA, s)
			from := h.c.State
			wantTypes(t, h.do(applicant, with((*Case).Withdraw, WithdrawInput{Reason: seal("moving abroad")})), EventCaseWithdrawn)
			h.wantState(StateWithdrawn)
			if !h.c.WithdrawnAt.Equal(h.now) || !reflect.DeepEqual(h.c.WithdrawalReason, seal("moving abroad")) {
				t.Fatalf("withdrawal from %q: got at %s reason %+v", from, h.c.WithdrawnAt, h.c.WithdrawalReason)
			}
		})
	}
	t.Run("Conflict/withdrawal after the decision", func(t *testing.T) {
		for _, in := range []DecisionInput{award(framework.Practitioner, "acc-1"), refusal()} {
			h := givenDecided(t, in)
			wantErr(t, h.fails(applicant, with((*Case).Withdraw, WithdrawInput{})), domain.Conflict, "cannot withdraw", string(h.c.State))
		}
	})
	t.Run("Conflict/nothing is allowed once withdrawn", func(t *testing.T) {
		h := given(t, SchemeEIA, opened)
		h.do(applicant, with((*Case).Withdraw, WithdrawInput{}))
		wantErr(t, h.fails(applicant, submitCmd(h.rules)), domain.Conflict, `case is in state "withdrawn"; allowed: nothing`)
	})
	t.Run("Forbidden/someone else", func(t *testing.T) {
		h := given(t, SchemeEIA, opened)
		wantErr(t, h.fails(stranger, with((*Case).Withdraw, WithdrawInput{})), domain.Forbidden)
	})
}

var stageName = map[stage]string{
	opened: "opened", ready: "ready", submitted: "submitted", accepted: "accepted",
	inAssessment: "in assessment", awaitingDecision: "awaiting decision", awarded: "awarded",
}

func TestAccreditationLifecycle(t *testing.T) {
	t.Run("expiry at valid until", func(t *testing.T) {
		h := given(t, SchemeEIA, awarded)
		h.now = h.c.Accreditation.ValidUntil
		wantTypes(t, h.do(domain.System, expireCmd()), EventAccreditationExpired)
		if a := h.c.Accreditation; a.Status != StatusExpired || !a.ChangedAt.Equal(h.now) {
			t.Fatalf("accreditation: got %+v, want expired", a)
		}
		h.wantState(StateAwarded)
		wantErr(t, h.fails(applicant, renewCmd(h.rules, eiaRenewal())), domain.Unprocessable, "no grace period")
	})
	t.Run("Unprocessable/expiry before valid until", func(t *testing.T) {
		h := given(t, SchemeEIA, awarded)
		h.now = h.c.Accreditation.ValidUntil.Add(-time.Second)
		wantErr(t, h.fails(domain.System, expireCmd()), domain.Unprocessable, "valid until")
	})
	t.Run("Forbidden/expiry by the office", func(t *testing.T) {
		h := given(t, SchemeEIA, awarded)
		h.now = h.c.Accreditation.ValidUntil
		wantErr(t, h.fails(officeDecide, expireCmd()), domain.Forbidden)
	})
	t.Run("revocation with a reason", func(t *testing.T) {
		h := given(t, SchemeEIA, awarded)
		wantTypes(t, h.do(officeDecide, with((*Case).Revoke, ReasonInput{Reason: seal("ethics complaint upheld")})), EventAccreditationRevoked)
		if a := h.c.Accreditation; a.Status != StatusRevoked || a.By != officeDecide.ID || !reflect.DeepEqual(a.Reason, seal("ethics complaint upheld")) {
			t.Fatalf("accreditation: got %+v, want revoked with the reason", a)
		}
		err := h.fails(officeDecide, with((*Case).Revoke, ReasonInput{Reason: seal("again")}))
		wantErr(t, err, domain.Conflict, `"revoked"`)
		wantWrongState(t, err, "accreditation_status", StatusRevoked)
	})
	t.Run("Invalid/revocation needs a reason", func(t *testing.T) {
		h := given(t, SchemeEIA, awarded)
		wantField(t, h.fails(officeDecide, with((*Case).Revoke, ReasonInput{})), "reason")
	})
	t.Run("Forbidden/revocation by the holder", func(t *testing.T) {
		h := given(t, SchemeEIA, awarded)
		wantErr(t, h.fails(applicant, with((*Case).Revoke, ReasonInput{Reason: seal("r")})), domain.Forbidden)
	})
	for _, tc := range []struct {
		actor domain.Actor
		cause string
	}{{applicant, WithdrawnByHolder}, {officeDecide, WithdrawnByOffice}} {
		t.Run("withdrawal of the accreditation by the "+tc.cause, func(t *testing.T) {
			h := given(t, SchemeEIA, awarded)
			wantTypes(t, h.do(tc.actor, with((*Case).WithdrawAccreditation, ReasonInput{Reason: seal("retiring")})), EventAccreditationWithdrawn)
			if a := h.c.Accreditation; a.Status != StatusWithdrawn || a.By != tc.actor.ID {
				t.Fatalf("accreditation: got %+v, want withdrawn by %s", a, tc.actor.ID)
			}
			var ev AccreditationWithdrawn
			mustUnmarshal(t, h.log[len(h.log)-1].Data, &ev)
			if ev.Cause != tc.cause {
				t.Fatalf("cause: got %q, want %q", ev.Cause, tc.cause)
			}
		})
	}
	t.Run("Invalid/withdrawal of the accreditation needs a reason", func(t *testing.T) {
		h := given(t, SchemeEIA, awarded)
		wantField(t, h.fails(applicant, with((*Case).WithdrawAccreditation, ReasonInput{Reason: pii.Sealed{}})), "reason")
	})
	t.Run("Conflict/no accreditation after a refusal", func(t *testing.T) {
		h := givenDecided(t, refusal())
		wantErr(t, h.fails(officeDecide, with((*Case).Revoke, ReasonInput{Reason: seal("r")})), domain.Conflict, `"not_awarded"`)
	})
}

// Every refused transition names the state the case is in and the actions
// allowed in it.
func TestInvalidTransitionsNameTheState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stage stage
		actor domain.Actor
		cmd   command
		want  string
	}{
		{"submit in assessment", inAssessment, applicant, submitCmd(DefaultRuleSets()),
			`cannot submit: case is in state "in_assessment"; allowed: unassign, reassign, schedule_interview, record_interview, assess, request_information, withdraw`},
		{"screen a draft", opened, officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningAccepted}),
			`cannot screen: case is in state "draft"; allowed: update_portfolio, add_evidence, remove_evidence, edit_evidence, update_self_assessment, submit, withdraw`},
		{"decide while in assessment", inAssessment, officeDecide, with((*Case).Decide, award(framework.Practitioner, "a")),
			`cannot decide: case is in state "in_assessment"`},
		{"claim once assigned", inAssessment, assessorC, with((*Case).Claim, ClaimInput{Profile: profile(assessorC)}),
			`cannot claim: case is in state "in_assessment"`},
		{"moderate before assignment", accepted, officeDecide, with((*Case).Moderate, ModerationInput{}),
			`cannot moderate: case is in state "awaiting_assessment"; allowed: assign, claim, unassign, reassign, withdraw`},
		{"respond without a request", inAssessment, applicant, with((*Case).ProvideInformation, answer("a")),
			`cannot respond: case is in state "in_assessment"`},
		{"appeal before a decision", awaitingDecision, applicant, with((*Case).Appeal, grounds()),
			`cannot appeal: case is in state "awaiting_decision"; allowed: schedule_interview, record_interview, request_information, decide, withdraw`},
		{"decide an appeal never filed", awarded, officeReview, with((*Case).DecideAppeal, AppealDecisionInput{}),
			`cannot decide appeal: case is in state "awarded"; allowed: appeal, renew, assign_renewal, assess_renewal, expire, revoke, withdraw_accreditation`},
		{"renew before the award", awaitingDecision, applicant, renewCmd(DefaultRuleSets(), eiaRenewal()),
			`cannot renew: case is in state "awaiting_decision"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, tc.stage)
			err := h.fails(tc.actor, tc.cmd)
			wantErr(t, err, domain.Conflict, tc.want)
			if err.Extra["state"] != h.c.State {
				t.Fatalf("Extra[state]: got %v, want %q", err.Extra["state"], h.c.State)
			}
			wantWrongState(t, err, "state", h.c.State)
			if got, want := err.Extra["allowed"], AllowedIn(h.c.State); !reflect.DeepEqual(got, want) {
				t.Fatalf("Extra[allowed]: got %v, want %v", got, want)
			}
		})
	}
}

// seniorCase is an EIA senior practitioner case brought up to stage s:
// its applicant is interviewed.
func seniorCase(tb testing.TB, s stage) *harness {
	tb.Helper()
	in := openInput(SchemeEIA)
	in.Level = framework.SeniorPractitioner
	p := eligibleEIA()
	p.ClientHours, p.ClientCount = 300, 25
	return givenCase(tb, in, p, s)
}

// The interview (issue 13 item 6): at Senior and Master Practitioner the
// assessors interview the applicant; the office or an assessor schedules
// it, each assessor records it before assessing, and no decision is taken
// before it is recorded.
func TestInterview(t *testing.T) {
	at := func(h *harness) InterviewInput {
		return InterviewInput{At: h.now.Add(48 * time.Hour), Place: seal("https://meet.example/emcc")}
	}
	record := InterviewRecordInput{Notes: seal("calm, reflective"), Observations: []CategoryNote{{Category: 5, Notes: seal("o5")}, {Category: 1, Notes: seal("o1")}}}
	t.Run("scheduled by an assessor, shown as the next step, recorded by each before assessing", func(t *testing.T) {
		h := seniorCase(t, inAssessment)
		if got := h.c.Next(h.now); got.Key != StepInterview || !got.InterviewAt.IsZero() {
			t.Fatalf("before scheduling: got %+v, want the interview to be scheduled", got)
		}
		wantErr(t, h.fails(assessorA, assess(RecommendAward, "")), domain.Conflict, "record it first")
		in := at(h)
		wantTypes(t, h.do(assessorB, with((*Case).ScheduleInterview, in)), EventInterviewScheduled)
		if got := h.c.Next(h.now).RevealPlace(unseal); got.Key != StepInterview || !got.InterviewAt.Equal(in.At) || got.InterviewPlace != unseal(in.Place) {
			t.Fatalf("scheduled: got %+v, want the interview at %s, %s", got, in.At, unseal(in.Place))
		}
		wantErr(t, h.fails(assessorA, with((*Case).RecordInterview, record)), domain.Unprocessable, "it is on")
		h.later(49 * time.Hour)
		wantErr(t, h.fails(officeScreen, with((*Case).RecordInterview, record)), domain.Forbidden)
		wantTypes(t, h.do(assessorA, with((*Case).RecordInterview, record)), EventInterviewRecorded)
		if r, _ := h.c.Interview.Records.Get(RoleAssessor); r.Observations[0].Category != 1 || !r.RecordedAt.Equal(h.now) {
			t.Fatalf("record: got %+v, want the observations by category", r)
		}
		again := h.fails(assessorA, with((*Case).RecordInterview, record))
		wantErr(t, again, domain.Conflict, "has recorded it")
		wantAlreadyRecorded(t, again, "interview")
		moved := h.fails(officeScreen, with((*Case).ScheduleInterview, at(h)))
		wantErr(t, moved, domain.Conflict, "recorded")
		wantAlreadyRecorded(t, moved, "interview")
		h.do(assessorA, assess(RecommendAward, ""))
		twice := h.fails(assessorA, assess(RecommendAward, ""))
		wantErr(t, twice, domain.Conflict, "already submitted an assessment")
		wantAlreadyRecorded(t, twice, "assessment")
		wantErr(t, h.fails(assessorB, assess(RecommendAward, "")), domain.Conflict, "record it first")
		h.do(assessorB, with((*Case).RecordInterview, record))
		h.do(assessorB, assess(RecommendAward, ""))
		h.wantState(StateAwaitingDecision)
	})
	t.Run("a case assessed before interviews were: no decision until one is recorded", func(t *testing.T) {
		h := seniorCase(t, inAssessment)
		for _, a := range []domain.Actor{assessorA, assessorB} {
			old := eventstore.Event{ID: "old-" + a.ID, Type: string(EventAssessmentSubmitted), SchemaVersion: 1, OccurredAt: h.now, Actor: a,
				Data: json.RawMessage(`{"role":"` + string(h.c.assessorRoleOf(a.ID)) + `","ratings":[],"recommendation":"award","level":"senior_practitioner","rationale":{}}`)}
			if err := h.c.Apply(old); err != nil {
				t.Fatal(err)
			}
		}
		h.wantState(StateAwaitingDecision)
		wantErr(t, h.fails(officeDecide, with((*Case).Decide, award(framework.SeniorPractitioner, "acc-1"))), domain.Conflict, "interview is not recorded")
		h.do(officeScreen, with((*Case).ScheduleInterview, at(h)))
		h.later(72 * time.Hour)
		h.do(assessorA, with((*Case).RecordInterview, record))
		wantTypes(t, h.do(officeDecide, with((*Case).Decide, award(framework.SeniorPractitioner, "acc-1"))), EventDecisionMade, EventAccreditationAwarded)
	})
	t.Run("Conflict/no interview at practitioner level", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantErr(t, h.fails(officeScreen, with((*Case).ScheduleInterview, at(h))), domain.Conflict, "not interviewed")
	})
	t.Run("Forbidden/the applicant schedules", func(t *testing.T) {
		h := seniorCase(t, inAssessment)
		wantErr(t, h.fails(applicant, with((*Case).ScheduleInterview, at(h))), domain.Forbidden)
	})
	for _, tc := range []struct {
		name  string
		edit  func(h *harness, in *InterviewInput)
		field string
	}{
		{"in the past", func(h *harness, in *InterviewInput) { in.At = h.now.Add(-time.Hour) }, "at"},
		{"more than a year ahead", func(h *harness, in *InterviewInput) {
			in.At = h.now.AddDate(0, 0, InterviewMaxDaysAhead).Add(time.Minute)
		}, "at"},
		{"no place", func(_ *harness, in *InterviewInput) { in.Place = pii.Sealed{} }, "place"},
	} {
		t.Run("Invalid/scheduled "+tc.name, func(t *testing.T) {
			h := seniorCase(t, inAssessment)
			in := at(h)
			tc.edit(h, &in)
			wantField(t, h.fails(officeScreen, with((*Case).ScheduleInterview, in)), tc.field)
		})
	}
	for _, tc := range []struct {
		name  string
		in    InterviewRecordInput
		field string
	}{
		{"without notes", InterviewRecordInput{}, "notes"},
		{"a category twice", InterviewRecordInput{Notes: seal("n"), Observations: []CategoryNote{{Category: 2, Notes: seal("a")}, {Category: 2, Notes: seal("b")}}}, "observations[1].category"},
		{"an unknown category", InterviewRecordInput{Notes: seal("n"), Observations: []CategoryNote{{Category: 9, Notes: seal("a")}}}, "observations[0].category"},
	} {
		t.Run("Invalid/recorded "+tc.name, func(t *testing.T) {
			h := seniorCase(t, inAssessment)
			h.do(officeScreen, with((*Case).ScheduleInterview, at(h)))
			h.later(72 * time.Hour)
			wantField(t, h.fails(assessorA, with((*Case).RecordInterview, tc.in)), tc.field)
		})
	}
}

// Each assessor records the interview they held (README, Interview). A
// verifier put in place after the interview took place did not hold it:
// they may not record it as theirs, an interview is scheduled again for
// them, and the assessor's record of the first stays as it was.
func TestReplacementVerifierHasTheirOwnInterview(t *testing.T) {
	record := func(notes string) command {
		return with((*Case).RecordInterview, InterviewRecordInput{Notes: seal(notes)})
	}
	h := seniorCase(t, inAssessment)
	h.do(officeScreen, with((*Case).ScheduleInterview, InterviewInput{At: h.now.Add(time.Hour), Place: seal("room 2")}))
	h.later(2 * time.Hour)
	h.do(assessorA, record("A's notes"))
	first, _ := h.c.Interview.Records.Get(RoleAssessor)
	h.later(24 * time.Hour)
	h.do(officeScreen, reassign(RoleVerifier, assessorC, "verifier ill"))

	missed := h.fails(assessorC, record("C's notes"))
	wantErr(t, missed, domain.Conflict, "before you became the verifier")
	if !errors.Is(missed, ErrBlocked) {
		t.Fatalf("got %v, want an ErrBlocked", missed)
	}
	wantErr(t, h.fails(assessorC, assess(RecommendAward, "")), domain.Conflict, "record it first")

	in := InterviewInput{At: h.now.Add(48 * time.Hour), Place: seal("room 3")}
	wantTypes(t, h.do(assessorC, with((*Case).ScheduleInterview, in)), EventInterviewScheduled)
	wantErr(t, h.fails(assessorC, record("C's notes")), domain.Unprocessable, "it is on")
	h.later(49 * time.Hour)
	wantTypes(t, h.do(assessorC, record("C's notes")), EventInterviewRecorded)
	if got, _ := h.c.Interview.Records.Get(RoleAssessor); !got.RecordedAt.Equal(first.RecordedAt) || !reflect.DeepEqual(got.Notes, first.Notes) {
		t.Fatalf("the assessor's record changed: %+v, was %+v", got, first)
	}
	if h.c.Interview.Records.Len() != 2 {
		t.Fatalf("records: %+v, want the assessor's and the verifier's", h.c.Interview.Records)
	}
	wantAlreadyRecorded(t, h.fails(officeScreen, with((*Case).ScheduleInterview, InterviewInput{At: h.now.Add(time.Hour), Place: seal("x")})), "interview")
	h.do(assessorA, assess(RecommendAward, ""))
	h.do(assessorC, assess(RecommendAward, ""))
	h.wantState(StateAwaitingDecision)
}

// A decision is expected from submission until the case is decided or
// withdrawn: submission plus the service level.
func TestDecisionExpectedBy(t *testing.T) {
	const sla = 91 * 24 * time.Hour
	if _, ok := given(t, SchemeEIA, opened).c.DecisionExpectedBy(sla); ok {
		t.Error("a draft expects a decision")
	}
	h := given(t, SchemeEIA, awaitingDecision)
	if due, ok := h.c.DecisionExpectedBy(sla); !ok || !due.Equal(h.c.SubmittedAt.Add(sla)) {
		t.Errorf("awaiting a decision: %s, %v; want %s", due, ok, h.c.SubmittedAt.Add(sla))
	}
	for name, in := range map[string]DecisionInput{"awarded": award(framework.Practitioner, "acc-1"), "not awarded": refusal()} {
		if _, ok := givenDecided(t, in).c.DecisionExpectedBy(sla); ok {
			t.Errorf("%s: still expects a decision", name)
		}
	}
	h.do(applicant, with((*Case).Withdraw, WithdrawInput{Reason: seal("moving abroad")}))
	if _, ok := h.c.DecisionExpectedBy(sla); ok {
		t.Error("withdrawn: still expects a decision")
	}
}

// endOnErasure is EndOnErasure as a harness command.
func endOnErasure(c *Case, actor domain.Actor, _ time.Time) ([]aggregate.Change, error) {
	return c.EndOnErasure(actor)
}

// A case its applicant could still withdraw is withdrawn by the office's
// erasure of their data, with the cause recorded; a decided case is left
// as it is; only the office or the system may.
func TestEndOnErasure(t *testing.T) {
	for _, s := range []stage{opened, submitted, accepted, inAssessment, awaitingDecision} {
		t.Run("before a decision: stage "+stageName[s], func(t *testing.T) {
			h := given(t, SchemeEIA, s)
			from := h.c.State
			changes, err := h.run(officeScreen, endOnErasure)
			if err != nil || len(changes) != 1 {
				t.Fatalf("from %q: %d changes, %v", from, len(changes), err)
			}
			if d, ok := changes[0].Data.(CaseWithdrawn); !ok || d.Cause != ApplicantErased || d.FromState != from {
				t.Fatalf("from %q: got %#v", from, changes[0].Data)
			}
			h.apply(officeScreen, changes)
			h.wantState(StateWithdrawn)
		})
	}
	t.Run("after the decision: no change", func(t *testing.T) {
		for _, in := range []DecisionInput{award(framework.Practitioner, "acc-1"), refusal()} {
			h := givenDecided(t, in)
			if changes, err := h.run(domain.System, endOnErasure); err != nil || len(changes) != 0 {
				t.Fatalf("a decided case: %d changes, %v; want none", len(changes), err)
			}
		}
	})
	t.Run("Forbidden/the applicant or an assessor", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantErr(t, h.fails(applicant, endOnErasure), domain.Forbidden)
		wantErr(t, h.fails(assessorA, endOnErasure), domain.Forbidden)
	})
}
