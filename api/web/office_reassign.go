package web

import (
	"strings"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/projections"
)

// The office reassigns or unassigns an assessor or a verifier from the case
// page, with a reason, after a confirmation (issue 15 item 5). Each form's
// fields carry the role in their names (reassign_to_assessor, ...), so that
// an error shows beside the form it belongs to.

// roleChange is a held role the office may still change, with the
// assessors who qualify to take it over.
type roleChange struct {
	Role      string
	Holder    string // the holder's name
	Disabled  bool   // the holder is disabled: the role waits for the office
	Qualified []option
}

// roleChanges lists the roles of the case the office may change now.
func (a *app) roleChanges(x *ctx, c *cases.CaseView) ([]roleChange, error) {
	if !c.Can(accreditation.ActionUnassign) && !c.Can(accreditation.ActionReassign) {
		return nil, nil
	}
	assessors, err := a.activeUsers(x, domain.RoleAssessor)
	if err != nil {
		return nil, err
	}
	var out []roleChange
	holders := map[string]string{}
	a.read(func(m *projections.Models) {
		cs, ok := m.Cases.Case(c.ID)
		if !ok {
			return
		}
		for _, r := range accreditation.AssessorRoles {
			if cs.RoleChangeable(r) != nil {
				continue
			}
			rc := roleChange{Role: string(r)}
			holders[rc.Role] = cs.Assignments.Holder(r)
			for _, u := range assessors {
				if p, err := a.d.Cases.AssessorProfile(u.ID); err == nil && cs.CanReassign(p, r) == nil {
					rc.Qualified = append(rc.Qualified, option{Value: u.ID, Label: u.Name + " <" + u.Email + ">"})
				}
			}
			out = append(out, rc)
		}
	})
	for i := range out {
		h := a.holder(x, holders[out[i].Role])
		out[i].Holder, out[i].Disabled = h.Name, h.Disabled
	}
	return out, nil
}

// formRole is the role a reassignment or unassignment form names.
func formRole(x *ctx) (string, error) {
	role := x.fv("role")
	if !accreditation.AssessorRole(role).Valid() {
		return "", domain.InvalidFields("unknown role", domain.FieldError{Field: "role", Reason: "must be assessor or verifier"})
	}
	return role, nil
}

func (a *app) reassign(x *ctx) error {
	return a.officeCommand(x, "reassigned", func(c *cases.CaseView, m aggregate.Meta) (aggregate.Result, error) {
		role, err := formRole(x)
		if err != nil {
			return aggregate.Result{}, err
		}
		to, reason := "reassign_to_"+role, "reassign_reason_"+role
		if err := required(x, to, reason); err != nil {
			return aggregate.Result{}, err
		}
		if err := proseBeforeConfirming(x, reason, limits.Reason); err != nil {
			return aggregate.Result{}, err
		}
		if !x.confirmed() {
			return aggregate.Result{}, &confirmRequest{a.roleChangeConfirmation(x, c, role, x.fv(to), x.fv(reason))}
		}
		res, err := a.d.Cases.Reassign(x.Request().Context(), m, c.ID, cases.ReassignRequest{
			Role: accreditation.AssessorRole(role), AssessorID: x.fv(to), Reason: x.fv(reason)})
		renameField(err, "assessor_id", to)
		renameField(err, "reason", reason)
		return res, err
	})
}

func (a *app) unassign(x *ctx) error {
	return a.officeCommand(x, "unassigned", func(c *cases.CaseView, m aggregate.Meta) (aggregate.Result, error) {
		role, err := formRole(x)
		if err != nil {
			return aggregate.Result{}, err
		}
		reason := "unassign_reason_" + role
		if err := required(x, reason); err != nil {
			return aggregate.Result{}, err
		}
		if err := proseBeforeConfirming(x, reason, limits.Reason); err != nil {
			return aggregate.Result{}, err
		}
		if !x.confirmed() {
			return aggregate.Result{}, &confirmRequest{a.roleChangeConfirmation(x, c, role, "", x.fv(reason))}
		}
		res, err := a.d.Cases.Unassign(x.Request().Context(), m, c.ID, cases.UnassignRequest{Role: accreditation.AssessorRole(role), Reason: x.fv(reason)})
		renameField(err, "reason", reason)
		return res, err
	})
}

// roleChangeConfirmation says who leaves the role and who takes it (none:
// an unassignment), and what follows.
func (a *app) roleChangeConfirmation(x *ctx, c *cases.CaseView, role, to, reason string) confirmation {
	roleLabel := x.T("arole." + role) // capitalised, as on the case page
	roleName := strings.ToLower(roleLabel)
	holder := "—"
	if as, ok := c.Assignments.Get(accreditation.AssessorRole(role)); ok {
		holder = a.userName(x, as.UserID)
	}
	lines := []summaryLine{
		{x.T("confirm.label.case"), x.T("scheme."+string(c.Scheme)) + " · " + levelName(x, string(c.Level))},
		{x.T("reassign.label.role"), roleLabel},
		{x.T("reassign.label.holder"), holder},
	}
	kind := "unassign"
	what := []string{x.T("confirm.unassign.what", holder, roleName)}
	if to != "" {
		kind = "reassign"
		next := a.userName(x, to)
		lines = append(lines, summaryLine{x.T("reassign.label.new_holder"), next})
		what = []string{x.T("confirm.reassign.what", holder, next)}
	}
	lines = append(lines, summaryLine{x.T("field.reason"), reason})
	return confirmation{Title: x.T("confirm."+kind+".title", roleName), Summary: lines, What: what,
		Button: x.T("confirm." + kind + ".button")}
}
