package accreditation

import (
	"fmt"
	"slices"
	"time"

	"github.com/emcc/accredit/domain/framework"
)

// The names of the eligibility rules, as they appear in Unmet.Rule.
const (
	// EIA.
	RuleYearsPractising   = "years_practising"            // full years since first practising
	RuleClientHours       = "client_hours"                // client contact hours
	RuleClientCount       = "client_count"                // number of clients
	RuleFeedbackItems     = "feedback_items_last_12m"     // client feedback items, last 12 months
	RuleReflectionItems   = "reflection_items_last_12m"   // reflections on practice, last 12 months
	RuleCPDHours          = "cpd_hours_last_year"         // CPD hours in the last year
	RuleSupervisionHours  = "supervision_hours_last_year" // supervision hours in the last year
	RuleProfessionalBody  = "professional_body_member"    // member of a professional body
	RuleContinuedPractice = "continued_practice"          // renewal: still practising (EQA: still delivered)
	RuleEthicsCode        = "ethics_code_adherence"       // renewal: adheres to the Global Code of Ethics

	// EQA.
	RuleCompletedCycles = "completed_cycles" // full cycles of the programme completed
	RuleContactHours    = "contact_hours"    // contact hours of the programme

	// RuleRuleSet is reported when a rule set has no requirements for the
	// case's scheme and level (a configuration error).
	RuleRuleSet = "rule_set"
)

// RuleCurriculumCategory names the EQA rule that the curriculum addresses
// category n.
func RuleCurriculumCategory(n int) string { return fmt.Sprintf("curriculum_category_%d", n) }

// RuleCategoryAddressed names the submission rule that category n is
// addressed by evidence or a self-assessment statement.
func RuleCategoryAddressed(n int) string { return fmt.Sprintf("category_%d_addressed", n) }

// Unmet is one rule that is not met: what it requires and what was given.
// Numbers are float64 and flags bool, so that a value reads back from JSON
// as it was written.
type Unmet struct {
	Rule     string `json:"rule"`
	Required any    `json:"required"`
	Given    any    `json:"given"`
}

// RuleResult is one rule as checked: required, given and whether it was met.
// A case_submitted event records every rule of the pinned rule set this way.
type RuleResult struct {
	Rule     string `json:"rule"`
	Required any    `json:"required"`
	Given    any    `json:"given"`
	Met      bool   `json:"met"`
}

// EIARequirements are the eligibility minimums of one EIA level.
type EIARequirements struct {
	YearsPractising          int     `json:"years_practising"`
	ClientHours              float64 `json:"client_hours"`
	ClientCount              int     `json:"client_count"`
	FeedbackItemsLast12m     int     `json:"feedback_items_last_12m"`
	ReflectionItemsLast12m   int     `json:"reflection_items_last_12m"`
	CPDHoursPerYear          float64 `json:"cpd_hours_per_year"`
	SupervisionHoursPerYear  float64 `json:"supervision_hours_per_year"`
	ProfessionalBodyRequired bool    `json:"professional_body_required"`
}

// EQARequirements are the eligibility minimums of one EQA level.
type EQARequirements struct {
	CompletedCycles int     `json:"completed_cycles"`
	ContactHours    float64 `json:"contact_hours"`
	// AllCategories requires the curriculum to address all eight
	// competence categories.
	AllCategories bool `json:"all_categories"`
}

// RenewalRules are what a renewal asks for.
type RenewalRules struct {
	// WindowMonths: a renewal is accepted from this many months before the
	// accreditation's valid-until date up to that date.
	WindowMonths int `json:"window_months"`
	// Minimum supervision and CPD hours in the last year (EIA; an EQA
	// renewal records the figures given but has no minimum).
	SupervisionHoursLastYear float64 `json:"supervision_hours_last_year"`
	CPDHoursLastYear         float64 `json:"cpd_hours_last_year"`
}

// RuleSet is one version of the eligibility rules.
type RuleSet struct {
	ID            string                              `json:"id"`
	EffectiveFrom time.Time                           `json:"effective_from"`
	EIA           map[framework.Level]EIARequirements `json:"eia"`
	EQA           map[framework.Level]EQARequirements `json:"eqa"`
	Renewal       RenewalRules                        `json:"renewal"`
}

// RuleSets are every version of the rules, in any order.
type RuleSets []RuleSet

// InForce returns the rule set in force at t: the one with the latest
// EffectiveFrom at or before t. It returns the zero RuleSet (ID "") when
// none is in force yet.
func (rs RuleSets) InForce(t time.Time) RuleSet {
	var best RuleSet
	for _, r := range rs {
		if r.EffectiveFrom.After(t) {
			continue
		}
		if best.ID == "" || r.EffectiveFrom.After(best.EffectiveFrom) {
			best = r
		}
	}
	return best
}

// ByID returns the rule set with the given id.
func (rs RuleSets) ByID(id string) (RuleSet, bool) {
	for _, r := range rs {
		if r.ID == id {
			return r, true
		}
	}
	return RuleSet{}, false
}

// CurrentRuleSetID is the id of the rule set of DefaultRuleSets.
const CurrentRuleSetID = "eia-2024-1"

// DefaultRuleSets returns the rule sets the system ships with: one, "eia-2024-1",
// in force from 2024-01-01. A new version is added beside it, never edited
// into it, so that cases pinned to it keep their rules.
func DefaultRuleSets() RuleSets {
	eia := func(years int, hours float64, clients int) EIARequirements {
		return EIARequirements{
			YearsPractising: years, ClientHours: hours, ClientCount: clients,
			FeedbackItemsLast12m: 5, ReflectionItemsLast12m: 5,
			CPDHoursPerYear: 16, SupervisionHoursPerYear: 4, // 1 hour per quarter
			ProfessionalBodyRequired: true,
		}
	}
	// The EQA contact-hour minimums are working figures modelled on the
	// published programme lengths of EQA-awarded programmes (a short
	// foundation course up to a year-long master programme); they are not
	// taken from an EMCC table and are for the office to confirm.
	eqa := func(contact float64) EQARequirements {
		return EQARequirements{CompletedCycles: 1, ContactHours: contact, AllCategories: true}
	}
	return RuleSets{{
		ID:            CurrentRuleSetID,
		EffectiveFrom: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		EIA: map[framework.Level]EIARequirements{
			framework.Foundation:         eia(1, 50, 5),
			framework.Practitioner:       eia(3, 100, 10),
			framework.SeniorPractitioner: eia(5, 250, 20),
			framework.MasterPractitioner: eia(7, 500, 40),
		},
		EQA: map[framework.Level]EQARequirements{
			framework.Foundation:         eqa(16),
			framework.Practitioner:       eqa(60),
			framework.SeniorPractitioner: eqa(120),
			framework.MasterPractitioner: eqa(180),
		},
		Renewal: RenewalRules{WindowMonths: 6, SupervisionHoursLastYear: 4, CPDHoursLastYear: 16},
	}}
}

// Covers reports whether the rule set has requirements for scheme at level.
func (r RuleSet) Covers(scheme Scheme, level framework.Level) bool {
	switch scheme {
	case SchemeEIA:
		_, ok := r.EIA[level]
		return ok
	case SchemeEQA:
		_, ok := r.EQA[level]
		return ok
	}
	return false
}

// Check returns the rules of scheme at level that portfolio p does not meet
// as of asOf, in a fixed order; none when it is eligible.
func (r RuleSet) Check(p Portfolio, scheme Scheme, level framework.Level, asOf time.Time) []Unmet {
	var out []Unmet
	for _, res := range r.Evaluate(p, scheme, level, asOf) {
		if !res.Met {
			out = append(out, Unmet{Rule: res.Rule, Required: res.Required, Given: res.Given})
		}
	}
	return out
}

// Evaluate returns every rule of scheme at level, checked against p as of
// asOf, in a fixed order.
func (r RuleSet) Evaluate(p Portfolio, scheme Scheme, level framework.Level, asOf time.Time) []RuleResult {
	if !r.Covers(scheme, level) {
		return []RuleResult{{Rule: RuleRuleSet, Required: fmt.Sprintf("%s %s", scheme, level), Given: r.ID}}
	}
	atLeast := func(rule string, required, given float64) RuleResult {
		return RuleResult{Rule: rule, Required: required, Given: given, Met: given >= required}
	}
	flag := func(rule string, required, given bool) RuleResult {
		return RuleResult{Rule: rule, Required: required, Given: given, Met: given || !required}
	}
	if scheme == SchemeEIA {
		req := r.EIA[level]
		return []RuleResult{
			atLeast(RuleYearsPractising, float64(req.YearsPractising), float64(p.FirstPracticeDate.FullYearsTo(asOf))),
			atLeast(RuleClientHours, req.ClientHours, p.ClientHours),
			atLeast(RuleClientCount, float64(req.ClientCount), float64(p.ClientCount)),
			atLeast(RuleFeedbackItems, float64(req.FeedbackItemsLast12m), float64(p.FeedbackItemsLast12m)),
			atLeast(RuleReflectionItems, float64(req.ReflectionItemsLast12m), float64(p.ReflectionItemsLast12m)),
			atLeast(RuleCPDHours, req.CPDHoursPerYear, p.CPDHoursLastYear),
			atLeast(RuleSupervisionHours, req.SupervisionHoursPerYear, p.SupervisionHoursLastYear),
			flag(RuleProfessionalBody, req.ProfessionalBodyRequired, p.ProfessionalBodyMember),
		}
	}
	req := r.EQA[level]
	out := []RuleResult{
		atLeast(RuleCompletedCycles, float64(req.CompletedCycles), float64(p.CompletedCycles)),
		atLeast(RuleContactHours, req.ContactHours, p.ContactHours),
	}
	if req.AllCategories {
		covered := p.curriculumCategories()
		for n := range categoryNumbers() {
			out = append(out, flag(RuleCurriculumCategory(n), true, slices.Contains(covered, n)))
		}
	}
	return out
}

// checkRenewal returns the renewal rules in that are not met.
func (r RuleSet) checkRenewal(scheme Scheme, in RenewalInput) []Unmet {
	var out []Unmet
	if !in.ContinuedPractice {
		out = append(out, Unmet{Rule: RuleContinuedPractice, Required: true, Given: false})
	}
	if !in.EthicsCodeAdherence {
		out = append(out, Unmet{Rule: RuleEthicsCode, Required: true, Given: false})
	}
	if scheme == SchemeEIA {
		if in.SupervisionHoursLastYear < r.Renewal.SupervisionHoursLastYear {
			out = append(out, Unmet{Rule: RuleSupervisionHours, Required: r.Renewal.SupervisionHoursLastYear, Given: in.SupervisionHoursLastYear})
		}
		if in.CPDHoursLastYear < r.Renewal.CPDHoursLastYear {
			out = append(out, Unmet{Rule: RuleCPDHours, Required: r.Renewal.CPDHoursLastYear, Given: in.CPDHoursLastYear})
		}
	}
	return out
}
