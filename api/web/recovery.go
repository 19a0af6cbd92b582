package web

import (
	"errors"
	"net/http"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/recovery"
)

// Account recovery: "forgot your password", the page a reset link opens,
// the office's reset link for a user, and a new email address confirmed
// by a link. A link's page only shows a form: mail scanners open links,
// so nothing happens until the form is sent.

func (a *app) recovery() (*recovery.Service, error) {
	if a.d.Recovery == nil {
		return nil, domain.Errorf(domain.NotFound, "account recovery is not configured")
	}
	return a.d.Recovery, nil
}

func (a *app) forgotForm(x *ctx) error {
	return x.render(0, "forgot", x.newPage("forgot.title", nil))
}

// forgot answers alike whether the address is registered or not.
func (a *app) forgot(x *ctx) error {
	r, err := a.recovery()
	if err != nil {
		return err
	}
	p := x.newPage("forgot.title", nil)
	email := x.fv("email")
	p.Form.Set("email", email)
	if email == "" {
		p.Errors["email"] = x.fillIn("email")
	} else if accounts.CheckEmail(email) != nil {
		p.Errors["email"] = x.T("forgot.email.invalid")
	}
	if len(p.Errors) > 0 {
		return x.render(http.StatusBadRequest, "forgot", p)
	}
	if err := r.RequestReset(x.Request().Context(), email, x.RealIP(), x.lang); err != nil {
		return throttled(x, err, p, "forgot", "forgot.throttled")
	}
	p.D = map[string]any{"Sent": true}
	return x.render(http.StatusOK, "forgot", p)
}

func (a *app) resetForm(x *ctx) error {
	r, err := a.recovery()
	if err != nil {
		return err
	}
	p := x.newPage("reset.title", nil)
	token := x.QueryParam("token")
	p.Form.Set("token", token)
	if r.Check(x.Request().Context(), token, recovery.PurposePassword) != nil {
		p.D = map[string]any{"Invalid": true} // a page saying so, not an error
	}
	return x.render(0, "reset", p)
}

func (a *app) reset(x *ctx) error {
	r, err := a.recovery()
	if err != nil {
		return err
	}
	p := x.newPage("reset.title", nil)
	token, next, repeat := x.form.Get("token"), x.form.Get("password"), x.form.Get("repeat_password")
	p.Form.Set("token", token)
	if next == "" {
		p.Errors["password"] = x.fillIn("password")
	}
	if repeat == "" {
		p.Errors["repeat_password"] = x.fillIn("repeat_password")
	} else if next != "" && repeat != next {
		p.Errors["repeat_password"] = x.T("account.repeat_mismatch")
	}
	if len(p.Errors) > 0 {
		return x.render(http.StatusBadRequest, "reset", p)
	}
	if _, err := r.Reset(x.Request().Context(), x.meta("reset_password"), token, next); err != nil {
		if de := domainError(err); de != nil && len(de.Fields) == 1 && de.Fields[0].Field == "token" {
			p.D = map[string]any{"Invalid": true}
			return x.render(http.StatusBadRequest, "reset", p)
		}
		if de := domainError(err); de != nil && len(de.Fields) == 1 && de.Fields[0].Field == "password" {
			p.Errors["password"] = translateReason(x.lang, de.Fields[0].Reason)
			return x.render(http.StatusBadRequest, "reset", p)
		}
		return err
	}
	return x.redirect("/login?ok=password_reset")
}

// issueResetLink shows the office a reset link for the user, once,
// recorded in the user's history with who made it, as POST
// /api/v1/users/:id/password-reset-links does.
func (a *app) issueResetLink(x *ctx) error {
	r, err := a.recovery()
	if err != nil {
		return err
	}
	id, err := userParam(x)
	if err != nil {
		return err
	}
	in, err := r.IssueReset(x.Request().Context(), x.meta("issue_reset_link"), id)
	if err != nil {
		return err
	}
	a.settle(x, in.Result.Seq)
	p := x.newPage("user.title", nil)
	p.OK = x.T("users.reset_link.issued", in.Link)
	return a.userPage(x, id, p, http.StatusOK)
}

func (a *app) requestEmailChange(x *ctx) error {
	r, err := a.recovery()
	if err != nil {
		return err
	}
	// The password is never filled in again (p.Form drops it below).
	if err := r.RequestEmailChange(x.Request().Context(), x.user.ID, x.fv("new_email"), x.form.Get("email_password"), x.lang); err != nil {
		p := x.newPage("account.title", nil)
		p.Form = x.form
		p.Form.Del("email_password")
		if de := (*domain.Error)(nil); asDomain(err, &de) && len(de.Fields) == 1 && de.Fields[0].Field == "current_password" {
			switch {
			case domain.Is(err, domain.Invalid):
				p.Errors["email_password"] = x.fillIn("email_password")
			case domain.Is(err, domain.TooManyRequests):
				x.Response().Header().Set("Retry-After", itoa(de.RetryAfter))
				p.Problems = append(p.Problems, x.T("account.email.paused", de.RetryAfter))
			default:
				p.Errors["email_password"] = x.T("account.current_wrong")
			}
			if err := a.withAccount(x, p); err != nil {
				return err
			}
			return x.render(statusOf(err), "account", p)
		}
		if domain.Is(err, domain.Invalid) {
			p.Errors["new_email"] = x.T("forgot.email.invalid")
			if de := (*domain.Error)(nil); asDomain(err, &de) && len(de.Fields) == 1 && de.Fields[0].Reason == recovery.ReasonEmailUnchanged {
				p.Errors["new_email"] = x.T("account.email.unchanged")
			}
			if err := a.withAccount(x, p); err != nil {
				return err
			}
			return x.render(http.StatusBadRequest, "account", p)
		}
		if domain.Is(err, domain.TooManyRequests) {
			if err := a.withAccount(x, p); err != nil {
				return err
			}
		}
		return throttled(x, err, p, "account", "account.email_throttled")
	}
	return x.redirect("/account?ok=email_link_sent")
}

// throttled renders page with the message key (given the minutes to wait)
// when err is a TooManyRequests, and returns err as it is otherwise.
func throttled(x *ctx, err error, p *page, view, key string) error {
	var de *domain.Error
	if !domain.Is(err, domain.TooManyRequests) || !errors.As(err, &de) {
		return err
	}
	x.Response().Header().Set("Retry-After", itoa(de.RetryAfter))
	p.Problems = append(p.Problems, x.T(key, (de.RetryAfter+59)/60))
	return x.render(http.StatusTooManyRequests, view, p)
}

func (a *app) confirmEmailForm(x *ctx) error {
	r, err := a.recovery()
	if err != nil {
		return err
	}
	p := x.newPage("confirm_email.title", nil)
	token := x.QueryParam("token")
	p.Form.Set("token", token)
	if r.Check(x.Request().Context(), token, recovery.PurposeEmail) != nil {
		p.D = map[string]any{"Invalid": true} // a page saying so, not an error
	}
	return x.render(0, "confirmemail", p)
}

func (a *app) confirmEmail(x *ctx) error {
	r, err := a.recovery()
	if err != nil {
		return err
	}
	p := x.newPage("confirm_email.title", nil)
	res, err := r.ConfirmEmail(x.Request().Context(), x.meta("confirm_email"), x.form.Get("token"))
	if err != nil {
		if domain.Is(err, domain.Invalid) {
			p.D = map[string]any{"Invalid": true}
			return x.render(http.StatusBadRequest, "confirmemail", p)
		}
		// The address is another account's: the request does not say so
		// (it tells no one whose an address is), so the page says it
		// here, where the link's holder has shown the mailbox is theirs.
		if accounts.EmailTaken(err) {
			p.D = map[string]any{"Taken": true}
			return x.render(http.StatusConflict, "confirmemail", p)
		}
		return err
	}
	a.settle(x, res.Seq)
	if x.user != nil {
		return x.redirect("/account?ok=email_changed")
	}
	return x.redirect("/login?ok=email_changed")
}

// domainError is err's domain error, nil for another.
func domainError(err error) *domain.Error {
	var de *domain.Error
	if errors.As(err, &de) {
		return de
	}
	return nil
}
