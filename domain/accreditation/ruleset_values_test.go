package accreditation

import (
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
)

// withRule returns the shipped rule sets with rule name of scheme set to
// values (nil: unset), as an office version would hold it.
func withRule(scheme Scheme, name string, values map[framework.Level]float64) RuleSets {
	rs := DefaultRuleSets()
	for i := range rs {
		if rs[i].Scheme != scheme {
			continue
		}
		for j := range rs[i].Rules {
			if rs[i].Rules[j].Name == name {
				rs[i].Rules[j].Values = maps.Clone(values)
				rs[i].Rules[j].Source = "set by the office on 2025-01-01"
			}
		}
	}
	return rs
}

// The levels whose applicants are interviewed are the rule set's (issue 13
// item 6), recorded when the case is submitted: the shipped set keeps
// Senior and Master Practitioner, an office version may name others or
// none, and a case submitted before rule sets said keeps the levels of
// that time.
func TestTheRuleSetSaysWhoIsInterviewed(t *testing.T) {
	if !DefaultRuleSets().InForce(SchemeEIA, t0).Interviews(SchemeEIA, framework.SeniorPractitioner) ||
		DefaultRuleSets().InForce(SchemeEIA, t0).Interviews(SchemeEIA, framework.Practitioner) {
		t.Fatal("the shipped EIA rules must interview at Senior and Master Practitioner only")
	}
	t.Run("a version interviewing practitioners", func(t *testing.T) {
		rs := withRule(SchemeEIA, RuleInterview, map[framework.Level]float64{framework.Practitioner: 1})
		h := givenUnder(t, rs, openInput(SchemeEIA), eligibleEIA(), inAssessment)
		if !h.c.NeedsInterview() {
			t.Fatal("a practitioner case under a rule set that interviews practitioners needs no interview")
		}
		wantErr(t, h.fails(assessorA, assess(RecommendAward, "")), domain.Conflict, "record it first")
	})
	t.Run("a version interviewing nobody", func(t *testing.T) {
		rs := withRule(SchemeEIA, RuleInterview, nil)
		in := openInput(SchemeEIA)
		in.Level = framework.SeniorPractitioner
		p := eligibleEIA()
		p.ClientHours, p.ClientCount = 300, 25
		h := givenUnder(t, rs, in, p, inAssessment)
		wantErr(t, h.fails(officeScreen, with((*Case).ScheduleInterview, InterviewInput{At: h.now.Add(48 * time.Hour), Place: seal("online")})), domain.Conflict, "not interviewed")
		h.do(assessorA, assess(RecommendAward, ""))
		h.do(assessorB, assess(RecommendAward, ""))
		wantTypes(t, h.do(officeDecide, with((*Case).Decide, award(framework.SeniorPractitioner, "acc-1"))), EventDecisionMade, EventAccreditationAwarded)
	})
	t.Run("a case submitted before rule sets said keeps the levels of that time", func(t *testing.T) {
		h := seniorCase(t, ready)
		old := eventstore.Event{ID: "old-submit", Type: string(EventCaseSubmitted), SchemaVersion: 1, OccurredAt: h.now, Actor: applicant,
			Data: json.RawMessage(`{"rule_set_version":"eia-2024-1","eligibility":[]}`)}
		if err := h.c.Apply(old); err != nil {
			t.Fatal(err)
		}
		if h.c.InterviewRequired != nil || !h.c.NeedsInterview() {
			t.Fatalf("an old submission of a senior case: required %v, needs %v; want unrecorded and needed", h.c.InterviewRequired, h.c.NeedsInterview())
		}
	})
	t.Run("a rule set published before the rule existed reads as the levels of that time", func(t *testing.T) {
		old := DefaultRuleSets().InForce(SchemeEIA, t0)
		old.Rules = old.Rules[:len(old.Rules)-4] // the interview rule and those after it: published before they were rules
		if _, ok := old.Rule(RuleInterview); ok {
			t.Fatal("the test meant to drop the interview rule")
		}
		got := old.Complete()
		for _, l := range framework.Levels {
			if want := l == framework.SeniorPractitioner || l == framework.MasterPractitioner; got.Interviews(SchemeEIA, l) != want {
				t.Errorf("%s: interviews %v, want %v", l, got.Interviews(SchemeEIA, l), want)
			}
		}
		if _, ok := old.Rule(RuleInterview); ok {
			t.Error("Complete changed the rule set it was given")
		}
		if r, _ := got.Rule(RuleInterview); r.Source == "" {
			t.Error("the completed rule has no source")
		}
	})
	t.Run("a programme is never interviewed", func(t *testing.T) {
		rs := withRule(SchemeEIA, RuleInterview, map[framework.Level]float64{framework.Practitioner: 1})
		if rs.InForce(SchemeEQA, t0).Interviews(SchemeEQA, framework.Practitioner) {
			t.Fatal("an EQA rule set interviews")
		}
		h := givenUnder(t, rs, openInput(SchemeEQA), eligibleEQA(), inAssessment)
		if h.c.NeedsInterview() {
			t.Fatal("an EQA case needs an interview")
		}
	})
}

// The awarding panel's quorum is the case's rule set's (issue 13 item 5):
// unset it is 1, the recording office user alone; set to 2 a panel of one
// is refused, naming the quorum.
func TestThePanelQuorumIsTheRuleSets(t *testing.T) {
	h := given(t, SchemeEIA, awaitingDecision)
	if q, err := h.c.PanelQuorum(h.rules, h.now); err != nil || q != 1 {
		t.Fatalf("shipped rules: quorum %d (%v), want 1", q, err)
	}
	rs := withRule(SchemeEIA, RulePanelQuorum, map[framework.Level]float64{framework.Practitioner: 2})
	h = givenUnder(t, rs, openInput(SchemeEIA), eligibleEIA(), awaitingDecision)
	q, err := h.c.PanelQuorum(h.rules, h.now)
	if err != nil || q != 2 {
		t.Fatalf("a version with a quorum of 2: quorum %d (%v), want 2", q, err)
	}
	in := award(framework.Practitioner, "acc-1")
	in.Quorum = q
	e := h.fails(officeDecide, with((*Case).Decide, in))
	wantField(t, e, "panel")
	wantErr(t, e, domain.Invalid, "the panel has 1 member; the quorum is 2")
	in = panelOf(in, officeDecide.ID, VoteFor, officeReview.ID, VoteAbstain)
	wantTypes(t, h.do(officeDecide, with((*Case).Decide, in)), EventDecisionMade, EventAccreditationAwarded)
}

// The graduate route (issue 13 item 9): a rule's figures for graduates of
// an EQA-accredited programme replace its own at the levels that have
// them, and only for a case that names such a programme.
func TestGraduatesFiguresApplyToACaseNamingAProgramme(t *testing.T) {
	rs := withRule(SchemeEIA, RuleClientHours, levels(50, 100, 250, 500))
	for i := range rs {
		for j := range rs[i].Rules {
			if rs[i].Scheme == SchemeEIA && rs[i].Rules[j].Name == RuleClientHours {
				rs[i].Rules[j].Graduates = map[framework.Level]float64{framework.Practitioner: 60}
			}
		}
	}
	g := rs.InForce(SchemeEIA, t0).ForGraduates()
	for l, want := range map[framework.Level]float64{framework.Foundation: 50, framework.Practitioner: 60, framework.SeniorPractitioner: 250} {
		if v, _ := g.Value(RuleClientHours, l); v != want {
			t.Errorf("%s: %v hours for a graduate, want %v", l, v, want)
		}
	}
	if v, _ := rs.InForce(SchemeEIA, t0).Value(RuleClientHours, framework.Practitioner); v != 100 {
		t.Fatalf("ForGraduates changed the rule set it was given: %v", v)
	}

	p := eligibleEIA()
	p.ClientHours = 70
	h := givenUnder(t, rs, openInput(SchemeEIA), p, ready)
	if u := h.c.Unmet(h.rules, h.now); len(u) != 1 || u[0].Rule != RuleClientHours || u[0].Required != 100.0 {
		t.Fatalf("not a graduate: unmet %v, want 100 client hours", u)
	}
	p.EQAProgramme = "01J00000000000000000000000"
	h.do(applicant, with((*Case).UpdatePortfolio, p))
	if u := h.c.Unmet(h.rules, h.now); len(u) != 0 {
		t.Fatalf("a graduate with 70 hours: unmet %v, want none", u)
	}
	wantTypes(t, h.do(applicant, submitCmd(h.rules)), EventCaseSubmitted)
	p.EQAProgramme = "not an id"
	h2 := givenUnder(t, rs, openInput(SchemeEIA), eligibleEIA(), opened)
	wantField(t, h2.fails(applicant, with((*Case).UpdatePortfolio, p)), "eqa_programme")
}

// The figures for graduates apply to the graduate's renewal too (README,
// EQA-graduate route: "each rule may carry figures for graduates, which
// then apply to the case"): its rules, window and grace period.
func TestGraduatesFiguresApplyToTheirRenewal(t *testing.T) {
	rs := withRule(SchemeEIA, RuleRenewalWindow, levels(1, 1, 1, 1))
	for i := range rs {
		for j := range rs[i].Rules {
			if rs[i].Scheme != SchemeEIA {
				continue
			}
			switch rs[i].Rules[j].Name {
			case RuleRenewalPractice:
				rs[i].Rules[j].Graduates = levels(20, 20, 20, 20)
			case RuleRenewalWindow:
				rs[i].Rules[j].Graduates = levels(6, 6, 6, 6)
			}
		}
	}
	in := eiaRenewal()
	for i := range in.Years {
		in.Years[i].PracticeHours = 5 // 25 over the period: above the graduates' 20, below the 100 for everyone
	}
	for _, graduate := range []bool{false, true} {
		p := eligibleEIA()
		if graduate {
			p.EQAProgramme = "01J00000000000000000000000"
		}
		h := givenUnder(t, rs, openInput(SchemeEIA), p, awarded)
		h.now = h.c.Accreditation.ValidUntil.AddDate(0, -3, 0) // in the graduates' window of 6 months, before everyone's of 1
		if !graduate {
			wantErr(t, h.fails(applicant, renewCmd(h.rules, in)), domain.Unprocessable, "renewal is open from")
			h.now = h.c.Accreditation.ValidUntil.AddDate(0, 0, -7)
			wantErr(t, h.fails(applicant, renewCmd(h.rules, in)), domain.Unprocessable, RuleRenewalPractice)
			continue
		}
		if _, err := h.run(applicant, renewCmd(h.rules, in)); err != nil {
			t.Fatalf("a graduate's renewal 3 months before the end with 25 practice hours (graduates: a window of 6 months, 20 hours): %v", err)
		}
	}
}
