package accreditation

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// Open opens the case for the acting applicant. The case must not exist yet.
// Errors: Conflict (exists), Forbidden (not an applicant), Invalid.
func (c *Case) Open(actor domain.Actor, now time.Time, in OpenInput) ([]aggregate.Change, error) {
	if c.Exists() {
		return nil, domain.Errorf(domain.Conflict, "cannot open: case %q already exists (state %q)", c.ID, c.State)
	}
	if actor.Role != domain.RoleApplicant || actor.ID == "" {
		return nil, forbidden(ActionOpen, "only an applicant may open a case")
	}
	var f fields
	id := c.ID
	switch {
	case id == "":
		id = in.CaseID
	case in.CaseID != "" && in.CaseID != id:
		f.add("case_id", "does not match the case id %q", id)
	}
	if !validID(id) {
		f.add("case_id", "required: letters, digits, '-' and '_', at most 100")
	}
	if !in.Scheme.Valid() {
		f.add("scheme", "must be EIA or EQA")
	}
	if !in.Level.Valid() {
		f.add("level", "must be one of %s", domain.List(framework.Levels))
	}
	lang := strings.ToLower(strings.TrimSpace(in.Language))
	if !domain.AssignedLanguage(lang) {
		f.add("language", "must be a two-letter language code such as en or nl")
	}
	switch in.Scheme {
	case SchemeEQA:
		f.required("programme.name", in.ProgrammeName)
		f.required("programme.provider", in.ProgrammeProvider)
	case SchemeEIA:
		if !in.ProgrammeName.IsZero() {
			f.add("programme.name", "only for an EQA application")
		}
		if !in.ProgrammeProvider.IsZero() {
			f.add("programme.provider", "only for an EQA application")
		}
	}
	if err := f.err(ActionOpen); err != nil {
		return nil, err
	}
	return one(CaseOpened{
		CaseID: id, Scheme: in.Scheme, Level: in.Level, Language: lang, ApplicantID: actor.ID,
		ProgrammeName: in.ProgrammeName, ProgrammeProvider: in.ProgrammeProvider,
	}), nil
}

// UpdatePortfolio replaces the portfolio. Only the fields of the case's
// scheme may be set. Errors: NotFound, Forbidden, Conflict, Invalid.
func (c *Case) UpdatePortfolio(actor domain.Actor, now time.Time, p Portfolio) ([]aggregate.Change, error) {
	if err := c.guard(ActionUpdatePortfolio, actor, now, nil); err != nil {
		return nil, err
	}
	cat, err := c.frameworkCatalogue()
	if err != nil {
		return nil, err
	}
	var f fields
	p = clonePortfolio(p)
	eia := map[string]bool{
		"first_practice_date":          !p.FirstPracticeDate.IsZero(),
		"client_hours":                 p.ClientHours != 0,
		"client_count":                 p.ClientCount != 0,
		"cpd_hours_last_year":          p.CPDHoursLastYear != 0,
		"supervision_hours_last_year":  p.SupervisionHoursLastYear != 0,
		"supervision_hours_by_quarter": len(p.SupervisionHoursByQuarter) > 0,
		"feedback_items_last_12m":      p.FeedbackItemsLast12m != 0,
		"reflection_items_last_12m":    p.ReflectionItemsLast12m != 0,
		"professional_body_member":     p.ProfessionalBodyMember,
		"eqa_programme":                p.EQAProgramme != "",
	}
	eqa := map[string]bool{
		"contact_hours":    p.ContactHours != 0,
		"completed_cycles": p.CompletedCycles != 0,
		"curriculum":       len(p.Curriculum) > 0,
	}
	other := eqa
	if c.Scheme == SchemeEQA {
		other = eia
	}
	for _, name := range slices.Sorted(maps.Keys(other)) {
		if other[name] {
			f.add(name, "not part of an %s portfolio", c.Scheme)
		}
	}
	switch {
	case p.FirstPracticeDate.After(DateOf(now.UTC())):
		f.add("first_practice_date", "must not be in the future")
	case !p.FirstPracticeDate.IsZero() && DateOf(limits.EarliestPractice).After(p.FirstPracticeDate):
		f.add("first_practice_date", "must not be before %s", limits.EarliestPractice.Format(time.DateOnly))
	}
	if p.EQAProgramme != "" && !domain.ValidULID(p.EQAProgramme) {
		f.add("eqa_programme", "an accreditation id from the register")
	}
	f.within("client_hours", p.ClientHours, limits.Hours)
	f.within("client_count", float64(p.ClientCount), limits.Count)
	f.within("cpd_hours_last_year", p.CPDHoursLastYear, limits.HoursInAYear)
	f.within("supervision_hours_last_year", p.SupervisionHoursLastYear, limits.HoursInAYear)
	if n := len(p.SupervisionHoursByQuarter); n != 0 && n != Quarters {
		f.add("supervision_hours_by_quarter", "the hours of each of the last %d quarters, oldest first: %d numbers, not %d", Quarters, Quarters, n)
	}
	for i, h := range p.SupervisionHoursByQuarter {
		f.within(fmt.Sprintf("supervision_hours_by_quarter[%d]", i), h, limits.HoursInAQuarter)
	}
	f.within("feedback_items_last_12m", float64(p.FeedbackItemsLast12m), limits.Count)
	f.within("reflection_items_last_12m", float64(p.ReflectionItemsLast12m), limits.Count)
	f.within("contact_hours", p.ContactHours, limits.Hours)
	f.within("completed_cycles", float64(p.CompletedCycles), limits.Cycles)
	if e := limits.Curriculum.List("curriculum", len(p.Curriculum)); e != nil {
		f.add(e.Field, "%s", e.Reason)
	}
	for i := range p.Curriculum {
		it := &p.Curriculum[i]
		field := fmt.Sprintf("curriculum[%d]", i)
		if e := limits.Indicators.List(field+".indicators", len(it.Indicators)); e != nil {
			f.add(e.Field, "%s", e.Reason)
		}
		// At or below the programme's level, as the page offers them: the
		// curriculum is mapped at the level applied for.
		if f.category(field+".category", it.Category) {
			it.Indicators = f.indicators(cat, field+".indicators", it.Indicators, it.Category, c.Level)
		}
		f.required(field+".description", it.Description)
	}
	if err := f.err(ActionUpdatePortfolio); err != nil {
		return nil, err
	}
	return one(PortfolioUpdated{Portfolio: p}), nil
}

// MayAddEvidence is AddEvidence's first check, without the file: whether
// actor may add evidence to the case, and the case take it now. The
// service asks it before it reads an upload's file, so that one refused
// for who sends it or for the case's state is answered before its body is
// read, spooled and judged; AddEvidence checks it again as it decides.
// Errors: those of AddEvidence's guard (NotFound, Forbidden, Conflict).
func (c *Case) MayAddEvidence(actor domain.Actor, now time.Time) error {
	return c.guard(ActionAddEvidence, actor, now, nil)
}

// AddEvidence records a file of evidence the service has stored. An
// indicator adds its own category; the event lists the union. Allowed in
// draft and returned, and while information is requested. Errors: NotFound,
// Forbidden, Conflict (state, or the id is taken), Invalid.
func (c *Case) AddEvidence(actor domain.Actor, now time.Time, in EvidenceInput) ([]aggregate.Change, error) {
	if err := c.MayAddEvidence(actor, now); err != nil {
		return nil, err
	}
	cat, err := c.frameworkCatalogue()
	if err != nil {
		return nil, err
	}
	var f fields
	if !validID(in.ID) {
		f.add("id", "required: letters, digits, '-' and '_', at most 100")
	} else if c.evidence(in.ID) != nil {
		return nil, domain.Errorf(domain.Conflict, "cannot add evidence: evidence %q already exists", in.ID)
	}
	cats, inds := c.describeEvidence(&f, cat, in.Kind, in.Title, in.Categories, in.Indicators)
	f.required("file_name", in.FileName)
	if strings.TrimSpace(in.ContentType) == "" {
		f.add("content_type", "required")
	}
	if in.Size <= 0 {
		f.add("size", "must be more than 0")
	}
	sum := strings.ToLower(in.SHA256)
	if !isHex(sum, 64) {
		f.add("sha256", "must be 64 hexadecimal digits")
	}
	if strings.TrimSpace(in.Object) == "" {
		f.add("object", "required")
	}
	if err := f.err(ActionAddEvidence); err != nil {
		return nil, err
	}
	return one(EvidenceAdded{
		EvidenceID: in.ID, Kind: in.Kind, Title: in.Title, FileName: in.FileName,
		ContentType: strings.TrimSpace(in.ContentType), Size: in.Size, SHA256: sum, Object: in.Object,
		Categories: cats, Indicators: inds,
	}), nil
}

// describeEvidence checks what describes a file of evidence, as an upload
// and an edit give it, and returns its categories (with those of its
// indicators, sorted) and its indicators.
func (c *Case) describeEvidence(f *fields, cat *framework.Catalogue, kind EvidenceKind, title pii.Sealed, categories, indicators []int) (cats, inds []int) {
	if kinds := EvidenceKindsOf(c.Scheme); !slices.Contains(kinds, kind) {
		f.add("kind", "must be one of the kinds of %s evidence: %s", c.Scheme, domain.List(kinds))
	}
	f.required("title", title)
	cats = slices.Clone(categories)
	for i, n := range categories {
		f.category(fmt.Sprintf("categories[%d]", i), n)
	}
	// At or below the case's level, as the assessment's ratings cite them:
	// the pages offer no other, and a request that names one is refused
	// here rather than recorded for an assessor to meet.
	inds = f.indicators(cat, "indicators", indicators, 0, c.Level)
	for _, n := range inds {
		if ind, ok := cat.Indicator(n); ok {
			cats = append(cats, ind.Category)
		}
	}
	return sortedSet(cats), inds
}

// EditEvidence replaces the description of a file of evidence (kind, title,
// categories, indicators) while the application is with its applicant, so
// that a mistake is not mended by removing and uploading it again. The
// file stays. Errors: NotFound (case or evidence), Forbidden, Conflict,
// Invalid.
func (c *Case) EditEvidence(actor domain.Actor, now time.Time, in EditEvidenceInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionEditEvidence, actor, now, nil); err != nil {
		return nil, err
	}
	if c.evidence(in.ID) == nil {
		return nil, domain.Errorf(domain.NotFound, "cannot edit evidence: no evidence %q in case %q", in.ID, c.ID)
	}
	cat, err := c.frameworkCatalogue()
	if err != nil {
		return nil, err
	}
	var f fields
	cats, inds := c.describeEvidence(&f, cat, in.Kind, in.Title, in.Categories, in.Indicators)
	if err := f.err(ActionEditEvidence); err != nil {
		return nil, err
	}
	return one(EvidenceEdited{EvidenceID: in.ID, Kind: in.Kind, Title: in.Title, Categories: cats, Indicators: inds}), nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

func (c *Case) evidence(id string) *Evidence {
	for i := range c.Evidence {
		if c.Evidence[i].ID == id {
			return &c.Evidence[i]
		}
	}
	return nil
}

// RemoveEvidence removes a file of evidence from the application (its event
// stays in the history). Errors: NotFound (case or evidence), Forbidden,
// Conflict.
func (c *Case) RemoveEvidence(actor domain.Actor, now time.Time, in RemoveEvidenceInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionRemoveEvidence, actor, now, nil); err != nil {
		return nil, err
	}
	if c.evidence(in.ID) == nil {
		return nil, domain.Errorf(domain.NotFound, "cannot remove evidence: no evidence %q in case %q", in.ID, c.ID)
	}
	return one(EvidenceRemoved{EvidenceID: in.ID}), nil
}

// UpdateSelfAssessment sets or clears the statement on one category.
// Clearing a category without a statement records nothing. Errors:
// NotFound, Forbidden, Conflict, Invalid.
func (c *Case) UpdateSelfAssessment(actor domain.Actor, now time.Time, in SelfAssessmentInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionUpdateSelfAssessment, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	f.category("category", in.Category)
	if err := f.err(ActionUpdateSelfAssessment); err != nil {
		return nil, err
	}
	if _, has := c.SelfAssessment[in.Category]; in.Statement.IsZero() && !has {
		return nil, nil
	}
	return one(SelfAssessmentUpdated{Category: in.Category, Statement: in.Statement}), nil
}

// ruleSet returns the rule set the case is checked against: the pinned one
// once submitted, else the one in force at now.
func (c *Case) ruleSet(rs RuleSets, now time.Time) (RuleSet, error) {
	r, ok := RuleSet{}, false
	if c.RuleSetVersion != "" {
		if r, ok = rs.ByID(c.RuleSetVersion); !ok {
			return RuleSet{}, domain.Errorf(domain.Internal, "the case's rule set %q is not configured", c.RuleSetVersion)
		}
	} else if r = rs.InForce(c.Scheme, now); r.ID == "" {
		return RuleSet{}, domain.Errorf(domain.Internal, "no %s rule set in force at %s", c.Scheme, now.UTC().Format(time.RFC3339))
	}
	return c.forApplicant(r), nil
}

// forApplicant is r as it applies to this case's applicant: with the
// figures for graduates where they name the EQA programme they graduated
// from (README, EQA-graduate route), for the application and its renewals
// alike.
func (c *Case) forApplicant(r RuleSet) RuleSet {
	if c.Portfolio.EQAProgramme != "" {
		return r.ForGraduates()
	}
	return r
}

// addressed returns the categories addressed by evidence or a
// self-assessment statement, sorted.
func (c *Case) addressed() []int {
	var out []int
	for _, e := range c.Evidence {
		out = append(out, e.Categories...)
	}
	for n, s := range c.SelfAssessment {
		if !s.IsZero() {
			out = append(out, n)
		}
	}
	return sortedSet(out)
}

// unaddressed appends the categories not yet addressed, as unmet rules, to
// out; have are the ones addressed (addressed).
func unaddressed(out []Unmet, have []int) []Unmet {
	for n := range categoryNumbers() {
		if !slices.Contains(have, n) {
			out = append(out, Unmet{Rule: RuleCategoryAddressed(n), Required: true, Given: false})
		}
	}
	return out
}

// evaluate checks every submission rule of rs set at the case's level: the
// portfolio's figures, then the items of evidence of each kind. It appends
// the results to out.
func (c *Case) evaluate(out []RuleResult, rs RuleSet, now time.Time) []RuleResult {
	return rs.evaluatePortfolio(rs.evaluate(out, c.Portfolio, c.Scheme, c.Level, now), c.Scheme, c.Level, c.Evidence)
}

// Submit submits the case: the portfolio must meet every eligibility rule of
// the rule set (the one in force at now, or the one pinned at an earlier
// submission), every category must be addressed by evidence or a
// self-assessment statement, and in must confirm every declaration of the
// rule set. The event pins the rule set and records every rule as checked
// and each declaration's version as confirmed. Where the rule set sets a
// fee at the case's level and none was recorded yet, the case then awaits
// its payment (RecordPayment) before screening. Errors: NotFound, Forbidden,
// Conflict, Unprocessable (Extra["unmet"] is the []Unmet), Internal (no rule
// set).
func (c *Case) Submit(actor domain.Actor, now time.Time, ruleSets RuleSets, in SubmitInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionSubmit, actor, now, ruleSets); err != nil {
		return nil, err
	}
	rs, err := c.ruleSet(ruleSets, now)
	if err != nil {
		return nil, err
	}
	if !rs.Covers(c.Scheme, c.Level) {
		return nil, domain.Errorf(domain.Internal, "rule set %q has no rules for %s %s", rs.ID, c.Scheme, c.Level)
	}
	results := c.evaluate(make([]RuleResult, 0, resultsRoom), rs, now)
	unmet := unaddressed(appendUnmet(nil, results), c.addressed())
	confirmed, unconfirmed := rs.confirm(in.Declarations, now)
	unmet = append(unmet, unconfirmed...)
	if len(unmet) > 0 {
		return nil, unmetError("submit", rs.ID, unmet)
	}
	interview := rs.Interviews(c.Scheme, c.Level)
	submitted := CaseSubmitted{RuleSetVersion: rs.ID, Eligibility: results, Resubmission: c.RuleSetVersion != "", Declarations: confirmed,
		Interview: &interview}
	if c.Payment == nil {
		submitted.FeeEUR = rs.Fee(c.Level)
	}
	return one(submitted), nil
}

// unmetError is the Unprocessable answer of a command whose rules are not
// all met: Extra["unmet"] lists them, Extra["rule_set"] names the rule set.
func unmetError(verb, ruleSet string, unmet []Unmet) *domain.Error {
	names := make([]string, len(unmet))
	for i, u := range unmet {
		names[i] = u.Rule
	}
	e := domain.Errorf(domain.Unprocessable, "cannot %s: %d rule(s) of %s not met: %s", verb, len(unmet), ruleSet, strings.Join(names, ", "))
	e.Extra = map[string]any{"unmet": unmet, "rule_set": ruleSet}
	return e
}

// EndOnErasure withdraws a case its applicant could still have withdrawn
// (before a decision) because the office (or the retention policy) erased
// the applicant's personal data: nothing more can be written on it (every
// text is sealed with the key just deleted), so it would otherwise wait in
// the queues for good. Any other case is left as it is (no change).
// Errors: NotFound, Forbidden (not the office or the system).
func (c *Case) EndOnErasure(actor domain.Actor) ([]aggregate.Change, error) {
	if !c.Exists() {
		return nil, domain.Errorf(domain.NotFound, "cannot end case %q: it does not exist", c.ID)
	}
	if actor.Role != domain.RoleOffice && actor.Role != domain.RoleSystem {
		return nil, forbidden(ActionWithdraw, "only the office ends a case on erasure")
	}
	if !c.EndsOnErasure() {
		return nil, nil
	}
	return one(CaseWithdrawn{FromState: c.State, Cause: ApplicantErased}), nil
}

// EndsOnErasure reports whether the erasure of the applicant's data ends
// the case (EndOnErasure): it is before its decision, as a withdrawal by
// the applicant would be.
func (c *Case) EndsOnErasure() bool { return c.Exists() && c.inState(ActionWithdraw) == nil }

// Withdraw is the applicant withdrawing the case, at any time before a
// decision. Errors: NotFound, Forbidden, Conflict.
func (c *Case) Withdraw(actor domain.Actor, now time.Time, in WithdrawInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionWithdraw, actor, now, nil); err != nil {
		return nil, err
	}
	return one(CaseWithdrawn{FromState: c.State, Reason: in.Reason}), nil
}
