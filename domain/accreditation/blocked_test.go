package accreditation

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
)

// wantBlocked fails unless err is an ErrBlocked of code by what, about role
// (none when role is "").
func wantBlocked(tb testing.TB, err *domain.Error, code domain.Code, by Blocker, role AssessorRole) {
	tb.Helper()
	wantErr(tb, err, code)
	r, _ := err.Extra["role"].(AssessorRole)
	if !errors.Is(err, ErrBlocked) || err.Extra["blocked_by"] != by || r != role {
		tb.Fatalf("got %v (Extra %v), want an ErrBlocked by %s (role %q), which readers word themselves", err, err.Extra, by, role)
	}
}

// TestEachBlockedStepNamesWhatBlocksIt: every refusal of a step that
// something on the case other than its state stands in the way of names
// that thing (Extra["blocked_by"]) and the role it concerns, so that the
// web and an integrator can say it without parsing the message; each
// Blocker is met here by the step it refuses.
func TestEachBlockedStepNamesWhatBlocksIt(t *testing.T) {
	met := map[Blocker]bool{}
	check := func(t *testing.T, err *domain.Error, code domain.Code, by Blocker, role AssessorRole) {
		t.Helper()
		wantBlocked(t, err, code, by, role)
		met[by] = true
	}
	interview := func(h *harness) command {
		return with((*Case).ScheduleInterview, InterviewInput{At: h.now.Add(time.Hour), Place: seal("online")})
	}
	record := with((*Case).RecordInterview, InterviewRecordInput{Notes: seal("n")})

	t.Run("screening before the fee", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		h.do(applicant, submitCmd(withFee(h)))
		err := h.fails(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningAccepted}))
		check(t, err, domain.Conflict, BlockedByFee, "")
		if err.Extra["state"] != StateAwaitingPayment || err.Extra["allowed"] == nil {
			t.Fatalf("Extra %v: want the state and the allowed steps kept beside it", err.Extra)
		}
	})
	t.Run("the interview", func(t *testing.T) {
		h := seniorCase(t, inAssessment)
		check(t, h.fails(assessorA, record), domain.Conflict, BlockedByInterviewUnscheduled, "")
		check(t, h.fails(assessorA, assess(RecommendAward, "")), domain.Conflict, BlockedByInterviewUnrecorded, "")
		practitioner := given(t, SchemeEIA, inAssessment)
		check(t, practitioner.fails(officeScreen, interview(practitioner)), domain.Conflict, BlockedByNoInterview, "")
		h.do(officeScreen, interview(h))
		h.later(2 * time.Hour)
		h.do(assessorA, record)
		check(t, h.fails(officeScreen, unassign(RoleAssessor, "r")), domain.Conflict, BlockedByHolderInterviewed, RoleAssessor)
		h.do(assessorA, assess(RecommendAward, ""))
		check(t, h.fails(officeScreen, reassign(RoleAssessor, assessorC, "r")), domain.Conflict, BlockedByHolderAssessed, RoleAssessor)
	})
	t.Run("a decision before the interview", func(t *testing.T) {
		h := seniorCase(t, inAssessment)
		// As a case assessed before interviews were asked for: both
		// assessments in, no interview.
		h.c.State = StateAwaitingDecision
		check(t, h.fails(officeDecide, with((*Case).Decide, award(framework.SeniorPractitioner, "acc-1"))), domain.Conflict, BlockedByInterviewUnrecorded, "")
	})
	t.Run("the roles", func(t *testing.T) {
		h := given(t, SchemeEIA, accepted)
		check(t, h.fails(officeScreen, unassign(RoleAssessor, "r")), domain.Conflict, BlockedByRoleUnheld, "")
		h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: profile(assessorA)}))
		check(t, h.fails(officeScreen, unassign(RoleVerifier, "r")), domain.Conflict, BlockedByRoleUnheld, RoleVerifier)
		var de *domain.Error
		if !errors.As(h.c.RoleChangeable(RoleVerifier), &de) {
			t.Fatalf("RoleChangeable(verifier): %v, want a *domain.Error", h.c.RoleChangeable(RoleVerifier))
		}
		wantBlocked(t, de, domain.Conflict, BlockedByRoleUnheld, RoleVerifier)
	})
	t.Run("appeals", func(t *testing.T) {
		h := givenDecided(t, under(refusal(), 30, 1))
		h.do(applicant, with((*Case).Appeal, grounds()))
		h.do(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealDismissed, Rationale: seal("no")}))
		check(t, h.fails(applicant, with((*Case).Appeal, grounds())), domain.Conflict, BlockedByAppealsUsed, "")

		h = givenDecided(t, under(refusal(), 30, 2))
		h.later(30*day + time.Second)
		err := h.fails(applicant, with((*Case).Appeal, grounds()))
		check(t, err, domain.Unprocessable, BlockedByAppealPeriod, "")
		if d, _ := err.Extra["appeal_deadline"].(time.Time); !d.Equal(h.c.AppealDeadline()) {
			t.Fatalf("appeal_deadline %v, want the period's end %v", err.Extra["appeal_deadline"], h.c.AppealDeadline())
		}

		h = givenDecided(t, award(framework.Practitioner, "acc-1"))
		check(t, h.fails(applicant, with((*Case).Appeal, grounds())), domain.Unprocessable, BlockedByAwardedAsApplied, "")

		// A stream that reached a decided state with no decision standing
		// (the guard's defence; no command leads there).
		h = givenDecided(t, refusal())
		h.c.Decision = nil
		check(t, h.fails(applicant, with((*Case).Appeal, grounds())), domain.Conflict, BlockedByNoDecision, "")
	})
	t.Run("an answer with no request open", func(t *testing.T) {
		// The guard's defence as above: the state says a request is open.
		h := given(t, SchemeEIA, inAssessment)
		h.c.State = StateInformationRequested
		check(t, h.fails(applicant, with((*Case).ProvideInformation, InformationResponseInput{Answer: seal("a")})), domain.Conflict, BlockedByNoOpenRequest, "")
	})
	for _, by := range Blockers {
		if !met[by] {
			t.Errorf("no step here is blocked by %s: each Blocker needs its case", by)
		}
	}
}

// wantNotQualified fails unless err is an ErrNotQualified listing codes,
// with the English reasons beside them.
func wantNotQualified(tb testing.TB, err *domain.Error, codes ...ExclusionCode) {
	tb.Helper()
	wantErr(tb, err, domain.Unprocessable)
	got, _ := err.Extra["excluded"].([]ExclusionCode)
	reasons, _ := err.Extra["reasons"].([]string)
	if !errors.Is(err, ErrNotQualified) || !slices.Equal(got, codes) || len(reasons) != len(codes) {
		tb.Fatalf("got %v (Extra %v), want an ErrNotQualified excluding for %v, which readers word themselves", err, err.Extra, codes)
	}
}

// TestAnAssessorWhoMayNotTakeTheRoleIsToldWhyByCode: an assignment or a
// claim refused for who the assessor is names why as exclusion codes.
func TestAnAssessorWhoMayNotTakeTheRoleIsToldWhyByCode(t *testing.T) {
	h := given(t, SchemeEIA, accepted)
	low := profile(assessorA)
	low.MaxLevel, low.Languages = framework.Foundation, []string{"fr"}
	wantNotQualified(t, h.fails(officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: low})), ExcludedLevel, ExcludedLanguage)
	wantNotQualified(t, h.fails(assessorA, with((*Case).Claim, ClaimInput{Role: RoleAssessor, Profile: low})), ExcludedLevel, ExcludedLanguage)

	h.do(assessorA, with((*Case).Claim, ClaimInput{Role: RoleAssessor, Profile: profile(assessorA)}))
	wantNotQualified(t, h.fails(assessorA, with((*Case).Claim, ClaimInput{Role: RoleVerifier, Profile: profile(assessorA)})), ExcludedOtherRole)
	h.do(officeScreen, unassign(RoleAssessor, "on leave"))
	wantNotQualified(t, h.fails(assessorA, with((*Case).Claim, ClaimInput{Role: RoleAssessor, Profile: profile(assessorA)})), ExcludedTakenOff)

	// An assessor who is also the applicant of the case.
	own := given(t, SchemeEIA, accepted)
	self := domain.Actor{ID: own.c.ApplicantID, Role: domain.RoleAssessor}
	wantNotQualified(t, own.fails(self, with((*Case).Claim, ClaimInput{Role: RoleAssessor, Profile: profile(self)})), ExcludedApplicant)
}

// TestBlockersListsEveryBlocker: a Blocker declared but left out of
// Blockers would go unworded by the readers that word each listed one.
func TestBlockersListsEveryBlocker(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "actions.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []Blocker
	ast.Inspect(f, func(n ast.Node) bool {
		if v, ok := n.(*ast.ValueSpec); ok {
			if id, ok := v.Type.(*ast.Ident); ok && id.Name == "Blocker" {
				for _, val := range v.Values {
					if lit, ok := val.(*ast.BasicLit); ok {
						declared = append(declared, Blocker(strings.Trim(lit.Value, `"`)))
					}
				}
			}
		}
		return true
	})
	if len(declared) == 0 || !slices.Equal(slices.Sorted(slices.Values(declared)), slices.Sorted(slices.Values(Blockers))) {
		t.Fatalf("declared Blockers %v, listed %v: want the same", declared, Blockers)
	}
}
