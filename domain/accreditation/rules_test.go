package accreditation

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
)

// revised returns a later version of r: id, in force from from, with rule
// name set to v at every level and the office as its source.
func revised(r RuleSet, id string, from time.Time, name string, v float64) RuleSet {
	n := r.Clone()
	n.ID, n.EffectiveFrom = id, from
	for i := range n.Rules {
		if n.Rules[i].Name == name {
			n.Rules[i].Values = levels(v, v, v, v)
			n.Rules[i].Source = "set by the office on " + from.Format(time.DateOnly)
		}
	}
	return n
}

func defaultOf(scheme Scheme) RuleSet { return DefaultRuleSets().InForce(scheme, t0) }

// stricter is a later EIA rule set: from 2026 every level needs 200 client
// hours, so a practitioner needs more than before.
func stricter() RuleSet {
	return revised(defaultOf(SchemeEIA), "eia-2026-1", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), RuleClientHours, 200)
}

func TestRuleSetsInForce(t *testing.T) {
	sets := append(DefaultRuleSets(), stricter())
	sameDay := revised(stricter(), "eia-2026-2", stricter().EffectiveFrom, RuleClientHours, 300)
	for _, tc := range []struct {
		name   string
		sets   RuleSets
		scheme Scheme
		at     time.Time
		want   string
	}{
		{"none before the first", sets, SchemeEIA, time.Date(2023, 12, 31, 23, 59, 0, 0, time.UTC), ""},
		{"the first from its first day", sets, SchemeEIA, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), DefaultEIAID},
		{"the first until the next", sets, SchemeEIA, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), DefaultEIAID},
		{"the later one once in force", sets, SchemeEIA, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "eia-2026-1"},
		{"a scheme's own: EQA is not changed by an EIA version", sets, SchemeEQA, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), DefaultEQAID},
		{"of two on one day the later published", append(sets, sameDay), SchemeEIA, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), "eia-2026-2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.sets.InForce(tc.scheme, tc.at).ID; got != tc.want {
				t.Fatalf("InForce(%s, %s): got %q, want %q", tc.scheme, tc.at, got, tc.want)
			}
		})
	}
}

func TestDefaultRuleSetHoldsTheTable(t *testing.T) {
	r := defaultOf(SchemeEIA)
	want := map[string][4]float64{
		RuleYearsPractising: {1, 3, 5, 7}, RuleClientHours: {50, 100, 250, 500}, RuleClientCount: {5, 10, 20, 40},
		RuleFeedbackItems: {5, 5, 5, 5}, RuleReflectionItems: {5, 5, 5, 5}, RuleCPDHours: {16, 16, 16, 16},
		RuleSupervisionHours: {4, 4, 4, 4}, RuleProfessionalBody: {1, 1, 1, 1},
		RuleRenewalSupervision: {4, 4, 4, 4}, RuleRenewalCPD: {16, 16, 16, 16},
		// DESIGN §3, EIA renewal: a practice log of 50/100/100/100 hours
		// and a reflection; Senior and Master Practitioner are interviewed.
		RuleRenewalPractice: {50, 100, 100, 100}, RuleRenewalReflection: {1, 1, 1, 1}, RuleInterview: {0, 0, 1, 1},
	}
	for name, w := range want {
		for i, l := range framework.Levels {
			if got, ok := r.Value(name, l); !ok || got != w[i] {
				t.Errorf("EIA %s at %s: got %v (set %v), want %v", name, l, got, ok, w[i])
			}
		}
	}
	// The published supervision, at least 1 h a quarter, from eia-2027-1:
	// at submission over the last four quarters, at renewal in each quarter
	// of the period; everything else as in the first version.
	quarterly, ok := DefaultRuleSets().ByID(SupervisionRuleSetID)
	if !ok {
		t.Fatalf("no shipped %s", SupervisionRuleSetID)
	}
	for _, l := range framework.Levels {
		for _, name := range []string{RuleSupervisionQuarters, RuleRenewalSupervisionQuarters} {
			if v, ok := quarterly.Value(name, l); !ok || v != 1 {
				t.Errorf("%s %s at %s: got %v (set %v), want 1", SupervisionRuleSetID, name, l, v, ok)
			}
		}
		for name, w := range want {
			if name == RuleSupervisionHours || name == RuleRenewalSupervision {
				continue
			}
			if got, _ := quarterly.Value(name, l); got != w[slices.Index(framework.Levels, l)] {
				t.Errorf("%s %s at %s: got %v, want %v as in %s", SupervisionRuleSetID, name, l, got, w[slices.Index(framework.Levels, l)], r.ID)
			}
		}
	}
	q := defaultOf(SchemeEQA)
	for _, l := range framework.Levels {
		if v, ok := q.Value(RuleCompletedCycles, l); !ok || v != 1 {
			t.Errorf("EQA completed cycles at %s: got %v (set %v), want 1", l, v, ok)
		}
		if v, ok := q.Value(RuleAllCategories, l); !ok || v != 1 {
			t.Errorf("EQA all categories at %s: got %v (set %v), want 1 (required)", l, v, ok)
		}
		if v, ok := q.Value(RuleRenewalAims, l); !ok || v != 1 {
			t.Errorf("EQA renewal aims at %s: got %v (set %v), want 1 (required)", l, v, ok)
		}
	}
	// DESIGN §3: valid 5 years; the EQA review's five areas and the EQA
	// renewal's five aims, in the order published.
	if ValidityYears != 5 {
		t.Errorf("ValidityYears = %d, want 5", ValidityYears)
	}
	if want := []ReviewArea{"course_content", "learner_experience", "tutor_effectiveness", "student_assessment", "quality_systems"}; !slices.Equal(ReviewAreas, want) {
		t.Errorf("ReviewAreas = %v, want %v", ReviewAreas, want)
	}
	if want := []RenewalAim{"still_run", "student_feedback", "quality_assurance", "emcc_criteria", "ethics_code"}; !slices.Equal(RenewalAims, want) {
		t.Errorf("RenewalAims = %v, want %v", RenewalAims, want)
	}
}

// Every shipped figure cites its source; a figure no publication gives
// ships unset.
func TestDefaultRuleSetsCiteTheirSources(t *testing.T) {
	unset := map[Scheme][]string{
		SchemeEIA: {RuleSupervisionQuarters, RuleRenewalSupervisionQuarters, RuleRenewalWindow, RuleRenewalGrace, RuleFee, RulePanelQuorum, RuleAppealWindow, RuleAppealsPerDecision},
		SchemeEQA: {RuleContactHours, RuleRenewalWindow, RuleRenewalGrace, RuleFee, RulePanelQuorum, RuleAppealWindow, RuleAppealsPerDecision},
	}
	// The written portfolio's counts are unset in the 2024 sets, sourced
	// or not: cases are pinned to them, and a requirement added to a
	// pinned version would change those cases mid-flight. The office sets
	// them in a version of its own (see TestAPublishedPortfolioCountIsChecked).
	for scheme := range unset {
		for _, k := range PortfolioKinds(scheme) {
			unset[scheme] = append(unset[scheme], RuleEvidence(k))
		}
	}
	for _, r := range DefaultRuleSets() {
		unset := maps.Clone(unset)
		if r.ID == SupervisionRuleSetID { // the quarters in place of the year
			unset[SchemeEIA] = slices.Concat([]string{RuleSupervisionHours, RuleRenewalSupervision}, unset[SchemeEIA][2:])
		}
		var names []string
		for _, x := range r.Rules {
			names = append(names, x.Name)
			switch {
			case len(x.Values) > 0 && x.Source == "":
				t.Errorf("%s %s: figures %v without a source", r.ID, x.Name, x.Values)
			case len(x.Values) == 0 && !slices.Contains(unset[r.Scheme], x.Name):
				t.Errorf("%s %s: unset, want set", r.ID, x.Name)
			case len(x.Values) > 0 && slices.Contains(unset[r.Scheme], x.Name):
				t.Errorf("%s %s: set to %v, but no publication gives it", r.ID, x.Name, x.Values)
			}
		}
		var defs []string
		for _, d := range RuleDefs(r.Scheme) {
			defs = append(defs, d.Name)
		}
		if !slices.Equal(names, defs) {
			t.Errorf("%s rules: got %v, want the scheme's rules %v", r.ID, names, defs)
		}
	}
}

func TestCheckEIA(t *testing.T) {
	r := defaultOf(SchemeEIA)
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

// The published supervision rule is at least 1 h in each of the last four
// quarters: 4 h in one quarter and none in the others is short, as the
// yearly count of eia-2024-1 let through. A portfolio recorded under that
// version, with the year's hours only, is judged there as before.
func TestSupervisionIsCheckedInEachQuarter(t *testing.T) {
	first := defaultOf(SchemeEIA)
	quarterly := supervisionByQuarter(first)
	for _, tc := range []struct {
		name string
		r    RuleSet
		edit func(p *Portfolio)
		want []Unmet
	}{
		{"quarterly: 4 h in one quarter, none in the others", quarterly, func(p *Portfolio) {
			p.SupervisionHoursLastYear, p.SupervisionHoursByQuarter = 4, []float64{4, 0, 0, 0}
		}, []Unmet{{RuleSupervisionQuarters, 1.0, 0.0}}},
		{"quarterly: 1 h in each quarter", quarterly, func(p *Portfolio) { p.SupervisionHoursByQuarter = []float64{1, 1, 1, 1} }, nil},
		{"quarterly: the least supervised quarter is what is short", quarterly, func(p *Portfolio) {
			p.SupervisionHoursByQuarter = []float64{3, 2.5, 0.5, 6}
		}, []Unmet{{RuleSupervisionQuarters, 1.0, 0.5}}},
		{"quarterly: the year's hours alone, no quarters", quarterly, func(p *Portfolio) { p.SupervisionHoursLastYear = 6 }, []Unmet{{RuleSupervisionQuarters, 1.0, 0.0}}},
		{"eia-2024-1: an old portfolio, the year's hours only, as before", first, func(p *Portfolio) { p.SupervisionHoursLastYear = 6 }, nil},
		{"eia-2024-1: short of the year's 4 h, as before", first, func(p *Portfolio) { p.SupervisionHoursLastYear = 3 }, []Unmet{{RuleSupervisionHours, 4.0, 3.0}}},
		{"eia-2024-1: the quarters are not its rule", first, func(p *Portfolio) {
			p.SupervisionHoursLastYear, p.SupervisionHoursByQuarter = 4, []float64{4, 0, 0, 0}
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := eligibleEIA()
			p.SupervisionHoursLastYear, p.SupervisionHoursByQuarter = 0, nil
			tc.edit(&p)
			for _, l := range framework.Levels[:2] {
				got := tc.r.Check(p, SchemeEIA, l, t0)
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("%s unmet at %s: got %+v, want %+v", tc.r.ID, l, got, tc.want)
				}
			}
		})
	}
	for _, l := range framework.Levels {
		if v, ok := quarterly.Value(RuleSupervisionQuarters, l); !ok || v != 1 {
			t.Errorf("%s at %s: got %v (set %v), want 1 h each quarter", RuleSupervisionQuarters, l, v, ok)
		}
		if _, ok := quarterly.Value(RuleSupervisionHours, l); ok {
			t.Errorf("%s at %s: set beside the quarterly rule, want unset", RuleSupervisionHours, l)
		}
		if _, ok := first.Value(RuleSupervisionQuarters, l); ok {
			t.Errorf("%s at %s is set in %s: its pinned cases would be judged anew", RuleSupervisionQuarters, l, first.ID)
		}
	}
}

func TestCheckEQA(t *testing.T) {
	shipped := defaultOf(SchemeEQA)
	withHours := revised(shipped, "eqa-2026-1", t0, RuleContactHours, 60)
	for _, tc := range []struct {
		name string
		r    RuleSet
		edit func(p *Portfolio)
		want []Unmet
	}{
		{"eligible", shipped, func(*Portfolio) {}, nil},
		{"no completed cycle", shipped, func(p *Portfolio) { p.CompletedCycles = 0 }, []Unmet{{RuleCompletedCycles, 1.0, 0.0}}},
		{"contact hours not set: any number will do", shipped, func(p *Portfolio) { p.ContactHours = 1 }, nil},
		{"too few contact hours, once the office sets them", withHours, func(p *Portfolio) { p.ContactHours = 59.5 }, []Unmet{{RuleContactHours, 60.0, 59.5}}},
		{"curriculum misses categories 7 and 8", shipped, func(p *Portfolio) { p.Curriculum = p.Curriculum[:6] },
			[]Unmet{{RuleCurriculumCategory(7), true, false}, {RuleCurriculumCategory(8), true, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := eligibleEQA()
			tc.edit(&p)
			if got := tc.r.Check(p, SchemeEQA, framework.Practitioner, t0); !reflect.DeepEqual(got, tc.want) {
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
	if h.c.RuleSetVersion != DefaultEIAID {
		t.Fatalf("pinned rule set: got %q, want %q", h.c.RuleSetVersion, DefaultEIAID)
	}
	h.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("add a reference")}))

	h.now = time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC) // the stricter rules are in force
	if got := h.c.Unmet(sets, h.now); got != nil {
		t.Fatalf("checklist of the in-flight case: got %+v, want nothing unmet", got)
	}
	h.do(applicant, submitCmd(sets))
	if h.c.RuleSetVersion != DefaultEIAID {
		t.Fatalf("rule set after resubmission: got %q, want %q", h.c.RuleSetVersion, DefaultEIAID)
	}
	var ev CaseSubmitted
	if err := json.Unmarshal(h.log[len(h.log)-1].Data, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.RuleSetVersion != DefaultEIAID || !ev.Resubmission {
		t.Fatalf("case_submitted: got rule set %q resubmission %v, want %q true", ev.RuleSetVersion, ev.Resubmission, DefaultEIAID)
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

// Before the schemes had rule sets of their own, an EQA case was pinned to
// the one combined set under the EIA id. Such an event still reads: the
// case is held to the shipped EQA set.
func TestOldCombinedRuleSetIDReadsAsEQA(t *testing.T) {
	h := given(t, SchemeEQA, ready)
	h.apply(applicant, []aggregate.Change{{Type: string(EventCaseSubmitted), SchemaVersion: 1,
		Data: CaseSubmitted{RuleSetVersion: DefaultEIAID}}})
	if h.c.RuleSetVersion != DefaultEQAID {
		t.Fatalf("pinned rule set: got %q, want %q", h.c.RuleSetVersion, DefaultEQAID)
	}
	h.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("add a module")}))
	h.do(applicant, submitCmd(h.rules))
	if h.c.RuleSetVersion != DefaultEQAID {
		t.Fatalf("rule set after resubmission: got %q, want %q", h.c.RuleSetVersion, DefaultEQAID)
	}
}

// Submission asks for the rule set's declarations, and the event records
// which version of each was confirmed, and when.
func TestSubmissionConfirmsTheDeclarations(t *testing.T) {
	h := given(t, SchemeEIA, ready)
	err := h.fails(applicant, submitWith(h.rules, SubmitInput{Declarations: []string{DeclarationCodeOfEthics, "not-asked"}}))
	wantErr(t, err, domain.Unprocessable, RuleDeclaration(DeclarationDiversity))
	if got, want := err.Extra["unmet"], []Unmet{{RuleDeclaration(DeclarationDiversity), true, false}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("unmet: got %+v, want %+v", got, want)
	}
	h.do(applicant, submitWith(h.rules, SubmitInput{Declarations: []string{DeclarationDiversity, DeclarationCodeOfEthics}}))
	var ev CaseSubmitted
	if err := json.Unmarshal(h.log[len(h.log)-1].Data, &ev); err != nil {
		t.Fatal(err)
	}
	want := []DeclarationConfirmed{{DeclarationCodeOfEthics, 1, h.now}, {DeclarationDiversity, 1, h.now}}
	if !reflect.DeepEqual(ev.Declarations, want) || !reflect.DeepEqual(h.c.Declarations, want) {
		t.Fatalf("declarations: event %+v, case %+v, want %+v", ev.Declarations, h.c.Declarations, want)
	}

	// An EQA provider confirms the code of ethics only: no source asks a
	// programme for a diversity declaration.
	q := given(t, SchemeEQA, ready)
	err = q.fails(applicant, submitWith(q.rules, SubmitInput{}))
	if got, want := err.Extra["unmet"], []Unmet{{RuleDeclaration(DeclarationCodeOfEthics), true, false}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("EQA unmet: got %+v, want %+v", got, want)
	}
}

// Every shipped declaration has its text in both languages and a source.
func TestShippedDeclarationsAreSourced(t *testing.T) {
	for _, r := range DefaultRuleSets() {
		for _, d := range r.Declarations {
			if d.Source == "" || d.Text["en"] == "" || d.Text["nl"] == "" || d.Version != 1 || !slices.Contains(Declarations, d.Key) {
				t.Errorf("%s declaration %+v: want a known key, version 1, English and Dutch text and a source", r.ID, d)
			}
		}
	}
}

// From SupervisionRuleFrom the shipped rules ask 1 h in each of the last
// four quarters: a new case with the year's hours only, or 4 h in one
// quarter, is refused naming the rule, one with an hour in each quarter is
// submitted under eia-2027-1; a case submitted before, returned and
// resubmitted after, with the year's hours only, keeps eia-2024-1 and is
// judged as before.
func TestTheQuarterlyRuleHoldsForCasesSubmittedFromItsDay(t *testing.T) {
	rs := DefaultRuleSets()
	if got := rs.InForce(SchemeEIA, SupervisionRuleFrom.Add(-time.Second)).ID; got != DefaultEIAID {
		t.Fatalf("in force the moment before: %s, want %s", got, DefaultEIAID)
	}
	after := SupervisionRuleFrom.Add(40 * day)

	fresh := given(t, SchemeEIA, ready)
	fresh.now = after
	for _, quarters := range [][]float64{nil, {4, 0, 0, 0}} {
		p := eligibleEIA()
		p.SupervisionHoursByQuarter = quarters
		fresh.do(applicant, with((*Case).UpdatePortfolio, p))
		err := fresh.fails(applicant, submitCmd(rs))
		wantErr(t, err, domain.Unprocessable, SupervisionRuleSetID)
		if got, want := err.Extra["unmet"], []Unmet{{RuleSupervisionQuarters, 1.0, 0.0}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("quarters %v: unmet %+v, want %+v", quarters, got, want)
		}
	}
	p := eligibleEIA()
	p.SupervisionHoursLastYear, p.SupervisionHoursByQuarter = 0, []float64{1, 1, 1, 1}
	fresh.do(applicant, with((*Case).UpdatePortfolio, p))
	fresh.do(applicant, submitCmd(rs))
	if fresh.c.State != StateSubmitted || fresh.c.RuleSetVersion != SupervisionRuleSetID {
		t.Fatalf("1 h each quarter: %s under %s, want submitted under %s", fresh.c.State, fresh.c.RuleSetVersion, SupervisionRuleSetID)
	}

	old := given(t, SchemeEIA, submitted)
	old.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("add a reference")}))
	old.now = after
	if got := old.c.Unmet(rs, old.now); got != nil {
		t.Fatalf("checklist of the case pinned before: %+v, want nothing unmet", got)
	}
	old.do(applicant, submitCmd(rs))
	if old.c.State != StateSubmitted || old.c.RuleSetVersion != DefaultEIAID || len(old.c.Portfolio.SupervisionHoursByQuarter) != 0 {
		t.Fatalf("resubmitted: %s under %s, want submitted under %s with the year's hours", old.c.State, old.c.RuleSetVersion, DefaultEIAID)
	}
}
