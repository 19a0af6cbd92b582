package web

import (
	"net/http"
	"strconv"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/mail"
)

// Email: each user's choice of what they receive (on the account page),
// and the office's reading of the outbox, where mail stays when no SMTP
// server is configured.

// outboxPageSize is how many messages one page of the outbox lists.
const outboxPageSize = 50

// withChoices adds the caller's notification choices to the account page.
func (a *app) withChoices(x *ctx, p *page) error {
	if a.d.Mail == nil {
		return nil
	}
	ch, err := a.d.Mail.Choices(x.Request().Context(), x.user.ID, x.user.Role)
	if err != nil {
		return err
	}
	if len(p.Form["receive"]) == 0 && p.Form.Get("language") == "" {
		for _, c := range ch.Kinds {
			if c.On {
				p.Form.Add("receive", string(c.Kind))
			}
		}
		p.Form.Set("language", ch.Language)
	}
	p.D = map[string]any{"Choices": ch}
	return nil
}

func (a *app) saveNotifications(x *ctx) error {
	if a.d.Mail == nil {
		return domain.Errorf(domain.NotFound, "email is not configured")
	}
	var on []mail.Kind
	for _, k := range x.form["receive"] {
		on = append(on, mail.Kind(k))
	}
	if _, err := a.d.Mail.SetChoices(x.Request().Context(), x.user.ID, x.user.Role, on, x.form.Get("language")); err != nil {
		p := x.newPage("account.title", nil)
		p.Form = x.form
		status := x.fieldErrors(p, err, nil)
		if err := a.withAccount(x, p); err != nil {
			return err
		}
		return x.render(status, "account", p)
	}
	return x.redirect("/account?ok=notifications_saved")
}

func (a *app) outbox(x *ctx) error {
	if a.d.Mail == nil {
		return domain.Errorf(domain.NotFound, "email is not configured")
	}
	n := 1
	if v := x.QueryParam("page"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			return domain.InvalidFields("bad query parameter", domain.FieldError{Field: "page", Reason: "1 or more"})
		}
	}
	page := a.d.Mail.List(x.Request().Context(), (n-1)*outboxPageSize, outboxPageSize)
	last := max(1, (page.Total+outboxPageSize-1)/outboxPageSize)
	return x.render(0, "outbox", x.newPage("outbox.title", map[string]any{
		"Messages": page.Messages, "Total": page.Total, "Page": n, "Pages": last,
		"Prev": n - 1, "Next": map[bool]int{true: n + 1, false: 0}[n < last], "Sending": a.d.Mail.Sending()}))
}

func (a *app) outboxMessage(x *ctx) error {
	if a.d.Mail == nil {
		return domain.Errorf(domain.NotFound, "email is not configured")
	}
	id := x.Param("message")
	if !mail.ValidID(id) {
		return domain.Errorf(domain.NotFound, "no message %s", id)
	}
	v, err := a.d.Mail.Read(x.Request().Context(), id)
	if err != nil {
		return err
	}
	return x.render(http.StatusOK, "outboxmessage", x.newPage("outbox.message", map[string]any{"M": v}))
}
