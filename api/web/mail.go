package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

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
	if n > last {
		// Past the end (messages purged since, an old link): the last
		// page, not "no email has been written yet".
		return x.redirect("/office/outbox?page=" + strconv.Itoa(last))
	}
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
	return x.render(http.StatusOK, "outboxmessage", x.newPage("outbox.message", map[string]any{"M": v, "Link": a.officeLink(x, v.Link, v.CaseID)}))
}

// link is a button to a page.
type link struct{ Href, Label string }

// officeLink is where the office's page of a message takes the office for
// the message's link: the link itself when it is a page the office may
// open (a public page, an accreditation); the office's page of the case
// when the link is another role's page of it (the applicant's
// application, the assessor's workspace), which the office would get as
// a 403; nothing otherwise.
func (a *app) officeLink(x *ctx, href, caseID string) *link {
	if href == "" {
		return nil
	}
	u, err := url.Parse(href)
	if err != nil {
		return nil
	}
	if r, ok := a.routeOf(http.MethodGet, u.Path); ok && (r.Public || slices.Contains(r.Roles, domain.RoleOffice)) {
		return &link{Href: href, Label: x.T("outbox.open_link")}
	}
	if caseID != "" {
		return &link{Href: "/office/cases/" + url.PathEscape(caseID), Label: x.T("outbox.open_case")}
	}
	return nil
}

// routeOf is the route that serves method and path, as the router picks
// it: of those that match, the one with the most literal segments.
func (a *app) routeOf(method, path string) (route, bool) {
	var best route
	found, most := false, -1
	for _, r := range a.routes() {
		if r.Method != method || !matchPath(r.Path, path) {
			continue
		}
		if n := len(strings.Split(r.Path, "/")) - strings.Count(r.Path, ":"); n > most {
			best, found, most = r, true, n
		}
	}
	return best, found
}
