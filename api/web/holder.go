package web

import (
	"fmt"
	"net/http"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
)

// The holder's pages: an accreditation's certificate, its renewal and
// withdrawal, and the export of one's own data.

// certificate is the page of an accreditation: the certificate with its
// public verification link, and the renewal.
func (a *app) certificate(x *ctx) error {
	return a.certificatePage(x, nil, 0)
}

func (a *app) certificatePage(x *ctx, p *page, status int) error {
	accID := x.Param("acc")
	id, err := a.d.Cases.CaseOfAccreditation(x.actor(), accID)
	if err != nil {
		return err
	}
	c, err := a.loadCase(x, id)
	if err != nil {
		return err
	}
	if c.Accreditation == nil {
		return domain.Errorf(domain.NotFound, "no accreditation %s", accID)
	}
	d := map[string]any{"C": c, "Holder": a.userName(x, c.ApplicantID), "Declarations": a.declarationsOf(x, accreditation.Scheme(c.Scheme), ""),
		"VerifyURL": fmt.Sprintf("%s://%s/register/%s", x.Scheme(), x.Request().Host, c.Accreditation.ID)}
	if p == nil {
		p = x.newPage("certificate.title", nil)
		p.Form.Set("continued_practice", "")
	}
	p.D = d
	return x.render(status, "certificate", p)
}

func (a *app) renew(x *ctx) error {
	p := x.newPage("certificate.title", nil)
	p.Form = x.form
	sup, ok1 := parseNumber(x.fv("supervision_hours_last_year"), false)
	cpd, ok2 := parseNumber(x.fv("cpd_hours_last_year"), false)
	if !ok1 {
		p.Errors["supervision_hours_last_year"] = x.T("form.number")
	}
	if !ok2 {
		p.Errors["cpd_hours_last_year"] = x.T("form.number")
	}
	if len(p.Errors) > 0 {
		return a.certificatePage(x, p, http.StatusBadRequest)
	}
	in := cases.RenewalRequest{ContinuedPractice: x.fv("continued_practice") == "yes", EthicsCodeAdherence: x.fv("ethics_code_adherence") == "yes",
		SupervisionHoursLastYear: sup, CPDHoursLastYear: cpd, Declarations: confirmedDeclarations(x)}
	_, res, err := a.d.Cases.Renew(x.Request().Context(), x.meta(string(accreditation.ActionRenew)), x.Param("acc"), in)
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		var de *domain.Error
		status := statusOf(err)
		if asDomain(err, &de) {
			if list, ok := de.Extra["unmet"].([]accreditation.Unmet); ok {
				for _, u := range list {
					p.Errors[u.Rule] = ruleText(x, accreditation.RuleResult{Rule: u.Rule, Required: u.Required, Given: u.Given}, false)
				}
			} else {
				status = x.fieldErrors(p, err, nil)
			}
		}
		return a.certificatePage(x, p, status)
	}
	a.settle(x.Request().Context(), res.Seq)
	return x.redirect("/accreditations/" + x.Param("acc") + "?ok=renewed")
}

// toFloat makes a rule's number comparable with what JSON gives.
func toFloat(v any) any {
	switch n := v.(type) {
	case int:
		return float64(n)
	case float64, bool:
		return n
	}
	return v
}

// holderWithdrawAccreditation is the holder giving up their accreditation,
// with a reason, as POST /api/v1/accreditations/:id/withdrawal does; the
// register no longer lists it.
func (a *app) holderWithdrawAccreditation(x *ctx) error {
	accID := x.Param("acc")
	p := x.newPage("certificate.title", nil)
	p.Form = x.form
	if x.fv("withdraw_reason") == "" {
		p.Errors["withdraw_reason"] = x.T("form.required")
		return a.certificatePage(x, p, http.StatusBadRequest)
	}
	_, res, err := a.d.Cases.WithdrawAccreditation(x.Request().Context(), x.meta(string(accreditation.ActionWithdrawAccreditation)), accID, x.fv("withdraw_reason"))
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		renameField(err, "reason", "withdraw_reason")
		return a.certificatePage(x, p, x.fieldErrors(p, err, nil))
	}
	a.settle(x.Request().Context(), res.Seq)
	return x.redirect("/accreditations/" + accID + "?ok=accreditation_withdrawn")
}

// exportMine is the right of access: all of the caller's personal data and
// case history in one JSON document, the same as GET /api/v1/me/export.
func (a *app) exportMine(x *ctx) error {
	ctx := x.Request().Context()
	out := map[string]any{"user": x.user, "exported_at": a.d.Now().UTC()}
	all := []map[string]any{}
	for _, id := range a.d.Cases.IDsOfApplicant(x.user.ID) {
		v, _, err := a.d.Cases.Get(ctx, x.actor(), id)
		if err != nil {
			continue
		}
		h, err := a.d.Cases.History(ctx, x.actor(), id)
		if err != nil {
			return err
		}
		all = append(all, map[string]any{"case": v, "history": h})
	}
	out["cases"] = all
	x.Response().Header().Set("Content-Disposition", `attachment; filename="accredit-export.json"`)
	x.Response().Header().Set("Cache-Control", "no-store")
	return x.JSON(http.StatusOK, out)
}
