package accreditation

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// eiaRenewal meets the shipped EIA renewal rules at every level: 25 hours
// of practice a year (125 over the five), 4 of supervision, 16 of CPD.
func eiaRenewal() RenewalInput {
	in := RenewalInput{Reflection: seal("five years of growth"), Declarations: Declarations}
	for range ValidityYears {
		in.Years = append(in.Years, RenewalYear{PracticeHours: 25, SupervisionHours: 4, SupervisionHoursByQuarter: []float64{1, 1, 1, 1}, CPDHours: 16})
	}
	return in
}

// At renewal the published rule is also 1 h in each quarter, over the
// period: under eia-2027-1 a year with its 4 h in one quarter, or a year
// without its quarters, is short; under eia-2024-1 the years' hours are
// checked as before and the quarters are not its rule.
func TestRenewalSupervisionIsCheckedInEachQuarter(t *testing.T) {
	first, _ := DefaultRuleSets().ByID(DefaultEIAID)
	quarterly, _ := DefaultRuleSets().ByID(SupervisionRuleSetID)
	edit := func(f func(y []RenewalYear)) RenewalInput {
		in := eiaRenewal()
		f(in.Years)
		return in
	}
	for _, tc := range []struct {
		name string
		r    RuleSet
		in   RenewalInput
		want []Unmet
	}{
		{"quarterly: an hour in every quarter", quarterly, eiaRenewal(), nil},
		{"quarterly: one year's 4 h in one quarter", quarterly, edit(func(y []RenewalYear) { y[2].SupervisionHoursByQuarter = []float64{4, 0, 0, 0} }),
			[]Unmet{{RuleRenewalSupervisionQuarters, 1.0, 0.0}}},
		{"quarterly: a year without its quarters", quarterly, edit(func(y []RenewalYear) { y[4].SupervisionHoursByQuarter = nil }),
			[]Unmet{{RuleRenewalSupervisionQuarters, 1.0, 0.0}}},
		{"eia-2024-1: the years' hours, as before", first, edit(func(y []RenewalYear) {
			for i := range y {
				y[i].SupervisionHoursByQuarter = nil
			}
		}), nil},
		{"eia-2024-1: a year short of 4 h, as before", first, edit(func(y []RenewalYear) { y[1].SupervisionHours = 3 }),
			[]Unmet{{RuleRenewalSupervision, 4.0, 3.0}}},
		{"eia-2024-1: the quarters are not its rule", first, edit(func(y []RenewalYear) { y[2].SupervisionHoursByQuarter = []float64{4, 0, 0, 0} }), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := appendUnmet(nil, tc.r.evaluateRenewal(SchemeEIA, framework.Practitioner, tc.in))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%s unmet: got %+v, want %+v", tc.r.ID, got, tc.want)
			}
		})
	}
	h := given(t, SchemeEIA, awarded)
	h.now = h.c.Accreditation.ValidUntil.AddDate(0, -1, 0)
	for field, in := range map[string]RenewalInput{
		"years[1].supervision_hours_by_quarter":    edit(func(y []RenewalYear) { y[1].SupervisionHoursByQuarter = []float64{1, 1} }),
		"years[3].supervision_hours_by_quarter[2]": edit(func(y []RenewalYear) { y[3].SupervisionHoursByQuarter[2] = 2209 }),
	} {
		wantField(t, h.fails(applicant, renewCmd(h.rules, in)), field)
	}
}

// eqaRenewal states each of the five aims.
func eqaRenewal() RenewalInput {
	in := RenewalInput{Declarations: []string{DeclarationCodeOfEthics}}
	for _, aim := range RenewalAims {
		in.Aims = append(in.Aims, AimStatement{Aim: aim, Statement: seal(string(aim))})
	}
	return in
}

func assignRenewal(a domain.Actor) command {
	return with((*Case).AssignRenewal, RenewalAssignInput{Profile: profile(a)})
}

func assessRenewal(o RenewalOutcome, why string) command {
	return with((*Case).AssessRenewal, RenewalAssessmentInput{Outcome: o, Rationale: seal(why)})
}

// givenRenewal is an awarded EIA case a month before its end whose renewal
// the holder submitted.
func givenRenewal(t *testing.T) *harness {
	t.Helper()
	h := given(t, SchemeEIA, awarded)
	h.now = h.c.Accreditation.ValidUntil.AddDate(0, -1, 0)
	h.do(applicant, renewCmd(h.rules, eiaRenewal()))
	return h
}

func TestRenewalIsAShortCase(t *testing.T) {
	h := given(t, SchemeEIA, awarded)
	until := h.c.Accreditation.ValidUntil
	h.now = until.AddDate(0, -1, 0)

	wantTypes(t, h.do(applicant, renewCmd(h.rules, eiaRenewal())), EventRenewalSubmitted)
	r := h.c.Accreditation.Current
	// Renewed in 2030, it is pinned to the version in force then: the
	// shipped one with supervision by quarter.
	if r == nil || r.State != StateRenewalSubmitted || r.RuleSetVersion != SupervisionRuleSetID || !r.PeriodUntil.Equal(until) || len(r.Years) != ValidityYears {
		t.Fatalf("submitted renewal: got %+v", r)
	}
	if got := h.c.Next(h.now).Key; got != StepRenewalSubmitted {
		t.Fatalf("next step: got %s, want %s", got, StepRenewalSubmitted)
	}
	if !slices.Contains(h.c.AllowedActions(officeScreen, h.now, h.rules), ActionAssignRenewal) {
		t.Fatalf("the office is not offered %s", ActionAssignRenewal)
	}
	err := h.fails(applicant, renewCmd(h.rules, eiaRenewal()))
	wantErr(t, err, domain.Conflict, "awaits its assessment")
	wantWrongState(t, err, "renewal_state", StateRenewalSubmitted)
	wantErr(t, h.fails(assessorC, assessRenewal(RenewalRenew, "fine")), domain.Forbidden, "assigned assessor")

	h.later(day)
	wantTypes(t, h.do(officeScreen, assignRenewal(assessorC)), EventRenewalAssigned)
	if !h.c.CanSee(assessorC, nil) || h.c.Next(h.now).Key != StepRenewalInAssessment || !h.c.Involved(assessorC.ID) {
		t.Fatalf("the renewal's assessor: sees %v, next %s", h.c.CanSee(assessorC, nil), h.c.Next(h.now).Key)
	}
	wantErr(t, h.fails(assessorA, assessRenewal(RenewalRenew, "fine")), domain.Forbidden, "assigned assessor")
	wantErr(t, h.fails(officeScreen, assessRenewal(RenewalRenew, "fine")), domain.Forbidden)
	wantField(t, h.fails(assessorC, with((*Case).AssessRenewal, RenewalAssessmentInput{Outcome: RenewalRenew})), "rationale")
	wantField(t, h.fails(assessorC, assessRenewal("approve", "fine")), "outcome")

	h.later(day)
	wantTypes(t, h.do(assessorC, assessRenewal(RenewalRenew, "practice and development evident")), EventRenewalAssessed, EventAccreditationRenewed)
	a := h.c.Accreditation
	if !a.ValidUntil.Equal(until.AddDate(ValidityYears, 0, 0)) || a.Current != nil || a.Status != StatusActive {
		t.Fatalf("renewed accreditation: got %+v", a)
	}
	if got := a.Renewals; len(got) != 1 || got[0].AssessedBy != assessorC.ID || !got[0].PreviousValidUntil.Equal(until) || got[0].RuleSetVersion != SupervisionRuleSetID {
		t.Fatalf("renewals: got %+v", got)
	}
	if !h.c.CanSee(assessorC, nil) || h.c.RenewalAssessor() != "" {
		t.Fatal("after the renewal its assessor no longer sees the case, or still holds a renewal")
	}
	if got := h.c.Next(h.now); got.Key != StepAwarded || !got.RenewBy.Equal(a.ValidUntil) {
		t.Fatalf("next step: got %+v, want awarded, renew by the new end", got)
	}
	replay(t, h)
}

func TestRenewalReturnedAndResubmitted(t *testing.T) {
	h := givenRenewal(t)
	h.do(officeScreen, assignRenewal(assessorC))
	wantTypes(t, h.do(assessorC, assessRenewal(RenewalReturn, "say more about supervision")), EventRenewalAssessed)
	if r := h.c.Accreditation.Current; r.State != StateRenewalReturned || !reflect.DeepEqual(r.Reason, seal("say more about supervision")) {
		t.Fatalf("returned renewal: got %+v", r)
	}
	if got := h.c.Next(h.now).Key; got != StepRenewalReturned {
		t.Fatalf("next step: got %s", got)
	}
	// Submitted in time, it may be resubmitted after the end: no window,
	// no grace period needed.
	h.now = h.c.Accreditation.ValidUntil.Add(day)
	wantTypes(t, h.do(applicant, renewCmd(h.rules, eiaRenewal())), EventRenewalSubmitted)
	if r := h.c.Accreditation.Current; r.State != StateRenewalInAssessment || r.Assessor != assessorC.ID {
		t.Fatalf("resubmitted renewal: got %+v, want back with its assessor", r)
	}
	replay(t, h)
}

func TestRenewalRefused(t *testing.T) {
	h := givenRenewal(t)
	until := h.c.Accreditation.ValidUntil
	h.do(officeScreen, assignRenewal(assessorC))
	h.do(assessorC, assessRenewal(RenewalRefuse, "no supervision in two years"))
	if r := h.c.Accreditation.Current; r.State != StateRenewalRefused {
		t.Fatalf("refused renewal: got %+v", r)
	}
	if got := h.c.Next(h.now); got.Key != StepRenewalRefused || !got.ValidUntil.Equal(until) {
		t.Fatalf("next step: got %+v", got)
	}
	wantErr(t, h.fails(applicant, renewCmd(h.rules, eiaRenewal())), domain.Conflict, "refused")
	h.now = until
	wantTypes(t, h.do(domain.System, expireCmd()), EventAccreditationExpired)
	replay(t, h)
}

// The expiry job does not wait for a pending renewal: the award ends on its
// date. Renewing it afterwards makes it active again from the old end.
func TestRenewalPendingAtExpiry(t *testing.T) {
	h := givenRenewal(t)
	until := h.c.Accreditation.ValidUntil
	h.do(officeScreen, assignRenewal(assessorC))
	h.now = until
	wantTypes(t, h.do(domain.System, expireCmd()), EventAccreditationExpired)
	if got := h.c.Next(h.now).Key; got != StepRenewalInAssessment {
		t.Fatalf("next step of an expired award with a renewal pending: got %s", got)
	}
	h.later(day)
	h.do(assessorC, assessRenewal(RenewalRenew, "complete"))
	if a := h.c.Accreditation; a.Status != StatusActive || !a.ValidUntil.Equal(until.AddDate(ValidityYears, 0, 0)) {
		t.Fatalf("renewed after expiry: got %+v", a)
	}
	replay(t, h)
}

// TestRenewalWindowAndGraceAtAMonthsEnd: the window and the grace period
// are counted in calendar months that end within their month: an award
// ending on 31 August with a six-month window may be renewed from 28
// February (not 3 March), and a three-month grace period after it ends
// with 30 November (not 1 December).
func TestRenewalWindowAndGraceAtAMonthsEnd(t *testing.T) {
	until := time.Date(2030, 8, 31, 12, 0, 0, 0, time.UTC)
	// Office versions edited from the first shipped one: the version
	// shipped later is not in their history (rulesets.Service).
	windowed := append(firstRuleSets(), revised(defaultOf(SchemeEIA), "eia-2025-1", t0.Add(-day), RuleRenewalWindow, 6))
	graced := append(firstRuleSets(), revised(defaultOf(SchemeEIA), "eia-2025-1", t0.Add(-day), RuleRenewalGrace, 3))
	for _, tc := range []struct {
		name  string
		rules RuleSets
		at    time.Time
		want  string // "" for submitted
	}{
		{"the window's first day", windowed, time.Date(2030, 2, 28, 12, 0, 0, 0, time.UTC), ""},
		{"the day before", windowed, time.Date(2030, 2, 28, 11, 59, 59, 0, time.UTC), "renewal is open from 2030-02-28T12:00:00Z"},
		{"the grace period's last moment", graced, time.Date(2030, 11, 30, 11, 59, 59, 0, time.UTC), ""},
		{"after the grace period", graced, time.Date(2030, 11, 30, 12, 0, 0, 0, time.UTC), "ended on 2030-11-30T12:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, awarded)
			h.c.Accreditation.ValidUntil = until
			if tc.at.After(until) {
				h.now = until
				h.do(domain.System, expireCmd())
			}
			h.now = tc.at
			if tc.want != "" {
				wantErr(t, h.fails(applicant, renewCmd(tc.rules, eiaRenewal())), domain.Unprocessable, tc.want)
				return
			}
			wantTypes(t, h.do(applicant, renewCmd(tc.rules, eiaRenewal())), EventRenewalSubmitted)
		})
	}
}

func TestRenewalWindowAndGrace(t *testing.T) {
	// Office versions edited from the first shipped one: the version
	// shipped later is not in their history (rulesets.Service).
	windowed := append(firstRuleSets(), revised(defaultOf(SchemeEIA), "eia-2025-1", t0.Add(-day), RuleRenewalWindow, 6))
	graced := append(firstRuleSets(), revised(defaultOf(SchemeEIA), "eia-2025-1", t0.Add(-day), RuleRenewalGrace, 3))
	for _, tc := range []struct {
		name    string
		rules   RuleSets
		at      func(until time.Time) time.Time
		expired bool
		want    string // "" for submitted
	}{
		{"no window: four years before the end", DefaultRuleSets(), func(u time.Time) time.Time { return u.AddDate(-4, 0, 0) }, false, ""},
		{"within the window", windowed, func(u time.Time) time.Time { return u.AddDate(0, -6, 0) }, false, ""},
		{"before the window", windowed, func(u time.Time) time.Time { return u.AddDate(0, -6, 0).Add(-time.Second) }, false, "renewal is open from"},
		{"no grace: at the end", DefaultRuleSets(), func(u time.Time) time.Time { return u }, false, "no grace period"},
		{"no grace: expired", DefaultRuleSets(), func(u time.Time) time.Time { return u.Add(day) }, true, "no grace period"},
		{"within the grace period", graced, func(u time.Time) time.Time { return u.AddDate(0, 3, 0).Add(-time.Second) }, true, ""},
		{"after the grace period", graced, func(u time.Time) time.Time { return u.AddDate(0, 3, 0) }, true, "grace period of 3 months ended"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, awarded)
			until := h.c.Accreditation.ValidUntil
			if tc.expired {
				h.now = until
				h.do(domain.System, expireCmd())
			}
			h.now = tc.at(until)
			if tc.want != "" {
				wantErr(t, h.fails(applicant, renewCmd(tc.rules, eiaRenewal())), domain.Unprocessable, tc.want)
				if slices.Contains(h.c.AllowedActions(applicant, h.now, tc.rules), ActionRenew) {
					t.Fatal("renew is offered where it is refused")
				}
				return
			}
			wantTypes(t, h.do(applicant, renewCmd(tc.rules, eiaRenewal())), EventRenewalSubmitted)
			h.do(officeScreen, assignRenewal(assessorC))
			h.do(assessorC, assessRenewal(RenewalRenew, "ok"))
			if a := h.c.Accreditation; a.Status != StatusActive || !a.ValidUntil.Equal(until.AddDate(ValidityYears, 0, 0)) {
				t.Fatalf("renewed: got %+v", a)
			}
		})
	}
}

// The EIA renewal rules come from the rule set, per level: the practice
// log's hours over the period (50/100/100/100), supervision and CPD in every
// year, the reflection.
func TestEIARenewalRulesPerLevel(t *testing.T) {
	rs := defaultOf(SchemeEIA)
	for _, tc := range []struct {
		level    framework.Level
		practice float64
	}{{framework.Foundation, 50}, {framework.Practitioner, 100}, {framework.SeniorPractitioner, 100}, {framework.MasterPractitioner, 100}} {
		t.Run(string(tc.level), func(t *testing.T) {
			in := eiaRenewal()
			for i := range in.Years {
				in.Years[i].PracticeHours = tc.practice / float64(ValidityYears)
			}
			if got := unmetOf(rs.evaluateRenewal(SchemeEIA, tc.level, in)); len(got) != 0 {
				t.Fatalf("unmet at exactly %g hours: %+v", tc.practice, got)
			}
			in.Years[0].PracticeHours--
			want := []Unmet{{RuleRenewalPractice, tc.practice, tc.practice - 1}}
			if got := unmetOf(rs.evaluateRenewal(SchemeEIA, tc.level, in)); !reflect.DeepEqual(got, want) {
				t.Fatalf("unmet: got %+v, want %+v", got, want)
			}
		})
	}
	t.Run("supervision and CPD in every year, the reflection", func(t *testing.T) {
		in := eiaRenewal()
		in.Years[2].SupervisionHours, in.Years[4].CPDHours, in.Reflection = 3, 10, pii.Sealed{}
		want := []Unmet{{RuleRenewalSupervision, 4.0, 3.0}, {RuleRenewalCPD, 16.0, 10.0}, {RuleRenewalReflection, true, false}}
		if got := unmetOf(rs.evaluateRenewal(SchemeEIA, framework.Practitioner, in)); !reflect.DeepEqual(got, want) {
			t.Fatalf("unmet: got %+v, want %+v", got, want)
		}
	})
	t.Run("a rule the office unsets blocks nothing", func(t *testing.T) {
		office := revised(rs, "eia-2026-1", t0, RuleRenewalPractice, 0)
		for i := range office.Rules {
			if office.Rules[i].Name == RuleRenewalPractice {
				office.Rules[i].Values = nil
			}
		}
		in := eiaRenewal()
		in.Years[0].PracticeHours = 0
		if got := unmetOf(office.evaluateRenewal(SchemeEIA, framework.Practitioner, in)); len(got) != 0 {
			t.Fatalf("unmet: got %+v, want none", got)
		}
	})
}

func unmetOf(results []RuleResult) []Unmet {
	var out []Unmet
	for _, r := range results {
		if !r.Met {
			out = append(out, Unmet{Rule: r.Rule, Required: r.Required, Given: r.Given})
		}
	}
	return out
}

func TestRenewalRefusedInput(t *testing.T) {
	h := given(t, SchemeEIA, awarded)
	h.now = h.c.Accreditation.ValidUntil.AddDate(0, -1, 0)
	t.Run("Unprocessable/rules and declarations not met", func(t *testing.T) {
		in := eiaRenewal()
		in.Years[1].SupervisionHoursByQuarter = []float64{2, 0, 0, 0} // renewed in 2030: eia-2027-1's rule
		in.Declarations = []string{DeclarationCodeOfEthics}
		err := h.fails(applicant, renewCmd(h.rules, in))
		want := []Unmet{{RuleRenewalSupervisionQuarters, 1.0, 0.0}, {RuleDeclaration(DeclarationDiversity), true, false}}
		if got := err.Extra["unmet"]; !reflect.DeepEqual(got, want) {
			t.Fatalf("unmet: got %+v, want %+v", got, want)
		}
	})
	t.Run("a short reflection is the assessor's to judge", func(t *testing.T) {
		in := eiaRenewal()
		in.Reflection = seal("Grew.")
		if _, err := h.run(applicant, renewCmd(h.rules, in)); err != nil {
			t.Fatalf("got %v, want the renewal submitted", err)
		}
	})
	t.Run("Invalid/not five years", func(t *testing.T) {
		in := eiaRenewal()
		in.Years = in.Years[:4]
		wantField(t, h.fails(applicant, renewCmd(h.rules, in)), "years")
	})
	t.Run("Invalid/aims on an EIA renewal", func(t *testing.T) {
		in := eiaRenewal()
		in.Aims = eqaRenewal().Aims
		wantField(t, h.fails(applicant, renewCmd(h.rules, in)), "aims")
	})
	t.Run("Invalid/hours out of range", func(t *testing.T) {
		in := eiaRenewal()
		in.Years[3].CPDHours = -1
		wantField(t, h.fails(applicant, renewCmd(h.rules, in)), "years[3].cpd_hours")
	})
	t.Run("Forbidden/someone else", func(t *testing.T) {
		wantErr(t, h.fails(stranger, renewCmd(h.rules, eiaRenewal())), domain.Forbidden, "holder")
	})
	t.Run("Conflict/nothing to assign", func(t *testing.T) {
		wantErr(t, h.fails(officeScreen, assignRenewal(assessorC)), domain.Conflict, "awaits an assessor")
	})
}

func TestRenewalAssignment(t *testing.T) {
	h := givenRenewal(t)
	t.Run("Forbidden/by an assessor", func(t *testing.T) {
		wantErr(t, h.fails(assessorC, assignRenewal(assessorC)), domain.Forbidden)
	})
	t.Run("Unprocessable/the holder", func(t *testing.T) {
		wantErr(t, h.fails(officeScreen, assignRenewal(applicant)), domain.Unprocessable, "own case")
	})
	t.Run("Unprocessable/a conflict of interest", func(t *testing.T) {
		p := profile(assessorC)
		p.Conflicts = []string{applicant.ID}
		wantErr(t, h.fails(officeScreen, with((*Case).AssignRenewal, RenewalAssignInput{Profile: p})), domain.Unprocessable, "conflict")
	})
	t.Run("the application's assessor may assess the renewal", func(t *testing.T) {
		wantTypes(t, h.do(officeScreen, assignRenewal(assessorB)), EventRenewalAssigned)
		wantTypes(t, h.do(officeScreen, assignRenewal(assessorC)), EventRenewalAssigned)
		if got := h.c.RenewalAssessor(); got != assessorC.ID {
			t.Fatalf("reassigned: got %s", got)
		}
	})
}

func TestEQARenewalChecksTheFiveAims(t *testing.T) {
	h := given(t, SchemeEQA, awarded)
	h.now = h.c.Accreditation.ValidUntil.AddDate(0, -1, 0)
	in := eqaRenewal()
	in.Aims = slices.DeleteFunc(in.Aims, func(s AimStatement) bool { return s.Aim == AimStudentFeedback || s.Aim == AimEthicsCode })
	err := h.fails(applicant, renewCmd(h.rules, in))
	want := []Unmet{{RuleRenewalAim(AimStudentFeedback), true, false}, {RuleRenewalAim(AimEthicsCode), true, false}}
	if got := err.Extra["unmet"]; !reflect.DeepEqual(got, want) {
		t.Fatalf("unmet: got %+v, want %+v", got, want)
	}
	bad := eqaRenewal()
	bad.Years = eiaRenewal().Years
	wantField(t, h.fails(applicant, renewCmd(h.rules, bad)), "years")
	wantTypes(t, h.do(applicant, renewCmd(h.rules, eqaRenewal())), EventRenewalSubmitted)
	if got := h.c.Accreditation.Current.Checks; len(got) != len(RenewalAims) {
		t.Fatalf("checks: got %+v, want one per aim", got)
	}
}

// A returned renewal is checked against the rule set it was pinned to at
// its first submission, not a stricter one in force since.
func TestRenewalPinnedToItsRuleSet(t *testing.T) {
	h := givenRenewal(t)
	h.do(officeScreen, assignRenewal(assessorC))
	h.do(assessorC, assessRenewal(RenewalReturn, "more on CPD"))
	stricter := revised(defaultOf(SchemeEIA), "eia-2031-1", h.now.Add(-time.Hour), RuleRenewalCPD, 40)
	rules := append(DefaultRuleSets(), stricter)
	fresh := given(t, SchemeEIA, awarded)
	fresh.now = h.now
	wantErr(t, fresh.fails(applicant, renewCmd(rules, eiaRenewal())), domain.Unprocessable, RuleRenewalCPD)
	wantTypes(t, h.do(applicant, renewCmd(rules, eiaRenewal())), EventRenewalSubmitted)
	if got := h.c.Accreditation.Current.RuleSetVersion; got != SupervisionRuleSetID {
		t.Fatalf("pinned to %s, want %s", got, SupervisionRuleSetID)
	}
}

// An AccreditationRenewed of the instant renewal (before renewal was
// assessed) replays as it always did.
func TestOldInstantRenewalReplays(t *testing.T) {
	h := given(t, SchemeEIA, awarded)
	until := h.c.Accreditation.ValidUntil
	old := `{"accreditation_id":"acc-1","previous_valid_until":"` + until.Format(time.RFC3339) + `","valid_until":"` +
		until.AddDate(5, 0, 0).Format(time.RFC3339) + `","continued_practice":true,"supervision_hours_last_year":5,` +
		`"cpd_hours_last_year":20,"ethics_code_adherence":true,"rule_set_version":"eia-2024-1",` +
		`"declarations":[{"key":"code_of_ethics","version":1,"confirmed_at":"2029-01-01T00:00:00Z"}]}`
	e := eventstore.Event{ID: "old-1", Stream: StreamPrefix + ".case-1", Type: string(EventAccreditationRenewed), SchemaVersion: 1,
		OccurredAt: until.AddDate(0, -2, 0), Actor: applicant, Data: json.RawMessage(old)}
	if err := h.c.Apply(e); err != nil {
		t.Fatal(err)
	}
	a := h.c.Accreditation
	want := Renewal{At: e.OccurredAt, By: applicant.ID, PreviousValidUntil: until, ValidUntil: until.AddDate(5, 0, 0), ContinuedPractice: true,
		SupervisionHoursLastYear: 5, CPDHoursLastYear: 20, EthicsCodeAdherence: true, RuleSetVersion: DefaultEIAID,
		Declarations: []DeclarationConfirmed{{Key: DeclarationCodeOfEthics, Version: 1, ConfirmedAt: time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)}}}
	if a.Status != StatusActive || !a.ValidUntil.Equal(want.ValidUntil) || a.Current != nil || len(a.Renewals) != 1 || !reflect.DeepEqual(a.Renewals[0], want) {
		t.Fatalf("after the old renewal: got %+v, renewals %+v", a, a.Renewals)
	}
}

// An applicant for Practitioner awarded Foundation renews a Foundation
// accreditation: its assessor need be qualified to Foundation, not to the
// level applied for.
func TestRenewalAssessorQualifiedAtTheAwardedLevel(t *testing.T) {
	h := givenModeration(t)
	h.do(officeDecide, with((*Case).Moderate, ModerationInput{Recommendation: RecommendAwardLower, Level: framework.Foundation, Rationale: seal("m")}))
	h.do(officeDecide, with((*Case).Decide, award(framework.Foundation, "acc-1")))
	h.now = h.c.Accreditation.ValidUntil.AddDate(0, -1, 0)
	h.do(applicant, renewCmd(h.rules, eiaRenewal()))

	foundation := profile(assessorC)
	foundation.MaxLevel = framework.Foundation
	wantTypes(t, h.do(officeScreen, with((*Case).AssignRenewal, RenewalAssignInput{Profile: foundation})), EventRenewalAssigned)
	if ex := h.c.RenewalExclusions(foundation); len(ex) != 0 {
		t.Fatalf("exclusions of a Foundation assessor from a Foundation renewal: got %+v, want none", ex)
	}

	below := profile(assessorC)
	below.MaxLevel = ""
	wantErr(t, h.fails(officeScreen, with((*Case).AssignRenewal, RenewalAssignInput{Profile: below})), domain.Unprocessable, `below the case level "foundation"`)
}

// A renewal is sent before the award ends: the period's last quarters have
// not ended yet and cannot show their hour. Under eia-2027-1 only the
// quarters ended when it is sent are held to the hour; once the period has
// ended (a resubmission, the grace period) every quarter is.
func TestRenewalSupervisionCountsTheQuartersEndedWhenSent(t *testing.T) {
	quarterly, _ := DefaultRuleSets().ByID(SupervisionRuleSetID)
	until := time.Date(2030, 6, 30, 0, 0, 0, 0, time.UTC)
	lastQuarters := func(q ...float64) RenewalInput {
		in := eiaRenewal()
		in.Years[ValidityYears-1].SupervisionHoursByQuarter = q
		return in
	}
	for _, tc := range []struct {
		name string
		in   RenewalInput
		now  time.Time
		want []Unmet
	}{
		{"two months before the end, the last quarter still running", lastQuarters(1, 1, 1, 0), until.AddDate(0, -2, 0), nil},
		{"two months before the end, an ended quarter short", lastQuarters(1, 1, 0, 1), until.AddDate(0, -2, 0),
			[]Unmet{{RuleRenewalSupervisionQuarters, 1.0, 0.0}}},
		{"four months before the end, the last two quarters still to end", lastQuarters(1, 1, 0, 0), until.AddDate(0, -4, 0), nil},
		{"at the end, every quarter", lastQuarters(1, 1, 1, 0), until,
			[]Unmet{{RuleRenewalSupervisionQuarters, 1.0, 0.0}}},
		{"in the grace period, every quarter", lastQuarters(1, 1, 1, 0), until.AddDate(0, 1, 0),
			[]Unmet{{RuleRenewalSupervisionQuarters, 1.0, 0.0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := appendUnmet(nil, quarterly.evaluateRenewalAt(SchemeEIA, framework.Practitioner, tc.in, periodAt{until: until, now: tc.now}))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("unmet: got %+v, want %+v", got, tc.want)
			}
		})
	}

	// Through the command: sent a month before the award ends (in 2030,
	// under eia-2027-1), a last quarter still running at 0 h is no refusal.
	h := given(t, SchemeEIA, awarded)
	h.now = h.c.Accreditation.ValidUntil.AddDate(0, -1, 0)
	h.do(applicant, renewCmd(h.rules, lastQuarters(1, 1, 1, 0)))
	if r := h.c.Accreditation.Current; r == nil || r.RuleSetVersion != SupervisionRuleSetID {
		t.Fatalf("the renewal: %+v, want one sent under %s", r, SupervisionRuleSetID)
	}
}

// TestARenewalAssessedAlreadyIsSaidSoToItsAssessor: the renewal's assessor
// sending an outcome again (a second tab, a page opened before their own
// outcome) was refused as though the renewal were someone else's
// (Forbidden, "only the renewal's assigned assessor"). It is a Conflict
// saying the renewal is assessed, renewed or refused; another assessor is
// still Forbidden.
func TestARenewalAssessedAlreadyIsSaidSoToItsAssessor(t *testing.T) {
	for _, o := range []RenewalOutcome{RenewalRenew, RenewalRefuse} {
		t.Run(string(o), func(t *testing.T) {
			h := givenRenewal(t)
			h.do(officeScreen, assignRenewal(assessorC))
			h.do(assessorC, assessRenewal(o, "assessed"))
			err := h.fails(assessorC, assessRenewal(RenewalRefuse, "from a second tab"))
			wantErr(t, err, domain.Conflict, "you assessed it on")
			wantAlreadyRecorded(t, err, "renewal")
			wantErr(t, h.fails(assessorA, assessRenewal(RenewalRefuse, "not mine")), domain.Forbidden, "assigned assessor")
		})
	}
}
