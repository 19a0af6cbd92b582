package accreditation

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
)

// ExclusionCode names why an assessor may not take a role on a case, so
// that a page can say it in the reader's language.
type ExclusionCode string

// The reasons qualify gives, in the order it checks them.
const (
	ExcludedInactive  ExclusionCode = "inactive"   // the account is not active
	ExcludedApplicant ExclusionCode = "applicant"  // the applicant of the case
	ExcludedOtherRole ExclusionCode = "other_role" // holds the other role (Exclusion.Role)
	ExcludedScheme    ExclusionCode = "scheme"     // not qualified for the case's scheme
	ExcludedLevel     ExclusionCode = "level"      // qualified below the case level
	ExcludedLanguage  ExclusionCode = "language"   // does not assess in the case language
	ExcludedConflict  ExclusionCode = "conflict"   // declared a conflict with the applicant
	// ExcludedTakenOff is a claim's only, not a profile's: the office took
	// the assessor off the case, and only the office gives it back.
	ExcludedTakenOff ExclusionCode = "taken_off"
)

// ErrNotQualified is the cause of the refusal of an assignment or a claim
// the assessor may not take (the case or their profile changed since the
// page was opened): Extra["excluded"] lists why, as ExclusionCodes, beside
// the English "reasons", for a reader to say it in its own words.
var ErrNotQualified = errors.New("the assessor may not take this role on this case")

// notQualified is an Unprocessable that is an ErrNotQualified for ex.
func notQualified(ex []Exclusion, format string, args ...any) *domain.Error {
	e := domain.Wrap(domain.Unprocessable, ErrNotQualified, format, args...)
	reasons, codes := make([]string, len(ex)), make([]ExclusionCode, len(ex))
	for i, x := range ex {
		reasons[i], codes[i] = x.Text, x.Code
	}
	e.Extra = map[string]any{"reasons": reasons, "excluded": codes}
	return e
}

// Exclusion is one reason an assessor is left out: a code, the English
// text the API's problem lists under "reasons", and for other_role the
// role they hold.
type Exclusion struct {
	Code ExclusionCode
	Text string
	Role AssessorRole
}

// Exclusions lists why p may not take role on this case, none when they
// qualify: the checks of Assign and Claim on the profile (not the state or
// whether the role is free).
func (c *Case) Exclusions(p AssessorProfile, role AssessorRole) []Exclusion {
	return c.exclusions(p, role, c.Level)
}

// RenewalExclusions lists why p may not assess this case's renewal, none
// when they qualify: the checks of Exclusions on the role RenewalRole
// names, at the level awarded, which a renewal renews, rather than the one
// applied for.
func (c *Case) RenewalExclusions(p AssessorProfile) []Exclusion {
	level := c.Level
	if a := c.Accreditation; a != nil {
		level = a.Level
	}
	return c.exclusions(p, c.RenewalRole(p.UserID), level)
}

// exclusions is Exclusions with the assessor's level checked against level.
func (c *Case) exclusions(p AssessorProfile, role AssessorRole, level framework.Level) []Exclusion {
	var out []Exclusion
	add := func(code ExclusionCode, text string) { out = append(out, Exclusion{Code: code, Text: text}) }
	if !p.Active {
		add(ExcludedInactive, "the assessor is not active")
	}
	if p.UserID == c.ApplicantID {
		add(ExcludedApplicant, "the applicant cannot assess their own case")
	}
	if r := c.assessorRoleOf(p.UserID); r != "" && r != role {
		add(ExcludedOtherRole, fmt.Sprintf("already the %s of this case: the assessor and the verifier are two different people", r))
		out[len(out)-1].Role = r
	}
	if !slices.ContainsFunc(p.Schemes, func(s string) bool { return strings.EqualFold(s, string(c.Scheme)) }) {
		add(ExcludedScheme, fmt.Sprintf("not qualified for %s", c.Scheme))
	}
	if !p.MaxLevel.AtLeast(level) {
		add(ExcludedLevel, fmt.Sprintf("qualified up to %q, below the case level %q", p.MaxLevel, level))
	}
	if !slices.ContainsFunc(p.Languages, func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), c.Language) }) {
		add(ExcludedLanguage, fmt.Sprintf("does not assess in the case language %q", c.Language))
	}
	if slices.Contains(p.Conflicts, c.ApplicantID) {
		add(ExcludedConflict, "declared a conflict of interest with the applicant")
	}
	return out
}

// qualify checks that p may take role on this case.
func (c *Case) qualify(action Action, p AssessorProfile, role AssessorRole) error {
	return refused(action, p, role, c.Exclusions(p, role))
}

// refused is the error for p refused role for the exclusions ex, nil for none.
func refused(action Action, p AssessorProfile, role AssessorRole, ex []Exclusion) error {
	if len(ex) == 0 {
		return nil
	}
	reasons := make([]string, len(ex))
	for i, x := range ex {
		reasons[i] = x.Text
	}
	return notQualified(ex, "cannot %s %s as %s: %s", verb(action), p.UserID, role, strings.Join(reasons, "; "))
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
			if !c.Assignments.Holds(r) {
				role = r
				break
			}
		}
	}
	return c.take(ActionClaim, role, in.Profile, HowClaimed)
}

// ErrRoleTaken is the cause of the Conflict of taking a role someone
// already holds (two assessors claiming from the queue at once, a page
// opened before): Extra["role"] names the role, for a reader to say it in
// its own words.
var ErrRoleTaken = errors.New("the role is held by someone else")

// roleTaken is a Conflict that is an ErrRoleTaken of role.
func roleTaken(role AssessorRole, format string, args ...any) *domain.Error {
	e := domain.Wrap(domain.Conflict, ErrRoleTaken, format, args...)
	e.Extra = map[string]any{"role": role}
	return e
}

func (c *Case) take(action Action, role AssessorRole, p AssessorProfile, how string) ([]aggregate.Change, error) {
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
	if a, taken := c.Assignments.Get(role); taken {
		return nil, roleTaken(role, "cannot %s: the %s role is already held by %s", verb(action), role, a.UserID)
	}
	if err := c.qualify(action, p, role); err != nil {
		return nil, err
	}
	return one(AssessorAssigned{Role: role, UserID: p.UserID, How: how}), nil
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

// reviewAreas checks the EQA review areas of an assessment and returns them
// in ReviewAreas order: an EQA case rates each of the five once, an EIA case
// none.
func (c *Case) reviewAreas(f *fields, in []AreaRating) []AreaRating {
	if c.Scheme != SchemeEQA {
		if len(in) > 0 {
			f.add("review_areas", "only an EQA case rates the review areas")
		}
		return nil
	}
	byArea := map[ReviewArea]AreaRating{}
	for i, a := range in {
		field := fmt.Sprintf("review_areas[%d]", i)
		switch _, twice := byArea[a.Area]; {
		case !a.Area.Valid():
			f.add(field+".area", "must be one of %s", domain.List(ReviewAreas))
			continue
		case twice:
			f.add(field+".area", "%s rated twice", a.Area)
			continue
		}
		if !a.Rating.Valid() {
			f.add(field+".rating", "must be not_evidenced, partially_evidenced or evidenced")
		}
		byArea[a.Area] = a
	}
	out := make([]AreaRating, 0, len(ReviewAreas))
	for _, area := range ReviewAreas {
		a, ok := byArea[area]
		if !ok {
			f.add("review_areas", "%s not rated; an EQA review rates all %d areas", area, len(ReviewAreas))
			continue
		}
		out = append(out, a)
	}
	return out
}

// SubmitAssessment records the acting assessor's (or verifier's)
// assessment: a rating of each of the eight categories with the indicators
// observed (existing, of that category, at or below the case level), on an
// EQA case a rating of each review area, a recommendation and a rationale. The second assessment moves the case to
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
	areas := c.reviewAreas(&f, in.Areas)
	level := c.recommendation(&f, in.Recommendation, in.Level)
	f.required("rationale", in.Rationale)
	if err := f.err(ActionAssess); err != nil {
		return nil, err
	}
	slices.SortFunc(ratings, func(a, b CategoryRating) int { return a.Category - b.Category })
	changes := one(AssessmentSubmitted{
		Role: role, Ratings: ratings, Areas: areas, Recommendation: in.Recommendation, Level: level, Rationale: in.Rationale,
	})
	other := RoleVerifier
	if role == RoleVerifier {
		other = RoleAssessor
	}
	if o, done := c.Assessments.Get(other); done && (o.Recommendation != in.Recommendation || o.Level != level) {
		m := ModerationRequired{}
		byRole := map[AssessorRole]struct {
			rec   Recommendation
			level framework.Level
		}{role: {in.Recommendation, level}, other: {o.Recommendation, o.Level}}
		m.AssessorRecommendation, m.AssessorLevel = byRole[RoleAssessor].rec, byRole[RoleAssessor].level
		m.VerifierRecommendation, m.VerifierLevel = byRole[RoleVerifier].rec, byRole[RoleVerifier].level
		changes = append(changes, emit(m))
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
	return one(InformationRequested{
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
		return nil, blocked(domain.Conflict, BlockedByNoOpenRequest, "cannot respond: no open request for information")
	}
	return one(InformationProvided{RequestID: r.ID, Answer: in.Answer}), nil
}

// NeedsInterview reports whether the applicant's assessors interview them:
// as the rule set pinned at submission says (RuleInterview), or, for a case
// submitted before rule sets said, an EIA applicant at InterviewLevels (a
// programme is never interviewed).
func (c *Case) NeedsInterview() bool {
	if c.InterviewRequired != nil {
		return *c.InterviewRequired
	}
	return c.Scheme == SchemeEIA && slices.Contains(InterviewLevels, c.Level)
}

// record is role's record of the interview, if any.
func (i *Interview) record(role AssessorRole) (InterviewRecord, bool) {
	if i == nil {
		return InterviewRecord{}, false
	}
	return i.Records.Get(role)
}

// missedInterview reports whether role has no record of the scheduled
// interview and cannot have one: no one holds it, or its holder was put in
// place after the interview took place (a replacement, who did not hold it).
func (c *Case) missedInterview(role AssessorRole) bool {
	if c.Interview == nil || c.Interview.At.IsZero() {
		return false
	}
	if _, done := c.Interview.record(role); done {
		return false
	}
	a, held := c.Assignments.Get(role)
	return !held || a.At.After(c.Interview.At)
}

// InterviewMaxDaysAhead bounds how far ahead an interview is scheduled: a
// year, far beyond any case's service level, so that a mistyped year (3027)
// is refused with its reason rather than kept.
const InterviewMaxDaysAhead = 365

// ScheduleInterview sets (or moves, until it is recorded) the applicant's
// interview, by the office or the case's assessor or verifier: a time after
// now and a place or a link. A role holder put in place after the interview
// took place may not record it as theirs; one is scheduled again for them
// (the other role's record stays as it is). Errors: NotFound, Forbidden, Conflict (state,
// no interview at the level, already recorded), Invalid.
func (c *Case) ScheduleInterview(actor domain.Actor, now time.Time, in InterviewInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionScheduleInterview, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	switch {
	case !in.At.After(now):
		f.add("at", "must be after now (%s)", now.UTC().Format(time.RFC3339))
	case in.At.After(now.AddDate(0, 0, InterviewMaxDaysAhead)):
		f.add("at", "must be within %d days from now (by %s)", InterviewMaxDaysAhead, now.AddDate(0, 0, InterviewMaxDaysAhead).UTC().Format(time.DateOnly))
	}
	if in.Place.IsZero() {
		f.add("place", "required: an address or a link")
	}
	if err := f.err(ActionScheduleInterview); err != nil {
		return nil, err
	}
	return one(InterviewScheduled{At: in.At.UTC(), Place: Place{Sealed: in.Place}}), nil
}

// RecordInterview is the acting assessor's (or verifier's) record of the
// interview, once it has taken place: notes, and observations on the
// competence categories (each at most once). It is part of their
// assessment, which it must precede. Errors: NotFound, Forbidden, Conflict
// (state, not scheduled, already recorded), Unprocessable (not yet held),
// Invalid.
func (c *Case) RecordInterview(actor domain.Actor, now time.Time, in InterviewRecordInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionRecordInterview, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	f.required("notes", in.Notes)
	seen := map[int]bool{}
	for i, o := range in.Observations {
		field := fmt.Sprintf("observations[%d]", i)
		if !f.category(field+".category", o.Category) {
			continue
		}
		if seen[o.Category] {
			f.add(field+".category", "category %d observed twice", o.Category)
		}
		seen[o.Category] = true
		f.required(field+".notes", o.Notes)
	}
	if err := f.err(ActionRecordInterview); err != nil {
		return nil, err
	}
	obs := slices.Clone(in.Observations)
	slices.SortFunc(obs, func(a, b CategoryNote) int { return a.Category - b.Category })
	return one(InterviewRecorded{Role: c.assessorRoleOf(actor.ID), Notes: in.Notes, Observations: obs}), nil
}
