package accreditation

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// The command inputs. Every personal text is sealed by the service before
// the command sees it.

// OpenInput opens a case.
type OpenInput struct {
	// CaseID is the new case's id; it may be left empty when the case was
	// made with New(id), and must then match.
	CaseID   string
	Scheme   Scheme
	Level    framework.Level
	Language string // two letters, e.g. "en"
	// EQA: required. EIA: must be empty.
	ProgrammeName     pii.Sealed
	ProgrammeProvider pii.Sealed
}

// EvidenceInput adds a file of evidence the service has stored.
type EvidenceInput struct {
	ID          string // chosen by the service; unique in the case
	Kind        EvidenceKind
	Title       pii.Sealed
	FileName    pii.Sealed
	ContentType string
	Size        int64
	SHA256      string // hex
	Object      string // the object-store name
	Categories  []int  // 1..8
	Indicators  []int  // framework indicator numbers; each adds its category
}

// RemoveEvidenceInput removes a file of evidence.
type RemoveEvidenceInput struct {
	ID string
}

// SelfAssessmentInput sets the statement on one category; a zero Statement
// clears it.
type SelfAssessmentInput struct {
	Category  int
	Statement pii.Sealed
}

// ScreenInput is the office's screening.
type ScreenInput struct {
	Outcome ScreeningOutcome
	Reason  pii.Sealed // required when returned
}

// AssignInput is the office's assignment of Profile's user to Role.
type AssignInput struct {
	Role    AssessorRole
	Profile AssessorProfile
}

// ClaimInput is an assessor taking a role from the queue. Profile is the
// claimer's own; an empty Role takes the first open one, assessor first.
type ClaimInput struct {
	Role    AssessorRole
	Profile AssessorProfile
}

// AssessmentInput is an assessment. Level is the recommended level: empty or
// the case level for award, a lower level for award_lower, empty for
// not_award.
type AssessmentInput struct {
	Ratings        []CategoryRating // one per category 1..8
	Recommendation Recommendation   // award, award_lower or not_award
	Level          framework.Level
	Rationale      pii.Sealed
}

// InformationRequestInput asks the applicant for more information.
type InformationRequestInput struct {
	Questions pii.Sealed
}

// InformationResponseInput answers the open request.
type InformationResponseInput struct {
	Answer pii.Sealed
}

// ModerationInput is the moderator's resolution; Level as in AssessmentInput.
type ModerationInput struct {
	Recommendation Recommendation
	Level          framework.Level
	Rationale      pii.Sealed
}

// DecisionInput is the office's decision. An award needs Level (at most the
// level applied for) and AccreditationID, the new accreditation's id.
type DecisionInput struct {
	Outcome         Outcome
	Level           framework.Level
	Rationale       pii.Sealed
	AccreditationID string
}

// AppealInput is the applicant's appeal.
type AppealInput struct {
	Grounds pii.Sealed
}

// AppealDecisionInput decides an appeal. An upheld appeal sends the case
// back to assessment or to decision (ReturnTo).
type AppealDecisionInput struct {
	Outcome   AppealOutcome
	Rationale pii.Sealed
	ReturnTo  string // ReturnToAssessment or ReturnToDecision; upheld only
}

// WithdrawInput withdraws the case; the reason is optional.
type WithdrawInput struct {
	Reason pii.Sealed
}

// RenewalInput is the holder's renewal declaration.
type RenewalInput struct {
	ContinuedPractice        bool // still practising (EQA: programme still delivered)
	SupervisionHoursLastYear float64
	CPDHoursLastYear         float64
	EthicsCodeAdherence      bool // adheres to the Global Code of Ethics
}

// ReasonInput gives the reason of a revocation or withdrawal (required).
type ReasonInput struct {
	Reason pii.Sealed
}

// fields collects the wrong fields of an input.
type fields []domain.FieldError

func (f *fields) add(field, format string, args ...any) {
	*f = append(*f, domain.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (f *fields) required(field string, s pii.Sealed) {
	if s.IsZero() {
		f.add(field, "required")
	}
}

// within checks a number against its range in the limits table.
func (f *fields) within(field string, v float64, l limits.Limit) {
	if e := l.Number(field, v); e != nil || math.IsInf(v, 0) {
		f.add(field, "must be a number from %g to %g", l.Min, l.Max)
	}
}

func (f fields) err(action string) error {
	if len(f) == 0 {
		return nil
	}
	parts := make([]string, len(f))
	for i, fe := range f {
		parts[i] = fe.Field + ": " + fe.Reason
	}
	return domain.InvalidFields(fmt.Sprintf("cannot %s: %s", verb(action), strings.Join(parts, "; ")), f...)
}

// category checks a category number.
func (f *fields) category(field string, n int) bool {
	if n < 1 || n > framework.NumCategories {
		f.add(field, "category %d does not exist; categories are 1..%d", n, framework.NumCategories)
		return false
	}
	return true
}

// indicators checks indicator numbers: each must exist, belong to category
// (when not 0) and sit at or below level (when not empty). It returns them
// sorted without duplicates.
func (f *fields) indicators(cat *framework.Catalogue, field string, ns []int, category int, level framework.Level) []int {
	for i, n := range ns {
		in, ok := cat.Indicator(n)
		switch {
		case !ok:
			f.add(fmt.Sprintf("%s[%d]", field, i), "indicator %d does not exist in the framework", n)
		case category != 0 && in.Category != category:
			f.add(fmt.Sprintf("%s[%d]", field, i), "indicator %d belongs to category %d, not %d", n, in.Category, category)
		case level != "" && !level.AtLeast(in.Level):
			f.add(fmt.Sprintf("%s[%d]", field, i), "indicator %d is at level %s, above the case level %s", n, in.Level, level)
		}
	}
	return sortedSet(ns)
}

func sortedSet(ns []int) []int {
	if len(ns) == 0 {
		return nil
	}
	out := slices.Clone(ns)
	slices.Sort(out)
	return slices.Compact(out)
}

// validID reports whether id can be a token of a stream or object name.
func validID(id string) bool {
	return len(id) <= 100 && !strings.Contains(id, ".") && eventstore.ValidStreamID(id)
}

func validLanguage(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

func one(t string, data any) []aggregate.Change { return []aggregate.Change{change(t, data)} }

// Open opens the case for the acting applicant. The case must not exist yet.
// Errors: Conflict (exists), Forbidden (not an applicant), Invalid.
func (c *Case) Open(actor domain.Actor, now time.Time, in OpenInput) ([]aggregate.Change, error) {
	if c.Exists() {
		return nil, domain.Errorf(domain.Conflict, "cannot open: case %q already exists (state %q)", c.ID, c.State)
	}
	if actor.Role != domain.RoleApplicant || actor.ID == "" {
		return nil, forbidden("open", "only an applicant may open a case")
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
		f.add("level", "must be one of %v", framework.Levels)
	}
	lang := strings.ToLower(strings.TrimSpace(in.Language))
	if !validLanguage(lang) {
		f.add("language", "must be a two-letter language code such as en or nl")
	}
	switch in.Scheme {
	case SchemeEQA:
		f.required("programme_name", in.ProgrammeName)
		f.required("programme_provider", in.ProgrammeProvider)
	case SchemeEIA:
		if !in.ProgrammeName.IsZero() {
			f.add("programme_name", "only for an EQA application")
		}
		if !in.ProgrammeProvider.IsZero() {
			f.add("programme_provider", "only for an EQA application")
		}
	}
	if err := f.err("open"); err != nil {
		return nil, err
	}
	return one(EventCaseOpened, CaseOpened{
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
	p = p.clone()
	eia := map[string]bool{
		"first_practice_date":         !p.FirstPracticeDate.IsZero(),
		"client_hours":                p.ClientHours != 0,
		"client_count":                p.ClientCount != 0,
		"cpd_hours_last_year":         p.CPDHoursLastYear != 0,
		"supervision_hours_last_year": p.SupervisionHoursLastYear != 0,
		"feedback_items_last_12m":     p.FeedbackItemsLast12m != 0,
		"reflection_items_last_12m":   p.ReflectionItemsLast12m != 0,
		"professional_body_member":    p.ProfessionalBodyMember,
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
	f.within("client_hours", p.ClientHours, limits.Hours)
	f.within("client_count", float64(p.ClientCount), limits.Count)
	f.within("cpd_hours_last_year", p.CPDHoursLastYear, limits.HoursInAYear)
	f.within("supervision_hours_last_year", p.SupervisionHoursLastYear, limits.HoursInAYear)
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
		if f.category(field+".category", it.Category) {
			it.Indicators = f.indicators(cat, field+".indicators", it.Indicators, it.Category, "")
		}
		f.required(field+".description", it.Description)
	}
	if err := f.err(ActionUpdatePortfolio); err != nil {
		return nil, err
	}
	return one(EventPortfolioUpdated, PortfolioUpdated{Portfolio: p}), nil
}

// AddEvidence records a file of evidence the service has stored. An
// indicator adds its own category; the event lists the union. Allowed in
// draft and returned, and while information is requested. Errors: NotFound,
// Forbidden, Conflict (state, or the id is taken), Invalid.
func (c *Case) AddEvidence(actor domain.Actor, now time.Time, in EvidenceInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionAddEvidence, actor, now, nil); err != nil {
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
	if !in.Kind.Valid() {
		f.add("kind", "must be one of %v", EvidenceKinds)
	}
	f.required("title", in.Title)
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
	cats := slices.Clone(in.Categories)
	for i, n := range in.Categories {
		f.category(fmt.Sprintf("categories[%d]", i), n)
	}
	inds := f.indicators(cat, "indicators", in.Indicators, 0, "")
	for _, n := range inds {
		if ind, ok := cat.Indicator(n); ok {
			cats = append(cats, ind.Category)
		}
	}
	if err := f.err(ActionAddEvidence); err != nil {
		return nil, err
	}
	return one(EventEvidenceAdded, EvidenceAdded{
		EvidenceID: in.ID, Kind: in.Kind, Title: in.Title, FileName: in.FileName,
		ContentType: strings.TrimSpace(in.ContentType), Size: in.Size, SHA256: sum, Object: in.Object,
		Categories: sortedSet(cats), Indicators: inds,
	}), nil
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
	return one(EventEvidenceRemoved, EvidenceRemoved{EvidenceID: in.ID}), nil
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
	return one(EventSelfAssessmentUpdated, SelfAssessmentUpdated{Category: in.Category, Statement: in.Statement}), nil
}

// ruleSet returns the rule set the case is checked against: the pinned one
// once submitted, else the one in force at now.
func (c *Case) ruleSet(rs RuleSets, now time.Time) (RuleSet, error) {
	if c.RuleSetVersion != "" {
		r, ok := rs.ByID(c.RuleSetVersion)
		if !ok {
			return RuleSet{}, domain.Errorf(domain.Internal, "the case's rule set %q is not configured", c.RuleSetVersion)
		}
		return r, nil
	}
	r := rs.InForce(now)
	if r.ID == "" {
		return RuleSet{}, domain.Errorf(domain.Internal, "no rule set in force at %s", now.UTC().Format(time.RFC3339))
	}
	return r, nil
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

// unaddressed lists the categories not yet addressed as unmet rules.
func (c *Case) unaddressed() []Unmet {
	var out []Unmet
	have := c.addressed()
	for n := range categoryNumbers() {
		if !slices.Contains(have, n) {
			out = append(out, Unmet{Rule: RuleCategoryAddressed(n), Required: true, Given: false})
		}
	}
	return out
}

// Submit submits the case: the portfolio must meet every eligibility rule of
// the rule set (the one in force at now, or the one pinned at an earlier
// submission) and every category must be addressed by evidence or a
// self-assessment statement. The event pins the rule set and records every
// rule as checked. Errors: NotFound, Forbidden, Conflict, Unprocessable
// (Extra["unmet"] is the []Unmet), Internal (no rule set).
func (c *Case) Submit(actor domain.Actor, now time.Time, ruleSets RuleSets) ([]aggregate.Change, error) {
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
	results := rs.Evaluate(c.Portfolio, c.Scheme, c.Level, now)
	var unmet []Unmet
	for _, r := range results {
		if !r.Met {
			unmet = append(unmet, Unmet{Rule: r.Rule, Required: r.Required, Given: r.Given})
		}
	}
	unmet = append(unmet, c.unaddressed()...)
	if len(unmet) > 0 {
		names := make([]string, len(unmet))
		for i, u := range unmet {
			names[i] = u.Rule
		}
		e := domain.Errorf(domain.Unprocessable, "cannot submit: %d rule(s) of %s not met: %s", len(unmet), rs.ID, strings.Join(names, ", "))
		e.Extra = map[string]any{"unmet": unmet, "rule_set": rs.ID}
		return nil, e
	}
	return one(EventCaseSubmitted, CaseSubmitted{RuleSetVersion: rs.ID, Eligibility: results, Resubmission: c.RuleSetVersion != ""}), nil
}

// Screen is the office's screening: accepted puts the case in the assessor
// queue, returned sends it back to the applicant with a reason. Errors:
// NotFound, Forbidden, Conflict, Invalid.
func (c *Case) Screen(actor domain.Actor, now time.Time, in ScreenInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionScreen, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	switch in.Outcome {
	case ScreeningAccepted:
	case ScreeningReturned:
		f.required("reason", in.Reason)
	default:
		f.add("outcome", "must be accepted or returned")
	}
	if err := f.err(ActionScreen); err != nil {
		return nil, err
	}
	return one(EventCaseScreened, CaseScreened{Outcome: in.Outcome, Reason: in.Reason}), nil
}

// qualify checks that p may take role on this case.
func (c *Case) qualify(action string, p AssessorProfile, role AssessorRole) error {
	var reasons []string
	if !p.Active {
		reasons = append(reasons, "the assessor is not active")
	}
	if p.UserID == c.ApplicantID {
		reasons = append(reasons, "the applicant cannot assess their own case")
	}
	if r := c.assessorRoleOf(p.UserID); r != "" && r != role {
		reasons = append(reasons, fmt.Sprintf("already the %s of this case: the assessor and the verifier are two different people", r))
	}
	if !slices.ContainsFunc(p.Schemes, func(s string) bool { return strings.EqualFold(s, string(c.Scheme)) }) {
		reasons = append(reasons, fmt.Sprintf("not qualified for %s", c.Scheme))
	}
	if !p.MaxLevel.AtLeast(c.Level) {
		reasons = append(reasons, fmt.Sprintf("qualified up to %q, below the case level %q", p.MaxLevel, c.Level))
	}
	if !slices.ContainsFunc(p.Languages, func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), c.Language) }) {
		reasons = append(reasons, fmt.Sprintf("does not assess in the case language %q", c.Language))
	}
	if slices.Contains(p.Conflicts, c.ApplicantID) {
		reasons = append(reasons, "declared a conflict of interest with the applicant")
	}
	if len(reasons) == 0 {
		return nil
	}
	e := domain.Errorf(domain.Unprocessable, "cannot %s %s as %s: %s", verb(action), p.UserID, role, strings.Join(reasons, "; "))
	e.Extra = map[string]any{"reasons": reasons}
	return e
}

// Assign is the office's assignment of a user to the assessor or verifier
// role. The user must be active, qualified for the scheme, at or above the
// case level, speak the case language, have no declared conflict with the
// applicant, not be the applicant and not hold the other role. When both
// roles are filled the case is in assessment. Errors: NotFound, Forbidden,
// Conflict (state, or the role is taken), Invalid, Unprocessable
// (Extra["reasons"]).
func (c *Case) Assign(actor domain.Actor, now time.Time, in AssignInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionAssign, actor, now, nil); err != nil {
		return nil, err
	}
	return c.take(ActionAssign, in.Role, in.Profile, HowAssigned)
}

// Claim is an assessor taking a role on a case in the queue, on the same
// conditions as Assign; the profile must be the claimer's own. Errors:
// NotFound, Forbidden, Conflict, Invalid, Unprocessable.
func (c *Case) Claim(actor domain.Actor, now time.Time, in ClaimInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionClaim, actor, now, nil); err != nil {
		return nil, err
	}
	if in.Profile.UserID != actor.ID {
		return nil, forbidden(ActionClaim, "an assessor claims a case only for themselves")
	}
	role := in.Role
	if role == "" {
		for _, r := range AssessorRoles {
			if _, taken := c.Assignments[r]; !taken {
				role = r
				break
			}
		}
	}
	return c.take(ActionClaim, role, in.Profile, HowClaimed)
}

func (c *Case) take(action string, role AssessorRole, p AssessorProfile, how string) ([]aggregate.Change, error) {
	var f fields
	if !role.Valid() {
		f.add("role", "must be assessor or verifier")
	}
	if p.UserID == "" {
		f.add("profile.user_id", "required")
	}
	if err := f.err(action); err != nil {
		return nil, err
	}
	if a, taken := c.Assignments[role]; taken {
		return nil, domain.Errorf(domain.Conflict, "cannot %s: the %s role is already held by %s", verb(action), role, a.UserID)
	}
	if err := c.qualify(action, p, role); err != nil {
		return nil, err
	}
	return one(EventAssessorAssigned, AssessorAssigned{Role: role, UserID: p.UserID, How: how}), nil
}

// recommendation checks a recommendation and its level and returns the
// level to record: the case level for award, the given lower level for
// award_lower, none for not_award.
func (c *Case) recommendation(f *fields, rec Recommendation, level framework.Level) framework.Level {
	switch rec {
	case RecommendAward:
		if level != "" && level != c.Level {
			f.add("level", "an award is at the case level %s; use award_lower for a lower one", c.Level)
		}
		return c.Level
	case RecommendAwardLower:
		switch {
		case !level.Valid():
			f.add("level", "required for award_lower: a level below %s", c.Level)
		case level.Rank() >= c.Level.Rank():
			f.add("level", "%s is not below the case level %s", level, c.Level)
		}
		return level
	case RecommendNotAward:
		if level != "" {
			f.add("level", "must be empty for not_award")
		}
		return ""
	case RecommendRequestInformation:
		f.add("recommendation", "to ask the applicant for more, use request_information")
	default:
		f.add("recommendation", "must be award, award_lower or not_award")
	}
	return ""
}

// SubmitAssessment records the acting assessor's (or verifier's)
// assessment: a rating of each of the eight categories with the indicators
// observed (existing, of that category, at or below the case level), a
// recommendation and a rationale. The second assessment moves the case to
// awaiting_decision when the two agree (recommendation and level), and to
// moderation (moderation_required) when they do not. Errors: NotFound,
// Forbidden (not assigned), Conflict (state, or already submitted), Invalid.
func (c *Case) SubmitAssessment(actor domain.Actor, now time.Time, in AssessmentInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionAssess, actor, now, nil); err != nil {
		return nil, err
	}
	cat, err := c.frameworkCatalogue()
	if err != nil {
		return nil, err
	}
	role := c.assessorRoleOf(actor.ID)
	var f fields
	ratings := make([]CategoryRating, 0, len(in.Ratings))
	seen := map[int]bool{}
	for i, r := range in.Ratings {
		field := fmt.Sprintf("ratings[%d]", i)
		if !f.category(field+".category", r.Category) {
			continue
		}
		if seen[r.Category] {
			f.add(field+".category", "category %d rated twice", r.Category)
			continue
		}
		seen[r.Category] = true
		if !r.Rating.Valid() {
			f.add(field+".rating", "must be not_evidenced, partially_evidenced or evidenced")
		}
		r.Indicators = f.indicators(cat, field+".indicators", r.Indicators, r.Category, c.Level)
		ratings = append(ratings, r)
	}
	for n := range categoryNumbers() {
		if !seen[n] {
			f.add("ratings", "category %d not rated; rate all %d", n, framework.NumCategories)
		}
	}
	level := c.recommendation(&f, in.Recommendation, in.Level)
	f.required("rationale", in.Rationale)
	if err := f.err(ActionAssess); err != nil {
		return nil, err
	}
	slices.SortFunc(ratings, func(a, b CategoryRating) int { return a.Category - b.Category })
	changes := one(EventAssessmentSubmitted, AssessmentSubmitted{
		Role: role, Ratings: ratings, Recommendation: in.Recommendation, Level: level, Rationale: in.Rationale,
	})
	other := RoleVerifier
	if role == RoleVerifier {
		other = RoleAssessor
	}
	if o, done := c.Assessments[other]; done && (o.Recommendation != in.Recommendation || o.Level != level) {
		m := ModerationRequired{}
		byRole := map[AssessorRole]struct {
			rec   Recommendation
			level framework.Level
		}{role: {in.Recommendation, level}, other: {o.Recommendation, o.Level}}
		m.AssessorRecommendation, m.AssessorLevel = byRole[RoleAssessor].rec, byRole[RoleAssessor].level
		m.VerifierRecommendation, m.VerifierLevel = byRole[RoleVerifier].rec, byRole[RoleVerifier].level
		changes = append(changes, change(EventModerationRequired, m))
	}
	return changes, nil
}

// RequestInformation asks the applicant for more. The case's assessor or
// verifier may ask while in assessment, the office also during moderation
// and while awaiting the decision; the answer returns the case to the state
// it was in. Requests are numbered "1", "2", ... Errors: NotFound,
// Forbidden, Conflict, Invalid.
func (c *Case) RequestInformation(actor domain.Actor, now time.Time, in InformationRequestInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionRequestInformation, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	f.required("questions", in.Questions)
	if err := f.err(ActionRequestInformation); err != nil {
		return nil, err
	}
	return one(EventInformationRequested, InformationRequested{
		RequestID: strconv.Itoa(len(c.InformationRequests) + 1), Questions: in.Questions, ReturnTo: c.State,
	}), nil
}

// openRequest returns the unanswered information request, nil for none.
func (c *Case) openRequest() *InformationRequest {
	for i := len(c.InformationRequests) - 1; i >= 0; i-- {
		if !c.InformationRequests[i].Answered() {
			return &c.InformationRequests[i]
		}
	}
	return nil
}

// ProvideInformation is the applicant's answer to the open request; the case
// goes back to where it was. Errors: NotFound, Forbidden, Conflict, Invalid.
func (c *Case) ProvideInformation(actor domain.Actor, now time.Time, in InformationResponseInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionRespond, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	f.required("answer", in.Answer)
	if err := f.err(ActionRespond); err != nil {
		return nil, err
	}
	r := c.openRequest()
	if r == nil {
		return nil, domain.Errorf(domain.Conflict, "cannot respond: no open request for information")
	}
	return one(EventInformationProvided, InformationProvided{RequestID: r.ID, Answer: in.Answer}), nil
}

// Moderate is the office's resolution of two disagreeing assessments, by
// someone who is neither the assessor nor the verifier; the case then awaits
// the decision. Errors: NotFound, Forbidden, Conflict, Invalid.
func (c *Case) Moderate(actor domain.Actor, now time.Time, in ModerationInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionModerate, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	level := c.recommendation(&f, in.Recommendation, in.Level)
	f.required("rationale", in.Rationale)
	if err := f.err(ActionModerate); err != nil {
		return nil, err
	}
	return one(EventCaseModerated, CaseModerated{Recommendation: in.Recommendation, Level: level, Rationale: in.Rationale}), nil
}

// Decide is the office's decision, never by the case's assessor or
// verifier: awarded at a level no higher than the one applied for, or not
// awarded, with a rationale. An award also records accreditation_awarded
// with in.AccreditationID, valid for ValidityYears from now. Errors:
// NotFound, Forbidden, Conflict, Invalid.
func (c *Case) Decide(actor domain.Actor, now time.Time, in DecisionInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionDecide, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	level := in.Level
	switch in.Outcome {
	case OutcomeAwarded:
		switch {
		case !level.Valid():
			f.add("level", "required for an award: one of %v", framework.Levels)
		case !c.Level.AtLeast(level):
			f.add("level", "%s is above the level applied for, %s", level, c.Level)
		}
		if !validID(in.AccreditationID) {
			f.add("accreditation_id", "required for an award")
		}
	case OutcomeNotAwarded:
		if level != "" {
			f.add("level", "must be empty when not awarded")
		}
	default:
		f.add("outcome", "must be awarded or not_awarded")
	}
	f.required("rationale", in.Rationale)
	if err := f.err(ActionDecide); err != nil {
		return nil, err
	}
	changes := one(EventDecisionMade, DecisionMade{Number: len(c.PastDecisions) + 1, Outcome: in.Outcome, Level: level, Rationale: in.Rationale})
	if in.Outcome == OutcomeAwarded {
		at := now.UTC()
		changes = append(changes, change(EventAccreditationAwarded, AccreditationAwarded{
			AccreditationID: in.AccreditationID, Level: level, AwardedAt: at, ValidUntil: at.AddDate(ValidityYears, 0, 0),
		}))
	}
	return changes, nil
}

// Appeal is the applicant's appeal against the standing decision: within
// AppealWindow of it, once per decision, and only against a refusal or an
// award below the level applied for. Errors: NotFound, Forbidden, Conflict
// (state, or already appealed), Unprocessable (too late, nothing to appeal),
// Invalid.
func (c *Case) Appeal(actor domain.Actor, now time.Time, in AppealInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionAppeal, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	f.required("grounds", in.Grounds)
	if err := f.err(ActionAppeal); err != nil {
		return nil, err
	}
	return one(EventAppealFiled, AppealFiled{DecisionNumber: c.Decision.Number, Grounds: in.Grounds}), nil
}

// DecideAppeal is the office's decision on an appeal, by someone not involved
// in the case before (see Involved). Upheld: the decision is overturned, an
// accreditation it awarded is withdrawn, and the case goes back to
// assessment (assessments and moderation cleared, the same assessor and
// verifier) or to decision. Dismissed: the decision stands. Errors:
// NotFound, Forbidden, Conflict, Invalid.
func (c *Case) DecideAppeal(actor domain.Actor, now time.Time, in AppealDecisionInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionDecideAppeal, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	returnTo := in.ReturnTo
	switch in.Outcome {
	case AppealUpheld:
		if returnTo != ReturnToAssessment && returnTo != ReturnToDecision {
			f.add("return_to", "must be assessment or decision when upheld")
		}
	case AppealDismissed:
		returnTo = ""
	default:
		f.add("outcome", "must be upheld or dismissed")
	}
	f.required("rationale", in.Rationale)
	if err := f.err(ActionDecideAppeal); err != nil {
		return nil, err
	}
	number := 0
	if c.Decision != nil {
		number = c.Decision.Number
	}
	changes := one(EventAppealDecided, AppealDecided{DecisionNumber: number, Outcome: in.Outcome, Rationale: in.Rationale, ReturnTo: returnTo})
	if a := c.Accreditation; in.Outcome == AppealUpheld && a != nil && a.Status == StatusActive {
		changes = append(changes, change(EventAccreditationWithdrawn, AccreditationWithdrawn{
			AccreditationID: a.ID, Cause: WithdrawnAppealUpheld, Reason: in.Rationale,
		}))
	}
	return changes, nil
}

// Withdraw is the applicant withdrawing the case, at any time before a
// decision. Errors: NotFound, Forbidden, Conflict.
func (c *Case) Withdraw(actor domain.Actor, now time.Time, in WithdrawInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionWithdraw, actor, now, nil); err != nil {
		return nil, err
	}
	return one(EventCaseWithdrawn, CaseWithdrawn{FromState: c.State, Reason: in.Reason}), nil
}

// Renew is the holder renewing an active accreditation within the renewal
// window of the rule set in force at now (RenewalRules.WindowMonths before
// valid_until): continued practice, the Global Code of Ethics and, for EIA,
// the minimum supervision and CPD hours of the last year. The new valid-until
// is ValidityYears after the old one. Errors: NotFound, Forbidden, Conflict
// (no active accreditation), Invalid, Unprocessable (outside the window;
// requirements, Extra["unmet"]), Internal (no rule set).
func (c *Case) Renew(actor domain.Actor, now time.Time, ruleSets RuleSets, in RenewalInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionRenew, actor, now, ruleSets); err != nil {
		return nil, err
	}
	var f fields
	f.within("supervision_hours_last_year", in.SupervisionHoursLastYear, limits.HoursInAYear)
	f.within("cpd_hours_last_year", in.CPDHoursLastYear, limits.HoursInAYear)
	if err := f.err(ActionRenew); err != nil {
		return nil, err
	}
	rs := ruleSets.InForce(now)
	if unmet := rs.checkRenewal(c.Scheme, in); len(unmet) > 0 {
		names := make([]string, len(unmet))
		for i, u := range unmet {
			names[i] = u.Rule
		}
		e := domain.Errorf(domain.Unprocessable, "cannot renew: %s not met", strings.Join(names, ", "))
		e.Extra = map[string]any{"unmet": unmet, "rule_set": rs.ID}
		return nil, e
	}
	a := c.Accreditation
	return one(EventAccreditationRenewed, AccreditationRenewed{
		AccreditationID: a.ID, PreviousValidUntil: a.ValidUntil, ValidUntil: a.ValidUntil.AddDate(ValidityYears, 0, 0),
		ContinuedPractice: in.ContinuedPractice, SupervisionHoursLastYear: in.SupervisionHoursLastYear,
		CPDHoursLastYear: in.CPDHoursLastYear, EthicsCodeAdherence: in.EthicsCodeAdherence, RuleSetVersion: rs.ID,
	}), nil
}

// Expire is the system expiring an active accreditation at or after its
// valid-until. Errors: NotFound, Forbidden, Conflict, Unprocessable (not
// yet due).
func (c *Case) Expire(actor domain.Actor, now time.Time) ([]aggregate.Change, error) {
	if err := c.guard(ActionExpire, actor, now, nil); err != nil {
		return nil, err
	}
	a := c.Accreditation
	return one(EventAccreditationExpired, AccreditationExpired{AccreditationID: a.ID, ValidUntil: a.ValidUntil}), nil
}

// Revoke is the office revoking an active accreditation (e.g. upheld ethics
// complaint), with a reason. Errors: NotFound, Forbidden, Conflict, Invalid.
func (c *Case) Revoke(actor domain.Actor, now time.Time, in ReasonInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionRevoke, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	f.required("reason", in.Reason)
	if err := f.err(ActionRevoke); err != nil {
		return nil, err
	}
	return one(EventAccreditationRevoked, AccreditationRevoked{AccreditationID: c.Accreditation.ID, Reason: in.Reason}), nil
}

// WithdrawAccreditation is the office or the holder withdrawing an active
// accreditation, with a reason. Errors: NotFound, Forbidden, Conflict,
// Invalid.
func (c *Case) WithdrawAccreditation(actor domain.Actor, now time.Time, in ReasonInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionWithdrawAccreditation, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	f.required("reason", in.Reason)
	if err := f.err(ActionWithdrawAccreditation); err != nil {
		return nil, err
	}
	cause := WithdrawnByOffice
	if actor.Role == domain.RoleApplicant {
		cause = WithdrawnByHolder
	}
	return one(EventAccreditationWithdrawn, AccreditationWithdrawn{AccreditationID: c.Accreditation.ID, Cause: cause, Reason: in.Reason}), nil
}
