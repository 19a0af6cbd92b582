package accreditation

import (
	"fmt"
	"slices"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// A renewal is a short case on the accreditation's own case: the holder
// submits the renewal's evidence (Renew), checked against the rule set in
// force and pinned to it; the office assigns one assessor
// (AssignRenewal); the assessor renews the award, refuses the renewal or
// returns it to the holder with reasons (AssessRenewal). Renewing records
// AccreditationRenewed, ValidityYears after the old end.
//
// The expiry job is not held back by a pending renewal: an award ends on
// its date, so the register never shows one valid past it. A renewal
// submitted in time is still assessed; renewing an award that ended in the
// meantime makes it active again, valid ValidityYears from the old end.

// RenewalState is where an accreditation's current renewal stands.
type RenewalState string

// The states of a renewal. A renewed one moves to Accreditation.Renewals.
const (
	StateRenewalSubmitted    RenewalState = "submitted"     // the office assigns an assessor
	StateRenewalInAssessment RenewalState = "in_assessment" // the one assessor assesses it
	StateRenewalReturned     RenewalState = "returned"      // with the holder, to resubmit with the assessor's reasons addressed
	StateRenewalRefused      RenewalState = "refused"       // closed: the award runs to its end
	stateRenewalRenewed      RenewalState = "renewed"       // between RenewalAssessed and AccreditationRenewed in one commit
)

// RenewalOutcome is the assessor's outcome of a renewal.
type RenewalOutcome string

// The outcomes of a renewal's assessment.
const (
	RenewalRenew  RenewalOutcome = "renew"
	RenewalRefuse RenewalOutcome = "refuse"
	RenewalReturn RenewalOutcome = "return"
)

// Valid reports whether o is renew, refuse or return.
func (o RenewalOutcome) Valid() bool {
	return o == RenewalRenew || o == RenewalRefuse || o == RenewalReturn
}

// RenewalYear is one year of an EIA holder's renewal period, oldest first:
// the practice log's hours, supervision and CPD.
type RenewalYear struct {
	PracticeHours    float64 `json:"practice_hours"`
	SupervisionHours float64 `json:"supervision_hours"`
	// SupervisionHoursByQuarter are the supervision hours of each quarter
	// of the year, oldest first: none, or four. The rule sets from
	// eia-2027-1 check each against RuleRenewalSupervisionQuarters.
	SupervisionHoursByQuarter []float64 `json:"supervision_hours_by_quarter,omitempty"`
	CPDHours                  float64   `json:"cpd_hours"`
}

// RenewalAim is one of the five aims an EQA programme's renewal shows
// (nobco.nl/opleidingen/eqa-verlenging).
type RenewalAim string

// The EQA renewal aims, in the published order.
const (
	AimStillRun         RenewalAim = "still_run"         // the programme is still run
	AimStudentFeedback  RenewalAim = "student_feedback"  // student feedback is used
	AimQualityAssurance RenewalAim = "quality_assurance" // quality is assured
	AimEMCCCriteria     RenewalAim = "emcc_criteria"     // students are assessed on the EMCC's criteria
	AimEthicsCode       RenewalAim = "ethics_code"       // the ethics code is taught and followed
)

// RenewalAims lists the EQA renewal aims in order.
var RenewalAims = []RenewalAim{AimStillRun, AimStudentFeedback, AimQualityAssurance, AimEMCCCriteria, AimEthicsCode}

// Valid reports whether a is an EQA renewal aim.
func (a RenewalAim) Valid() bool { return slices.Contains(RenewalAims, a) }

// AimStatement is the provider's statement of how the programme meets an aim.
type AimStatement struct {
	Aim       RenewalAim `json:"aim"`
	Statement pii.Sealed `json:"statement"`
}

// PendingRenewal is the accreditation's current renewal, from submission
// to its outcome (a refused one stays, so that the holder sees why).
type PendingRenewal struct {
	State RenewalState `json:"state"`
	// PeriodUntil is the end of the validity it renews.
	PeriodUntil    time.Time `json:"period_until"`
	RuleSetVersion string    `json:"rule_set_version"`
	// EIA: the practice log by year and the reflection. EQA: the aims.
	Years      []RenewalYear  `json:"years,omitempty"`
	Reflection pii.Sealed     `json:"reflection,omitzero"`
	Aims       []AimStatement `json:"aims,omitempty"`
	// Checks are the renewal rules as checked at the last submission.
	Checks       []RuleResult           `json:"checks,omitempty"`
	Declarations []DeclarationConfirmed `json:"declarations,omitempty"`
	SubmittedAt  time.Time              `json:"submitted_at"`
	Assessor     string                 `json:"assessor,omitempty"`
	AssignedAt   time.Time              `json:"assigned_at,omitzero"`
	// Reason is the assessor's reasons for the last return or the refusal.
	Reason    pii.Sealed `json:"reason,omitzero"`
	DecidedAt time.Time  `json:"decided_at,omitzero"`
}

// Open reports whether the renewal awaits someone: submitted, in
// assessment or returned to the holder.
func (r *PendingRenewal) Open() bool {
	return r != nil && (r.State == StateRenewalSubmitted || r.State == StateRenewalInAssessment || r.State == StateRenewalReturned)
}

func (r *PendingRenewal) clone() *PendingRenewal {
	if r == nil {
		return nil
	}
	n := *r
	n.Years = slices.Clone(r.Years)
	for i := range n.Years {
		n.Years[i].SupervisionHoursByQuarter = slices.Clone(n.Years[i].SupervisionHoursByQuarter)
	}
	n.Reflection = cloneSealed(r.Reflection)
	n.Aims = cloneEach(r.Aims, func(a AimStatement) AimStatement { a.Statement = cloneSealed(a.Statement); return a })
	n.Checks = slices.Clone(r.Checks)
	n.Declarations = slices.Clone(r.Declarations)
	n.Reason = cloneSealed(r.Reason)
	return &n
}

// RenewalInput is the holder's renewal. EIA: Years, one per year of the
// period (ValidityYears), oldest first, and the reflection. EQA: a
// statement on each aim. Both: the keys of the declarations confirmed.
type RenewalInput struct {
	Years        []RenewalYear
	Reflection   pii.Sealed
	Aims         []AimStatement
	Declarations []string
}

// RenewalAssignInput is the office's choice of the renewal's assessor.
type RenewalAssignInput struct {
	Profile AssessorProfile
}

// RenewalAssessmentInput is the assessor's outcome, with its rationale
// (the reasons, for a return or a refusal).
type RenewalAssessmentInput struct {
	Outcome   RenewalOutcome
	Rationale pii.Sealed
}

// RenewalSubmitted: the holder submitted (or, after a return, resubmitted)
// the renewal; it is pinned to RuleSetVersion.
type RenewalSubmitted struct {
	AccreditationID string                 `json:"accreditation_id"`
	PeriodUntil     time.Time              `json:"period_until"`
	RuleSetVersion  string                 `json:"rule_set_version"`
	Years           []RenewalYear          `json:"years,omitempty"`
	Reflection      pii.Sealed             `json:"reflection,omitzero"`
	Aims            []AimStatement         `json:"aims,omitempty"`
	Checks          []RuleResult           `json:"checks"`
	Declarations    []DeclarationConfirmed `json:"declarations,omitempty"`
	Resubmission    bool                   `json:"resubmission,omitempty"`
}

// RenewalAssigned: the office assigned the renewal's assessor.
type RenewalAssigned struct {
	AccreditationID string `json:"accreditation_id"`
	AssessorID      string `json:"assessor_id"`
}

// RenewalAssessed: the assessor renewed, refused or returned the renewal.
// A renewal is followed, in the same commit, by AccreditationRenewed.
type RenewalAssessed struct {
	AccreditationID string         `json:"accreditation_id"`
	Outcome         RenewalOutcome `json:"outcome"`
	Rationale       pii.Sealed     `json:"rationale"`
}

// Renew is the holder submitting the renewal of their accreditation, or
// resubmitting one returned to them. A first submission must come before
// the award ends, within the renewal window of the rule set in force when
// it sets one (RuleRenewalWindow), or after the end within its grace period
// (RuleRenewalGrace; none when unset). It is checked against the renewal
// rules of that rule set and pinned to it; a resubmission is checked
// against the same version. A graduate's (Portfolio.EQAProgramme) is
// checked, and its window and grace period set, by the figures for
// graduates where the rules give them. Errors: NotFound, Forbidden, Conflict (no
// active or recently ended accreditation, a renewal already submitted or
// refused), Invalid, Unprocessable (outside the window or grace period;
// rules not met, Extra["unmet"]), Internal (no rule set).
func (c *Case) Renew(actor domain.Actor, now time.Time, ruleSets RuleSets, in RenewalInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionRenew, actor, now, ruleSets); err != nil {
		return nil, err
	}
	a := c.Accreditation
	cur := a.Current
	resubmit := cur != nil && cur.State == StateRenewalReturned
	rs, until := ruleSets.InForce(c.Scheme, now), a.ValidUntil
	if resubmit {
		var ok bool
		if rs, ok = ruleSets.ByID(cur.RuleSetVersion); !ok {
			return nil, domain.Errorf(domain.Internal, "the renewal's rule set %q is not configured", cur.RuleSetVersion)
		}
		until = cur.PeriodUntil
	}
	rs = c.forApplicant(rs)
	if err := c.validRenewal(in); err != nil {
		return nil, err
	}
	results := rs.evaluateRenewalAt(c.Scheme, a.Level, in, periodAt{until: until, now: now})
	var unmet []Unmet
	for _, r := range results {
		if !r.Met {
			unmet = append(unmet, Unmet{Rule: r.Rule, Required: r.Required, Given: r.Given})
		}
	}
	confirmed, unconfirmed := rs.confirm(in.Declarations, now)
	if unmet = append(unmet, unconfirmed...); len(unmet) > 0 {
		return nil, unmetError("renew", rs.ID, unmet)
	}
	return one(RenewalSubmitted{AccreditationID: a.ID, PeriodUntil: until, RuleSetVersion: rs.ID, Years: in.Years,
		Reflection: in.Reflection, Aims: in.Aims, Checks: results, Declarations: confirmed, Resubmission: resubmit}), nil
}

// validRenewal checks the shape of a renewal: EIA a row for each year of
// the period and no aims, EQA each aim at most once and no years.
func (c *Case) validRenewal(in RenewalInput) error {
	var f fields
	if c.Scheme == SchemeEIA {
		if len(in.Years) != ValidityYears {
			f.add("years", "give the practice log of each of the %d years of the period, oldest first: %d given", ValidityYears, len(in.Years))
		}
		for i, y := range in.Years {
			f.within(fmt.Sprintf("years[%d].practice_hours", i), y.PracticeHours, limits.HoursInAYear)
			f.within(fmt.Sprintf("years[%d].supervision_hours", i), y.SupervisionHours, limits.HoursInAYear)
			if n := len(y.SupervisionHoursByQuarter); n != 0 && n != Quarters {
				f.add(fmt.Sprintf("years[%d].supervision_hours_by_quarter", i), "the hours of each of the year's %d quarters, oldest first: %d numbers, not %d", Quarters, Quarters, n)
			}
			for j, h := range y.SupervisionHoursByQuarter {
				f.within(fmt.Sprintf("years[%d].supervision_hours_by_quarter[%d]", i, j), h, limits.HoursInAQuarter)
			}
			f.within(fmt.Sprintf("years[%d].cpd_hours", i), y.CPDHours, limits.HoursInAYear)
		}
		if len(in.Aims) > 0 {
			f.add("aims", "only for an EQA programme")
		}
		return f.err(ActionRenew)
	}
	if len(in.Years) > 0 {
		f.add("years", "only for an EIA accreditation")
	}
	if !in.Reflection.IsZero() {
		f.add("reflection", "only for an EIA accreditation")
	}
	var seen []RenewalAim
	for i, s := range in.Aims {
		switch {
		case !s.Aim.Valid():
			f.add(fmt.Sprintf("aims[%d].aim", i), "%q is not an aim; one of %s", s.Aim, domain.List(RenewalAims))
		case slices.Contains(seen, s.Aim):
			f.add(fmt.Sprintf("aims[%d].aim", i), "%s is given twice", s.Aim)
		}
		seen = append(seen, s.Aim)
	}
	return f.err(ActionRenew)
}

// evaluateRenewal is evaluateRenewalAt with every quarter of the period
// taken as ended.
func (r RuleSet) evaluateRenewal(scheme Scheme, level framework.Level, in RenewalInput) []RuleResult {
	return r.evaluateRenewalAt(scheme, level, in, periodAt{})
}

// periodAt is a renewal's period (the ValidityYears up to until) as it
// stands at now, when the renewal is sent.
type periodAt struct{ until, now time.Time }

// ended reports whether quarter q of year y of the period (both from 0,
// oldest first) had ended by now: year y runs from until less
// ValidityYears-y years, its quarter q for the 3 months from 3q months
// into it. With no period (the zero periodAt) every quarter has ended.
func (p periodAt) ended(y, q int) bool {
	if p.until.IsZero() {
		return true
	}
	start := p.until.AddDate(y-ValidityYears, 3*q, 0)
	return !start.AddDate(0, 3, 0).After(p.now)
}

// evaluateRenewalAt checks the renewal rules of scheme set at level against
// in, sent at p.now, in a fixed order. EIA: the practice log's hours over
// the period, the supervision and CPD of every year (Given is the lowest
// year's), the supervision of every quarter that has ended (a renewal is
// sent before the award ends: the quarters still to come cannot show their
// hour yet), the reflection. EQA: a statement on each aim.
func (r RuleSet) evaluateRenewalAt(scheme Scheme, level framework.Level, in RenewalInput, p periodAt) []RuleResult {
	var out []RuleResult
	required := func(rule string) bool {
		v, ok := r.Value(rule, level)
		return ok && v != 0
	}
	if scheme == SchemeEQA {
		if required(RuleRenewalAims) {
			for _, aim := range RenewalAims {
				i := slices.IndexFunc(in.Aims, func(s AimStatement) bool { return s.Aim == aim })
				given := i >= 0 && !in.Aims[i].Statement.IsZero()
				out = append(out, RuleResult{Rule: RuleRenewalAim(aim), Required: true, Given: given, Met: given})
			}
		}
		return out
	}
	atLeast := func(rule string, given float64) {
		if req, ok := r.Value(rule, level); ok {
			out = append(out, RuleResult{Rule: rule, Required: req, Given: given, Met: given >= req})
		}
	}
	var practice float64
	lowest := func(of func(RenewalYear) float64) float64 {
		if len(in.Years) == 0 {
			return 0
		}
		return of(slices.MinFunc(in.Years, func(a, b RenewalYear) int { return compare(of(a), of(b)) }))
	}
	for _, y := range in.Years {
		practice += y.PracticeHours
	}
	atLeast(RuleRenewalPractice, practice)
	atLeast(RuleRenewalSupervision, lowest(func(y RenewalYear) float64 { return y.SupervisionHours }))
	atLeast(RuleRenewalSupervisionQuarters, leastSupervisedEndedQuarter(in.Years, p))
	atLeast(RuleRenewalCPD, lowest(func(y RenewalYear) float64 { return y.CPDHours }))
	if required(RuleRenewalReflection) {
		given := !in.Reflection.IsZero()
		out = append(out, RuleResult{Rule: RuleRenewalReflection, Required: true, Given: given, Met: given})
	}
	return out
}

// leastSupervisedEndedQuarter is the supervision hours of the period's
// ended quarter with the fewest: 0 when a year's four quarters are not
// given, or no quarter has ended.
func leastSupervisedEndedQuarter(years []RenewalYear, p periodAt) float64 {
	least, seen := 0.0, false
	for y, year := range years {
		if len(year.SupervisionHoursByQuarter) != Quarters {
			return 0
		}
		for q, h := range year.SupervisionHoursByQuarter {
			if p.ended(y, q) && (!seen || h < least) {
				least, seen = h, true
			}
		}
	}
	return least
}

func compare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AssignRenewal is the office assigning the submitted renewal to one
// assessor (or, while it is assessed, to another). The assessor must be
// active, qualified for the scheme at the level awarded, speak its language,
// have no declared conflict with the holder and not be the holder.
// Errors: NotFound, Forbidden, Conflict, Invalid, Unprocessable
// (Extra["reasons"]).
func (c *Case) AssignRenewal(actor domain.Actor, now time.Time, in RenewalAssignInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionAssignRenewal, actor, now, nil); err != nil {
		return nil, err
	}
	p := in.Profile
	if p.UserID == "" {
		var f fields
		f.add("assessor_id", "required")
		return nil, f.err(ActionAssignRenewal)
	}
	if err := refused(ActionAssignRenewal, p, c.RenewalRole(p.UserID), c.RenewalExclusions(p)); err != nil {
		return nil, err
	}
	return one(RenewalAssigned{AccreditationID: c.Accreditation.ID, AssessorID: p.UserID}), nil
}

// AssessRenewal is the renewal's assessor renewing the award (valid
// ValidityYears after its old end), refusing the renewal or returning it to
// the holder, with a rationale. Errors: NotFound, Forbidden, Conflict,
// Invalid.
func (c *Case) AssessRenewal(actor domain.Actor, now time.Time, in RenewalAssessmentInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionAssessRenewal, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	if !in.Outcome.Valid() {
		f.add("outcome", "must be renew, refuse or return")
	}
	f.required("rationale", in.Rationale)
	if err := f.err(ActionAssessRenewal); err != nil {
		return nil, err
	}
	a := c.Accreditation
	changes := one(RenewalAssessed{AccreditationID: a.ID, Outcome: in.Outcome, Rationale: in.Rationale})
	if in.Outcome != RenewalRenew {
		return changes, nil
	}
	return append(changes, emit(AccreditationRenewed{AccreditationID: a.ID, PreviousValidUntil: a.ValidUntil,
		ValidUntil: a.ValidUntil.AddDate(ValidityYears, 0, 0), RuleSetVersion: a.Current.RuleSetVersion,
		Declarations: a.Current.Declarations})), nil
}

// guardRenewal is guard for the renewal's three commands: who, the case's
// state, the accreditation's status and the renewal's own state.
func (c *Case) guardRenewal(action Action, actor domain.Actor, now time.Time, rs RuleSets) error {
	switch action {
	case ActionRenew:
		if c.ownApplicant(action, actor) != nil {
			return forbidden(action, "only the holder of the accreditation may")
		}
	case ActionAssignRenewal:
		if err := office(action, actor); err != nil {
			return err
		}
	case ActionAssessRenewal:
		if actor.Role != domain.RoleAssessor || actor.ID == "" {
			return forbidden(action, "only the renewal's assigned assessor may")
		}
		if actor.ID != c.RenewalAssessor() {
			// Their own outcome, sent from another tab or a page opened
			// before it: not someone else's renewal.
			if at, ok := c.renewalAssessedBy(actor.ID); ok {
				return alreadyRecorded("renewal", "cannot assess the renewal: you assessed it on %s", at.UTC().Format(time.DateOnly))
			}
			return forbidden(action, "only the renewal's assigned assessor may")
		}
	}
	if err := c.inState(action); err != nil {
		return err
	}
	a := c.Accreditation
	if a == nil {
		return wrongState("state", c.State, "cannot %s: case in state %q holds no accreditation", verb(action), c.State)
	}
	if a.Status != StatusActive && a.Status != StatusExpired {
		return wrongState("accreditation_status", a.Status, "cannot %s: accreditation %s is %q", verb(action), a.ID, a.Status)
	}
	cur := a.Current
	switch action {
	case ActionRenew:
		switch {
		case cur != nil && (cur.State == StateRenewalSubmitted || cur.State == StateRenewalInAssessment):
			return wrongState("renewal_state", cur.State, "cannot renew: the renewal submitted on %s awaits its assessment", cur.SubmittedAt.UTC().Format(time.DateOnly))
		case cur != nil && cur.State == StateRenewalRefused && cur.PeriodUntil.Equal(a.ValidUntil):
			return wrongState("renewal_state", cur.State, "cannot renew: the renewal was refused on %s; the accreditation runs until %s",
				cur.DecidedAt.UTC().Format(time.DateOnly), a.ValidUntil.UTC().Format(time.DateOnly))
		case cur != nil && cur.State == StateRenewalReturned:
			return nil // submitted in time: its resubmission is not held to the window
		}
		return c.renewable(now, rs)
	case ActionAssignRenewal:
		if cur == nil {
			return domain.Wrap(domain.Conflict, ErrWrongState, "cannot assign the renewal: no renewal of accreditation %s awaits an assessor", a.ID)
		}
		if cur.State != StateRenewalSubmitted && cur.State != StateRenewalInAssessment {
			return wrongState("renewal_state", cur.State, "cannot assign the renewal: no renewal of accreditation %s awaits an assessor", a.ID)
		}
	case ActionAssessRenewal:
		if cur.State != StateRenewalInAssessment {
			return wrongState("renewal_state", cur.State, "cannot assess the renewal: it is %s", cur.State)
		}
	}
	return nil
}

// RenewalUnderWay reports whether the accreditation's current renewal
// awaits someone (submitted, in assessment, or returned to the holder) and
// can still go on: the accreditation in force or expired, on a case whose
// state allows a renewal's steps. One left open when the accreditation was
// revoked or withdrawn, or its decision overturned, waits for nobody: every
// step on it is refused, so no list holds it.
func (c *Case) RenewalUnderWay() bool {
	a := c.Accreditation
	return a != nil && a.Current.Open() && (a.Status == StatusActive || a.Status == StatusExpired) &&
		c.inState(ActionAssessRenewal) == nil
}

// RenewalSent reports whether the holder has sent the renewal of the
// accreditation's current period and has nothing more to send: it awaits
// its assessment, or it was refused (the award then runs to its end, and
// another is refused). A renewal returned to them is theirs to send again.
// The renewal reminders are not mailed then: they would invite a renewal
// that is refused.
func (a *Accreditation) RenewalSent() bool {
	cur := a.Current
	if cur == nil || !cur.PeriodUntil.Equal(a.ValidUntil) {
		return false
	}
	return cur.State == StateRenewalSubmitted || cur.State == StateRenewalInAssessment || cur.State == StateRenewalRefused
}

// RenewalRole is the role whose conditions userID must meet to assess
// this case's renewal: the one they held on the application, else the
// assessor's. Having assessed the application does not bar assessing its
// renewal.
func (c *Case) RenewalRole(userID string) AssessorRole {
	if r := c.assessorRoleOf(userID); r != "" {
		return r
	}
	return RoleAssessor
}

// RenewalAssessor is the user id of the current renewal's assessor, "" for
// none.
func (c *Case) RenewalAssessor() string {
	if a := c.Accreditation; a != nil && a.Current.Open() {
		return a.Current.Assessor
	}
	return ""
}

// renewalAssessedBy reports when the assessor id assessed the renewal
// last closed, refused or renewed (the one after it not yet submitted).
func (c *Case) renewalAssessedBy(id string) (time.Time, bool) {
	a := c.Accreditation
	switch {
	case a == nil:
		return time.Time{}, false
	case a.Current != nil:
		cur := a.Current
		return cur.DecidedAt, cur.State == StateRenewalRefused && cur.Assessor == id
	case len(a.Renewals) > 0:
		last := a.Renewals[len(a.Renewals)-1]
		return last.At, last.AssessedBy == id
	}
	return time.Time{}, false
}

// renewable checks that a renewal may be submitted at now by the rule set
// in force: before the accreditation ends, and within the renewal window
// when the rules set one; after it ends, within the grace period when the
// rules set one, and never when they do not.
func (c *Case) renewable(now time.Time, rs RuleSets) error {
	r := rs.InForce(c.Scheme, now)
	if r.ID == "" {
		return domain.Errorf(domain.Internal, "cannot renew: no %s rule set in force at %s", c.Scheme, now.UTC().Format(time.RFC3339))
	}
	r = c.forApplicant(r)
	a := c.Accreditation
	if !now.Before(a.ValidUntil) {
		ended := a.ValidUntil.UTC().Format(time.RFC3339)
		months, ok := r.Value(RuleRenewalGrace, a.Level)
		if !ok || months <= 0 {
			return domain.Errorf(domain.Unprocessable, "cannot renew: the accreditation ended on %s, and the rules set no grace period after the end", ended)
		}
		if end := addMonths(a.ValidUntil, int(months)); !now.Before(end) {
			return domain.Errorf(domain.Unprocessable, "cannot renew: the accreditation ended on %s, and the grace period of %d months ended on %s",
				ended, int(months), end.UTC().Format(time.RFC3339))
		}
		return nil
	}
	if opens, months, ok := c.renewalOpens(r); ok && now.Before(opens) {
		return domain.Errorf(domain.Unprocessable, "cannot renew: renewal is open from %s until %s (%d months before the accreditation ends)",
			opens.UTC().Format(time.RFC3339), a.ValidUntil.UTC().Format(time.RFC3339), months)
	}
	return nil
}

// RenewalOpens is when the renewal of the accreditation opens under the
// rule set in force at now (as the holder's renewal would be checked
// then), for the reminders not to invite a renewal before it may be
// submitted: zero when the rules set no window (open until the end), or
// the case has no accreditation.
func (c *Case) RenewalOpens(now time.Time, rs RuleSets) time.Time {
	r := rs.InForce(c.Scheme, now)
	if c.Accreditation == nil || r.ID == "" {
		return time.Time{}
	}
	opens, _, _ := c.renewalOpens(c.forApplicant(r))
	return opens
}

// renewalOpens is when the renewal window of r opens, and its months; ok
// is false when r sets none.
func (c *Case) renewalOpens(r RuleSet) (opens time.Time, months int, ok bool) {
	a := c.Accreditation
	return r.RenewalOpens(a.Level, a.ValidUntil)
}

// RenewalOpens is when the renewal window of r opens for an award of level
// l valid until, and its months; ok is false when r sets none (a renewal
// is open until the end). Graduates' figures are the caller's to apply
// (ForGraduates), as Case.Renew does.
func (r RuleSet) RenewalOpens(l framework.Level, until time.Time) (opens time.Time, months int, ok bool) {
	m, ok := r.Value(RuleRenewalWindow, l)
	if !ok {
		return time.Time{}, 0, false
	}
	return addMonths(until, -int(m)), int(m), true
}

// addMonths is t moved by n calendar months, its day kept within the month
// it lands in: six months before 31 August is 28 (or 29) February, where
// AddDate rolls over to 3 March, and the window would open days late.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

func (c *Case) onRenewalSubmitted(e eventstore.Event, d RenewalSubmitted) {
	a := c.Accreditation
	if a == nil || a.ID != d.AccreditationID {
		return
	}
	r := &PendingRenewal{State: StateRenewalSubmitted, PeriodUntil: d.PeriodUntil, RuleSetVersion: d.RuleSetVersion, Years: d.Years,
		Reflection: d.Reflection, Aims: d.Aims, Checks: d.Checks, Declarations: d.Declarations, SubmittedAt: e.OccurredAt}
	if old := a.Current; d.Resubmission && old != nil && old.Assessor != "" {
		// Back to the assessor who returned it.
		r.State, r.Assessor, r.AssignedAt, r.Reason = StateRenewalInAssessment, old.Assessor, old.AssignedAt, old.Reason
	}
	a.Current = r
}

func (c *Case) onRenewalAssigned(e eventstore.Event, d RenewalAssigned) {
	a := c.Accreditation
	if a == nil || a.ID != d.AccreditationID || a.Current == nil {
		return
	}
	a.Current.State, a.Current.Assessor, a.Current.AssignedAt = StateRenewalInAssessment, d.AssessorID, e.OccurredAt
	c.participate(d.AssessorID, PartRenewalAssessor)
}

func (c *Case) onRenewalAssessed(e eventstore.Event, d RenewalAssessed) {
	a := c.Accreditation
	if a == nil || a.ID != d.AccreditationID || a.Current == nil {
		return
	}
	r := a.Current
	r.Reason, r.DecidedAt = d.Rationale, e.OccurredAt
	switch d.Outcome {
	case RenewalReturn:
		r.State = StateRenewalReturned
	case RenewalRefuse:
		r.State = StateRenewalRefused
	case RenewalRenew:
		r.State = stateRenewalRenewed
	}
}

// onRenewed extends the accreditation. After an assessed renewal it records
// who assessed it and makes an award that ended meanwhile active again; an
// instant renewal of the first versions (no current renewal) replays as it
// always did.
func (c *Case) onRenewed(e eventstore.Event, d AccreditationRenewed) {
	a := c.Accreditation
	if a == nil || a.ID != d.AccreditationID {
		return
	}
	a.ValidUntil = d.ValidUntil
	r := Renewal{
		At: e.OccurredAt, By: e.Actor.ID, PreviousValidUntil: d.PreviousValidUntil, ValidUntil: d.ValidUntil,
		ContinuedPractice: d.ContinuedPractice, SupervisionHoursLastYear: d.SupervisionHoursLastYear,
		CPDHoursLastYear: d.CPDHoursLastYear, EthicsCodeAdherence: d.EthicsCodeAdherence, RuleSetVersion: PinnedID(c.Scheme, d.RuleSetVersion),
		Declarations: d.Declarations,
	}
	if cur := a.Current; cur != nil && cur.State == stateRenewalRenewed {
		r.SubmittedAt, r.AssessedBy = cur.SubmittedAt, cur.Assessor
		a.Current = nil
		if a.Status == StatusExpired {
			a.Status, a.Reason, a.By, a.ChangedAt = StatusActive, pii.Sealed{}, e.Actor.ID, e.OccurredAt
		}
	}
	a.Renewals = append(a.Renewals, r)
}
