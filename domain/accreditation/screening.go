package accreditation

import (
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
)

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
	return one(CaseScreened{Outcome: in.Outcome, Reason: in.Reason}), nil
}
