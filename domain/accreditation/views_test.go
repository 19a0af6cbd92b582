package accreditation

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
)

func TestAllowedActions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stage stage
		actor domain.Actor
		want  []Action
	}{
		{"applicant on a draft", opened, applicant, []Action{ActionUpdatePortfolio, ActionAddEvidence, ActionRemoveEvidence, ActionEditEvidence, ActionUpdateSelfAssessment, ActionSubmit, ActionWithdraw}},
		{"someone else on a draft", opened, stranger, []Action{}},
		{"office on a draft", opened, officeScreen, []Action{}},
		{"office on a submitted case", submitted, officeScreen, []Action{ActionScreen}},
		{"applicant on a submitted case", submitted, applicant, []Action{ActionWithdraw}},
		{"office in the queue", accepted, officeScreen, []Action{ActionAssign}},
		{"assessor in the queue", accepted, assessorC, []Action{ActionClaim}},
		{"the applicant as assessor in the queue", accepted, domain.Actor{ID: applicant.ID, Role: domain.RoleAssessor}, []Action{}},
		{"assigned assessor", inAssessment, assessorA, []Action{ActionAssess, ActionRequestInformation}},
		{"unassigned assessor", inAssessment, assessorC, []Action{}},
		{"office in assessment", inAssessment, officeDecide, []Action{ActionUnassign, ActionReassign, ActionRequestInformation}},
		{"office awaiting the decision", awaitingDecision, officeDecide, []Action{ActionRequestInformation, ActionDecide}},
		{"assessor as office awaiting the decision", awaitingDecision, domain.Actor{ID: assessorA.ID, Role: domain.RoleOffice}, []Action{ActionRequestInformation}},
		{"assessor who has assessed", awaitingDecision, assessorA, []Action{}},
		{"holder after an award at the level applied for (no renewal window set)", awarded, applicant, []Action{ActionRenew, ActionWithdrawAccreditation}},
		{"office after an award", awarded, officeDecide, []Action{ActionRevoke, ActionWithdrawAccreditation}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, tc.stage)
			if got := h.c.AllowedActions(tc.actor, h.now, h.rules); !slices.Equal(got, tc.want) {
				t.Fatalf("in state %q: got %v, want %v", h.c.State, got, tc.want)
			}
		})
	}
	t.Run("time windows: appeal within the rules' 30 days, renewal before valid until, expiry from valid until", func(t *testing.T) {
		h := givenDecided(t, under(award(framework.Foundation, "acc-1"), 30, 1))
		if got := h.c.AllowedActions(applicant, h.now.Add(29*day), h.rules); !slices.Equal(got, []Action{ActionAppeal, ActionRenew, ActionWithdrawAccreditation}) {
			t.Fatalf("within 30 days: got %v", got)
		}
		until := h.c.Accreditation.ValidUntil
		if got := h.c.AllowedActions(applicant, until.AddDate(0, -2, 0), h.rules); !slices.Equal(got, []Action{ActionRenew, ActionWithdrawAccreditation}) {
			t.Fatalf("two months before valid until: got %v", got)
		}
		if got := h.c.AllowedActions(domain.System, until, h.rules); !slices.Equal(got, []Action{ActionExpire}) {
			t.Fatalf("system at valid until: got %v", got)
		}
		if got := h.c.AllowedActions(domain.System, until.Add(-time.Second), h.rules); len(got) != 0 {
			t.Fatalf("system before valid until: got %v, want none", got)
		}
	})
	t.Run("appeal reviewers are the office users not involved", func(t *testing.T) {
		h := givenDecided(t, refusal())
		h.do(applicant, with((*Case).Appeal, grounds()))
		if got := h.c.AllowedActions(officeReview, h.now, h.rules); !slices.Equal(got, []Action{ActionDecideAppeal}) {
			t.Fatalf("uninvolved office user: got %v", got)
		}
		if got := h.c.AllowedActions(officeDecide, h.now, h.rules); len(got) != 0 {
			t.Fatalf("the decider: got %v, want none", got)
		}
	})
	t.Run("every offered action is accepted by its command", func(t *testing.T) {
		h := given(t, SchemeEIA, opened)
		for _, a := range h.c.AllowedActions(applicant, h.now, h.rules) {
			if err := h.c.guard(a, applicant, h.now, h.rules); err != nil {
				t.Fatalf("%s: offered but refused: %v", a, err)
			}
		}
	})
}

func TestCanClaim(t *testing.T) {
	h := given(t, SchemeEIA, accepted)
	if err := h.c.CanClaim(profile(assessorC), ""); err != nil {
		t.Fatalf("qualified assessor: got %v, want nil", err)
	}
	dutch := profile(assessorC)
	dutch.Languages = []string{"nl"}
	if err := h.c.CanClaim(dutch, ""); !domain.Is(err, domain.Unprocessable) {
		t.Fatalf("assessor without the case language: got %v, want unprocessable", err)
	}
	h.do(assessorA, with((*Case).Claim, ClaimInput{Role: RoleVerifier, Profile: profile(assessorA)}))
	if err := h.c.CanClaim(profile(assessorC), RoleVerifier); !domain.Is(err, domain.Conflict) {
		t.Fatalf("taken role: got %v, want conflict", err)
	}
	if err := h.c.CanClaim(profile(assessorC), ""); err != nil {
		t.Fatalf("the open assessor role: got %v, want nil", err)
	}
	if err := h.c.CanClaim(profile(assessorA), ""); err == nil {
		t.Fatalf("the verifier claiming the assessor role: got nil, want refused")
	}
}

func TestVisibleAssessments(t *testing.T) {
	roles := func(as []Assessment) []AssessorRole {
		out := []AssessorRole{}
		for _, a := range as {
			out = append(out, a.Role)
		}
		return out
	}
	check := func(t *testing.T, h *harness, actor domain.Actor, want ...AssessorRole) {
		t.Helper()
		if want == nil {
			want = []AssessorRole{}
		}
		if got := roles(h.c.VisibleAssessments(actor)); !slices.Equal(got, want) {
			t.Fatalf("%s %s sees: got %v, want %v", actor.Role, actor.ID, got, want)
		}
	}
	h := given(t, SchemeEIA, inAssessment)
	h.do(assessorA, assess(RecommendAward, ""))
	t.Run("before both are in: each sees only their own", func(t *testing.T) {
		check(t, h, assessorA, RoleAssessor)
		check(t, h, assessorB)
		check(t, h, officeDecide, RoleAssessor)
		check(t, h, applicant)
		check(t, h, assessorC)
	})
	h.do(assessorB, assess(RecommendAward, ""))
	t.Run("once both are in: the assessors see both, the applicant still none", func(t *testing.T) {
		check(t, h, assessorA, RoleAssessor, RoleVerifier)
		check(t, h, assessorB, RoleAssessor, RoleVerifier)
		check(t, h, applicant)
		check(t, h, assessorC)
	})
	h.do(officeDecide, with((*Case).Decide, award(framework.Practitioner, "acc-1")))
	t.Run("after the decision: the applicant sees both, no one else's applicant does", func(t *testing.T) {
		check(t, h, applicant, RoleAssessor, RoleVerifier)
		check(t, h, stranger)
	})
	t.Run("a copy: changing it leaves the case alone", func(t *testing.T) {
		v := h.c.VisibleAssessments(officeDecide)
		v[0].Ratings[0].Indicators[0] = 999
		if h.c.Assessments.Assessor.Ratings[0].Indicators[0] == 999 {
			t.Fatalf("VisibleAssessments shares memory with the case")
		}
	})
}

func TestCanSeeAndInvolved(t *testing.T) {
	h := given(t, SchemeEIA, accepted)
	pC := profile(assessorC)
	for _, tc := range []struct {
		actor domain.Actor
		p     *AssessorProfile
		want  bool
	}{
		{applicant, nil, true}, {stranger, nil, false}, {officeDecide, nil, true}, {assessorC, &pC, true},
		{domain.Actor{ID: applicant.ID, Role: domain.RoleAssessor}, &AssessorProfile{UserID: applicant.ID, Schemes: pC.Schemes, MaxLevel: pC.MaxLevel, Languages: pC.Languages, Active: true}, false},
	} {
		if got := h.c.CanSee(tc.actor, tc.p); got != tc.want {
			t.Errorf("in the queue, %s %s: got %v, want %v", tc.actor.Role, tc.actor.ID, got, tc.want)
		}
	}
	h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: profile(assessorA)}))
	h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleVerifier, Profile: profile(assessorB)}))
	if !h.c.CanSee(assessorA, nil) || h.c.CanSee(assessorC, &pC) {
		t.Errorf("in assessment: assigned sees %v, unassigned sees %v; want true, false", h.c.CanSee(assessorA, nil), h.c.CanSee(assessorC, &pC))
	}
	for _, id := range []string{applicant.ID, officeScreen.ID, assessorA.ID, assessorB.ID} {
		if !h.c.Involved(id) {
			t.Errorf("Involved(%s): got false, want true", id)
		}
	}
	for _, id := range []string{officeReview.ID, assessorC.ID, ""} {
		if h.c.Involved(id) {
			t.Errorf("Involved(%q): got true, want false", id)
		}
	}
}

func TestNext(t *testing.T) {
	for _, tc := range []struct {
		stage stage
		key   StepKey
		want  string
	}{
		{opened, StepDraft, "the applicant completes"},
		{submitted, StepSubmitted, "screens"},
		{accepted, StepAwaitingAssessment, "an assessor and a verifier are assigned"},
		{inAssessment, StepInAssessment, "assess the application independently"},
		{awaitingDecision, StepAwaitingDecision, "the EMCC office decides"},
		{awarded, StepAwarded, "the holder renews before"},
	} {
		t.Run(stageName[tc.stage], func(t *testing.T) {
			h := given(t, SchemeEIA, tc.stage)
			got := h.c.Next(h.now)
			if got.Key != tc.key || !strings.Contains(got.String(), tc.want) {
				t.Fatalf("got %q (%s), want %s containing %q", got.Key, got, tc.key, tc.want)
			}
		})
	}
	// The applicant is told whose question to answer and since when: the
	// open request's asker, not an earlier one's.
	t.Run("information requested: who asked and when", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(assessorB, with((*Case).RequestInformation, ask("q1")))
		h.later(time.Hour).do(applicant, with((*Case).ProvideInformation, answer("a1")))
		h.do(assessorB, assess(RecommendAward, ""))
		h.do(assessorA, assess(RecommendAward, ""))
		asked := h.later(24 * time.Hour).now
		h.do(officeDecide, with((*Case).RequestInformation, ask("q2")))
		got := h.c.Next(h.now)
		if got.Key != StepInformationRequested || got.AskedBy != AskedByOffice || !got.AskedAt.Equal(asked) {
			t.Fatalf("got %+v, want the office's question of %s", got, asked)
		}
		h = given(t, SchemeEIA, inAssessment)
		h.do(assessorB, with((*Case).RequestInformation, ask("q")))
		if got := h.c.Next(h.now); got.AskedBy != string(RoleVerifier) {
			t.Fatalf("asked by: got %q, want the verifier", got.AskedBy)
		}
	})
	t.Run("one assessment in", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(assessorB, assess(RecommendAward, ""))
		got := h.c.Next(h.now)
		if got.Role != RoleAssessor || got.String() != "the assessor submits their assessment" {
			t.Fatalf("got %+v (%s), want the assessor's assessment", got, got)
		}
	})

	// The appeal is in the next step exactly when the applicant is offered
	// it: both ask the standing decision, not whether the case was ever
	// appealed.
	appealOffered := func(h *harness) bool {
		return slices.Contains(h.c.AllowedActions(applicant, h.now, h.rules), ActionAppeal)
	}
	for _, tc := range []struct {
		name     string
		given    func(t *testing.T) *harness
		key      StepKey
		appealBy bool
	}{
		{"upheld appeal, second refusal: appeal again", func(t *testing.T) *harness {
			h := givenDecided(t, refusal())
			h.do(applicant, with((*Case).Appeal, grounds()))
			h.do(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealUpheld, Rationale: seal("r"), ReturnTo: ReturnToDecision}))
			h.later(24*time.Hour).do(officeDecide, with((*Case).Decide, refusal()))
			return h
		}, StepNotAwarded, true},
		{"refusal: appeal", func(t *testing.T) *harness { return givenDecided(t, refusal()) }, StepNotAwarded, true},
		{"refusal appealed and dismissed, once allowed: none", func(t *testing.T) *harness {
			h := givenDecided(t, under(refusal(), 30, 1))
			h.do(applicant, with((*Case).Appeal, grounds()))
			h.do(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealDismissed, Rationale: seal("no")}))
			return h
		}, StepNone, false},
		{"refusal after the appeal period: none", func(t *testing.T) *harness {
			h := givenDecided(t, under(refusal(), 30, 1))
			return h.later(30*24*time.Hour + time.Hour)
		}, StepNone, false},
		{"refusal under unset terms: appeal, with no date", func(t *testing.T) *harness {
			return givenDecided(t, refusal()).later(400 * 24 * time.Hour)
		}, StepNotAwarded, true},
		{"award at a lower level: renew, or appeal", func(t *testing.T) *harness {
			return givenDecided(t, award(framework.Foundation, "acc-1"))
		}, StepAwarded, true},
		{"award at the level applied for: renew", func(t *testing.T) *harness {
			return givenDecided(t, award(framework.Practitioner, "acc-1"))
		}, StepAwarded, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.given(t)
			got := h.c.Next(h.now)
			if got.Key != tc.key {
				t.Fatalf("key: got %q, want %q", got.Key, tc.key)
			}
			if want := h.c.AppealDeadline(); tc.appealBy && !got.AppealBy.Equal(want) || !tc.appealBy && !got.AppealBy.IsZero() {
				t.Fatalf("appeal by: got %v, want %v (appeal in the step: %v)", got.AppealBy, want, tc.appealBy)
			}
			if offered := appealOffered(h); offered != tc.appealBy {
				t.Fatalf("appeal offered: got %v, want %v, as the step says", offered, tc.appealBy)
			}
		})
	}
}

// An assessor sees a case in the queue only if the claim would let them
// take it: each reason the claim refuses hides the case.
func TestCanSee_AssessorOnlyWhenTheyCouldClaim(t *testing.T) {
	qualified := func(mod func(p *AssessorProfile)) *AssessorProfile {
		p := profile(assessorC)
		if mod != nil {
			mod(&p)
		}
		return &p
	}
	for _, tc := range []struct {
		name string
		p    *AssessorProfile
		want bool
	}{
		{"qualified: could claim", qualified(nil), true},
		{"no profile", nil, false},
		{"empty profile", &AssessorProfile{UserID: assessorC.ID, Active: true}, false},
		{"not active", qualified(func(p *AssessorProfile) { p.Active = false }), false},
		{"not qualified for the scheme", qualified(func(p *AssessorProfile) { p.Schemes = []string{"EQA"} }), false},
		{"below the case level", qualified(func(p *AssessorProfile) { p.MaxLevel = framework.Foundation }), false},
		{"not the case language", qualified(func(p *AssessorProfile) { p.Languages = []string{"de"} }), false},
		{"declared a conflict with the applicant", qualified(func(p *AssessorProfile) { p.Conflicts = []string{"x", applicant.ID} }), false},
		{"someone else's profile", qualified(func(p *AssessorProfile) { p.UserID = assessorA.ID }), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, accepted)
			if got := h.c.CanSee(assessorC, tc.p); got != tc.want {
				t.Fatalf("given a case awaiting assessment, when %s looks: got %v, want %v", tc.name, got, tc.want)
			}
			// The claim decides the same way: one rule for both.
			_, err := h.run(assessorC, with((*Case).Claim, ClaimInput{Profile: *qualifiedOr(tc.p, assessorC)}))
			if (err == nil) != tc.want && tc.p != nil && tc.p.UserID == assessorC.ID {
				t.Fatalf("claim disagrees with sight: claim error %v, sight %v", err, tc.want)
			}
		})
	}
	t.Run("assigned: sees it with no profile at all, also after assessment starts", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		if !h.c.CanSee(assessorA, nil) || !h.c.CanSee(assessorB, nil) {
			t.Fatalf("assigned assessor and verifier: got %v, %v, want true, true", h.c.CanSee(assessorA, nil), h.c.CanSee(assessorB, nil))
		}
		if p := profile(assessorC); h.c.CanSee(assessorC, &p) {
			t.Fatalf("a qualified assessor not on a case in assessment sees it; want hidden")
		}
	})
	t.Run("one role taken: the holder of the other role sees it, a qualified assessor still could claim", func(t *testing.T) {
		h := given(t, SchemeEIA, accepted)
		h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: profile(assessorA)}))
		pA, pC := profile(assessorA), profile(assessorC)
		if !h.c.CanSee(assessorA, &pA) || !h.c.CanSee(assessorC, &pC) {
			t.Fatalf("got holder %v, candidate %v; want true, true", h.c.CanSee(assessorA, &pA), h.c.CanSee(assessorC, &pC))
		}
	})
}

// qualifiedOr returns p, or an empty profile of a when p is nil.
func qualifiedOr(p *AssessorProfile, a domain.Actor) *AssessorProfile {
	if p == nil {
		return &AssessorProfile{UserID: a.ID}
	}
	return p
}

// ClaimableRoles is CanClaim asked role by role: over every stage, both
// schemes, one role held and profiles that qualify or not.
func TestClaimableRolesAreThoseCanClaimAllows(t *testing.T) {
	dutch, eqaOnly, foundation := profile(assessorC), profile(assessorC), profile(assessorC)
	dutch.Languages = []string{"nl"}
	eqaOnly.Schemes = []string{"EQA"}
	foundation.MaxLevel = framework.Foundation
	profiles := []AssessorProfile{profile(assessorA), profile(assessorB), profile(assessorC), dutch, eqaOnly, foundation,
		profile(applicant), {UserID: assessorC.ID}}
	checked, some := 0, 0
	for _, scheme := range []Scheme{SchemeEIA, SchemeEQA} {
		for s := opened; s <= awarded; s++ {
			cases := []*Case{given(t, scheme, s).c}
			if s == accepted {
				h := given(t, scheme, s)
				h.do(assessorA, with((*Case).Claim, ClaimInput{Role: RoleVerifier, Profile: profile(assessorA)}))
				cases = append(cases, h.c)
			}
			for _, c := range cases {
				for _, p := range profiles {
					var want []AssessorRole
					for _, r := range AssessorRoles {
						if c.CanClaim(p, r) == nil {
							want = append(want, r)
						}
					}
					if got := c.ClaimableRoles(p); !slices.Equal(got, want) {
						t.Errorf("%s at %s (held %v), %s: ClaimableRoles %v, CanClaim allows %v", scheme, c.State, c.Assignments, p.UserID, got, want)
					}
					checked++
					if len(want) > 0 {
						some++
					}
				}
			}
		}
	}
	if some == 0 || some == checked {
		t.Fatalf("%d of %d cases and profiles claimable: the test must see both", some, checked)
	}
}

// ClaimableRoles answers shared slices: a caller appending to one changes
// no other answer, nor AssessorRoles.
func TestClaimableRolesAppendedToChangeNoOtherAnswer(t *testing.T) {
	open := given(t, SchemeEIA, accepted)
	held := given(t, SchemeEIA, accepted)
	held.do(assessorA, with((*Case).Claim, ClaimInput{Role: RoleVerifier, Profile: profile(assessorA)}))
	one := held.c.ClaimableRoles(profile(assessorC))
	if !slices.Equal(one, []AssessorRole{RoleAssessor}) {
		t.Fatalf("with the verifier's role held: %v claimable, want [assessor]", one)
	}
	_ = append(one, RoleAssessor)
	both := open.c.ClaimableRoles(profile(assessorC))
	_ = append(both, RoleAssessor)
	if got := open.c.ClaimableRoles(profile(assessorC)); !slices.Equal(got, []AssessorRole{RoleAssessor, RoleVerifier}) {
		t.Fatalf("after appending to answers: %v claimable on an open case, want [assessor verifier]", got)
	}
	if !slices.Equal(AssessorRoles, []AssessorRole{RoleAssessor, RoleVerifier}) {
		t.Fatalf("after appending to answers: AssessorRoles is %v", AssessorRoles)
	}
}
