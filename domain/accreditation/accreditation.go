package accreditation

import (
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
)

// Expire is the system expiring an active accreditation at or after its
// valid-until. Errors: NotFound, Forbidden, Conflict, Unprocessable (not
// yet due).
func (c *Case) Expire(actor domain.Actor, now time.Time) ([]aggregate.Change, error) {
	if err := c.guard(ActionExpire, actor, now, nil); err != nil {
		return nil, err
	}
	a := c.Accreditation
	return one(AccreditationExpired{AccreditationID: a.ID, ValidUntil: a.ValidUntil}), nil
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
	return one(AccreditationRevoked{AccreditationID: c.Accreditation.ID, Reason: in.Reason}), nil
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
	return one(AccreditationWithdrawn{AccreditationID: c.Accreditation.ID, Cause: cause, Reason: in.Reason}), nil
}
