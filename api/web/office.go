package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/projections"
)

// ---- the office queue and a case ----

// officeRow is a case of the office's queue with its holders.
type officeRow struct {
	projections.QueueItem
	Assessor, Verifier holder
	// Barred: the roles whose holders' profiles no longer meet their
	// conditions (markBarred).
	Barred map[string]bool
}

// officeQueuePage is how many cases a page of the office's queue shows:
// queueLimit, but a test of the pager sets fewer while the server runs.
var officeQueuePage = func() *atomic.Int32 {
	var n atomic.Int32
	n.Store(queueLimit)
	return &n
}()

func (a *app) officeQueue(x *ctx) error {
	f := projections.QueueFilter{Scheme: enumParam(x.QueryParam("scheme"), schemes), Level: enumParam(x.QueryParam("level"), levelIDs()),
		State: enumParam(x.QueryParam("state"), stateIDs())}
	if o := x.QueryParam("overdue"); o == "true" || o == "false" {
		b := o == "true"
		f.Overdue = &b
	}
	// The cases one assessor holds (linked from their user page).
	var heldBy holder
	if id := x.QueryParam("assessor_id"); domain.ValidULID(id) {
		f.AssessorID, heldBy = id, a.holder(x, id)
		// Only those they have still to assess (linked from the
		// dashboard's workload, which counts them).
		f.ToAssess = x.QueryParam("to_assess") == "true"
	}
	offset, _ := strconv.Atoi(x.QueryParam("offset"))
	offset = max(offset, 0)
	// The next page goes on after this one's last case, not by an offset:
	// a case decided meanwhile moved the next one onto this page unseen.
	spoilt := false
	if v := x.QueryParam("cursor"); v != "" {
		if after, ok := projections.ParseFinishedCursor(v); ok {
			f.After, offset = after, 0
		} else {
			spoilt, offset = true, 0 // the first page, saying so
		}
	}
	var pg projections.Page
	a.read(func(m *projections.Models) {
		pg = m.Cases.OfficeQueue(f, a.d.Now(), a.sla(), offset, int(officeQueuePage.Load()))
	})
	items := pg.Items
	rows := make([]officeRow, 0, len(items))
	for _, it := range items {
		r := officeRow{QueueItem: it}
		if it.AssessorID != "" {
			r.Assessor = a.holder(x, it.AssessorID)
		}
		if it.VerifierID != "" {
			r.Verifier = a.holder(x, it.VerifierID)
		}
		rows = append(rows, r)
	}
	a.markBarred(rows)
	d := map[string]any{"Rows": rows, "States": stateIDs(), "Levels": levelIDs(), "SLADays": int(a.sla().Hours() / 24), "From": pg.Before + 1, "To": pg.Before + len(rows)}
	if f.AssessorID != "" {
		d["HeldBy"], d["ToAssess"] = heldBy, f.ToAssess
	}
	q := x.QueryParams()
	q.Del("offset")
	if pg.Next != nil {
		q.Set("cursor", pg.Next.String())
		d["Next"] = "/office/cases?" + q.Encode()
	}
	q.Del("cursor")
	if pg.Before > 0 {
		if back := pg.Before - int(officeQueuePage.Load()); back > 0 {
			q.Set("offset", itoa(back))
		}
		d["Prev"] = "/office/cases?" + q.Encode()
	}
	p := x.newPage("officequeue.title", d)
	if spoilt {
		p.Spoilt = x.T("pager.spoilt")
	}
	for _, k := range []string{"scheme", "level", "state", "overdue", "assessor_id"} {
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
	C           *cases.CaseView
	Applicant   accounts.UserView
	NextStep    string
	Qualified   map[string][]option      // open role -> the assessors qualified for it
	Excluded    map[string]*excludedList // open role -> the active assessors left out, and why
	OpenRoles   []string
	Names       map[string]string
	History     []historyItem
	LowerLevels []framework.LevelInfo
	Levels      []framework.LevelInfo
	Overdue     bool
	DueAt       any
	Rules       *rulesRef // the version the case is pinned to
	// Panel is the office users who may sit on the awarding panel.
	Panel []option
	// Renewal is the accreditation's current renewal; RenewalAssessors
	// the assessors the office may give it.
	Renewal          *renewalPage
	RenewalAssessors []option
	// RoleChanges are the held roles the office may still reassign or
	// unassign (office_reassign.go).
	RoleChanges []roleChange
	// Barred are the roles whose holders' profiles no longer meet their
	// conditions since they took them (barred.go).
	Barred []barNotice
}

func (a *app) officeCaseView(x *ctx, c *cases.CaseView, p *page, status int) error {
	oc := &officeCase{C: c, NextStep: a.nextStep(x, c.Next), Qualified: map[string][]option{}, Excluded: map[string]*excludedList{}, Names: map[string]string{}, Rules: a.rulesOf(x, c.RuleSet)}
	oc.Applicant, _ = a.d.Accounts.User(x.Request().Context(), c.ApplicantID)
	for _, as := range c.Assignments.All() {
		oc.Names[as.UserID] = a.userName(x, as.UserID)
	}
	for _, as := range c.Assessments {
		oc.Names[as.UserID] = a.userName(x, as.UserID)
	}
	if c.Decision != nil {
		oc.Names[c.Decision.By] = a.userName(x, c.Decision.By)
		for _, m := range c.Decision.Panel {
			oc.Names[m.UserID] = a.userName(x, m.UserID)
		}
	}
	if c.Can(accreditation.ActionDecide) {
		panel, err := a.panelCandidates(x)
		if err != nil {
			return err
		}
		for _, u := range panel {
			oc.Panel = append(oc.Panel, option{Value: u.ID, Label: u.Name})
		}
	}
	for _, r := range accreditation.AssessorRoles {
		if !c.Assignments.Holds(r) {
			oc.OpenRoles = append(oc.OpenRoles, string(r))
		}
	}
	if c.Can(accreditation.ActionAssign) {
		assessors, err := a.activeUsers(x, domain.RoleAssessor)
		if err != nil {
			return err
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
					} else {
						if oc.Excluded[r] == nil {
							oc.Excluded[r] = &excludedList{}
						}
						oc.Excluded[r].add(a.leftOut(x, cs, u, prof, accreditation.AssessorRole(r)))
					}
				}
			}
		})
	}
	var err error
	if oc.RoleChanges, err = a.roleChanges(x, c); err != nil {
		return err
	}
	oc.Renewal = a.renewalOf(x, c.Accreditation)
	if c.Can(accreditation.ActionAssignRenewal) {
		if oc.RenewalAssessors, err = a.renewalAssessors(x, c); err != nil {
			return err
		}
	}
	for _, b := range c.BarredRoles {
		r := b.Role
		n := barNotice{Role: r, Conflict: b.Conflicted(), Reasons: a.barReasons(x, c, b)}
		if r == cases.RenewalAssessorRole {
			if oc.Renewal != nil {
				n.Name = oc.Renewal.Assessor
			}
			if c.Can(accreditation.ActionAssignRenewal) {
				n.Anchor = "assign-renewal-heading"
			}
		} else {
			n.Name = oc.Names[c.Assignments.Holder(accreditation.AssessorRole(r))]
			if slices.ContainsFunc(oc.RoleChanges, func(rc roleChange) bool { return rc.Role == r }) {
				n.Anchor = "role-change-" + r
			}
		}
		oc.Barred = append(oc.Barred, n)
	}
	// Due as the queue has it: a case it holds (not one withdrawn), its
	// service level's clock started (not while the fee awaits payment).
	if due, err := time.Parse(time.RFC3339, c.ExpectedDecisionBy); err == nil && c.AsOf == nil && c.State.Queued() {
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
	if v := x.QueryParam("as_of"); v != "" {
		return a.officeCaseAsOf(x, c, v)
	}
	p := x.newPage("officecase.title", nil)
	if c.Decision == nil {
		p.Form.Set("level", string(c.Level))
		p.Form.Set("vote_"+x.user.ID, string(accreditation.VoteFor))
	}
	return a.officeCaseView(x, c, p, 0)
}

// officeCommand runs a command of the office on the :case and answers with
// the case page.
func (a *app) officeCommand(x *ctx, okKey string, run func(c *cases.CaseView, m aggregate.Meta) (aggregate.Result, error)) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	if x.editing() { // back from the confirmation: the form as typed
		return a.officeCaseView(x, c, x.typedPage("officecase.title"), 0)
	}
	res, err := run(c, x.meta(okKey))
	if ask, ok := err.(*confirmRequest); ok {
		return a.askToConfirm(x, ask.c)
	}
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
	a.settle(x, res.Seq)
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
	return a.officeCommand(x, "screened", func(c *cases.CaseView, m aggregate.Meta) (aggregate.Result, error) {
		if err := required(x, "outcome"); err != nil {
			return aggregate.Result{}, err
		}
		if x.fv("outcome") == string(accreditation.ScreeningReturned) {
			if err := required(x, "reason"); err != nil {
				return aggregate.Result{}, err
			}
		}
		return a.d.Cases.Screen(x.Request().Context(), m, c.ID, cases.ScreenRequest{Outcome: accreditation.ScreeningOutcome(x.fv("outcome")), Reason: x.fv("reason")})
	})
}

func (a *app) recordPayment(x *ctx) error {
	return a.officeCommand(x, "payment", func(c *cases.CaseView, m aggregate.Meta) (aggregate.Result, error) {
		if err := required(x, "status"); err != nil {
			return aggregate.Result{}, err
		}
		return a.d.Cases.RecordPayment(x.Request().Context(), m, c.ID, cases.PaymentRequest{
			Status: accreditation.PaymentStatus(x.fv("status")), Reference: x.fv("reference"), Reason: x.fv("reason")})
	})
}

func (a *app) assign(x *ctx) error {
	okKey := "assigned" // the assessor is assigned
	if x.fv("role") == string(accreditation.RoleVerifier) {
		okKey = "assigned_verifier"
	}
	return a.officeCommand(x, okKey, func(c *cases.CaseView, m aggregate.Meta) (aggregate.Result, error) {
		role := x.fv("role")
		assessorID := x.fv("assessor_id_" + role)
		if assessorID == "" {
			return aggregate.Result{}, domain.InvalidFields("required", domain.FieldError{Field: "assessor_id_" + role, Reason: "required"})
		}
		res, err := a.d.Cases.Assign(x.Request().Context(), m, c.ID, cases.AssignRequest{AssessorID: assessorID, Role: accreditation.AssessorRole(role)})
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
	return a.officeCommand(x, "moderated", func(c *cases.CaseView, m aggregate.Meta) (aggregate.Result, error) {
		if err := required(x, "recommendation", "rationale"); err != nil {
			return aggregate.Result{}, err
		}
		level := ""
		switch x.fv("recommendation") {
		case string(accreditation.RecommendAward):
			level = string(c.Level)
		case string(accreditation.RecommendAwardLower):
			level = x.fv("moderation_level")
		}
		res, err := a.d.Cases.Moderate(x.Request().Context(), m, c.ID, cases.ModerationRequest{
			Recommendation: accreditation.Recommendation(x.fv("recommendation")), Level: framework.Level(level), Rationale: x.fv("rationale")})
		renameField(err, "level", "moderation_level")
		return res, err
	})
}

func (a *app) decide(x *ctx) error {
	return a.officeCommand(x, "decided", func(c *cases.CaseView, m aggregate.Meta) (aggregate.Result, error) {
		if err := required(x, "outcome", "rationale"); err != nil {
			return aggregate.Result{}, err
		}
		level := ""
		if x.fv("outcome") == string(accreditation.OutcomeAwarded) {
			level = x.fv("level")
		}
		candidates, err := a.panelVoters(x)
		if err != nil {
			return aggregate.Result{}, err
		}
		var panel []accreditation.PanelVote
		for _, u := range candidates {
			if v := x.fv("vote_" + u.ID); v != "" {
				panel = append(panel, accreditation.PanelVote{UserID: u.ID, Vote: accreditation.Vote(v)})
			}
		}
		if len(panel) == 0 {
			return aggregate.Result{}, domain.InvalidFields("no panel", domain.FieldError{Field: "panel", Reason: "give the vote of at least one member"})
		}
		if o := accreditation.Outcome(x.fv("outcome")); o != accreditation.OutcomeAwarded && o != accreditation.OutcomeNotAwarded {
			return aggregate.Result{}, domain.InvalidFields("invalid decision", domain.FieldError{Field: "outcome", Reason: "must be awarded or not_awarded"})
		}
		if err := proseBeforeConfirming(x, "rationale", limits.Long); err != nil {
			return aggregate.Result{}, err
		}
		if !x.confirmed() {
			var votes []summaryLine
			for _, u := range candidates {
				if v := x.fv("vote_" + u.ID); v != "" {
					votes = append(votes, summaryLine{x.T("confirm.label.vote", u.Name), x.T("vote." + v)})
				}
			}
			return aggregate.Result{}, &confirmRequest{decisionConfirmation(x, c, x.fv("outcome"), level, x.fv("rationale"), votes)}
		}
		res, err := a.d.Cases.Decide(x.Request().Context(), m, c.ID, cases.DecisionRequest{
			Outcome: accreditation.Outcome(x.fv("outcome")), Level: framework.Level(level), Rationale: x.fv("rationale"), Panel: panel})
		for i, v := range panel {
			renameField(err, fmt.Sprintf("panel[%d].user_id", i), "vote_"+v.UserID)
			renameField(err, fmt.Sprintf("panel[%d].vote", i), "vote_"+v.UserID)
		}
		return res, err
	})
}

// proseBeforeConfirming refuses a form's text the command would refuse
// (over its limit, a control or invisible character: limits.Prose) before
// a confirmation page shows it: refused only once confirmed, the office
// confirmed what could never be recorded.
func proseBeforeConfirming(x *ctx, field string, l limits.Limit) error {
	return limits.Check("invalid text", l.Prose(field, x.fv(field)))
}

// panelCandidates are the office users who may sit on an awarding panel:
// active, in the directory's order.
func (a *app) panelCandidates(x *ctx) ([]accounts.UserView, error) {
	return a.activeUsers(x, domain.RoleOffice)
}

// panelVoters are the office users whose votes a decision form may carry:
// every one, disabled or erased since the form was made too, so that no
// vote is dropped unseen. A form sent again after its answer was lost is
// then answered as the first (Cases.Decide), though a member has been
// disabled since; a new decision naming such a member is refused naming
// the vote, not recorded without it.
func (a *app) panelVoters(x *ctx) ([]accounts.UserView, error) {
	all, _, err := a.d.Accounts.UsersPage(x.Request().Context(), domain.RoleOffice, "", 0)
	return all, err
}

// activeUsers are the users of role who are neither disabled nor erased,
// in the directory's order. Only that role's users are read, so a page
// that offers assessors or panel members does not cost more as applicants
// grow in number.
func (a *app) activeUsers(x *ctx, role domain.Role) ([]accounts.UserView, error) {
	all, _, err := a.d.Accounts.UsersPage(x.Request().Context(), role, "", 0)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, u := range all {
		if !u.Disabled && !u.Erased {
			out = append(out, u)
		}
	}
	return out, nil
}

func (a *app) decideAppeal(x *ctx) error {
	return a.officeCommand(x, "appeal_decided", func(c *cases.CaseView, m aggregate.Meta) (aggregate.Result, error) {
		if err := required(x, "appeal_outcome", "appeal_rationale"); err != nil {
			return aggregate.Result{}, err
		}
		returnTo := ""
		if x.fv("appeal_outcome") == string(accreditation.AppealUpheld) {
			returnTo = x.fv("return_to")
		}
		res, err := a.d.Cases.DecideAppeal(x.Request().Context(), m, c.ID, cases.AppealDecisionRequest{
			Outcome: accreditation.AppealOutcome(x.fv("appeal_outcome")), Rationale: x.fv("appeal_rationale"), ReturnTo: returnTo})
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

// ending is a way for the office to end an accreditation from the case
// page: the command, the form field of its reason, the notice shown when it
// is done, and the service call.
type ending struct {
	command   accreditation.Action
	field, ok string
	end       func(context.Context, aggregate.Meta, string, string) (string, aggregate.Result, error)
}

func (a *app) revoke(x *ctx) error {
	return a.endAccreditation(x, ending{accreditation.ActionRevoke, "revoke_reason", "revoked", a.d.Cases.Revoke})
}

func (a *app) officeWithdrawAccreditation(x *ctx) error {
	return a.endAccreditation(x, ending{accreditation.ActionWithdrawAccreditation, "withdraw_reason", "accreditation_withdrawn", a.d.Cases.WithdrawAccreditation})
}

// endAccreditation ends the :acc accreditation for the office, as
// POST /api/v1/accreditations/:id/revocation and /withdrawal do: revoked
// (an ethics complaint) or withdrawn (at the holder's request or by the
// office), with a reason. It answers with the office's case page.
func (a *app) endAccreditation(x *ctx, how ending) error {
	accID := x.Param("acc")
	id, err := a.d.Cases.CaseOfAccreditation(x.actor(), accID)
	if err != nil {
		return err
	}
	field, ok := how.field, how.ok
	if x.editing() { // back from the confirmation: the reason as typed
		c, err := a.loadCase(x, id)
		if err != nil {
			return err
		}
		return a.officeCaseView(x, c, x.typedPage("officecase.title"), 0)
	}
	if x.fv(field) == "" {
		err = domain.InvalidFields("required", domain.FieldError{Field: field, Reason: "required"})
	} else if !x.confirmed() {
		key := "confirm.withdraw_accreditation"
		if how.command == accreditation.ActionRevoke {
			key = "confirm.revoke"
		}
		return a.askToConfirm(x, endingConfirmation(x, accID, field, key))
	} else {
		var res aggregate.Result
		_, res, err = how.end(x.Request().Context(), x.meta(string(how.command)), accID, x.fv(field))
		if err == nil {
			a.settle(x, res.Seq)
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

// officeCaseAsOf is the case page as the case stood at the end of the day
// asOf (YYYY-MM-DD, the office's date input; or an RFC 3339 time), under a
// banner saying so. The view has no allowed actions, so the page offers
// none. A date it cannot read is an error on the date control of the case
// page as it is now (now), so that the office can correct it there.
func (a *app) officeCaseAsOf(x *ctx, now *cases.CaseView, asOf string) error {
	p := x.newPage("officecase.title", nil)
	p.Form.Set("as_of", asOf)
	t, err := time.Parse(time.RFC3339Nano, asOf)
	if err != nil {
		d, derr := time.Parse(time.DateOnly, asOf)
		if derr != nil {
			p.Errors["as_of"] = x.T("officecase.asof.bad", a.d.Now().UTC().Format(time.DateOnly))
			return a.officeCaseView(x, now, p, http.StatusBadRequest)
		}
		t = d.Add(24*time.Hour - time.Nanosecond)
	}
	c, err := a.d.Cases.AsOf(x.Request().Context(), x.actor(), now.ID, t)
	if domain.Is(err, domain.NotFound) {
		// The office sees the case now, so it had not been opened then:
		// still a 404, said on the date control with the day it was.
		p.Errors["as_of"] = x.T("officecase.asof.before", formatDate(x.lang, now.OpenedAt, false))
		return a.officeCaseView(x, now, p, http.StatusNotFound)
	}
	if err != nil {
		return err
	}
	return a.officeCaseView(x, c, p, 0)
}
