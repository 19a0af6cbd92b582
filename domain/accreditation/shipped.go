package accreditation

import (
	"maps"
	"slices"
	"time"

	"github.com/emcc/accredit/domain/framework"
)

// The ids of the shipped rule sets. Until 2026 one rule set held both
// schemes under the EIA id; a case of either scheme that names it is pinned
// to its own scheme's shipped set (see PinnedID).
const (
	DefaultEIAID = "eia-2024-1"
	DefaultEQAID = "eqa-2024-1"
)

// SupervisionRuleSetID is the shipped EIA version that carries the
// published supervision rule, at least 1 h in each of the last four
// quarters (RuleSupervisionQuarters), in place of the 4 h over the last
// year that eia-2024-1 counted. It takes effect on SupervisionRuleFrom, the
// first day of a quarter: a case submitted before stays pinned to the
// version it was submitted under, and is judged as it was. It is the
// shipped history's second version; where the office published a version
// before it shipped, the office's versions hold and the office sets the
// rule in one of its own (rulesets.Service).
const SupervisionRuleSetID = "eia-2027-1"

// SupervisionRuleFrom is the day SupervisionRuleSetID takes effect.
var SupervisionRuleFrom = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

// PinnedID is the id of the rule set a case of scheme pinned to id is held
// to: the old combined id read on an EQA case means the EQA set.
func PinnedID(scheme Scheme, id string) string {
	if scheme == SchemeEQA && id == DefaultEIAID {
		return DefaultEQAID
	}
	return id
}

// The publications the shipped figures come from (DESIGN.md §3).
const (
	SourceEIALevels      = "coacharya.com/emcc-2; emccapr.org (levels of accreditation for EIA); nobco.nl/keurmerk/EIA-niveaus"
	SourceEIASupervision = SourceEIALevels + " (supervision at least 1 h a quarter)"
	SourceEIARenewal     = "nobco.nl/keurmerk/EIA_verlenging (supervision at least 1 h a quarter, CPD every year); CPD 16 h a year: nobco.nl/keurmerk/EIA-niveaus"
	SourceEIAPracticeLog = "nobco.nl/keurmerk/EIA_verlenging: a practice log over the 5 years of 50/100/100/100 hours (Foundation/Practitioner/Senior/Master)"
	SourceEIAReflection  = "nobco.nl/keurmerk/EIA_verlenging: a reflection of about 500 words"
	SourceEQARenewal     = "nobco.nl/opleidingen/eqa-verlenging: still run, student feedback used, quality assurance, students assessed on EMCC criteria, the ethics code"
	SourceEQA            = `coaching-at-work.com (2007/11/02, "prize possession"): at least one completed cycle`
	SourceFramework      = "EMCC Competence Framework V3: a programme is placed at an EQA level against its eight categories"
	SourceEIAEthics      = "nobco.nl/keurmerk/EIA-niveaus: working to the Global Code of Ethics and a diversity policy is required, demonstrably, at every level"
	SourceEQAEthics      = "nobco.nl/opleidingen/eqa-verlenging: the ethics code"
	SourceInterview      = "Senior and Master Practitioner applicants are interviewed, as holders of the award report it (personal accounts); to be confirmed by the office"
)

// The texts of the shipped declarations.
var (
	ethicsText = map[string]string{
		"en": "I work to the Global Code of Ethics for coaches, mentors and supervisors, and will go on doing so.",
		"nl": "Ik werk volgens de Global Code of Ethics voor coaches, mentoren en supervisoren, en blijf dat doen.",
	}
	diversityText = map[string]string{
		"en": "I work to a diversity policy and can show how I put it into practice.",
		"nl": "Ik werk volgens een diversiteitsbeleid en kan laten zien hoe ik dat in de praktijk breng.",
	}
)

// DefaultRuleSets returns the rule sets the system ships with: one per
// scheme in force from 2024-01-01, then SupervisionRuleSetID (EIA, from
// SupervisionRuleFrom), the first with supervision by quarter as
// published. Each holds only figures the EMCC or
// NOBCO publish, with the publication as its source; a figure nobody
// publishes (the EQA contact hours, the renewal window and grace period, the fee) ships unset, for the
// office to set. The office publishes later versions (domain/rulesets);
// these are never edited, so that the cases pinned to them keep their rules.
//
// Until 2026 the shipped set also held EQA contact-hour minimums
// (16/60/120/180) and a 6-month renewal window that no source gives. They
// were dropped from it rather than kept for the cases pinned to it: an
// invented figure was never a rule the EMCC set, and dropping one only
// lifts a requirement.
func DefaultRuleSets() RuleSets {
	sets := firstRuleSets()
	return append(sets, supervisionByQuarter(sets[0]))
}

// supervisionByQuarter is the shipped version SupervisionRuleSetID: the
// first EIA version with the supervision rule as published, 1 h in each of
// the last four quarters, in place of 4 h over the year, and at renewal 1 h
// in each quarter of the period, in place of 4 h in each year. Nothing
// else changes.
func supervisionByQuarter(first RuleSet) RuleSet {
	r := first.Clone()
	r.ID, r.EffectiveFrom = SupervisionRuleSetID, SupervisionRuleFrom
	for i, x := range r.Rules {
		switch x.Name {
		case RuleSupervisionHours, RuleRenewalSupervision:
			r.Rules[i] = Rule{Name: x.Name, Unit: x.Unit}
		case RuleSupervisionQuarters:
			r.Rules[i] = rule(x.Name, x.Unit, levels(1, 1, 1, 1), SourceEIASupervision)
		case RuleRenewalSupervisionQuarters:
			r.Rules[i] = rule(x.Name, x.Unit, levels(1, 1, 1, 1), SourceEIARenewal)
		}
	}
	return r
}

// firstRuleSets are the versions shipped first, one per scheme, in force
// from 2024-01-01: the EIA one first.
func firstRuleSets() RuleSets {
	all := func(v float64) map[framework.Level]float64 {
		return levels(v, v, v, v)
	}
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return RuleSets{
		{ID: DefaultEIAID, Scheme: SchemeEIA, EffectiveFrom: from, Rules: slices.Concat([]Rule{
			rule(RuleYearsPractising, UnitYears, levels(1, 3, 5, 7), SourceEIALevels),
			rule(RuleClientHours, UnitHours, levels(50, 100, 250, 500), SourceEIALevels),
			rule(RuleClientCount, UnitClients, levels(5, 10, 20, 40), SourceEIALevels),
			rule(RuleFeedbackItems, UnitItems, all(5), SourceEIALevels),
			rule(RuleReflectionItems, UnitItems, all(5), SourceEIALevels),
			rule(RuleCPDHours, UnitHours, all(16), SourceEIALevels),
			rule(RuleSupervisionHours, UnitHours, all(4), SourceEIALevels+" (1 h a quarter)"),
			{Name: RuleSupervisionQuarters, Unit: UnitHours},
			rule(RuleProfessionalBody, UnitRequired, all(1), SourceEIALevels),
		}, unsetEvidenceRules(SchemeEIA), []Rule{
			{Name: RuleRenewalWindow, Unit: UnitMonths},
			{Name: RuleRenewalGrace, Unit: UnitMonths},
			rule(RuleRenewalPractice, UnitHours, levels(50, 100, 100, 100), SourceEIAPracticeLog),
			rule(RuleRenewalSupervision, UnitHours, all(4), SourceEIARenewal),
			{Name: RuleRenewalSupervisionQuarters, Unit: UnitHours},
			rule(RuleRenewalCPD, UnitHours, all(16), SourceEIARenewal),
			rule(RuleRenewalReflection, UnitRequired, all(1), SourceEIAReflection),
			{Name: RuleFee, Unit: UnitEUR},
			interviewRule(),
			{Name: RulePanelQuorum, Unit: UnitMembers},
		}, unsetAppealRules()), Declarations: []Declaration{
			{Key: DeclarationCodeOfEthics, Version: 1, Text: maps.Clone(ethicsText), Source: SourceEIAEthics},
			{Key: DeclarationDiversity, Version: 1, Text: maps.Clone(diversityText), Source: SourceEIAEthics},
		}},
		{ID: DefaultEQAID, Scheme: SchemeEQA, EffectiveFrom: from, Rules: slices.Concat([]Rule{
			rule(RuleCompletedCycles, UnitCycles, all(1), SourceEQA),
			{Name: RuleContactHours, Unit: UnitHours},
			rule(RuleAllCategories, UnitRequired, all(1), SourceFramework),
		}, unsetEvidenceRules(SchemeEQA), []Rule{
			{Name: RuleRenewalWindow, Unit: UnitMonths},
			{Name: RuleRenewalGrace, Unit: UnitMonths},
			rule(RuleRenewalAims, UnitRequired, all(1), SourceEQARenewal),
			{Name: RuleFee, Unit: UnitEUR},
			{Name: RulePanelQuorum, Unit: UnitMembers},
		}, unsetAppealRules()), Declarations: []Declaration{
			// The provider confirms the code for the programme; no source
			// asks a programme for a diversity declaration.
			{Key: DeclarationCodeOfEthics, Version: 1, Text: map[string]string{
				"en": "The programme is run to the Global Code of Ethics for coaches, mentors and supervisors, and teaches it.",
				"nl": "De opleiding werkt volgens de Global Code of Ethics voor coaches, mentoren en supervisoren, en onderwijst die.",
			}, Source: SourceEQAEthics},
		}},
	}
}

// rule is a shipped rule: its figures by level and their source.
func rule(name string, unit Unit, values map[framework.Level]float64, source string) Rule {
	return Rule{Name: name, Unit: unit, Values: values, Source: source}
}

// interviewRule is the interview rule as shipped: Senior and Master
// Practitioner (InterviewLevels), as holders report it.
func interviewRule() Rule {
	values := levels(0, 0, 0, 0)
	for _, l := range InterviewLevels {
		values[l] = 1
	}
	return rule(RuleInterview, UnitRequired, values, SourceInterview)
}
