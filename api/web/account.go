package web

import (
	"errors"
	"net/http"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
)

// account is the caller's own account: who they are, the password form and
// the download of their data.
func (a *app) account(x *ctx) error {
	p := x.newPage("account.title", nil)
	if err := a.withAccount(x, p); err != nil {
		return err
	}
	return x.render(0, "account", p)
}

// withAccount adds to the account page what it shows beside its forms: the
// notification choices (withChoices) and how many other sessions the
// caller has.
func (a *app) withAccount(x *ctx, p *page) error {
	n, err := a.d.Accounts.OtherSessions(x.Request().Context(), x.user.ID, x.token)
	if err != nil {
		return err
	}
	if err := a.withChoices(x, p); err != nil {
		return err
	}
	d, _ := p.D.(map[string]any)
	if d == nil {
		d = map[string]any{}
	}
	d["OtherSessions"] = n
	p.D = d
	return nil
}

// endOtherSessions logs the caller out everywhere but this browser, as
// POST /api/v1/me/sessions/revocation does.
func (a *app) endOtherSessions(x *ctx) error {
	res, _, err := a.d.Accounts.EndOtherSessions(x.Request().Context(), x.meta("end_other_sessions"), x.user.ID, x.token)
	if err != nil {
		return err
	}
	a.settle(x, res.Seq)
	a.renewDevice(x)
	return x.redirect("/account?ok=other_sessions_ended")
}

// changePassword sets the caller's new password after checking the current
// one and that the new one was typed twice alike. The password fields are
// never filled in again.
func (a *app) changePassword(x *ctx) error {
	p := x.newPage("account.title", nil)
	current, next, repeat := x.form.Get("current_password"), x.form.Get("new_password"), x.form.Get("repeat_password")
	if current == "" {
		p.Errors["current_password"] = x.fillIn("current_password")
	}
	if next == "" {
		p.Errors["new_password"] = x.fillIn("new_password")
	}
	if repeat == "" {
		p.Errors["repeat_password"] = x.fillIn("repeat_password")
	} else if next != "" && repeat != next {
		p.Errors["repeat_password"] = x.T("account.repeat_mismatch")
	}
	if err := a.withAccount(x, p); err != nil {
		return err
	}
	if len(p.Errors) > 0 {
		return x.render(http.StatusBadRequest, "account", p)
	}
	res, err := a.d.Accounts.ChangePassword(x.Request().Context(), x.meta("change_password"), x.user.ID, current, next, x.token)
	if err != nil {
		var de *domain.Error
		switch {
		case domain.Is(err, domain.TooManyRequests) && errors.As(err, &de):
			x.Response().Header().Set("Retry-After", itoa(de.RetryAfter))
			p.Problems = append(p.Problems, x.T("account.throttled", de.RetryAfter))
		case domain.Is(err, domain.Unauthorized):
			p.Errors["current_password"] = x.T("account.current_wrong")
		case domain.Is(err, domain.Invalid) && errors.As(err, &de) && len(de.Fields) == 1 && de.Fields[0].Field == "new_password":
			switch r := de.Fields[0].Reason; r {
			case accounts.ReasonPasswordShort, accounts.ReasonPasswordLong:
				p.Errors["new_password"] = x.T("account.new_length")
			default:
				p.Errors["new_password"] = translateReason(x.lang, r)
			}
		default:
			return x.render(x.fieldErrors(p, err, nil), "account", p)
		}
		return x.render(statusOf(err), "account", p)
	}
	a.settle(x, res.Seq)
	a.renewDevice(x)
	return x.redirect("/account?ok=password_changed")
}

// renewDevice gives this browser a new device cookie after a change that
// voided the one it held (a new password, the other sessions ended): it
// is the owner's browser still, and without one the many addresses that
// may be why the owner made the change could lock it out at its next
// login. A failure leaves the browser as any new one; the change stands.
func (a *app) renewDevice(x *ctx) {
	d, err := a.d.Accounts.DeviceFor(x.Request().Context(), x.user.ID)
	if err != nil {
		a.d.Log.Warn("web: no new device cookie after a change of credentials", "user_id", x.user.ID, "err", err)
		return
	}
	if d != "" {
		a.setCookie(x.Context, deviceCookie, d, int(accounts.DeviceTTL.Seconds()))
	}
}
