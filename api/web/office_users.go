package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/framework"
)

// ---- users ----

func (a *app) usersPage(x *ctx, p *page, status int) error {
	users, err := a.d.Accounts.Users(x.Request().Context())
	if err != nil {
		return err
	}
	slices.SortStableFunc(users, func(a, b accounts.UserView) int { return strings.Compare(string(a.Role), string(b.Role)) })
	p.D = map[string]any{"Users": users}
	return x.render(status, "users", p)
}

func (a *app) users(x *ctx) error {
	p := x.newPage("users.title", nil)
	p.Form.Set("role", string(domain.RoleAssessor))
	return a.usersPage(x, p, 0)
}

func (a *app) createUser(x *ctx) error {
	p := x.newPage("users.title", nil)
	p.Form = x.form
	in := accounts.NewUser{Name: x.fv("name"), Email: x.fv("email"), Password: x.form.Get("password"), Role: domain.Role(x.fv("role"))}
	u, res, err := a.d.Accounts.Create(x.Request().Context(), x.meta("create_user"), in)
	if err != nil {
		p.Form.Del("password")
		return a.usersPage(x, p, x.fieldErrors(p, err, nil))
	}
	a.settle(x.Request().Context(), res.Seq)
	return x.redirect("/office/users/" + u.ID + "?ok=user_created")
}

func userParam(x *ctx) (string, error) {
	id := x.Param("user")
	if !domain.ValidULID(id) {
		return "", domain.Errorf(domain.NotFound, "no user %s", id)
	}
	return id, nil
}

func (a *app) userPage(x *ctx, id string, p *page, status int) error {
	u, err := a.d.Accounts.User(x.Request().Context(), id)
	if err != nil {
		return err
	}
	all, _, err := a.d.Accounts.UsersPage(x.Request().Context(), domain.RoleApplicant, "", 0)
	if err != nil {
		return err
	}
	var applicants []accounts.UserView
	for _, o := range all {
		if !o.Erased {
			applicants = append(applicants, o)
		}
	}
	p.D = map[string]any{"U": u, "Applicants": applicants, "Self": x.user != nil && x.user.ID == u.ID}
	p.Title = u.Name
	return x.render(status, "user", p)
}

func (a *app) user(x *ctx) error {
	id, err := userParam(x)
	if err != nil {
		return err
	}
	u, err := a.d.Accounts.User(x.Request().Context(), id)
	if err != nil {
		return err
	}
	p := x.newPage("user.title", nil)
	if pr := u.Profile; pr != nil {
		p.Form["schemes"] = pr.Schemes
		p.Form.Set("max_level", string(pr.MaxLevel))
		p.Form.Set("languages", strings.Join(pr.Languages, ", "))
		p.Form["conflicts"] = pr.Conflicts
	} else {
		p.Form["schemes"] = schemes
		p.Form.Set("languages", "en")
	}
	return a.userPage(x, id, p, 0)
}

func (a *app) saveProfile(x *ctx) error {
	id, err := userParam(x)
	if err != nil {
		return err
	}
	codes := strings.FieldsFunc(strings.ToLower(x.fv("languages")), func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	prof := accounts.Profile{Schemes: x.form["schemes"], MaxLevel: framework.Level(x.fv("max_level")), Languages: codes, Conflicts: x.form["conflicts"]}
	if prof.Conflicts == nil {
		prof.Conflicts = []string{}
	}
	res, err := a.d.Accounts.SetProfile(x.Request().Context(), x.meta("set_profile"), id, prof)
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		p := x.newPage("user.title", nil)
		p.Form = x.form
		return a.userPage(x, id, p, x.fieldErrors(p, err, nil))
	}
	a.settle(x.Request().Context(), res.Seq)
	return x.redirect("/office/users/" + id + "?ok=profile_saved")
}

func (a *app) disableUser(x *ctx) error {
	id, err := userParam(x)
	if err != nil {
		return err
	}
	p := x.newPage("user.title", nil)
	p.Form = x.form
	if x.fv("disable_reason") == "" {
		p.Errors["disable_reason"] = x.T("form.required")
		return a.userPage(x, id, p, http.StatusBadRequest)
	}
	res, err := a.d.Accounts.Disable(x.Request().Context(), x.meta("disable_user"), id, x.fv("disable_reason"))
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		renameField(err, "reason", "disable_reason")
		return a.userPage(x, id, p, x.fieldErrors(p, err, nil))
	}
	a.settle(x.Request().Context(), res.Seq)
	return x.redirect("/office/users/" + id + "?ok=user_disabled")
}

// eraseUser is the GDPR erasure of a user, as DELETE /api/v1/users/:id
// does: the erasure is recorded and the user's key deleted (so every
// sealed personal field of theirs reads as erased), then their evidence
// files are deleted. It needs a reason and the confirmation that it cannot
// be undone; the office cannot erase itself.
func (a *app) eraseUser(x *ctx) error {
	id, err := userParam(x)
	if err != nil {
		return err
	}
	if _, err := a.d.Accounts.User(x.Request().Context(), id); err != nil {
		return err
	}
	p := x.newPage("user.title", nil)
	p.Form = x.form
	if x.fv("erase_reason") == "" {
		p.Errors["erase_reason"] = x.T("form.required")
	}
	if x.fv("erase_confirm") != "yes" {
		p.Errors["erase_confirm"] = x.T("users.erase.confirm_required")
	}
	if x.user.ID == id {
		p.Problems = append(p.Problems, x.T("users.erase.self"))
	}
	if p.HasErrors() {
		return a.userPage(x, id, p, http.StatusBadRequest)
	}
	ctx := x.Request().Context()
	res, err := a.d.Accounts.Erase(ctx, x.meta("erase_user"), id, x.fv("erase_reason"))
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		renameField(err, "reason", "erase_reason")
		return a.userPage(x, id, p, x.fieldErrors(p, err, nil))
	}
	if err := a.d.Cases.EraseEvidenceOf(ctx, id); err != nil {
		a.d.Log.Error("web: erase evidence", "user_id", id, "err", err)
		a.settle(ctx, res.Seq)
		p = x.newPage("user.title", nil)
		p.Problems = append(p.Problems, x.T("users.erase.evidence_pending"))
		return a.userPage(x, id, p, http.StatusServiceUnavailable)
	}
	a.settle(ctx, res.Seq)
	return x.redirect("/office/users/" + id + "?ok=user_erased")
}
