package accreditation

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
)

// stricter is a later rule set: from 2026 a practitioner needs 200 client
// hours.
func stricter() RuleSet {
	r := DefaultRuleSets()[0]
	r.ID = "eia-2026-1"
	r.EffectiveFrom = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	eia := map[framework.Level]EIARequirements{}
	for l, req := range r.EIA {
		eia[l] = req
	}
	req := eia[framework.Practitioner]
	req.ClientHours = 200
	eia[framework.Practitioner] = req
	r.EIA = eia
	return r
}

func TestRuleSetsInForce(t *testing.T) {
	sets := append(DefaultRuleSets(), stricter())
	for _, tc := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"none before the first", time.Date(2023, 12, 31, 23, 59, 0, 0, time.UTC), ""},
		{"the first from its first day", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), CurrentRuleSetID},
		{"the first until the next", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), CurrentRuleSetID},
		{"the later one once in force", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "eia-2026-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sets.InForce(tc.at).ID; got != tc.want {
				t.Fatalf("InForce(%s): got %q, want %q", tc.at, got, tc.want)
			}
		})
	}
}

func TestDefaultRuleSetHoldsTheTable(t *testing.T) {
	r := DefaultRuleSets().InForce(t0)
	want := map[framework.Level][3]float64{ // years, hours, clients
		framework.Foundation: {1, 50, 5}, framework.Practitioner: {3, 100, 10},
		framework.SeniorPractitioner: {5, 250, 20}, framework.MasterPractitioner: {7, 500, 40},
	}
	for l, w := range want {
		got := r.EIA[l]
		if float64(got.YearsPractising) != w[0] || got.ClientHours != w[1] || float64(got.ClientCount) != w[2] ||
			got.FeedbackItemsLast12m != 5 || got.ReflectionItemsLast12m != 5 || got.CPDHoursPerYear != 16 ||
			got.SupervisionHoursPerYear != 4 || !got.ProfessionalBodyRequired {
			t.Errorf("EIA %s: got %+v, want years/hours/clients %v, 5 feedback, 5 reflections, 16 CPD, 4 supervision, member", l, got, w)
		}
		if q := r.EQA[l]; q.CompletedCycles != 1 || !q.AllCategories || q.ContactHours <= 0 {
			t.Errorf("EQA %s: got %+v, want 1 cycle, all categories, contact hours", l, q)
		}
	}
}

func TestCheckEIA(t *testing.T) {
	r := DefaultRuleSets().InForce(t0)
	for _, tc := range []struct {
		name  string
		edit  func(p *Portfolio)
		level framework.Level
		want  []Unmet
	}{
		{"eligible at practitioner", func(*Portfolio) {}, framework.Practitioner, nil},
		{"too few client hours", func(p *Portfolio) { p.ClientHours = 40 }, framework.Practitioner,
			[]Unmet{{RuleClientHours, 100.0, 40.0}}},
		{"years counted in full years: one day short", func(p *Portfolio) { p.FirstPracticeDate = NewDate(2022, 3, 4) }, framework.Practitioner,
			[]Unmet{{RuleYearsPractising, 3.0, 2.0}}},
		{"years counted in full years: the anniversary counts", func(p *Portfolio) { p.FirstPracticeDate = NewDate(2022, 3, 3) }, framework.Practitioner, nil},
		{"supervision one hour a quarter", func(p *Portfolio) { p.SupervisionHoursLastYear = 3 }, framework.Practitioner,
			[]Unmet{{RuleSupervisionHours, 4.0, 3.0}}},
		{"not a member of a professional body", func(p *Portfolio) { p.ProfessionalBodyMember = false }, framework.Foundation,
			[]Unmet{{RuleProfessionalBody, true, false}}},
		// 2020-01-15 to 2025-03-03 is five full years: that rule is met.
		{"the same portfolio is short of senior practitioner", func(*Portfolio) {}, framework.SeniorPractitioner,
			[]Unmet{{RuleClientHours, 250.0, 150.0}, {RuleClientCount, 20.0, 12.0}}},
		{"empty portfolio: every rule", func(p *Portfolio) { *p = Portfolio{} }, framework.MasterPractitioner, []Unmet{
			{RuleYearsPractising, 7.0, 0.0}, {RuleClientHours, 500.0, 0.0}, {RuleClientCount, 40.0, 0.0},
			{RuleFeedbackItems, 5.0, 0.0}, {RuleReflectionItems, 5.0, 0.0}, {RuleCPDHours, 16.0, 0.0},
			{RuleSupervisionHours, 4.0, 0.0}, {RuleProfessionalBody, true, false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := eligibleEIA()
			tc.edit(&p)
			got := r.Check(p, SchemeEIA, tc.level, t0)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("unmet: got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCheckEQA(t *testing.T) {
	r := DefaultRuleSets().InForce(t0)
	for _, tc := range []struct {
		name string
		edit func(p *Portfolio)
		want []Unmet
	}{
		{"eligible", func(*Portfolio) {}, nil},
		{"no completed cycle", func(p *Portfolio) { p.CompletedCycles = 0 }, []Unmet{{RuleCompletedCycles, 1.0, 0.0}}},
		{"too few contact hours", func(p *Portfolio) { p.ContactHours = 59.5 }, []Unmet{{RuleContactHours, 60.0, 59.5}}},
		{"curriculum misses categories 7 and 8", func(p *Portfolio) { p.Curriculum = p.Curriculum[:6] },
			[]Unmet{{RuleCurriculumCategory(7), true, false}, {RuleCurriculumCategory(8), true, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := eligibleEQA()
			tc.edit(&p)
			if got := r.Check(p, SchemeEQA, framework.Practitioner, t0); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("unmet: got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestUnmetSurvivesJSON(t *testing.T) {
	in := []Unmet{{RuleClientHours, 100.0, 40.5}, {RuleProfessionalBody, true, false}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `[{"rule":"client_hours","required":100,"given":40.5},{"rule":"professional_body_member","required":true,"given":false}]`; got != want {
		t.Fatalf("json: got %s, want %s", got, want)
	}
	var out []Unmet
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Fatalf("round trip: got %+v, want %+v", out, in)
	}
}

// A later rule set never changes an in-flight case: a case returned to the
// applicant and resubmitted after the change is still checked against the
// rule set pinned at its first submission, while a new case meets the new
// rules.
func TestLaterRuleSetDoesNotChangeInFlightCase(t *testing.T) {
	sets := append(DefaultRuleSets(), stricter())

	h := given(t, SchemeEIA, ready)
	h.rules = sets
	h.do(applicant, submitCmd(sets))
	if h.c.RuleSetVersion != CurrentRuleSetID {
		t.Fatalf("pinned rule set: got %q, want %q", h.c.RuleSetVersion, CurrentRuleSetID)
	}
	h.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("add a reference")}))

	h.now = time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC) // the stricter rules are in force
	if got := h.c.Unmet(sets, h.now); got != nil {
		t.Fatalf("checklist of the in-flight case: got %+v, want nothing unmet", got)
	}
	h.do(applicant, submitCmd(sets))
	if h.c.RuleSetVersion != CurrentRuleSetID {
		t.Fatalf("rule set after resubmission: got %q, want %q", h.c.RuleSetVersion, CurrentRuleSetID)
	}
	var ev CaseSubmitted
	if err := json.Unmarshal(h.log[len(h.log)-1].Data, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.RuleSetVersion != CurrentRuleSetID || !ev.Resubmission {
		t.Fatalf("case_submitted: got rule set %q resubmission %v, want %q true", ev.RuleSetVersion, ev.Resubmission, CurrentRuleSetID)
	}

	fresh := given(t, SchemeEIA, ready)
	fresh.now = h.now
	want := []Unmet{{RuleClientHours, 200.0, 150.0}}
	if got := fresh.c.Unmet(sets, fresh.now); !reflect.DeepEqual(got, want) {
		t.Fatalf("checklist of a new case: got %+v, want %+v", got, want)
	}
	err := fresh.fails(applicant, submitCmd(sets))
	wantErr(t, err, domain.Unprocessable, "eia-2026-1")
	if got := err.Extra["unmet"]; !reflect.DeepEqual(got, want) {
		t.Fatalf("unmet of a new case: got %+v, want %+v", got, want)
	}
}
