package accreditation

import (
	"fmt"
	"time"

	"github.com/emcc/accredit/domain/pii"
)

// StepKey names what is expected next on a case.
type StepKey string

// The next steps, one per state, except that a case awarded with an
// accreditation that has ended says so, and a refusal that can no longer be
// appealed is StepNone.
const (
	StepNone                 StepKey = "none"
	StepOpen                 StepKey = "open"
	StepDraft                StepKey = "draft"
	StepAwaitingPayment      StepKey = "awaiting_payment"
	StepSubmitted            StepKey = "submitted"
	StepReturned             StepKey = "returned"
	StepAwaitingAssessment   StepKey = "awaiting_assessment"
	StepInAssessment         StepKey = "in_assessment"
	StepInterview            StepKey = "interview"
	StepInformationRequested StepKey = "information_requested"
	StepModeration           StepKey = "moderation"
	StepAwaitingDecision     StepKey = "awaiting_decision"
	StepAwarded              StepKey = "awarded"
	StepAccreditationEnded   StepKey = "accreditation_ended"
	StepRenewalSubmitted     StepKey = "renewal_submitted"
	StepRenewalInAssessment  StepKey = "renewal_in_assessment"
	StepRenewalReturned      StepKey = "renewal_returned"
	StepRenewalRefused       StepKey = "renewal_refused"
	StepNotAwarded           StepKey = "not_awarded"
	StepAppealed             StepKey = "appealed"
	StepWithdrawn            StepKey = "withdrawn"
)

// Step is what is expected next on a case, and by when. Every surface
// renders it; none works it out again.
type Step struct {
	Key StepKey `json:"key"`
	// Role is the one assessor role still to be assigned
	// (StepAwaitingAssessment) or still to assess (StepInAssessment);
	// empty while both are.
	Role AssessorRole `json:"role,omitempty"`
	// RenewBy (StepAwarded) is when the accreditation ends.
	RenewBy time.Time `json:"renew_by,omitzero"`
	// ValidUntil (StepRenewalRefused) is when the accreditation whose
	// renewal was refused ends.
	ValidUntil time.Time `json:"valid_until,omitzero"`
	// Appeal (StepAwarded, StepNotAwarded) is set while the standing
	// decision can be appealed: the same check that offers the applicant
	// the appeal. AppealBy is the end of the appeal period, when the
	// decision's rules set one.
	Appeal   bool      `json:"appeal,omitempty"`
	AppealBy time.Time `json:"appeal_by,omitzero"`
	// FeeEUR (StepAwaitingPayment) is the fee due.
	FeeEUR float64 `json:"fee_eur,omitempty"`
	// Status (StepAccreditationEnded) is the accreditation's status.
	Status AccreditationStatus `json:"accreditation_status,omitempty"`
	// AskedBy (StepInformationRequested) is who asked the open question:
	// PartAssessor, PartVerifier or AskedByOffice; AskedAt is when.
	AskedBy string    `json:"asked_by,omitempty"`
	AskedAt time.Time `json:"asked_at,omitzero"`
	// InterviewAt and InterviewPlace (StepInterview) are when and where
	// the applicant is interviewed; zero while it is not scheduled. The
	// place is sealed: Next leaves InterviewPlace empty, RevealPlace fills
	// it in.
	InterviewAt    time.Time `json:"interview_at,omitzero"`
	InterviewPlace string    `json:"interview_place,omitempty"`
	place          Place
}

// RevealPlace returns s with the interview's place opened by open, for a
// view to show.
func (s Step) RevealPlace(open func(pii.Sealed) string) Step {
	if !s.place.IsZero() {
		s.InterviewPlace = s.place.Open(open)
	}
	return s
}

// AskedByOffice is Step.AskedBy for a question of the EMCC office.
const AskedByOffice = "office"

// Next returns what is expected next on the case at now.
func (c *Case) Next(now time.Time) Step {
	switch c.State {
	case "":
		return Step{Key: StepOpen}
	case StateDraft:
		return Step{Key: StepDraft}
	case StateAwaitingPayment:
		return Step{Key: StepAwaitingPayment, FeeEUR: c.Fee}
	case StateSubmitted:
		return Step{Key: StepSubmitted}
	case StateReturned:
		return Step{Key: StepReturned}
	case StateAwaitingAssessment:
		return Step{Key: StepAwaitingAssessment, Role: c.onlyRoleWithout(c.Assignments.Holds)}
	case StateInAssessment:
		if c.NeedsInterview() && !c.Interview.Recorded() {
			s := Step{Key: StepInterview}
			if i := c.Interview; i != nil {
				s.InterviewAt, s.place = i.At, i.Place
			}
			return s
		}
		return Step{Key: StepInAssessment, Role: c.onlyRoleWithout(c.Assessments.Done)}
	case StateInformationRequested:
		s := Step{Key: StepInformationRequested}
		if r := c.openRequest(); r != nil {
			s.AskedBy, s.AskedAt = AskedByOffice, r.AskedAt
			if role := c.assessorRoleOf(r.By); role != "" {
				s.AskedBy = string(role)
			}
		}
		return s
	case StateModeration:
		return Step{Key: StepModeration}
	case StateAwaitingDecision:
		return Step{Key: StepAwaitingDecision}
	case StateAwarded:
		a := c.Accreditation
		switch {
		case a == nil:
			return Step{Key: StepNone}
		case c.RenewalUnderWay():
			return a.Current.next()
		case a.Status == StatusActive && a.Current != nil && a.Current.State == StateRenewalRefused && a.Current.PeriodUntil.Equal(a.ValidUntil):
			return Step{Key: StepRenewalRefused, ValidUntil: a.ValidUntil}
		case a.Status != StatusActive:
			return Step{Key: StepAccreditationEnded, Status: a.Status}
		}
		s := Step{Key: StepAwarded, RenewBy: a.ValidUntil}
		if c.appealable(now) == nil {
			s.Appeal, s.AppealBy = true, c.AppealDeadline()
		}
		return s
	case StateNotAwarded:
		// Whether the decision was appealed is asked of the standing
		// decision, not of the case: after an upheld appeal the new
		// decision can be appealed again.
		if c.appealable(now) == nil {
			return Step{Key: StepNotAwarded, Appeal: true, AppealBy: c.AppealDeadline()}
		}
		return Step{Key: StepNone}
	case StateAppealed:
		return Step{Key: StepAppealed}
	case StateWithdrawn:
		return Step{Key: StepWithdrawn}
	}
	return Step{Key: StepNone}
}

// next is the step of an open renewal.
func (r *PendingRenewal) next() Step {
	switch r.State {
	case StateRenewalSubmitted:
		return Step{Key: StepRenewalSubmitted}
	case StateRenewalReturned:
		return Step{Key: StepRenewalReturned}
	}
	return Step{Key: StepRenewalInAssessment}
}

// ApplicantActs reports whether the step waits on the applicant after the
// case left their hands: returned to them, a question to answer, a renewal
// handed back, a fee to pay. Surfaces flag such a case as needing action; a
// draft, which no one else waits for, is not flagged.
func (s Step) ApplicantActs() bool {
	switch s.Key {
	case StepReturned, StepInformationRequested, StepRenewalReturned, StepAwaitingPayment:
		return true
	}
	return false
}

// onlyRoleWithout is the assessor role for which done is false when it is
// the only one; empty when none or several are.
func (c *Case) onlyRoleWithout(done func(AssessorRole) bool) AssessorRole {
	var open []AssessorRole
	for _, r := range AssessorRoles {
		if !done(r) {
			open = append(open, r)
		}
	}
	if len(open) != 1 {
		return ""
	}
	return open[0]
}

// String says the step in a line of English, as the API's next_step does.
func (s Step) String() string {
	const date = "2 January 2006"
	switch s.Key {
	case StepOpen:
		return "the applicant opens the case"
	case StepDraft:
		return "the applicant completes the portfolio, evidence and self-assessment, then submits"
	case StepAwaitingPayment:
		return fmt.Sprintf("the applicant pays the fee of EUR %s; the EMCC office records the payment, then screens the application", FormatEUR(s.FeeEUR))
	case StepSubmitted:
		return "the EMCC office screens the application"
	case StepReturned:
		return "the applicant addresses the office's reasons and resubmits"
	case StepAwaitingAssessment:
		if s.Role != "" {
			return fmt.Sprintf("a %s is assigned", s.Role)
		}
		return "an assessor and a verifier are assigned"
	case StepInAssessment:
		if s.Role != "" {
			return fmt.Sprintf("the %s submits their assessment", s.Role)
		}
		return "the assessor and the verifier assess the application independently"
	case StepInterview:
		if s.InterviewAt.IsZero() {
			return "the office or an assessor schedules the applicant's interview"
		}
		return fmt.Sprintf("the assessors interview the applicant on %s at %s (%s), then record it", s.InterviewAt.Format(date), s.InterviewAt.Format("15:04 MST"), s.InterviewPlace)
	case StepInformationRequested:
		return "the applicant answers the request for information"
	case StepModeration:
		return "the EMCC office moderates the two assessments"
	case StepAwaitingDecision:
		return "the EMCC office decides"
	case StepAwarded:
		switch {
		case s.Appeal && !s.AppealBy.IsZero():
			return fmt.Sprintf("the holder renews before %s; an appeal against the lower level is possible until %s",
				s.RenewBy.Format(date), s.AppealBy.Format(date))
		case s.Appeal:
			return fmt.Sprintf("the holder renews before %s; an appeal against the lower level is possible", s.RenewBy.Format(date))
		}
		return fmt.Sprintf("the holder renews before %s", s.RenewBy.Format(date))
	case StepRenewalSubmitted:
		return "the EMCC office assigns an assessor to the renewal"
	case StepRenewalInAssessment:
		return "the assessor assesses the renewal"
	case StepRenewalReturned:
		return "the holder addresses the assessor's reasons and resubmits the renewal"
	case StepRenewalRefused:
		return fmt.Sprintf("none: the renewal was refused; the accreditation ends on %s", s.ValidUntil.Format(date))
	case StepAccreditationEnded:
		return fmt.Sprintf("none: the accreditation is %s", s.Status)
	case StepNotAwarded:
		if s.AppealBy.IsZero() {
			return "none, unless the applicant appeals"
		}
		return fmt.Sprintf("none, unless the applicant appeals by %s", s.AppealBy.Format(date))
	case StepAppealed:
		return "the EMCC office reviews the appeal (a reviewer not involved before)"
	case StepWithdrawn:
		return "none: the case was withdrawn"
	}
	return "none"
}

// DecisionExpectedBy is when a submitted case is to be decided: its
// ServiceStart plus the service level (sla). There is none before it is
// submitted, while its fee awaits payment, nor once it is decided or
// withdrawn: the case view, the applicant's list, the web, the CLI and the
// queues all show it by this.
func (c *Case) DecisionExpectedBy(sla time.Duration) (time.Time, bool) {
	start := c.ServiceStart()
	if start.IsZero() || c.Decision != nil || c.State == StateWithdrawn {
		return time.Time{}, false
	}
	return start.Add(sla), true
}

// ServiceStart is when the service level's clock starts: the case's (last)
// submission, or, where a fee was due, the payment or waiver recorded after
// it, or the last appeal upheld, whichever is later. The EMCC's processing
// starts once the fee is paid: the months an applicant takes to pay are not
// the office's. An upheld appeal overturns the decision and sends the case
// back for a new one: that decision gets the service level's time from the
// appeal's decision (the EMCC publishes no figure of its own for it), where
// counting from the submission would make the case overdue at once. Zero
// before the case is submitted and while its fee awaits payment.
func (c *Case) ServiceStart() time.Time {
	if c.SubmittedAt.IsZero() || c.State == StateAwaitingPayment {
		return time.Time{}
	}
	start := c.SubmittedAt
	if c.Payment != nil && c.Payment.At.After(start) {
		start = c.Payment.At
	}
	for _, a := range c.Appeals {
		if a.Outcome == AppealUpheld && a.At.After(start) {
			start = a.At
		}
	}
	return start
}
