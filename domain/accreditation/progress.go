package accreditation

import "slices"

// inProgress are the states of a case under way: submitted and neither
// finally decided nor withdrawn. An appealed case is under way again; a
// returned one is too, back with its applicant until resubmitted.
var inProgress = []State{
	StateAwaitingPayment, StateSubmitted, StateReturned, StateAwaitingAssessment, StateInAssessment,
	StateInformationRequested, StateModeration, StateAwaitingDecision, StateAppealed,
}

// InProgress reports whether a case in state s is under way (see inProgress).
func (s State) InProgress() bool { return slices.Contains(inProgress, s) }

// WithApplicant reports whether a case in state s is with its applicant to
// change and submit: a draft, or returned (see withApplicant).
func (s State) WithApplicant() bool { return slices.Contains(withApplicant, s) }

// Queued reports whether the office follows a case in state s in its queue:
// every state in progress except returned, where the case waits for its
// applicant to resubmit it and is queued again from then.
func (s State) Queued() bool { return s != StateReturned && s.InProgress() }

// waitsOnApplicant are the states in progress where the next move is the
// applicant's: to resubmit, to answer, to pay.
var waitsOnApplicant = []State{StateReturned, StateInformationRequested, StateAwaitingPayment}

// StillOpen reports whether the case still keeps its applicant's data from
// the retention policy, which asks it only of an applicant with no
// activity for the whole retention period: while it is in progress on the
// office's or the assessors' side, or holds an active accreditation (an
// award at a lower level stays in force while appealed). A case waiting
// for its applicant all that time does not: it was left, and kept every
// such applicant's data for ever (their erasure withdraws it, as any
// erasure does a case before its decision).
func (c *Case) StillOpen() bool {
	if c.State.InProgress() && !slices.Contains(waitsOnApplicant, c.State) {
		return true
	}
	return c.Accreditation != nil && c.Accreditation.Status == StatusActive
}
