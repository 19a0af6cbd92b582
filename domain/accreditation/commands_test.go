package accreditation

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

func TestOpen(t *testing.T) {
	t.Run("an EIA case opens as a draft of the applicant", func(t *testing.T) {
		h := newHarness(t)
		in := openInput(SchemeEIA)
		in.Language = " NL "
		wantTypes(t, h.do(applicant, with((*Case).Open, in)), EventCaseOpened)
		h.wantState(StateDraft)
		if h.c.ApplicantID != applicant.ID || h.c.Scheme != SchemeEIA || h.c.Level != framework.Practitioner || h.c.Language != "nl" || h.c.ID != "case-1" {
			t.Fatalf("opened case: got %+v", h.c)
		}
		if !h.c.OpenedAt.Equal(t0) {
			t.Fatalf("opened at: got %s, want %s", h.c.OpenedAt, t0)
		}
	})
	t.Run("an EQA case keeps its sealed programme", func(t *testing.T) {
		h := newHarness(t)
		h.do(applicant, with((*Case).Open, openInput(SchemeEQA)))
		if h.c.Programme == nil || !reflect.DeepEqual(h.c.Programme.Name, seal("Coaching Essentials")) {
			t.Fatalf("programme: got %+v, want the sealed name and provider", h.c.Programme)
		}
	})
	t.Run("the id can come with the input", func(t *testing.T) {
		h := newHarness(t)
		h.c = &Case{}
		in := openInput(SchemeEIA)
		in.CaseID = "c-42"
		h.do(applicant, with((*Case).Open, in))
		if h.c.ID != "c-42" {
			t.Fatalf("id: got %q, want c-42", h.c.ID)
		}
	})
	for _, tc := range []struct {
		name  string
		edit  func(in *OpenInput)
		field string
	}{
		{"unknown scheme", func(in *OpenInput) { in.Scheme = "XYZ" }, "scheme"},
		{"unknown level", func(in *OpenInput) { in.Level = "grandmaster" }, "level"},
		{"language not two letters", func(in *OpenInput) { in.Language = "english" }, "language"},
		{"language no code ISO 639-1 assigns", func(in *OpenInput) { in.Language = "xx" }, "language"},
		{"EQA without programme name", func(in *OpenInput) { in.Scheme = SchemeEQA; in.ProgrammeProvider = seal("p") }, "programme.name"},
		{"EQA without provider", func(in *OpenInput) { in.Scheme = SchemeEQA; in.ProgrammeName = seal("n") }, "programme.provider"},
		{"EIA with a programme", func(in *OpenInput) { in.ProgrammeName = seal("n") }, "programme.name"},
		{"another case id", func(in *OpenInput) { in.CaseID = "case-2" }, "case_id"},
	} {
		t.Run("Invalid/"+tc.name, func(t *testing.T) {
			h := newHarness(t)
			in := openInput(SchemeEIA)
			tc.edit(&in)
			wantField(t, h.fails(applicant, with((*Case).Open, in)), tc.field)
		})
	}
	t.Run("Forbidden/the office cannot open a case", func(t *testing.T) {
		wantErr(t, newHarness(t).fails(officeScreen, with((*Case).Open, openInput(SchemeEIA))), domain.Forbidden)
	})
	t.Run("Conflict/twice", func(t *testing.T) {
		h := given(t, SchemeEIA, opened)
		wantErr(t, h.fails(applicant, with((*Case).Open, openInput(SchemeEIA))), domain.Conflict, `"draft"`)
	})
	t.Run("NotFound/a command on a case never opened", func(t *testing.T) {
		wantErr(t, newHarness(t).fails(applicant, submitCmd(DefaultRuleSets())), domain.NotFound, "case-1")
	})
}

func TestUpdatePortfolio(t *testing.T) {
	t.Run("replaces the portfolio", func(t *testing.T) {
		h := given(t, SchemeEIA, opened)
		wantTypes(t, h.do(applicant, with((*Case).UpdatePortfolio, eligibleEIA())), EventPortfolioUpdated)
		if !reflect.DeepEqual(h.c.Portfolio, eligibleEIA()) {
			t.Fatalf("portfolio: got %+v, want %+v", h.c.Portfolio, eligibleEIA())
		}
	})
	t.Run("sorts curriculum indicators", func(t *testing.T) {
		h := given(t, SchemeEQA, opened)
		h.do(applicant, with((*Case).UpdatePortfolio, eligibleEQA()))
		if got := h.c.Portfolio.Curriculum[0].Indicators; !slices.Equal(got, []int{1, 31}) {
			t.Fatalf("indicators: got %v, want [1 31]", got)
		}
	})
	for _, tc := range []struct {
		name   string
		scheme Scheme
		edit   func(p *Portfolio)
		field  string
	}{
		{"negative hours", SchemeEIA, func(p *Portfolio) { p.ClientHours = -1 }, "client_hours"},
		{"first practice in the future", SchemeEIA, func(p *Portfolio) { p.FirstPracticeDate = NewDate(2030, 1, 1) }, "first_practice_date"},
		{"EQA field on an EIA case", SchemeEIA, func(p *Portfolio) { p.ContactHours = 10 }, "contact_hours"},
		{"EIA field on an EQA case", SchemeEQA, func(p *Portfolio) { p.ClientCount = 3 }, "client_count"},
		{"curriculum category 9", SchemeEQA, func(p *Portfolio) { p.Curriculum[2].Category = 9 }, "curriculum[2].category"},
		{"curriculum indicator of another category", SchemeEQA, func(p *Portfolio) { p.Curriculum[1].Indicators = []int{1} }, "curriculum[1].indicators[0]"},
		// The page offers those at or below the level, as the evidence and
		// the assessment take them: 73 is a Senior Practitioner indicator.
		{"curriculum indicator above the case level", SchemeEQA, func(p *Portfolio) { p.Curriculum[0].Indicators = []int{1, 73} }, "curriculum[0].indicators[1]"},
		{"curriculum indicator unknown", SchemeEQA, func(p *Portfolio) { p.Curriculum[1].Indicators = []int{113} }, "curriculum[1].indicators[0]"},
		{"curriculum item without description", SchemeEQA, func(p *Portfolio) { p.Curriculum[3].Description = pii.Sealed{} }, "curriculum[3].description"},
		{"client hours 1e308", SchemeEIA, func(p *Portfolio) { p.ClientHours = 1e308 }, "client_hours"},
		{"client hours just over the limit", SchemeEIA, func(p *Portfolio) { p.ClientHours = limits.Hours.Max + 0.5 }, "client_hours"},
		{"CPD hours over the hours in a year", SchemeEIA, func(p *Portfolio) { p.CPDHoursLastYear = 8785 }, "cpd_hours_last_year"},
		{"supervision: three quarters, not four", SchemeEIA, func(p *Portfolio) { p.SupervisionHoursByQuarter = []float64{1, 1, 1} }, "supervision_hours_by_quarter"},
		{"supervision: five quarters, not four", SchemeEIA, func(p *Portfolio) { p.SupervisionHoursByQuarter = []float64{1, 1, 1, 1, 1} }, "supervision_hours_by_quarter"},
		{"supervision: a quarter over the hours in a quarter", SchemeEIA, func(p *Portfolio) {
			p.SupervisionHoursByQuarter = []float64{1, 1, 1, limits.HoursInAQuarter.Max + 1}
		}, "supervision_hours_by_quarter[3]"},
		{"supervision: a negative quarter", SchemeEIA, func(p *Portfolio) { p.SupervisionHoursByQuarter = []float64{1, -1, 1, 1} }, "supervision_hours_by_quarter[1]"},
		{"supervision quarters on an EQA case", SchemeEQA, func(p *Portfolio) { p.SupervisionHoursByQuarter = []float64{1, 1, 1, 1} }, "supervision_hours_by_quarter"},
		{"first practice in the year 1000", SchemeEIA, func(p *Portfolio) { p.FirstPracticeDate = NewDate(1000, 1, 1) }, "first_practice_date"},
		{"first practice the day before the earliest", SchemeEIA, func(p *Portfolio) { p.FirstPracticeDate = NewDate(1899, 12, 31) }, "first_practice_date"},
		{"completed cycles over the limit", SchemeEQA, func(p *Portfolio) { p.CompletedCycles = 1001 }, "completed_cycles"},
		{"more curriculum items than the limit", SchemeEQA, func(p *Portfolio) {
			p.Curriculum = slices.Repeat(p.Curriculum[:1], limits.Curriculum.Items+1)
		}, "curriculum"},
	} {
		t.Run("Invalid/"+tc.name, func(t *testing.T) {
			h := given(t, tc.scheme, opened)
			p := map[Scheme]Portfolio{SchemeEIA: eligibleEIA(), SchemeEQA: eligibleEQA()}[tc.scheme]
			tc.edit(&p)
			wantField(t, h.fails(applicant, with((*Case).UpdatePortfolio, p)), tc.field)
		})
	}
	t.Run("at the limits: the largest numbers and the earliest date are taken", func(t *testing.T) {
		h := given(t, SchemeEIA, opened)
		p := eligibleEIA()
		p.ClientHours, p.ClientCount, p.CPDHoursLastYear = limits.Hours.Max, int(limits.Count.Max), limits.HoursInAYear.Max
		p.FirstPracticeDate = DateOf(limits.EarliestPractice)
		wantTypes(t, h.do(applicant, with((*Case).UpdatePortfolio, p)), EventPortfolioUpdated)
	})
	t.Run("Forbidden/someone else's case", func(t *testing.T) {
		h := given(t, SchemeEIA, opened)
		wantErr(t, h.fails(stranger, with((*Case).UpdatePortfolio, eligibleEIA())), domain.Forbidden)
	})
	t.Run("Conflict/after submission", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		wantErr(t, h.fails(applicant, with((*Case).UpdatePortfolio, eligibleEIA())), domain.Conflict,
			`cannot update portfolio: case is in state "submitted"; allowed: screen, withdraw`)
	})
}

func TestEvidence(t *testing.T) {
	t.Run("an indicator adds its category", func(t *testing.T) {
		h := given(t, SchemeEIA, opened)
		wantTypes(t, h.do(applicant, with((*Case).AddEvidence, evidence("ev-9", []int{2}, []int{15, 31}))), EventEvidenceAdded)
		e := h.c.Evidence[0]
		if !slices.Equal(e.Categories, []int{1, 2, 5}) || !slices.Equal(e.Indicators, []int{15, 31}) {
			t.Fatalf("categories, indicators: got %v %v, want [1 2 5] [15 31]", e.Categories, e.Indicators)
		}
		if e.AddedBy != applicant.ID || !e.AddedAt.Equal(h.now) || e.SHA256 != strings.Repeat("ab", 32) || e.Object != "obj-ev-9" {
			t.Fatalf("evidence: got %+v", e)
		}
	})
	t.Run("removed evidence leaves the case", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		wantTypes(t, h.do(applicant, with((*Case).RemoveEvidence, RemoveEvidenceInput{ID: "ev-1"})), EventEvidenceRemoved)
		if len(h.c.Evidence) != 1 || h.c.Evidence[0].ID != "ev-2" {
			t.Fatalf("evidence: got %+v, want only ev-2", h.c.Evidence)
		}
	})
	for _, tc := range []struct {
		name  string
		edit  func(in *EvidenceInput)
		field string
	}{
		{"unknown indicator cited", func(in *EvidenceInput) { in.Indicators = []int{15, 500} }, "indicators[1]"},
		{"indicator above the case level", func(in *EvidenceInput) { in.Indicators = []int{15, 73} }, "indicators[1]"},
		{"category 9", func(in *EvidenceInput) { in.Categories = []int{9} }, "categories[0]"},
		{"unknown kind", func(in *EvidenceInput) { in.Kind = "selfie" }, "kind"},
		{"no title", func(in *EvidenceInput) { in.Title = pii.Sealed{} }, "title"},
		{"no file name", func(in *EvidenceInput) { in.FileName = pii.Sealed{} }, "file_name"},
		{"empty file", func(in *EvidenceInput) { in.Size = 0 }, "size"},
		{"bad digest", func(in *EvidenceInput) { in.SHA256 = "xyz" }, "sha256"},
		{"no object", func(in *EvidenceInput) { in.Object = "" }, "object"},
		{"no id", func(in *EvidenceInput) { in.ID = "" }, "id"},
	} {
		t.Run("Invalid/"+tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, opened)
			in := evidence("ev-9", []int{1}, nil)
			tc.edit(&in)
			wantField(t, h.fails(applicant, with((*Case).AddEvidence, in)), tc.field)
		})
	}
	t.Run("Conflict/the same id twice", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		wantErr(t, h.fails(applicant, with((*Case).AddEvidence, evidence("ev-1", []int{1}, nil))), domain.Conflict, "ev-1")
	})
	t.Run("NotFound/removing unknown evidence", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		wantErr(t, h.fails(applicant, with((*Case).RemoveEvidence, RemoveEvidenceInput{ID: "nope"})), domain.NotFound)
	})
	t.Run("Conflict/removing evidence while in assessment", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantErr(t, h.fails(applicant, with((*Case).RemoveEvidence, RemoveEvidenceInput{ID: "ev-1"})), domain.Conflict, `"in_assessment"`)
	})
}

func TestEditEvidence(t *testing.T) {
	edit := func(id string) EditEvidenceInput {
		return EditEvidenceInput{ID: id, Kind: KindCPDRecord, Title: seal("CPD log 2025"), Categories: []int{2}, Indicators: []int{15}}
	}
	t.Run("the description is replaced, the file kept", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		before := h.c.Evidence[0]
		wantTypes(t, h.do(applicant, with((*Case).EditEvidence, edit("ev-1"))), EventEvidenceEdited)
		e := h.c.Evidence[0]
		if e.Kind != KindCPDRecord || string(e.Title.Data) != "CPD log 2025" || !slices.Equal(e.Categories, []int{2, 5}) || !slices.Equal(e.Indicators, []int{15}) {
			t.Fatalf("edited evidence: got %+v", e)
		}
		if string(e.FileName.Data) != string(before.FileName.Data) || e.Object != before.Object || e.SHA256 != before.SHA256 || !e.AddedAt.Equal(before.AddedAt) {
			t.Fatalf("the file changed: got %+v, was %+v", e, before)
		}
	})
	t.Run("allowed once returned", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		h.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("Name the kind right.")}))
		wantTypes(t, h.do(applicant, with((*Case).EditEvidence, edit("ev-1"))), EventEvidenceEdited)
	})
	for _, tc := range []struct {
		name  string
		edit  func(in *EditEvidenceInput)
		field string
	}{
		{"unknown indicator", func(in *EditEvidenceInput) { in.Indicators = []int{500} }, "indicators[0]"},
		{"indicator above the case level", func(in *EditEvidenceInput) { in.Indicators = []int{73} }, "indicators[0]"},
		{"category 9", func(in *EditEvidenceInput) { in.Categories = []int{9} }, "categories[0]"},
		{"a kind of EQA evidence", func(in *EditEvidenceInput) { in.Kind = "selfie" }, "kind"},
		{"no title", func(in *EditEvidenceInput) { in.Title = pii.Sealed{} }, "title"},
	} {
		t.Run("Invalid/"+tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, ready)
			in := edit("ev-1")
			tc.edit(&in)
			wantField(t, h.fails(applicant, with((*Case).EditEvidence, in)), tc.field)
		})
	}
	t.Run("NotFound/unknown evidence", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		wantErr(t, h.fails(applicant, with((*Case).EditEvidence, edit("nope"))), domain.NotFound, "nope")
	})
	t.Run("Forbidden/someone else's case", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		wantErr(t, h.fails(stranger, with((*Case).EditEvidence, edit("ev-1"))), domain.Forbidden)
	})
	t.Run("Conflict/after submission", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantErr(t, h.fails(applicant, with((*Case).EditEvidence, edit("ev-1"))), domain.Conflict, `cannot edit evidence: case is in state "in_assessment"`)
	})
}

func TestSelfAssessment(t *testing.T) {
	h := given(t, SchemeEIA, opened)
	wantTypes(t, h.do(applicant, with((*Case).UpdateSelfAssessment, SelfAssessmentInput{Category: 3, Statement: seal("contracting")})), EventSelfAssessmentUpdated)
	if got := h.c.SelfAssessment[3]; !reflect.DeepEqual(got, seal("contracting")) {
		t.Fatalf("statement: got %+v", got)
	}
	wantTypes(t, h.do(applicant, with((*Case).UpdateSelfAssessment, SelfAssessmentInput{Category: 3})), EventSelfAssessmentUpdated)
	if _, ok := h.c.SelfAssessment[3]; ok {
		t.Fatalf("cleared statement: still there")
	}
	wantTypes(t, h.do(applicant, with((*Case).UpdateSelfAssessment, SelfAssessmentInput{Category: 3})))
	wantField(t, h.fails(applicant, with((*Case).UpdateSelfAssessment, SelfAssessmentInput{Category: 0, Statement: seal("x")})), "category")
}

func TestSubmit(t *testing.T) {
	t.Run("pins the rule set and records every rule as checked", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		wantTypes(t, h.do(applicant, submitCmd(h.rules)), EventCaseSubmitted)
		h.wantState(StateSubmitted)
		if h.c.RuleSetVersion != DefaultEIAID || !h.c.SubmittedAt.Equal(h.now) {
			t.Fatalf("rule set, submitted at: got %q %s", h.c.RuleSetVersion, h.c.SubmittedAt)
		}
		if len(h.c.Eligibility) != 8 || h.c.Eligibility[1] != (RuleResult{RuleClientHours, 100.0, 150.0, true}) {
			t.Fatalf("eligibility snapshot: got %+v", h.c.Eligibility)
		}
	})
	t.Run("Unprocessable/not eligible lists every unmet rule", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		p := eligibleEIA()
		p.ClientHours, p.ClientCount, p.ProfessionalBodyMember = 80, 4, false
		h.do(applicant, with((*Case).UpdatePortfolio, p))
		err := h.fails(applicant, submitCmd(h.rules))
		wantErr(t, err, domain.Unprocessable, "client_hours", "client_count", "professional_body_member")
		want := []Unmet{{RuleClientHours, 100.0, 80.0}, {RuleClientCount, 10.0, 4.0}, {RuleProfessionalBody, true, false}}
		if got := err.Extra["unmet"]; !reflect.DeepEqual(got, want) {
			t.Fatalf("unmet: got %+v, want %+v", got, want)
		}
	})
	t.Run("Unprocessable/categories not addressed", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		h.do(applicant, with((*Case).RemoveEvidence, RemoveEvidenceInput{ID: "ev-2"})) // categories 5, 6, 7
		err := h.fails(applicant, submitCmd(h.rules))
		want := []Unmet{
			{RuleCategoryAddressed(5), true, false}, {RuleCategoryAddressed(6), true, false}, {RuleCategoryAddressed(7), true, false},
		}
		if got := err.Extra["unmet"]; !reflect.DeepEqual(got, want) {
			t.Fatalf("unmet: got %+v, want %+v", got, want)
		}
		if got := h.c.Unmet(h.rules, h.now); !reflect.DeepEqual(got, want) {
			t.Fatalf("checklist: got %+v, want %+v", got, want)
		}
	})
	t.Run("a self-assessment statement addresses a category (equivalence: not every indicator)", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		h.do(applicant, with((*Case).RemoveEvidence, RemoveEvidenceInput{ID: "ev-2"}))
		for _, n := range []int{5, 6, 7} {
			h.do(applicant, with((*Case).UpdateSelfAssessment, SelfAssessmentInput{Category: n, Statement: seal("s")}))
		}
		h.do(applicant, submitCmd(h.rules))
		h.wantState(StateSubmitted)
	})
	t.Run("an EQA programme is checked against the EQA rules", func(t *testing.T) {
		h := given(t, SchemeEQA, ready)
		p := eligibleEQA()
		p.CompletedCycles = 0
		h.do(applicant, with((*Case).UpdatePortfolio, p))
		err := h.fails(applicant, submitCmd(h.rules))
		if got, want := err.Extra["unmet"], []Unmet{{RuleCompletedCycles, 1.0, 0.0}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("unmet: got %+v, want %+v", got, want)
		}
	})
	t.Run("Internal/no rule set in force", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		wantErr(t, h.fails(applicant, submitCmd(nil)), domain.Internal)
	})
	t.Run("Forbidden/someone else's case", func(t *testing.T) {
		h := given(t, SchemeEIA, ready)
		wantErr(t, h.fails(stranger, submitCmd(h.rules)), domain.Forbidden)
	})
}

func TestScreen(t *testing.T) {
	t.Run("accepted goes to the assessor queue", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		wantTypes(t, h.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningAccepted})), EventCaseScreened)
		h.wantState(StateAwaitingAssessment)
	})
	t.Run("returned goes back to the applicant, who edits and resubmits", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		h.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("illegible certificate")}))
		h.wantState(StateReturned)
		if h.c.Screening == nil || h.c.Screening.By != officeScreen.ID || !reflect.DeepEqual(h.c.Screening.Reason, seal("illegible certificate")) {
			t.Fatalf("screening: got %+v", h.c.Screening)
		}
		h.do(applicant, with((*Case).AddEvidence, evidence("ev-3", []int{1}, nil)))
		h.do(applicant, submitCmd(h.rules))
		h.wantState(StateSubmitted)
	})
	t.Run("Invalid/returned without a reason", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		wantField(t, h.fails(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned})), "reason")
	})
	t.Run("Invalid/unknown outcome", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		wantField(t, h.fails(officeScreen, with((*Case).Screen, ScreenInput{Outcome: "maybe"})), "outcome")
	})
	t.Run("Forbidden/an assessor", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		wantErr(t, h.fails(assessorA, with((*Case).Screen, ScreenInput{Outcome: ScreeningAccepted})), domain.Forbidden)
	})
}

func TestAssignAndClaim(t *testing.T) {
	t.Run("both roles filled: in assessment", func(t *testing.T) {
		h := given(t, SchemeEIA, accepted)
		wantTypes(t, h.do(assessorA, with((*Case).Claim, ClaimInput{Profile: profile(assessorA)})), EventAssessorAssigned)
		h.wantState(StateAwaitingAssessment)
		h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleVerifier, Profile: profile(assessorB)}))
		h.wantState(StateInAssessment)
		a, _ := h.c.Assignments.Get(RoleAssessor)
		v, _ := h.c.Assignments.Get(RoleVerifier)
		if a.UserID != assessorA.ID || a.How != HowClaimed || a.By != assessorA.ID {
			t.Fatalf("assessor: got %+v, want claimed by %s", a, assessorA.ID)
		}
		if v.UserID != assessorB.ID || v.How != HowAssigned || v.By != officeScreen.ID {
			t.Fatalf("verifier: got %+v, want assigned by %s", v, officeScreen.ID)
		}
	})
	withConflict := profile(assessorA)
	withConflict.Conflicts = []string{"someone", applicant.ID}
	onlyEQA := profile(assessorA)
	onlyEQA.Schemes = []string{"EQA"}
	foundation := profile(assessorA)
	foundation.MaxLevel = framework.Foundation
	dutch := profile(assessorA)
	dutch.Languages = []string{"nl"}
	inactive := profile(assessorA)
	inactive.Active = false
	for _, tc := range []struct {
		name   string
		prior  []AssignInput
		in     AssignInput
		code   domain.Code
		reason string
	}{
		{"conflict of interest", nil, AssignInput{RoleAssessor, withConflict}, domain.Unprocessable, "conflict of interest"},
		{"same person as assessor and verifier", []AssignInput{{RoleAssessor, profile(assessorA)}}, AssignInput{RoleVerifier, profile(assessorA)}, domain.Unprocessable, "two different people"},
		{"the applicant as assessor", nil, AssignInput{RoleAssessor, profile(applicant)}, domain.Unprocessable, "applicant"},
		{"not qualified for the scheme", nil, AssignInput{RoleAssessor, onlyEQA}, domain.Unprocessable, "not qualified for EIA"},
		{"qualified below the case level", nil, AssignInput{RoleAssessor, foundation}, domain.Unprocessable, "below the case level"},
		{"does not speak the case language", nil, AssignInput{RoleAssessor, dutch}, domain.Unprocessable, `language "en"`},
		{"not active", nil, AssignInput{RoleAssessor, inactive}, domain.Unprocessable, "not active"},
		{"role already taken", []AssignInput{{RoleAssessor, profile(assessorA)}}, AssignInput{RoleAssessor, profile(assessorB)}, domain.Conflict, "already held by ass-1"},
		{"unknown role", nil, AssignInput{"observer", profile(assessorA)}, domain.Invalid, ""},
	} {
		t.Run(string(tc.code)+"/"+tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, accepted)
			for _, p := range tc.prior {
				h.do(officeScreen, with((*Case).Assign, p))
			}
			err := h.fails(officeScreen, with((*Case).Assign, tc.in))
			wantErr(t, err, tc.code, tc.reason)
			// The same rules hold for a claim.
			if tc.in.Profile.UserID == assessorA.ID && tc.code == domain.Unprocessable {
				err := h.fails(assessorA, with((*Case).Claim, ClaimInput(tc.in)))
				wantErr(t, err, tc.code, tc.reason)
				if h.c.CanClaim(tc.in.Profile, tc.in.Role) == nil {
					t.Fatalf("CanClaim: got nil, want the same refusal")
				}
			}
		})
	}
	t.Run("Conflict/the role is taken, for the assignment, the claim and the queue alike", func(t *testing.T) {
		h := given(t, SchemeEIA, accepted)
		h.do(officeScreen, with((*Case).Assign, AssignInput{RoleAssessor, profile(assessorA)}))
		for what, err := range map[string]error{
			"assign": h.fails(officeScreen, with((*Case).Assign, AssignInput{RoleAssessor, profile(assessorB)})),
			"claim":  h.fails(assessorB, with((*Case).Claim, ClaimInput{RoleAssessor, profile(assessorB)})),
			"queue":  h.c.CanClaim(profile(assessorB), RoleAssessor),
		} {
			var de *domain.Error
			if !errors.Is(err, ErrRoleTaken) || !errors.As(err, &de) || de.Code != domain.Conflict || de.Extra["role"] != RoleAssessor {
				t.Errorf("%s: got %v, want a Conflict that is an ErrRoleTaken naming the assessor role", what, err)
			}
		}
	})
	t.Run("Forbidden/claiming for someone else", func(t *testing.T) {
		h := given(t, SchemeEIA, accepted)
		wantErr(t, h.fails(assessorA, with((*Case).Claim, ClaimInput{Profile: profile(assessorB)})), domain.Forbidden)
	})
	t.Run("Forbidden/the office cannot claim", func(t *testing.T) {
		h := given(t, SchemeEIA, accepted)
		wantErr(t, h.fails(officeScreen, with((*Case).Claim, ClaimInput{Profile: profile(officeScreen)})), domain.Forbidden)
	})
	t.Run("Forbidden/an assessor cannot assign", func(t *testing.T) {
		h := given(t, SchemeEIA, accepted)
		wantErr(t, h.fails(assessorA, with((*Case).Assign, AssignInput{RoleVerifier, profile(assessorB)})), domain.Forbidden)
	})
	t.Run("Conflict/assign before screening", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		wantErr(t, h.fails(officeScreen, with((*Case).Assign, AssignInput{RoleAssessor, profile(assessorA)})), domain.Conflict, `"submitted"`)
	})
}

func TestSubmitAssessment(t *testing.T) {
	t.Run("agreeing assessments await the decision", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantTypes(t, h.do(assessorA, assess(RecommendAwardLower, framework.Foundation)), EventAssessmentSubmitted)
		h.wantState(StateInAssessment)
		wantTypes(t, h.do(assessorB, assess(RecommendAwardLower, framework.Foundation)), EventAssessmentSubmitted)
		h.wantState(StateAwaitingDecision)
		a, _ := h.c.Assessments.Get(RoleAssessor)
		if a.UserID != assessorA.ID || a.Level != framework.Foundation || len(a.Ratings) != 8 || !a.SubmittedAt.Equal(h.now) {
			t.Fatalf("assessment: got %+v", a)
		}
	})
	t.Run("an award is recorded at the case level", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(assessorA, assess(RecommendAward, ""))
		if got := h.c.Assessments.Assessor.Level; got != framework.Practitioner {
			t.Fatalf("level: got %q, want practitioner", got)
		}
	})
	t.Run("disagreement requires moderation", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(assessorB, assess(RecommendAward, ""))
		got := h.do(assessorA, assess(RecommendAwardLower, framework.Foundation))
		wantTypes(t, got, EventAssessmentSubmitted, EventModerationRequired)
		h.wantState(StateModeration)
		if h.c.Moderation == nil || h.c.Moderation.Done() {
			t.Fatalf("moderation: got %+v, want pending", h.c.Moderation)
		}
	})
	t.Run("the same recommendation at different levels is a disagreement", func(t *testing.T) {
		in := openInput(SchemeEIA)
		in.Level = framework.SeniorPractitioner
		p := eligibleEIA()
		p.ClientHours, p.ClientCount = 300, 25
		h := givenCase(t, in, p, inAssessment)
		h.interview()
		h.do(assessorA, assess(RecommendAwardLower, framework.Foundation))
		got := h.do(assessorB, assess(RecommendAwardLower, framework.Practitioner))
		wantTypes(t, got, EventAssessmentSubmitted, EventModerationRequired)
		h.wantState(StateModeration)
	})
	t.Run("Forbidden/assessment by someone not assigned", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantErr(t, h.fails(assessorC, assess(RecommendAward, "")), domain.Forbidden, "assigned")
	})
	t.Run("Forbidden/the office cannot assess", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantErr(t, h.fails(officeDecide, assess(RecommendAward, "")), domain.Forbidden)
	})
	t.Run("Conflict/a second assessment by the same person", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(assessorA, assess(RecommendAward, ""))
		wantErr(t, h.fails(assessorA, assess(RecommendNotAward, "")), domain.Conflict, "already submitted")
	})
	for _, tc := range []struct {
		name  string
		edit  func(in *AssessmentInput)
		field string
	}{
		{"a category not rated", func(in *AssessmentInput) { in.Ratings = in.Ratings[:7] }, "ratings"},
		{"a category rated twice", func(in *AssessmentInput) { in.Ratings[7].Category = 1 }, "ratings[7].category"},
		{"unknown indicator cited", func(in *AssessmentInput) { in.Ratings[0].Indicators = []int{1, 0} }, "ratings[0].indicators[1]"},
		{"indicator above the case level", func(in *AssessmentInput) { in.Ratings[0].Indicators = []int{73} }, "ratings[0].indicators[0]"},
		{"indicator of another category", func(in *AssessmentInput) { in.Ratings[0].Indicators = []int{5} }, "ratings[0].indicators[0]"},
		{"unknown rating", func(in *AssessmentInput) { in.Ratings[2].Rating = "great" }, "ratings[2].rating"},
		{"award_lower without a level", func(in *AssessmentInput) { in.Recommendation = RecommendAwardLower }, "level"},
		{"award_lower at the case level", func(in *AssessmentInput) {
			in.Recommendation, in.Level = RecommendAwardLower, framework.Practitioner
		}, "level"},
		{"award at another level", func(in *AssessmentInput) { in.Level = framework.Foundation }, "level"},
		{"request_information is asked, not recommended", func(in *AssessmentInput) { in.Recommendation = RecommendRequestInformation }, "recommendation"},
		{"no rationale", func(in *AssessmentInput) { in.Rationale = pii.Sealed{} }, "rationale"},
	} {
		t.Run("Invalid/"+tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, inAssessment)
			in := assessment(RecommendAward, "")
			tc.edit(&in)
			wantField(t, h.fails(assessorA, with((*Case).SubmitAssessment, in)), tc.field)
		})
	}
}

// The EQA review areas: an EQA assessment rates all five beside the eight
// categories, each once; an EIA assessment rates none.
func TestSubmitAssessmentReviewAreas(t *testing.T) {
	t.Run("EQA/the five areas are recorded in the review's order", func(t *testing.T) {
		h := given(t, SchemeEQA, inAssessment)
		in := assessment(RecommendAward, "")
		in.Areas = areaRatings(RatingEvidenced)
		slices.Reverse(in.Areas)
		in.Areas[0].Rating = RatingPartiallyEvidenced // quality systems
		h.do(assessorA, with((*Case).SubmitAssessment, in))
		got := h.c.Assessments.Assessor.Areas
		var order []ReviewArea
		for _, a := range got {
			order = append(order, a.Area)
		}
		if !slices.Equal(order, ReviewAreas) {
			t.Fatalf("areas: got %v, want %v", order, ReviewAreas)
		}
		if got[4].Rating != RatingPartiallyEvidenced || string(got[4].Notes.Data) != "area notes" {
			t.Fatalf("quality systems: got %s %q, want partially_evidenced with its notes", got[4].Rating, got[4].Notes.Data)
		}
	})
	for _, tc := range []struct {
		name   string
		scheme Scheme
		edit   func(in *AssessmentInput)
		field  string
	}{
		{"EQA without the review areas", SchemeEQA, func(in *AssessmentInput) { in.Areas = nil }, "review_areas"},
		{"EQA with an area missing", SchemeEQA, func(in *AssessmentInput) { in.Areas = in.Areas[:4] }, "review_areas"},
		{"EQA with an area rated twice", SchemeEQA, func(in *AssessmentInput) { in.Areas[4].Area = AreaCourseContent }, "review_areas[4].area"},
		{"EQA with an unknown area", SchemeEQA, func(in *AssessmentInput) { in.Areas[1].Area = "catering" }, "review_areas[1].area"},
		{"EQA with an unknown rating", SchemeEQA, func(in *AssessmentInput) { in.Areas[2].Rating = "fine" }, "review_areas[2].rating"},
		{"EIA with review areas", SchemeEIA, func(*AssessmentInput) {}, "review_areas"},
	} {
		t.Run("Invalid/"+tc.name, func(t *testing.T) {
			h := given(t, tc.scheme, inAssessment)
			in := assessment(RecommendAward, "")
			in.Areas = areaRatings(RatingEvidenced)
			tc.edit(&in)
			wantField(t, h.fails(assessorA, with((*Case).SubmitAssessment, in)), tc.field)
		})
	}
	t.Run("an assessment recorded before the areas still reads, with none rated", func(t *testing.T) {
		c := given(t, SchemeEQA, inAssessment).c
		old := eventstore.Event{ID: "old", Type: string(EventAssessmentSubmitted), SchemaVersion: 1, OccurredAt: t0, Actor: assessorA,
			Data: json.RawMessage(`{"role":"assessor","ratings":[{"category":1,"rating":"evidenced"}],"recommendation":"award","level":"practitioner","rationale":{}}`)}
		if err := c.Apply(old); err != nil {
			t.Fatalf("apply: %v", err)
		}
		if a, ok := c.Assessments.Get(RoleAssessor); !ok || a.Areas != nil || a.Recommendation != RecommendAward {
			t.Fatalf("assessment: got %+v, want the award with no areas", a)
		}
	})
}
