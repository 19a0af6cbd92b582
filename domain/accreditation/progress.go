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

// StillOpen reports whether the case still keeps its applicant's data from the
// retention policy: while it is in progress, or holds an active
// accreditation (an award at a lower level stays in force while appealed).
func (c *Case) StillOpen() bool {
	return c.State.InProgress() || c.Accreditation != nil && c.Accreditation.Status == StatusActive
}
