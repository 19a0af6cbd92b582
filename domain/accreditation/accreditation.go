package accreditation

import (
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/limits"
)

// Renew is the holder renewing an active accreditation before it ends, and
// within the renewal window of the rule set in force at now when it sets one
// (RuleRenewalWindow months before valid_until): continued practice, the Global Code of Ethics and, for EIA,
// the minimum supervision and CPD hours of the last year, and the rule set's
// declarations, confirmed again. The new valid-until
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
	rs := ruleSets.InForce(c.Scheme, now)
	unmet := rs.checkRenewal(c.Scheme, c.Accreditation.Level, in)
	confirmed, unconfirmed := rs.confirm(in.Declarations, now)
	if unmet = append(unmet, unconfirmed...); len(unmet) > 0 {
		return nil, unmetError("renew", rs.ID, unmet)
	}
	a := c.Accreditation
	return one(AccreditationRenewed{
		AccreditationID: a.ID, PreviousValidUntil: a.ValidUntil, ValidUntil: a.ValidUntil.AddDate(ValidityYears, 0, 0),
		ContinuedPractice: in.ContinuedPractice, SupervisionHoursLastYear: in.SupervisionHoursLastYear,
		CPDHoursLastYear: in.CPDHoursLastYear, EthicsCodeAdherence: in.EthicsCodeAdherence, RuleSetVersion: rs.ID,
		Declarations: confirmed,
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
