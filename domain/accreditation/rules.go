package accreditation

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/emcc/accredit/domain/framework"
)

// The names of the rules, as a rule set lists them and as Unmet.Rule names
// the ones not met.
const (
	// EIA, at submission.
	RuleYearsPractising  = "years_practising"            // full years since first practising
	RuleClientHours      = "client_hours"                // client contact hours
	RuleClientCount      = "client_count"                // number of clients
	RuleFeedbackItems    = "feedback_items_last_12m"     // client feedback items, last 12 months
	RuleReflectionItems  = "reflection_items_last_12m"   // reflections on practice, last 12 months
	RuleCPDHours         = "cpd_hours_last_year"         // CPD hours in the last year
	RuleSupervisionHours = "supervision_hours_last_year" // supervision hours in the last year (eia-2024-1)
	RuleProfessionalBody = "professional_body_member"    // member of a professional body
	// RuleSupervisionQuarters is the published supervision rule: at least
	// this many hours in each of the last four quarters
	// (Portfolio.SupervisionHoursByQuarter). It replaced
	// RuleSupervisionHours, which counted 4 h over the year, so that 4 h in
	// one quarter and none in the others passed (see SupervisionRuleSetID).
	RuleSupervisionQuarters = "supervision_hours_each_quarter"

	// EQA, at submission.
	RuleCompletedCycles = "completed_cycles"          // full cycles of the programme completed
	RuleContactHours    = "contact_hours"             // contact hours of the programme
	RuleAllCategories   = "curriculum_all_categories" // the curriculum addresses all eight categories

	// Renewal, both schemes: when it may be submitted.
	RuleRenewalWindow = "renewal_window_months" // renewal opens this long before the award ends
	RuleRenewalGrace  = "renewal_grace_months"  // an award that ended can still renew this long after

	// Renewal, EIA: the evidence over the renewal period. The supervision
	// and CPD minimums hold in each year of the period; their names are
	// those of the first versions, which asked for the last year only (rule
	// names are never changed).
	RuleRenewalPractice    = "renewal_practice_hours"              // the practice log's hours over the period
	RuleRenewalSupervision = "renewal_supervision_hours_last_year" // supervision hours in each year of the period
	RuleRenewalCPD         = "renewal_cpd_hours_last_year"         // CPD hours in each year of the period
	RuleRenewalReflection  = "renewal_reflection"                  // a reflection on the period
	// RuleRenewalSupervisionQuarters is the published renewal supervision
	// rule: at least this many hours in each quarter of the period
	// (RenewalYear.SupervisionHoursByQuarter), in place of
	// RuleRenewalSupervision's hours in each year, from eia-2027-1.
	RuleRenewalSupervisionQuarters = "renewal_supervision_hours_each_quarter"

	// RuleRenewalAims (EQA) is that the provider's renewal shows each of
	// the five published aims (RenewalAims), a statement on each.
	RuleRenewalAims = "renewal_aims"

	// RuleFee is the fee of an application at a level, in EUR. Where it is
	// set (above 0) in the rule set a case is pinned to, the submitted case
	// awaits its payment before screening. No source publishes the amounts:
	// it ships unset, for the office to set.
	RuleFee = "fee"

	// Appeals, both schemes. Neither the EMCC nor NOBCO publishes them:
	// unset, an appeal has no deadline and a decision no limit on appeals.
	RuleAppealWindow       = "appeal_window_days"   // an appeal is filed within this many days of the decision
	RuleAppealsPerDecision = "appeals_per_decision" // how many times one decision may be appealed

	// RuleInterview (EIA, 1: required) is whether the assessors interview
	// an applicant at a level. RulePanelQuorum (both schemes) is how many
	// members an awarding panel has at least: nobody publishes one, so it
	// ships unset, which is 1.
	RuleInterview   = "interview"
	RulePanelQuorum = "panel_quorum"

	// RuleRuleSet is reported when no rule set applies to the case's scheme
	// and level (a configuration error).
	RuleRuleSet = "rule_set"
)

// RuleRenewalAim names the EQA renewal rule that aim is addressed.
func RuleRenewalAim(aim RenewalAim) string { return "renewal_aim_" + string(aim) }

// RuleCurriculumCategory names the EQA rule that the curriculum addresses
// category n.
func RuleCurriculumCategory(n int) string { return fmt.Sprintf("curriculum_category_%d", n) }

// RuleEvidence names the rule that the portfolio holds a number of items
// of evidence of kind: "evidence_case_study". The checklist counts the
// items uploaded, not a figure typed in.
func RuleEvidence(kind EvidenceKind) string { return "evidence_" + string(kind) }

// RuleCategoryAddressed names the submission rule that category n is
// addressed by evidence or a self-assessment statement.
func RuleCategoryAddressed(n int) string {
	if n >= 1 && n <= framework.NumCategories {
		return categoryAddressed[n] // every case view lists the unaddressed ones
	}
	return fmt.Sprintf("category_%d_addressed", n)
}

var categoryAddressed = func() (names [framework.NumCategories + 1]string) {
	for n := 1; n <= framework.NumCategories; n++ {
		names[n] = fmt.Sprintf("category_%d_addressed", n)
	}
	return names
}()

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

// Unit is what a rule's value counts.
type Unit string

// The units of the rules.
const (
	UnitYears    Unit = "years"
	UnitHours    Unit = "hours"
	UnitClients  Unit = "clients"
	UnitItems    Unit = "items"
	UnitCycles   Unit = "cycles"
	UnitMonths   Unit = "months"
	UnitDays     Unit = "days"
	UnitTimes    Unit = "times"
	UnitMembers  Unit = "members"
	UnitRequired Unit = "required" // 1: required; 0: not
	UnitEUR      Unit = "eur"      // an amount in euros, to the cent
)

// Rule is one rule of a rule set: its value per level, its unit and the
// source of its figures. A level without a value is not set there: the rule
// does not apply at that level and never blocks. Source is the publication
// the figures come from, or "set by the office on <date>"; a shipped figure
// always has one.
type Rule struct {
	Name   string                      `json:"name"`
	Unit   Unit                        `json:"unit"`
	Values map[framework.Level]float64 `json:"values,omitempty"`
	Source string                      `json:"source,omitempty"`
	// Graduates are the figures for an applicant who graduated from an
	// EQA-accredited programme (the graduate route), where they differ: a
	// level without one is as for everyone. Nobody publishes what the
	// route changes, so none ship.
	Graduates map[framework.Level]float64 `json:"graduates,omitempty"`
}

// Value returns the rule's value at level l; false when it is not set.
func (r Rule) Value(l framework.Level) (float64, bool) {
	v, ok := r.Values[l]
	return v, ok
}

// The declarations an applicant confirms, by key.
const (
	DeclarationCodeOfEthics = "code_of_ethics" // works to the Global Code of Ethics
	DeclarationDiversity    = "diversity"      // works to a diversity policy
)

// Declarations are the keys a rule set may ask to confirm.
var Declarations = []string{DeclarationCodeOfEthics, DeclarationDiversity}

// RuleDeclaration names the rule that declaration key is confirmed.
func RuleDeclaration(key string) string { return "declaration_" + key }

// Declaration is a statement the applicant confirms at submission and at
// renewal. Its text is part of the rule set; Version goes up whenever the
// text changes, and the event of a confirmation records it.
type Declaration struct {
	Key     string            `json:"key"`
	Version int               `json:"version"`
	Text    map[string]string `json:"text"` // by language: en, nl
	Source  string            `json:"source,omitempty"`
}

// DeclarationConfirmed is one declaration as confirmed: which version, when.
type DeclarationConfirmed struct {
	Key         string    `json:"key"`
	Version     int       `json:"version"`
	ConfirmedAt time.Time `json:"confirmed_at"`
}

// RuleDef is a rule the code knows how to check: its name and unit. A rule
// set lists exactly the rules of its scheme; the office sets their values
// and sources, never their meaning.
type RuleDef struct {
	Name string `json:"name"`
	Unit Unit   `json:"unit"`
}

// ruleDefs are the rules of each scheme in the order they are checked and
// shown: submission first, then renewal.
var ruleDefs = map[Scheme][]RuleDef{
	SchemeEIA: {
		{RuleYearsPractising, UnitYears},
		{RuleClientHours, UnitHours},
		{RuleClientCount, UnitClients},
		{RuleFeedbackItems, UnitItems},
		{RuleReflectionItems, UnitItems},
		{RuleCPDHours, UnitHours},
		{RuleSupervisionHours, UnitHours},
		{RuleSupervisionQuarters, UnitHours},
		{RuleProfessionalBody, UnitRequired},
		{RuleRenewalWindow, UnitMonths},
		{RuleRenewalGrace, UnitMonths},
		{RuleRenewalPractice, UnitHours},
		{RuleRenewalSupervision, UnitHours},
		{RuleRenewalSupervisionQuarters, UnitHours},
		{RuleRenewalCPD, UnitHours},
		{RuleRenewalReflection, UnitRequired},
		{RuleFee, UnitEUR},
		{RuleInterview, UnitRequired},
		{RulePanelQuorum, UnitMembers},
		{RuleAppealWindow, UnitDays},
		{RuleAppealsPerDecision, UnitTimes},
	},
	SchemeEQA: {
		{RuleCompletedCycles, UnitCycles},
		{RuleContactHours, UnitHours},
		{RuleAllCategories, UnitRequired},
		{RuleRenewalWindow, UnitMonths},
		{RuleRenewalGrace, UnitMonths},
		{RuleRenewalAims, UnitRequired},
		{RuleFee, UnitEUR},
		{RulePanelQuorum, UnitMembers},
		{RuleAppealWindow, UnitDays},
		{RuleAppealsPerDecision, UnitTimes},
	},
}

// The written portfolio's rules: a number of items of each of the
// scheme's portfolio kinds, after the scheme's other submission rules.
func init() {
	for scheme, kinds := range portfolioKinds {
		var defs []RuleDef
		for _, k := range kinds {
			defs = append(defs, RuleDef{RuleEvidence(k), UnitItems})
		}
		all := ruleDefs[scheme]
		at := slices.IndexFunc(all, func(d RuleDef) bool { return d.Name == RuleRenewalWindow })
		ruleDefs[scheme] = slices.Concat(all[:at], defs, all[at:])
	}
}

// RuleDefs returns the rules of scheme, in order.
func RuleDefs(scheme Scheme) []RuleDef { return slices.Clone(ruleDefs[scheme]) }

// RuleSet is one version of the rules of one scheme.
type RuleSet struct {
	ID            string        `json:"id"`
	Scheme        Scheme        `json:"scheme"`
	EffectiveFrom time.Time     `json:"effective_from"`
	Rules         []Rule        `json:"rules"`
	Declarations  []Declaration `json:"declarations,omitempty"`
}

// Rule returns the rule called name.
func (r RuleSet) Rule(name string) (Rule, bool) {
	for _, x := range r.Rules {
		if x.Name == name {
			return x, true
		}
	}
	return Rule{}, false
}

// Value returns the value of rule name at level l; false when not set.
func (r RuleSet) Value(name string, l framework.Level) (float64, bool) {
	x, ok := r.Rule(name)
	if !ok {
		return 0, false
	}
	return x.Value(l)
}

// Clone returns a deep copy.
func (r RuleSet) Clone() RuleSet {
	n := r
	n.Rules = make([]Rule, len(r.Rules))
	for i, x := range r.Rules {
		x.Values = maps.Clone(x.Values)
		x.Graduates = maps.Clone(x.Graduates)
		n.Rules[i] = x
	}
	n.Declarations = make([]Declaration, len(r.Declarations))
	for i, d := range r.Declarations {
		d.Text = maps.Clone(d.Text)
		n.Declarations[i] = d
	}
	return n
}

// confirm checks that keys confirm every declaration of the rule set: it
// returns the confirmations to record at now, and the declarations not
// confirmed as unmet rules. Keys the rule set does not ask for are ignored.
func (r RuleSet) confirm(keys []string, now time.Time) ([]DeclarationConfirmed, []Unmet) {
	var done []DeclarationConfirmed
	var unmet []Unmet
	for _, d := range r.Declarations {
		if slices.Contains(keys, d.Key) {
			done = append(done, DeclarationConfirmed{Key: d.Key, Version: d.Version, ConfirmedAt: now.UTC()})
		} else {
			unmet = append(unmet, Unmet{Rule: RuleDeclaration(d.Key), Required: true, Given: false})
		}
	}
	return done, unmet
}

// RuleSets are every version of the rules, of both schemes, in any order.
type RuleSets []RuleSet

// InForce returns the rule set of scheme in force at t: the one with the
// latest EffectiveFrom at or before t (of two on one day, the later in the
// list, i.e. the later published). It returns the zero RuleSet (ID "") when
// none is in force yet.
func (rs RuleSets) InForce(scheme Scheme, t time.Time) RuleSet {
	var best RuleSet
	for _, r := range rs {
		if r.Scheme != scheme || r.EffectiveFrom.After(t) {
			continue
		}
		if best.ID == "" || !r.EffectiveFrom.Before(best.EffectiveFrom) {
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

// Of returns the versions of scheme, in the order given.
func (rs RuleSets) Of(scheme Scheme) RuleSets {
	var out RuleSets
	for _, r := range rs {
		if r.Scheme == scheme {
			out = append(out, r)
		}
	}
	return out
}

// Complete returns r with the rules the code learnt after r was published
// as they stood before they were rules: the interview at InterviewLevels.
// The rules it lacks otherwise (the appeal, fee or quorum rules) were
// unset before, as a missing rule reads. Every rule set read from the
// store passes through it, so that "unset" always means what it says.
func (r RuleSet) Complete() RuleSet {
	if r.Scheme == SchemeEIA {
		if _, ok := r.Rule(RuleInterview); !ok {
			r = r.Clone()
			learnt := interviewRule()
			learnt.Source = "the levels interviewed before the rule sets held them: " + SourceInterview
			r.Rules = append(r.Rules, learnt)
		}
	}
	return r
}

// ForGraduates returns the rules as they hold for a graduate of an
// EQA-accredited programme: each rule's Graduates figures in place of its
// own at the levels that have them.
func (r RuleSet) ForGraduates() RuleSet {
	n := r.Clone()
	for i, x := range n.Rules {
		if len(x.Graduates) == 0 {
			continue
		}
		if x.Values == nil {
			x.Values = map[framework.Level]float64{}
		}
		maps.Copy(x.Values, x.Graduates)
		n.Rules[i] = x
	}
	return n
}

// Interviews reports whether the rule set has the assessors interview an
// applicant of scheme at level.
func (r RuleSet) Interviews(scheme Scheme, level framework.Level) bool {
	v, ok := r.Value(RuleInterview, level)
	return scheme == SchemeEIA && ok && v == 1
}

// PanelQuorum is how many members an awarding panel at level has at
// least: the rule set's figure, 1 when unset.
func (r RuleSet) PanelQuorum(level framework.Level) int {
	if v, ok := r.Value(RulePanelQuorum, level); ok && v >= 1 {
		return int(v)
	}
	return 1
}

// unsetAppealRules are the appeal rules, which nobody publishes: until the
// office sets them an appeal has no deadline and no limit. (Until 2026 the
// code held an invented 30 days and one appeal per decision; a decision
// recorded then keeps those terms, see Decision.Appeal.)
func unsetAppealRules() []Rule {
	return []Rule{{Name: RuleAppealWindow, Unit: UnitDays}, {Name: RuleAppealsPerDecision, Unit: UnitTimes}}
}

// AppealTerms are the appeal rules of the case's rule set at its level,
// which a decision records when it is made: zero is unset (no deadline, no
// limit).
func (c *Case) AppealTerms(rs RuleSets, now time.Time) (AppealTerms, error) {
	if !c.Exists() {
		return AppealTerms{}, nil // the command's guard says it does not exist
	}
	r, err := c.ruleSet(rs, now)
	if err != nil {
		return AppealTerms{}, err
	}
	var t AppealTerms
	if v, ok := r.Value(RuleAppealWindow, c.Level); ok {
		t.WithinDays = int(v)
	}
	if v, ok := r.Value(RuleAppealsPerDecision, c.Level); ok {
		t.Allowed = int(v)
	}
	return t, nil
}

// PanelQuorum is the quorum of the case's awarding panel: its rule set's
// at its level (RuleSet.PanelQuorum).
func (c *Case) PanelQuorum(rs RuleSets, now time.Time) (int, error) {
	if !c.Exists() {
		return 1, nil // the command's guard says it does not exist
	}
	r, err := c.ruleSet(rs, now)
	if err != nil {
		return 0, err
	}
	return r.PanelQuorum(c.Level), nil
}

// unsetEvidenceRules are the written portfolio's rules of scheme, unset.
// The shipped sets were in force before the portfolio was counted, and a
// case pinned to them keeps its rules; the office sets the figures the EMCC
// publishes (EIA: a case study, 5 learning journals, 5 client feedback
// items, nobco.nl/wat-moet-je-aantonen-voor-eia-certificering) in a new
// version.
func unsetEvidenceRules(scheme Scheme) []Rule {
	var out []Rule
	for _, k := range portfolioKinds[scheme] {
		out = append(out, Rule{Name: RuleEvidence(k), Unit: UnitItems})
	}
	return out
}

// evaluatePortfolio checks the written portfolio's rules set at level: the
// items of evidence of each kind against the number required. It appends
// the results to out.
func (r RuleSet) evaluatePortfolio(out []RuleResult, scheme Scheme, level framework.Level, evidence []Evidence) []RuleResult {
	for _, k := range portfolioKinds[scheme] {
		req, ok := r.Value(RuleEvidence(k), level)
		if !ok {
			continue
		}
		n := 0
		for _, e := range evidence {
			if e.Kind == k {
				n++
			}
		}
		out = append(out, RuleResult{Rule: RuleEvidence(k), Required: req, Given: float64(n), Met: float64(n) >= req})
	}
	return out
}

// Fee is the fee the rule set asks of an application at level; 0 when
// none is set (no payment step).
func (r RuleSet) Fee(level framework.Level) float64 {
	v, _ := r.Value(RuleFee, level)
	return v
}

// FormatEUR writes an amount in euros as the domain's messages do: "450",
// "450.50".
func FormatEUR(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// levels maps the four levels, in order, to their values.
func levels(f, p, s, m float64) map[framework.Level]float64 {
	return map[framework.Level]float64{framework.Foundation: f, framework.Practitioner: p,
		framework.SeniorPractitioner: s, framework.MasterPractitioner: m}
}

// Covers reports whether the rule set is the rules of scheme (at any of
// the levels: a level whose rules are all unset has no requirements).
func (r RuleSet) Covers(scheme Scheme, level framework.Level) bool {
	return r.ID != "" && r.Scheme == scheme && level.Valid()
}

// Check returns the rules of scheme at level that portfolio p does not meet
// as of asOf, in a fixed order; none when it is eligible.
func (r RuleSet) Check(p Portfolio, scheme Scheme, level framework.Level, asOf time.Time) []Unmet {
	return appendUnmet(nil, r.Evaluate(p, scheme, level, asOf))
}

// appendUnmet appends the results that are not met to out, as unmet rules.
func appendUnmet(out []Unmet, results []RuleResult) []Unmet {
	for _, r := range results {
		if !r.Met {
			out = append(out, Unmet{Rule: r.Rule, Required: r.Required, Given: r.Given})
		}
	}
	return out
}

// resultsRoom is the capacity Evaluate starts its results with.
const resultsRoom = 16

// Evaluate returns every submission rule of scheme set at level, checked
// against p as of asOf, in a fixed order. A rule not set at level is left
// out: it does not apply.
func (r RuleSet) Evaluate(p Portfolio, scheme Scheme, level framework.Level, asOf time.Time) []RuleResult {
	// Room for every rule a scheme has and the evidence rules appended
	// after them (Case.evaluate): growing the slice was most of what it
	// allocated.
	return r.evaluate(make([]RuleResult, 0, resultsRoom), p, scheme, level, asOf)
}

// evaluate is Evaluate appending to out.
func (r RuleSet) evaluate(out []RuleResult, p Portfolio, scheme Scheme, level framework.Level, asOf time.Time) []RuleResult {
	if !r.Covers(scheme, level) {
		return append(out, RuleResult{Rule: RuleRuleSet, Required: fmt.Sprintf("%s %s", scheme, level), Given: r.ID})
	}
	atLeast := func(rule string, given float64) {
		if req, ok := r.Value(rule, level); ok {
			out = append(out, RuleResult{Rule: rule, Required: req, Given: given, Met: given >= req})
		}
	}
	flag := func(rule string, required, given bool) RuleResult {
		return RuleResult{Rule: rule, Required: required, Given: given, Met: given || !required}
	}
	required := func(rule string) bool {
		v, ok := r.Value(rule, level)
		return ok && v != 0
	}
	if scheme == SchemeEIA {
		atLeast(RuleYearsPractising, float64(p.FirstPracticeDate.FullYearsTo(asOf)))
		atLeast(RuleClientHours, p.ClientHours)
		atLeast(RuleClientCount, float64(p.ClientCount))
		atLeast(RuleFeedbackItems, float64(p.FeedbackItemsLast12m))
		atLeast(RuleReflectionItems, float64(p.ReflectionItemsLast12m))
		atLeast(RuleCPDHours, p.CPDHoursLastYear)
		atLeast(RuleSupervisionHours, p.SupervisionHoursLastYear)
		atLeast(RuleSupervisionQuarters, p.leastSupervisedQuarter())
		if required(RuleProfessionalBody) {
			out = append(out, flag(RuleProfessionalBody, true, p.ProfessionalBodyMember))
		}
		return out
	}
	atLeast(RuleCompletedCycles, float64(p.CompletedCycles))
	atLeast(RuleContactHours, p.ContactHours)
	if required(RuleAllCategories) {
		covered := p.curriculumCategories()
		for n := range categoryNumbers() {
			out = append(out, flag(RuleCurriculumCategory(n), true, slices.Contains(covered, n)))
		}
	}
	return out
}
