package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/mail"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/search"
)

// ---- users ----

// usersPage lists the users a page at a time, found by the words of their
// name or email (?q) and by role, from the search index: the page reads
// only the users it shows.
func (a *app) usersPage(x *ctx, p *page, status int) error {
	idx := a.d.Reads.Search
	if idx == nil {
		return domain.Errorf(domain.Unavailable, "search is not available on this server")
	}
	q, role, after := x.QueryParam("q"), domain.Role(x.QueryParam("role")), x.QueryParam("after")
	if !role.Valid() {
		role = ""
	}
	if !domain.ValidULID(after) {
		after = ""
	}
	hits, next := idx.Users(search.UserQuery{Text: q, Role: role, After: after, Limit: usersPageSize})
	users := make([]accounts.UserView, 0, len(hits))
	for _, h := range hits {
		u, err := a.d.Accounts.User(x.Request().Context(), h.ID)
		if domain.Is(err, domain.NotFound) {
			continue // erased since the index was read
		}
		if err != nil {
			return err
		}
		users = append(users, u)
	}
	d := map[string]any{"Users": users, "Q": q, "Role": string(role), "Index": idx.Status(), "Roles": []string{"applicant", "assessor", "office"}}
	if next != "" {
		v := x.QueryParams()
		v.Set("after", next)
		d["Next"] = "/office/users?" + v.Encode()
	}
	if after != "" {
		v := x.QueryParams()
		v.Del("after")
		d["First"] = "/office/users?" + v.Encode()
	}
	p.D = d
	return x.render(status, "users", p)
}

// usersPageSize is how many users a page of the users list shows.
const usersPageSize = 50

func (a *app) users(x *ctx) error {
	p := x.newPage("users.title", nil)
	p.Form.Set("role", string(domain.RoleAssessor))
	p.Form.Set("language", x.lang) // the new user's mail: most are the office's own language
	return a.usersPage(x, p, 0)
}

func (a *app) createUser(x *ctx) error {
	p := x.newPage("users.title", nil)
	p.Form = x.form
	in := accounts.NewUser{Name: x.fv("name"), Email: x.fv("email"), Password: x.form.Get("password"), Role: domain.Role(x.fv("role"))}
	lang := x.fv("language")
	if err := mail.CheckAccountLanguage(lang); err != nil {
		p.Form.Del("password")
		return a.usersPage(x, p, x.fieldErrors(p, err, nil))
	}
	u, res, err := a.d.Accounts.Create(x.Request().Context(), x.meta("create_user"), in)
	if err != nil {
		p.Form.Del("password")
		return a.usersPage(x, p, x.fieldErrors(p, err, nil))
	}
	a.keepAccountLanguage(x, u.ID, lang)
	a.settle(x, res.Seq)
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
	u, version, err := a.d.Accounts.UserAt(x.Request().Context(), id)
	if err != nil {
		return err
	}
	d := map[string]any{"U": u, "Version": version, "Shown": u.Profile, "Self": x.user != nil && x.user.ID == u.ID,
		"Grounds": accounts.ErasureGrounds}
	p.D = d
	if p.Form.Get("erase_ground") == "" {
		// Most erasures are on the person's request.
		p.Form.Set("erase_ground", accounts.GroundRequest)
	}
	if u.Role == domain.RoleAssessor {
		// The cases and renewals they hold now: a disabled assessor's
		// wait for the office to reassign them.
		var held projections.Page
		a.read(func(m *projections.Models) {
			held = m.Cases.OfficeQueue(projections.QueueFilter{AssessorID: u.ID}, a.d.Now(), a.sla(), 0, heldShown)
		})
		d["Held"], d["HeldMore"] = held.Items, held.HasMore
		var renewals []projections.RenewalItem
		a.read(func(m *projections.Models) { renewals = m.Cases.Renewals("", u.ID) })
		d["Renewals"] = renewals
		ids := make([]string, 0, len(held.Items)+len(renewals))
		for _, it := range held.Items {
			ids = append(ids, it.CaseID)
		}
		for _, r := range renewals {
			ids = append(ids, r.CaseID)
		}
		d["Barred"] = a.barredOn(x, u.ID, ids)
	}
	if u.Role == domain.RoleAssessor {
		if err := a.conflictChoices(x, p); err != nil {
			return err
		}
	}
	p.Title = u.Name
	return x.render(status, "user", p)
}

// heldShown is how many of an assessor's cases their user page lists;
// the office queue, filtered to them, has the rest.
const heldShown = 10

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
	if searchingConflicts(x) { // the form as typed, with what the search found
		return a.userPage(x, id, x.typedPage("user.title"), 0)
	}
	prof := accounts.Profile{Schemes: x.form["schemes"], MaxLevel: framework.Level(x.fv("max_level")), Languages: languageCodes(x.fv("languages")), Conflicts: x.form["conflicts"]}
	m := a.mergeProfile(x, id, x.meta("set_profile"), &prof)
	if prof.Conflicts == nil {
		prof.Conflicts = []string{}
	}
	res, err := a.d.Accounts.SetProfile(x.Request().Context(), m, id, prof)
	if x.overtaken(err) {
		return errOvertaken
	}
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		p := x.newPage("user.title", nil)
		p.Form = x.form
		return a.userPage(x, id, p, x.fieldErrors(p, err, nil))
	}
	a.settle(x, res.Seq)
	return x.redirect("/office/users/" + id + "?ok=profile_saved")
}

// languageCodes are the language codes typed in a profile's field.
func languageCodes(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
}

// mergeProfile lets a profile form shown at an older version of user id
// (its "version", and the profile it showed in its shown_ fields) be saved
// over the changes made since, as a case's forms are (merge): the schemes
// and the conflicts it added or took off are added to or taken off the
// profile now, a level or languages it left as shown take the profile's
// now. A level or languages changed both here and since to another value
// leave m as it is: the save is refused, the page keeps what was typed.
// Merged, prof and the form hold the result and m is at the user's
// version.
func (a *app) mergeProfile(x *ctx, id string, m aggregate.Meta, prof *accounts.Profile) aggregate.Meta {
	if m.IfVersion == nil || !x.form.Has("shown_max_level") {
		return m
	}
	u, version, err := a.d.Accounts.UserAt(x.Request().Context(), id)
	if err != nil || u.Profile == nil || *m.IfVersion >= version {
		return m
	}
	now := *u.Profile
	shownLevel, shownLanguages := framework.Level(x.fv("shown_max_level")), languageCodes(x.fv("shown_languages"))
	level, ok := mergeField(shownLevel, prof.MaxLevel, now.MaxLevel)
	if !ok {
		return m
	}
	languages, ok := mergeField(strings.Join(shownLanguages, ","), strings.Join(prof.Languages, ","), strings.Join(now.Languages, ","))
	if !ok {
		return m
	}
	merged := accounts.Profile{
		Schemes: mergeSet(x.form["shown_schemes"], prof.Schemes, now.Schemes), MaxLevel: level,
		Languages: languageCodes(languages), Conflicts: mergeSet(x.form["shown_conflicts"], prof.Conflicts, now.Conflicts),
	}
	*prof = merged
	x.form["schemes"], x.form["conflicts"] = merged.Schemes, merged.Conflicts
	x.form.Set("max_level", string(merged.MaxLevel))
	x.form.Set("languages", strings.Join(merged.Languages, ", "))
	m.IfVersion = &version
	return m
}

func (a *app) disableUser(x *ctx) error {
	return a.userWithReason(x, "disable_reason", "user_disabled", "users.disable.self", func(ctx context.Context, m aggregate.Meta, id, reason string) (aggregate.Result, error) {
		return a.d.Accounts.Disable(ctx, m, id, reason)
	})
}

// enableUser lets a disabled user log in again, with a reason.
func (a *app) enableUser(x *ctx) error {
	return a.userWithReason(x, "enable_reason", "user_enabled", "", func(ctx context.Context, m aggregate.Meta, id, reason string) (aggregate.Result, error) {
		return a.d.Accounts.Enable(ctx, m, id, reason)
	})
}

// userWithReason runs a command on the :user that needs a reason (the
// form's field) and answers with the user's page, ok saying it is done.
// With a self message, one's own account is refused before the command
// (which accounts.NotOwnAccount refuses too), in the page's language.
func (a *app) userWithReason(x *ctx, field, ok, self string, run func(ctx context.Context, m aggregate.Meta, id, reason string) (aggregate.Result, error)) error {
	id, err := userParam(x)
	if err != nil {
		return err
	}
	p := x.newPage("user.title", nil)
	p.Form = x.form
	if x.fv(field) == "" {
		p.Errors[field] = x.fillIn(field)
	}
	if self != "" && accounts.NotOwnAccount(x.actor(), id, "") != nil {
		p.Problems = append(p.Problems, x.T(self))
	}
	if p.HasErrors() {
		return a.userPage(x, id, p, http.StatusBadRequest)
	}
	res, err := run(x.Request().Context(), x.meta(strings.TrimSuffix(field, "_reason")+"_user"), id, x.fv(field))
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		renameField(err, "reason", field)
		return a.userPage(x, id, p, x.fieldErrors(p, err, nil))
	}
	a.settle(x, res.Seq)
	return x.redirect("/office/users/" + id + "?ok=" + ok)
}

// eraseUser is the GDPR erasure of a user, as DELETE /api/v1/users/:id
// does: the erasure is recorded and the user's key deleted (so every
// sealed personal field of theirs reads as erased), then their evidence
// files are deleted. It needs a reason and the confirmation that it cannot
// be undone; an office user cannot erase their own account
// (accounts.NotOwnAccount).
func (a *app) eraseUser(x *ctx) error {
	id, err := userParam(x)
	if err != nil {
		return err
	}
	u, err := a.d.Accounts.User(x.Request().Context(), id)
	if err != nil {
		return err
	}
	if x.editing() { // back from the confirmation: the form as typed
		return a.userPage(x, id, x.typedPage("user.title"), 0)
	}
	p := x.newPage("user.title", nil)
	p.Form = x.form
	if !slices.Contains(accounts.ErasureGrounds, x.fv("erase_ground")) {
		p.Errors["erase_ground"] = x.T("form.choose")
	}
	if x.fv("erase_confirm") != "yes" {
		p.Errors["erase_confirm"] = x.T("users.erase.confirm_required")
	}
	if accounts.NotOwnAccount(x.actor(), id, "erase") != nil {
		p.Problems = append(p.Problems, x.T("users.erase.self"))
	}
	if p.HasErrors() {
		return a.userPage(x, id, p, http.StatusBadRequest)
	}
	if !x.confirmed() {
		return a.askToConfirm(x, erasureConfirmation(x, u))
	}
	ctx := x.Request().Context()
	m := x.meta("erase_user")
	res, err := a.d.Accounts.Erase(ctx, m, id, x.fv("erase_ground"), x.fv("erase_reason"))
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		renameField(err, "reason", "erase_reason")
		renameField(err, "ground", "erase_ground")
		return a.userPage(x, id, p, x.fieldErrors(p, err, nil))
	}
	if err := a.d.Cases.AfterErasure(ctx, m, id); err != nil {
		a.d.Log.Error("web: erase evidence", "user_id", id, "err", err)
		a.settle(x, res.Seq)
		p = x.newPage("user.title", nil)
		p.Problems = append(p.Problems, x.T("users.erase.evidence_pending"))
		return a.userPage(x, id, p, http.StatusServiceUnavailable)
	}
	a.settle(x, res.Seq)
	return x.redirect("/office/users/" + id + "?ok=user_erased")
}
