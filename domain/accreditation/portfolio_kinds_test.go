package accreditation

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
)

// withPortfolioCounts is the shipped EIA set plus a later version, in
// force from the harness's day, that asks for a case study and five
// learning journals at every level (the figures NOBCO publishes).
func withPortfolioCounts(h *harness) RuleSets {
	next := h.rules.InForce(SchemeEIA, h.now).Clone()
	next.ID, next.EffectiveFrom = "eia-test-2", h.now.Add(-time.Hour)
	for i, r := range next.Rules {
		switch r.Name {
		case RuleEvidence(KindCaseStudy):
			next.Rules[i].Values, next.Rules[i].Source = levels(1, 1, 1, 1), "nobco.nl/wat-moet-je-aantonen-voor-eia-certificering"
		case RuleEvidence(KindLearningJournal):
			next.Rules[i].Values, next.Rules[i].Source = levels(5, 5, 5, 5), "nobco.nl/wat-moet-je-aantonen-voor-eia-certificering"
		}
	}
	return append(slices.Clone(h.rules), next)
}

func portfolioItem(id string, kind EvidenceKind) EvidenceInput {
	in := evidence(id, nil, nil)
	in.Kind = kind
	return in
}

// TestAPublishedPortfolioCountIsChecked: the written portfolio is counted
// from the evidence uploaded of each kind, not a typed figure: submission
// is refused with what is missing, and the event records the counts.
func TestAPublishedPortfolioCountIsChecked(t *testing.T) {
	h := given(t, SchemeEIA, ready)
	rules := withPortfolioCounts(h)
	if got := h.c.Unmet(rules, h.now); !reflect.DeepEqual(got, []Unmet{
		{RuleEvidence(KindCaseStudy), 1.0, 0.0}, {RuleEvidence(KindLearningJournal), 5.0, 0.0}}) {
		t.Fatalf("checklist before any item: got %+v", got)
	}
	h.do(applicant, with((*Case).AddEvidence, portfolioItem("cs-1", KindCaseStudy)))
	for i := range 4 {
		h.do(applicant, with((*Case).AddEvidence, portfolioItem(fmt.Sprintf("lj-%d", i), KindLearningJournal)))
	}
	err := h.fails(applicant, submitCmd(rules))
	wantErr(t, err, domain.Unprocessable, RuleEvidence(KindLearningJournal))
	if got, want := err.Extra["unmet"], []Unmet{{RuleEvidence(KindLearningJournal), 5.0, 4.0}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("unmet: got %+v, want %+v", got, want)
	}
	h.do(applicant, with((*Case).AddEvidence, portfolioItem("lj-4", KindLearningJournal)))
	h.do(applicant, submitCmd(rules))
	h.wantState(StateSubmitted)
	want := []RuleResult{{RuleEvidence(KindCaseStudy), 1.0, 1.0, true}, {RuleEvidence(KindLearningJournal), 5.0, 5.0, true}}
	var got []RuleResult
	for _, r := range h.c.Eligibility {
		if r.Rule == RuleEvidence(KindCaseStudy) || r.Rule == RuleEvidence(KindLearningJournal) {
			got = append(got, r)
		}
	}
	if !reflect.DeepEqual(got, want) || h.c.RuleSetVersion != "eia-test-2" {
		t.Fatalf("recorded: %+v under %s, want %+v under eia-test-2", got, h.c.RuleSetVersion, want)
	}
}

// TestTheShippedSetsCountNoPortfolio: a case held to the 2024 sets is
// not asked for portfolio items (they are unset there).
func TestTheShippedSetsCountNoPortfolio(t *testing.T) {
	h := given(t, SchemeEIA, ready)
	if got := h.c.Unmet(h.rules, h.now); len(got) != 0 {
		t.Fatalf("checklist under the shipped set: got %+v, want nothing", got)
	}
}

// TestEachSchemeTakesItsOwnKinds: an EQA case takes the programme's
// documents, not an EIA portfolio's, and the other way round.
func TestEachSchemeTakesItsOwnKinds(t *testing.T) {
	for _, tc := range []struct {
		scheme   Scheme
		ok, fail EvidenceKind
	}{{SchemeEIA, KindCaseStudy, KindCurriculum}, {SchemeEQA, KindQualityManual, KindClientFeedback}} {
		h := given(t, tc.scheme, opened)
		h.do(applicant, with((*Case).AddEvidence, portfolioItem("ok", tc.ok)))
		wantErr(t, h.fails(applicant, with((*Case).AddEvidence, portfolioItem("bad", tc.fail))), domain.Invalid, "kind")
	}
	for _, k := range PortfolioKinds(SchemeEIA) {
		if slices.Contains(EvidenceKindsOf(SchemeEQA), k) {
			t.Errorf("EIA portfolio kind %s offered on EQA cases", k)
		}
	}
	if got := RuleEvidence(KindCaseStudy); got != "evidence_case_study" {
		t.Errorf("rule name: got %q", got)
	}
}
