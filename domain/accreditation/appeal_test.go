package accreditation

import (
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
)

func grounds() AppealInput { return AppealInput{Grounds: seal("evidence overlooked")} }

// under is in made under appeal terms: within days, allowed times.
func under(in DecisionInput, days, allowed int) DecisionInput {
	in.Appeal = AppealTerms{WithinDays: days, Allowed: allowed}
	return in
}

func TestAppeal(t *testing.T) {
	t.Run("within the 30 days the rules set", func(t *testing.T) {
		h := givenDecided(t, under(refusal(), 30, 1))
		h.later(30 * day)
		wantTypes(t, h.do(applicant, with((*Case).Appeal, grounds())), EventAppealFiled)
		h.wantState(StateAppealed)
		if a := h.c.Appeals[0]; a.DecisionNumber != 1 || !a.FiledAt.Equal(h.now) || a.Decided() {
			t.Fatalf("appeal: got %+v", a)
		}
	})
	t.Run("an award at a lower level can be appealed", func(t *testing.T) {
		h := givenDecided(t, award(framework.Foundation, "acc-1"))
		h.do(applicant, with((*Case).Appeal, grounds()))
		h.wantState(StateAppealed)
	})
	t.Run("Unprocessable/appeal after the 30 days the rules set", func(t *testing.T) {
		h := givenDecided(t, under(refusal(), 30, 1))
		h.later(30*day + time.Second)
		wantErr(t, h.fails(applicant, with((*Case).Appeal, grounds())), domain.Unprocessable, "appeal period ended")
	})
	t.Run("Unprocessable/an award at the level applied for", func(t *testing.T) {
		h := givenDecided(t, award(framework.Practitioner, "acc-1"))
		wantErr(t, h.fails(applicant, with((*Case).Appeal, grounds())), domain.Unprocessable, "level applied for")
	})
	t.Run("Conflict/only once per decision when the rules say once", func(t *testing.T) {
		h := givenDecided(t, under(refusal(), 30, 1))
		h.do(applicant, with((*Case).Appeal, grounds()))
		h.do(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealDismissed, Rationale: seal("no")}))
		wantErr(t, h.fails(applicant, with((*Case).Appeal, grounds())), domain.Conflict, "already been appealed")
	})
	t.Run("unset terms: no deadline, and again after a dismissal", func(t *testing.T) {
		h := givenDecided(t, refusal())
		if !h.c.AppealDeadline().IsZero() {
			t.Fatalf("deadline %v under unset terms, want none", h.c.AppealDeadline())
		}
		h.later(3 * 365 * day)
		h.do(applicant, with((*Case).Appeal, grounds()))
		h.do(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealDismissed, Rationale: seal("no")}))
		h.do(applicant, with((*Case).Appeal, grounds()))
		h.wantState(StateAppealed)
	})
	t.Run("a decision recorded before rule sets held appeal terms keeps 30 days, once", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		h.apply(officeDecide, []aggregate.Change{{Type: string(EventDecisionMade), SchemaVersion: SchemaVersion(EventDecisionMade),
			Data: map[string]any{"number": 1, "outcome": "not_awarded", "rationale": seal("insufficient")}}})
		if want := h.now.AddDate(0, 0, 30); !h.c.AppealDeadline().Equal(want) {
			t.Fatalf("deadline of an old decision: %v, want %v", h.c.AppealDeadline(), want)
		}
		h.later(30*day + time.Second)
		wantErr(t, h.fails(applicant, with((*Case).Appeal, grounds())), domain.Unprocessable, "appeal period ended")
	})
	t.Run("the decision records the terms of the case's rule set", func(t *testing.T) {
		h := given(t, SchemeEIA, awaitingDecision)
		rs := DefaultRuleSets()
		if terms, err := h.c.AppealTerms(rs, h.now); err != nil || terms != (AppealTerms{}) {
			t.Fatalf("shipped rules: terms %+v, %v; want unset", terms, err)
		}
		for i := range rs {
			for j, r := range rs[i].Rules {
				switch r.Name {
				case RuleAppealWindow:
					rs[i].Rules[j].Values = levels(14, 14, 14, 14)
				case RuleAppealsPerDecision:
					rs[i].Rules[j].Values = levels(2, 2, 2, 2)
				}
			}
		}
		if terms, err := h.c.AppealTerms(rs, h.now); err != nil || terms != (AppealTerms{WithinDays: 14, Allowed: 2}) {
			t.Fatalf("terms %+v, %v; want 14 days, 2 appeals", terms, err)
		}
	})
	t.Run("Invalid/no grounds", func(t *testing.T) {
		h := givenDecided(t, refusal())
		wantField(t, h.fails(applicant, with((*Case).Appeal, AppealInput{})), "grounds")
	})
	t.Run("Forbidden/someone else", func(t *testing.T) {
		h := givenDecided(t, refusal())
		wantErr(t, h.fails(stranger, with((*Case).Appeal, grounds())), domain.Forbidden)
	})
}

func TestDecideAppeal(t *testing.T) {
	upheld := func(to string) AppealDecisionInput {
		return AppealDecisionInput{Outcome: AppealUpheld, Rationale: seal("overlooked evidence"), ReturnTo: to}
	}
	t.Run("upheld: back to assessment, the assessments cleared, the award withdrawn", func(t *testing.T) {
		h := givenDecided(t, award(framework.Foundation, "acc-1"))
		h.do(applicant, with((*Case).Appeal, grounds()))
		got := h.do(officeReview, with((*Case).DecideAppeal, upheld(ReturnToAssessment)))
		wantTypes(t, got, EventAppealDecided, EventAccreditationWithdrawn)
		h.wantState(StateInAssessment)
		if h.c.Assessments.Len() != 0 || h.c.Decision != nil || len(h.c.PastDecisions) != 1 || !h.c.PastDecisions[0].Overturned {
			t.Fatalf("after upheld appeal: assessments %v, decision %v, past %+v", h.c.Assessments, h.c.Decision, h.c.PastDecisions)
		}
		if a := h.c.Accreditation; a.Status != StatusWithdrawn || a.By != officeReview.ID {
			t.Fatalf("accreditation: got %+v, want withdrawn by the reviewer", a)
		}
		if ap := h.c.Appeals[0]; ap.Outcome != AppealUpheld || ap.By != officeReview.ID || ap.ReturnTo != ReturnToAssessment {
			t.Fatalf("appeal: got %+v", ap)
		}
		// The same assessor and verifier assess again; a new decision is number 2.
		h.do(assessorA, assess(RecommendAward, ""))
		h.do(assessorB, assess(RecommendAward, ""))
		h.do(officeDecide, with((*Case).Decide, award(framework.Practitioner, "acc-2")))
		if h.c.Decision.Number != 2 || h.c.Accreditation.ID != "acc-2" || h.c.Accreditation.Status != StatusActive {
			t.Fatalf("new decision: got %+v %+v", h.c.Decision, h.c.Accreditation)
		}
	})
	t.Run("upheld: back to the decision", func(t *testing.T) {
		h := givenDecided(t, refusal())
		h.do(applicant, with((*Case).Appeal, grounds()))
		wantTypes(t, h.do(officeReview, with((*Case).DecideAppeal, upheld(ReturnToDecision))), EventAppealDecided)
		h.wantState(StateAwaitingDecision)
		if h.c.Assessments.Len() != 2 {
			t.Fatalf("assessments: got %d, want both kept", h.c.Assessments.Len())
		}
	})
	t.Run("dismissed: the decision stands", func(t *testing.T) {
		h := givenDecided(t, award(framework.Foundation, "acc-1"))
		h.do(applicant, with((*Case).Appeal, grounds()))
		got := h.do(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealDismissed, Rationale: seal("no"), ReturnTo: ReturnToDecision}))
		wantTypes(t, got, EventAppealDecided)
		h.wantState(StateAwarded)
		if h.c.Accreditation.Status != StatusActive || h.c.Appeals[0].ReturnTo != "" {
			t.Fatalf("after dismissal: accreditation %+v, appeal %+v", h.c.Accreditation, h.c.Appeals[0])
		}
	})
	for _, tc := range []struct {
		name  string
		actor domain.Actor
	}{
		{"the decider", officeDecide},
		{"the screener", officeScreen},
		{"the assessor", domain.Actor{ID: assessorA.ID, Role: domain.RoleOffice}},
		{"the verifier", domain.Actor{ID: assessorB.ID, Role: domain.RoleOffice}},
	} {
		t.Run("Forbidden/appeal reviewer involved before: "+tc.name, func(t *testing.T) {
			h := givenDecided(t, refusal())
			h.do(applicant, with((*Case).Appeal, grounds()))
			wantErr(t, h.fails(tc.actor, with((*Case).DecideAppeal, upheld(ReturnToDecision))), domain.Forbidden, "not involved before")
		})
	}
	t.Run("Forbidden/appeal reviewer involved before: the moderator", func(t *testing.T) {
		h := givenModeration(t)
		h.do(officeReview, with((*Case).Moderate, ModerationInput{Recommendation: RecommendNotAward, Rationale: seal("r")}))
		h.do(officeDecide, with((*Case).Decide, refusal()))
		h.do(applicant, with((*Case).Appeal, grounds()))
		wantErr(t, h.fails(officeReview, with((*Case).DecideAppeal, upheld(ReturnToDecision))), domain.Forbidden, "moderator")
	})
	t.Run("upheld without where to return: back to assessment", func(t *testing.T) {
		h := givenDecided(t, refusal())
		h.do(applicant, with((*Case).Appeal, grounds()))
		h.do(officeReview, with((*Case).DecideAppeal, upheld("")))
		h.wantState(StateInAssessment)
		if got := h.c.Appeals[0].ReturnTo; got != ReturnToAssessment {
			t.Fatalf("appeal return_to: got %q, want %q", got, ReturnToAssessment)
		}
	})
	t.Run("Invalid/upheld with nowhere known to return", func(t *testing.T) {
		h := givenDecided(t, refusal())
		h.do(applicant, with((*Case).Appeal, grounds()))
		wantField(t, h.fails(officeReview, with((*Case).DecideAppeal, upheld("screening"))), "return_to")
	})
	t.Run("Invalid/no rationale", func(t *testing.T) {
		h := givenDecided(t, refusal())
		h.do(applicant, with((*Case).Appeal, grounds()))
		wantField(t, h.fails(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealDismissed})), "rationale")
	})
}

// TestAnUpheldAppealStartsTheServiceLevelAgain: an upheld appeal sends the
// case back for a new decision, which gets the service level's time from
// the appeal's decision, whether back to assessment or to the decision; a
// dismissed appeal leaves the clock where it was (and the decision stands,
// so none is expected).
func TestAnUpheldAppealStartsTheServiceLevelAgain(t *testing.T) {
	const sla = 91 * day
	upheld := func(to string) AppealDecisionInput {
		return AppealDecisionInput{Outcome: AppealUpheld, Rationale: seal("overlooked evidence"), ReturnTo: to}
	}
	for _, to := range []string{ReturnToAssessment, ReturnToDecision} {
		t.Run("upheld back to "+to, func(t *testing.T) {
			h := givenDecided(t, refusal())
			submitted := h.c.ServiceStart()
			h.later(20*day).do(applicant, with((*Case).Appeal, grounds()))
			h.later(150*day).do(officeReview, with((*Case).DecideAppeal, upheld(to)))
			if got := h.c.ServiceStart(); !got.Equal(h.now) {
				t.Fatalf("upheld 170 days after a clock started at %v: it starts at %v, want the appeal's decision %v", submitted, got, h.now)
			}
			if got, want := mustDue(t, h.c, sla), h.now.Add(sla); !got.Equal(want) {
				t.Fatalf("new decision expected by %v, want %v", got, want)
			}
		})
	}
	t.Run("dismissed", func(t *testing.T) {
		h := givenDecided(t, refusal())
		before := h.c.ServiceStart()
		h.later(20*day).do(applicant, with((*Case).Appeal, grounds()))
		h.later(day).do(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealDismissed, Rationale: seal("no")}))
		if got := h.c.ServiceStart(); !got.Equal(before) {
			t.Fatalf("after a dismissal the clock starts at %v, want still %v", got, before)
		}
		if due, ok := h.c.DecisionExpectedBy(sla); ok {
			t.Fatalf("the decision stands, yet one is expected by %v", due)
		}
	})
}

// TestAnAppealDoesNotUndoARevocation: an award below the level applied for
// may be appealed, but not once the office has revoked it (or it was
// withdrawn): upheld, the appeal would send the case to a new decision and
// a new award, active again. Revoked while an appeal waits, the appeal can
// only be dismissed. An expired award is no bar.
func TestAnAppealDoesNotUndoARevocation(t *testing.T) {
	reason := ReasonInput{Reason: seal("ethics complaint upheld")}
	for _, tc := range []struct {
		name  string
		actor domain.Actor
		cmd   command
		want  AccreditationStatus
	}{
		{"revoked by the office", officeScreen, with((*Case).Revoke, reason), StatusRevoked},
		{"withdrawn by the office", officeScreen, with((*Case).WithdrawAccreditation, reason), StatusWithdrawn},
		{"withdrawn by the holder", applicant, with((*Case).WithdrawAccreditation, reason), StatusWithdrawn},
	} {
		t.Run("Conflict/appeal after "+tc.name, func(t *testing.T) {
			h := givenDecided(t, award(framework.Foundation, "acc-1"))
			h.later(day).do(tc.actor, tc.cmd)
			wantWrongState(t, h.fails(applicant, with((*Case).Appeal, grounds())), "accreditation_status", tc.want)
			if got := h.c.AllowedActions(applicant, h.now, nil); slices.Contains(got, ActionAppeal) {
				t.Fatalf("allowed actions %v offer an appeal", got)
			}
			if s := h.c.Next(h.now); s.Appeal {
				t.Fatalf("next step %+v offers an appeal", s)
			}
		})
	}
	t.Run("Conflict/upheld after a revocation while the appeal waited; dismissed it may be", func(t *testing.T) {
		h := givenDecided(t, award(framework.Foundation, "acc-1"))
		h.do(applicant, with((*Case).Appeal, grounds()))
		h.later(day).do(officeScreen, with((*Case).Revoke, reason))
		upheld := AppealDecisionInput{Outcome: AppealUpheld, Rationale: seal("overlooked evidence"), ReturnTo: ReturnToDecision}
		wantWrongState(t, h.fails(officeReview, with((*Case).DecideAppeal, upheld)), "accreditation_status", StatusRevoked)
		h.do(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealDismissed, Rationale: seal("revoked")}))
		if a := h.c.Accreditation; h.c.State != StateAwarded || a.Status != StatusRevoked {
			t.Fatalf("after the dismissal: state %q, accreditation %q; want awarded, revoked", h.c.State, a.Status)
		}
	})
	t.Run("an expired award below the level applied for may still be appealed", func(t *testing.T) {
		h := givenDecided(t, award(framework.Foundation, "acc-1"))
		h.now = h.c.Accreditation.ValidUntil
		h.do(domain.System, expireCmd())
		h.do(applicant, with((*Case).Appeal, grounds()))
		h.wantState(StateAppealed)
	})
}
