package web

import (
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/projections"
)

// The renewal's pages: its details wherever the accreditation is shown,
// the office's assignment of its assessor and the assessor's outcome.

// renewalPage is an accreditation's current renewal as the pages show it.
type renewalPage struct {
	R        *cases.RenewalView
	Checks   []string // the rules as checked at submission, in words
	Aims     []aimLine
	Assessor string // the assessor's name, for the office only
	// AssessorDisabled says the assessor is disabled: the renewal waits
	// until the office gives it to someone else (the office's page only).
	AssessorDisabled bool
}

// aimLine is an EQA renewal aim in words and the provider's statement.
type aimLine struct{ Label, Statement string }

func (a *app) renewalOf(x *ctx, acc *cases.AccreditationView) *renewalPage {
	if acc == nil || acc.CurrentRenewal == nil {
		return nil
	}
	r := acc.CurrentRenewal
	p := &renewalPage{R: r}
	for _, c := range r.Checks {
		p.Checks = append(p.Checks, ruleText(x, c, true))
	}
	for _, aim := range r.Aims {
		p.Aims = append(p.Aims, aimLine{Label: x.T("rule." + accreditation.RuleRenewalAim(aim.Aim)), Statement: aim.Statement})
	}
	// Staff are named to the office only, as the case's assessors are: the
	// holder (and an assessor reading the certificate) is not told who
	// assesses the renewal.
	if r.Assessor != "" && x.user.Role == domain.RoleOffice {
		h := a.holder(x, r.Assessor)
		p.Assessor, p.AssessorDisabled = h.Name, h.Disabled
	}
	return p
}

// renewalAssessors are the assessors the office may give the renewal of
// case c: the domain's own check of each one.
func (a *app) renewalAssessors(x *ctx, c *cases.CaseView) ([]option, error) {
	assessors, err := a.activeUsers(x, domain.RoleAssessor)
	if err != nil {
		return nil, err
	}
	var out []option
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
			if _, err := cs.AssignRenewal(x.actor(), a.d.Now(), accreditation.RenewalAssignInput{Profile: prof}); err == nil {
				out = append(out, option{Value: u.ID, Label: u.Name + " <" + u.Email + ">"})
			}
		}
	})
	return out, nil
}

// assignRenewal is the office giving the renewal to one assessor, as POST
// /api/v1/accreditations/:id/renewal/assignment does.
func (a *app) assignRenewal(x *ctx) error {
	return a.officeCommand(x, "renewal_assigned", func(c *cases.CaseView, m aggregate.Meta) (aggregate.Result, error) {
		if err := required(x, "renewal_assessor_id"); err != nil {
			return aggregate.Result{}, err
		}
		if c.Accreditation == nil {
			return aggregate.Result{}, domain.Errorf(domain.Conflict, "the case holds no accreditation")
		}
		m.Command = string(accreditation.ActionAssignRenewal)
		_, res, err := a.d.Cases.AssignRenewal(x.Request().Context(), m, c.Accreditation.ID, x.fv("renewal_assessor_id"))
		renameField(err, "assessor_id", "renewal_assessor_id")
		return res, err
	})
}

// assessRenewal is the renewal's assessor renewing, refusing or returning
// it, as POST /api/v1/accreditations/:id/renewal/assessment does.
func (a *app) assessRenewal(x *ctx) error {
	p := x.newPage("certificate.title", nil)
	p.Form = x.form
	_, res, err := a.d.Cases.AssessRenewal(x.Request().Context(), x.meta(string(accreditation.ActionAssessRenewal)), x.Param("acc"),
		cases.RenewalAssessmentRequest{Outcome: accreditation.RenewalOutcome(x.fv("outcome")), Rationale: x.fv("rationale")})
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		return a.certificatePage(x, p, x.fieldErrors(p, err, nil))
	}
	a.settle(x, res.Seq)
	return x.redirect("/accreditations/" + x.Param("acc") + "?ok=renewal_assessed")
}
