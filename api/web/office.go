package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections"
)

// ---- dashboard ----

// barRow is one row of a bar table: a label, a number and the bar's length
// in percent of the largest.
type barRow struct {
	Label string
	Value int
	Pct   float64
	Href  string
}

// column is one bar of the histogram, in the SVG's coordinates.
type column struct {
	Label          string
	Value          int
	X, Y, W, H, CX float64
	TextY          float64
}

func (a *app) dashboard(x *ctx) error {
	var st projections.Stats
	a.read(func(m *projections.Models) { st = m.Cases.Stats(a.d.Now(), a.sla()) })
	var states []barRow
	maxState := 1
	for _, s := range accreditation.States {
		maxState = max(maxState, st.ByState[string(s)])
	}
	for _, s := range accreditation.States {
		v := st.ByState[string(s)]
		states = append(states, barRow{Label: x.T("state." + string(s)), Value: v, Pct: float64(v) * 100 / float64(maxState),
			Href: "/office/cases?state=" + string(s)})
	}
	// The histogram of days from submission to decision.
	const chartW, chartH, base, left = 700.0, 330.0, 250.0, 10.0
	maxB := 1
	for _, b := range st.DaysToDecisionBuckets {
		maxB = max(maxB, b.Cases)
	}
	var cols []column
	n := float64(len(st.DaysToDecisionBuckets))
	slot := (chartW - left) / max(n, 1)
	for i, b := range st.DaysToDecisionBuckets {
		label := "≤ " + itoa(b.UpToDays)
		if b.UpToDays < 0 {
			label = "> " + itoa(st.DaysToDecisionBuckets[max(i-1, 0)].UpToDays)
		}
		h := float64(b.Cases) / float64(maxB) * (base - 30)
		x0 := left + float64(i)*slot + slot*0.15
		cols = append(cols, column{Label: label, Value: b.Cases, X: x0, W: slot * 0.7, CX: x0 + slot*0.35, Y: base - h, H: h, TextY: base - h - 8})
	}
	var workload []map[string]any
	for _, w := range st.AssessorWorkload {
		workload = append(workload, map[string]any{"Name": a.userName(x, w.UserID), "ID": w.UserID, "Open": w.Open, "Completed": w.Completed})
	}
	d := map[string]any{"S": st, "States": states, "Columns": cols, "ChartW": chartW, "ChartH": chartH, "Base": base, "Left": left,
		"Workload": workload, "Levels": levelIDs()}
	return x.render(0, "dashboard", x.newPage("dashboard.title", d))
}

// ---- the office queue and a case ----

func (a *app) officeQueue(x *ctx) error {
	f := projections.QueueFilter{Scheme: enumParam(x.QueryParam("scheme"), schemes), Level: enumParam(x.QueryParam("level"), levelIDs()),
		State: enumParam(x.QueryParam("state"), stateIDs())}
	if o := x.QueryParam("overdue"); o == "true" || o == "false" {
		b := o == "true"
		f.Overdue = &b
	}
	offset, _ := strconv.Atoi(x.QueryParam("offset"))
	offset = max(offset, 0)
	var pg projections.Page
	a.read(func(m *projections.Models) { pg = m.Cases.OfficeQueue(f, a.d.Now(), a.sla(), offset, queueLimit) })
	items := pg.Items
	type row struct {
		projections.QueueItem
		Assessor, Verifier string
	}
	rows := make([]row, 0, len(items))
	for _, it := range items {
		r := row{QueueItem: it}
		if it.AssessorID != "" {
			r.Assessor = a.userName(x, it.AssessorID)
		}
		if it.VerifierID != "" {
			r.Verifier = a.userName(x, it.VerifierID)
		}
		rows = append(rows, r)
	}
	d := map[string]any{"Rows": rows, "States": stateIDs(), "Levels": levelIDs(), "SLADays": int(a.sla().Hours() / 24), "From": offset + 1, "To": offset + len(rows)}
	q := x.QueryParams()
	if pg.HasMore {
		q.Set("offset", itoa(offset+queueLimit))
		d["Next"] = "/office/cases?" + q.Encode()
	}
	if offset > 0 {
		q.Set("offset", itoa(max(offset-queueLimit, 0)))
		d["Prev"] = "/office/cases?" + q.Encode()
	}
	p := x.newPage("officequeue.title", d)
	for _, k := range []string{"scheme", "level", "state", "overdue"} {
		p.Form.Set(k, x.QueryParam(k))
	}
	return x.render(0, "officequeue", p)
}

func stateIDs() []string {
	out := make([]string, len(accreditation.States))
	for i, s := range accreditation.States {
		out[i] = string(s)
	}
	return out
}

// option is a choice of a select.
type option struct{ Value, Label string }

// officeCase is the office's page of one case.
type officeCase struct {
	C           *caseView
	Applicant   accounts.UserView
	NextStep    string
	Qualified   map[string][]option // open role -> the assessors qualified for it
	OpenRoles   []string
	Names       map[string]string
	History     []historyItem
	LowerLevels []framework.LevelInfo
	Levels      []framework.LevelInfo
	Overdue     bool
	DueAt       any
}

func (a *app) officeCaseView(x *ctx, c *caseView, p *page, status int) error {
	oc := &officeCase{C: c, NextStep: a.nextStep(x, c.Next), Qualified: map[string][]option{}, Names: map[string]string{}}
	oc.Applicant, _ = a.d.Accounts.User(x.Request().Context(), c.ApplicantID)
	for _, as := range c.Assignments {
		oc.Names[as.UserID] = a.userName(x, as.UserID)
	}
	for _, as := range c.Assessments {
		oc.Names[as.UserID] = a.userName(x, as.UserID)
	}
	if c.Decision != nil {
		oc.Names[c.Decision.By] = a.userName(x, c.Decision.By)
	}
	for _, r := range accreditation.AssessorRoles {
		if _, ok := c.Assignments[string(r)]; !ok {
			oc.OpenRoles = append(oc.OpenRoles, string(r))
		}
	}
	if c.Can(accreditation.ActionAssign) {
		var assessors []accounts.UserView
		for _, u := range a.d.Accounts.Users(x.Request().Context()) {
			if u.Role == domain.RoleAssessor && !u.Disabled && !u.Erased {
				assessors = append(assessors, u)
			}
		}
		a.read(func(m *projections.Models) {
			cs, ok := m.Cases.Case(c.ID)
			if !ok {
				return
			}
			for _, u := range assessors {
				prof, err := a.d.Cases.AssessorProfile(u.ID)
				if err != nil {
					continue
				}
				for _, r := range oc.OpenRoles {
					if cs.CanClaim(prof, accreditation.AssessorRole(r)) == nil {
						oc.Qualified[r] = append(oc.Qualified[r], option{Value: u.ID, Label: u.Name + " <" + u.Email + ">"})
					}
				}
			}
		})
	}
	if !c.SubmittedAt.IsZero() && c.Decision == nil {
		due := c.SubmittedAt.Add(a.sla())
		oc.DueAt, oc.Overdue = due, !a.d.Now().Before(due)
	}
	for _, l := range a.d.Catalogue.Levels {
		if framework.Level(c.Level).AtLeast(l.ID) {
			oc.Levels = append(oc.Levels, l)
			if l.ID != framework.Level(c.Level) {
				oc.LowerLevels = append(oc.LowerLevels, l)
			}
		}
	}
	h, err := a.history(x, c)
	if err != nil {
		return err
	}
	oc.History = h
	p.D = oc
	p.Title = x.T("officecase.title")
	return x.render(status, "officecase", p)
}

func (a *app) officeCase(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	p := x.newPage("officecase.title", nil)
	if c.Decision == nil {
		p.Form.Set("level", c.Level)
	}
	return a.officeCaseView(x, c, p, 0)
}

// officeCommand runs a command of the office on the :case and answers with
// the case page.
func (a *app) officeCommand(x *ctx, okKey string, run func(c *caseView, m aggregate.Meta) (aggregate.Result, error)) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	res, err := run(c, x.meta(okKey))
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		p := x.newPage("officecase.title", nil)
		p.Form = x.form
		status := x.fieldErrors(p, err, nil)
		if c2, err2 := a.loadCase(x, c.ID); err2 == nil {
			c = c2
		}
		return a.officeCaseView(x, c, p, status)
	}
	a.settle(x.Request().Context(), res.Seq)
	return x.redirect("/office/cases/" + c.ID + "?ok=" + okKey)
}

// required is a field error when a form value is empty.
func required(x *ctx, fields ...string) error {
	var fe []domain.FieldError
	for _, f := range fields {
		if x.fv(f) == "" {
			fe = append(fe, domain.FieldError{Field: f, Reason: "required"})
		}
	}
	if len(fe) > 0 {
		return domain.InvalidFields("required", fe...)
	}
	return nil
}

func (a *app) screen(x *ctx) error {
	return a.officeCommand(x, "screened", func(c *caseView, m aggregate.Meta) (aggregate.Result, error) {
		if err := required(x, "outcome"); err != nil {
			return aggregate.Result{}, err
		}
		if x.fv("outcome") == string(accreditation.ScreeningReturned) {
			if err := required(x, "reason"); err != nil {
				return aggregate.Result{}, err
			}
		}
		return a.d.Cases.Screen(x.Request().Context(), m, c.ID, x.fv("outcome"), x.fv("reason"))
	})
}

func (a *app) assign(x *ctx) error {
	return a.officeCommand(x, "assigned", func(c *caseView, m aggregate.Meta) (aggregate.Result, error) {
		role := x.fv("role")
		assessorID := x.fv("assessor_id_" + role)
		if assessorID == "" {
			return aggregate.Result{}, domain.InvalidFields("required", domain.FieldError{Field: "assessor_id_" + role, Reason: "required"})
		}
		res, err := a.d.Cases.Assign(x.Request().Context(), m, c.ID, assessorID, role)
		var de *domain.Error
		if errors.As(err, &de) {
			for i := range de.Fields {
				if de.Fields[i].Field == "assessor_id" {
					de.Fields[i].Field = "assessor_id_" + role
				}
			}
		}
		return res, err
	})
}

func (a *app) moderate(x *ctx) error {
	return a.officeCommand(x, "moderated", func(c *caseView, m aggregate.Meta) (aggregate.Result, error) {
		if err := required(x, "recommendation", "rationale"); err != nil {
			return aggregate.Result{}, err
		}
		level := ""
		switch x.fv("recommendation") {
		case string(accreditation.RecommendAward):
			level = c.Level
		case string(accreditation.RecommendAwardLower):
			level = x.fv("moderation_level")
		}
		res, err := a.d.Cases.Moderate(x.Request().Context(), m, c.ID, x.fv("recommendation"), level, x.fv("rationale"))
		renameField(err, "level", "moderation_level")
		return res, err
	})
}

func (a *app) decide(x *ctx) error {
	return a.officeCommand(x, "decided", func(c *caseView, m aggregate.Meta) (aggregate.Result, error) {
		if err := required(x, "outcome", "rationale"); err != nil {
			return aggregate.Result{}, err
		}
		level := ""
		if x.fv("outcome") == string(accreditation.OutcomeAwarded) {
			level = x.fv("level")
		}
		return a.d.Cases.Decide(x.Request().Context(), m, c.ID, x.fv("outcome"), level, x.fv("rationale"))
	})
}

func (a *app) decideAppeal(x *ctx) error {
	return a.officeCommand(x, "appeal_decided", func(c *caseView, m aggregate.Meta) (aggregate.Result, error) {
		if err := required(x, "appeal_outcome", "appeal_rationale"); err != nil {
			return aggregate.Result{}, err
		}
		returnTo := ""
		if x.fv("appeal_outcome") == string(accreditation.AppealUpheld) {
			returnTo = x.fv("return_to")
		}
		res, err := a.d.Cases.DecideAppeal(x.Request().Context(), m, c.ID, x.fv("appeal_outcome"), x.fv("appeal_rationale"), returnTo)
		renameField(err, "outcome", "appeal_outcome")
		renameField(err, "rationale", "appeal_rationale")
		return res, err
	})
}

// renameField renames a field of a domain error (to the form's name).
func renameField(err error, from, to string) {
	var de *domain.Error
	if errors.As(err, &de) {
		for i := range de.Fields {
			if de.Fields[i].Field == from {
				de.Fields[i].Field = to
			}
		}
	}
}

func (a *app) revoke(x *ctx) error { return a.endAccreditation(x, false) }

func (a *app) officeWithdrawAccreditation(x *ctx) error { return a.endAccreditation(x, true) }

// endAccreditation ends the :acc accreditation for the office, as
// POST /api/v1/accreditations/:id/revocation and /withdrawal do: revoked
// (an ethics complaint) or withdrawn (at the holder's request or by the
// office), with a reason. It answers with the office's case page.
func (a *app) endAccreditation(x *ctx, withdraw bool) error {
	accID := x.Param("acc")
	id, err := a.d.Cases.CaseOfAccreditation(x.actor(), accID)
	if err != nil {
		return err
	}
	field, command, ok := "revoke_reason", "revoke", "revoked"
	if withdraw {
		field, command, ok = "withdraw_reason", "withdraw_accreditation", "accreditation_withdrawn"
	}
	if x.fv(field) == "" {
		err = domain.InvalidFields("required", domain.FieldError{Field: field, Reason: "required"})
	} else {
		var res aggregate.Result
		_, res, err = a.d.Cases.Revoke(x.Request().Context(), x.meta(command), accID, x.fv(field), withdraw)
		if err == nil {
			a.settle(x.Request().Context(), res.Seq)
			return x.redirect("/office/cases/" + id + "?ok=" + ok)
		}
		if domain.Is(err, domain.NotFound) {
			return err
		}
		renameField(err, "reason", field)
	}
	c, lerr := a.loadCase(x, id)
	if lerr != nil {
		return lerr
	}
	p := x.newPage("officecase.title", nil)
	p.Form = x.form
	return a.officeCaseView(x, c, p, x.fieldErrors(p, err, nil))
}

// ---- decisions ----

func (a *app) decisions(x *ctx) error {
	f := projections.DecisionFilter{Scheme: enumParam(x.QueryParam("scheme"), schemes), Level: enumParam(x.QueryParam("level"), levelIDs()),
		Outcome: enumParam(x.QueryParam("outcome"), []string{"awarded", "not_awarded"})}
	var list []projections.DecisionRecord
	a.read(func(m *projections.Models) { list = m.Decisions.List(f) })
	type row struct {
		projections.DecisionRecord
		Rationale string
		DecidedBy string
	}
	rows := make([]row, 0, len(list))
	for _, r := range list {
		rows = append(rows, row{DecisionRecord: r, Rationale: a.d.Reads.Vault.Reveal(x.Request().Context(), r.Rationale), DecidedBy: a.userName(x, r.DecidedBy)})
	}
	p := x.newPage("decisions.title", map[string]any{"Rows": rows, "Levels": levelIDs()})
	for _, k := range []string{"scheme", "level", "outcome"} {
		p.Form.Set(k, x.QueryParam(k))
	}
	return x.render(0, "decisions", p)
}

// ---- audit ----

// auditFilter reads the audit filters of the query; a bad date is a field
// error.
func auditFilter(x *ctx, p *page) projections.AuditFilter {
	f := projections.AuditFilter{CaseID: strings.TrimSpace(x.QueryParam("case_id")), ActorID: strings.TrimSpace(x.QueryParam("actor_id")),
		Type: strings.TrimSpace(x.QueryParam("type"))}
	for _, k := range []string{"from", "to"} {
		v := strings.TrimSpace(x.QueryParam(k))
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			if p != nil {
				p.Errors[k] = x.T("form.date")
			}
			continue
		}
		if k == "from" {
			f.From = t
		} else {
			f.To = t.AddDate(0, 0, 1) // the whole day
		}
	}
	return f
}

// auditRow is one event of the history with its payload.
type auditRow struct {
	projections.AuditEntry
	Name string
	Data string
}

func eventTypes() []string {
	t := accreditation.EventTypes()
	t = append(t, accounts.EventUserRegistered, accounts.EventProfileSet, accounts.EventUserDisabled, accounts.EventPasswordChanged, accounts.EventUserErased, accounts.EventSessionsEnded)
	slices.Sort(t)
	return t
}

func (a *app) audit(x *ctx) error {
	p := x.newPage("audit.title", nil)
	f := auditFilter(x, p)
	var cur projections.Cursor
	if v := x.QueryParam("after"); v != "" {
		s, i, _ := strings.Cut(v, ".")
		seq, _ := strconv.ParseUint(s, 10, 64)
		idx, _ := strconv.Atoi(i)
		cur = projections.Cursor{Seq: seq, Index: idx}
	}
	const limit = 50
	var page []projections.AuditEntry
	var next *projections.Cursor
	a.read(func(m *projections.Models) { page, next = m.Audit.Page(f, cur, limit) })
	rows := make([]auditRow, 0, len(page))
	var commit eventstore.Commit
	for _, e := range page {
		if commit.Seq != e.Seq {
			var err error
			if commit, err = a.d.Reads.Store.Get(x.Request().Context(), e.Seq); err != nil {
				return domain.Wrap(domain.Unavailable, err, "event store unavailable")
			}
		}
		r := auditRow{AuditEntry: e, Name: a.userName(x, e.Actor.ID)}
		if e.Index < len(commit.Events) {
			var data any
			_ = json.Unmarshal(commit.Events[e.Index].Data, &data)
			b, _ := json.MarshalIndent(pii.RevealTree(x.Request().Context(), a.d.Reads.Vault, data), "", "  ")
			r.Data = string(b)
		}
		rows = append(rows, r)
	}
	q := x.QueryParams()
	q.Del("after")
	d := map[string]any{"Rows": rows, "Types": eventTypes(), "Query": q.Encode()}
	if next != nil {
		q.Set("after", fmt.Sprintf("%d.%d", next.Seq, next.Index))
		d["Next"] = "/office/audit?" + q.Encode()
	}
	if cur.Seq > 0 {
		d["First"] = "/office/audit?" + d["Query"].(string)
	}
	for _, k := range []string{"case_id", "actor_id", "type", "from", "to"} {
		p.Form.Set(k, x.QueryParam(k))
	}
	p.D = d
	status := 0
	if len(p.Errors) > 0 {
		status = http.StatusBadRequest
	}
	return x.render(status, "audit", p)
}

// auditCSV streams every matching event as CSV, the same rows and trailers
// as GET /api/v1/audit with Accept: text/csv (the API needs a bearer token,
// the browser has a cookie).
func (a *app) auditCSV(x *ctx) error {
	return a.d.Reads.StreamAudit(x.Request().Context(), x.Response(), auditFilter(x, nil), "csv", a.d.Log)
}

// ---- users ----

func (a *app) usersPage(x *ctx, p *page, status int) error {
	users := a.d.Accounts.Users(x.Request().Context())
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
	if len(id) != 26 || strings.ToUpper(id) != id {
		return "", domain.Errorf(domain.NotFound, "no user %s", id)
	}
	return id, nil
}

func (a *app) userPage(x *ctx, id string, p *page, status int) error {
	u, err := a.d.Accounts.User(x.Request().Context(), id)
	if err != nil {
		return err
	}
	var applicants []accounts.UserView
	for _, o := range a.d.Accounts.Users(x.Request().Context()) {
		if o.Role == domain.RoleApplicant && !o.Erased {
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

// ---- audit integrity ----

// auditVerify runs the verification of the audit trail, as
// GET /api/v1/audit/verify does, and shows its verdict: intact or not, the
// first mismatch of each stream that has one, and each checkpoint.
func (a *app) auditVerify(x *ctx) error {
	if a.d.Verify == nil {
		return domain.Errorf(domain.Unavailable, "audit verification is not available")
	}
	rep, err := a.d.Verify(x.Request().Context())
	if err != nil {
		return err
	}
	var broken []audit.StreamReport
	var events uint64
	for _, s := range rep.Streams {
		events += s.Events
		if !s.Intact {
			broken = append(broken, s)
		}
	}
	cps := slices.Clone(rep.Checkpoints)
	slices.Reverse(cps) // newest first
	var badCps int
	for _, c := range cps {
		if !c.Intact {
			badCps++
		}
	}
	d := map[string]any{"R": rep, "Broken": broken, "Events": events, "Checkpoints": cps, "BadCheckpoints": badCps,
		"At": a.d.Now(), "CanCheckpoint": a.d.Checkpoint != nil}
	return x.render(0, "auditverify", x.newPage("auditverify.title", d))
}

// auditCheckpoint signs and records a checkpoint of every stream's head now,
// as POST /api/v1/audit/checkpoints does.
func (a *app) auditCheckpoint(x *ctx) error {
	if a.d.Checkpoint == nil {
		return domain.Errorf(domain.Unavailable, "audit checkpoints are not available")
	}
	if _, err := a.d.Checkpoint(x.Request().Context()); err != nil {
		return err
	}
	return x.redirect("/office/audit/verify?ok=checkpoint_recorded")
}
