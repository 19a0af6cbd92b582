package web

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/emcc/accredit/api/internal/export"
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
	if err := cases.IsCurrent(c.AccreditationID(), accID); err != nil {
		return err
	}
	// A returned renewal is resubmitted under the rule set it was pinned
	// to, whose declarations it then records; a new one, under the set in
	// force.
	pinned := ""
	if r := c.Accreditation.CurrentRenewal; r != nil && r.State == accreditation.StateRenewalReturned {
		pinned = r.RuleSetVersion
	}
	d := map[string]any{"C": c, "Holder": a.userName(x, c.ApplicantID), "Declarations": a.declarationsOf(x, accreditation.Scheme(c.Scheme), pinned),
		"VerifyURL": fmt.Sprintf("%s://%s/register/%s", x.Scheme(), x.Request().Host, c.Accreditation.ID)}
	until := c.Accreditation.ValidUntil
	if r := c.Accreditation.CurrentRenewal; r != nil {
		until = r.PeriodUntil
	}
	d["Renewal"] = renewalForm(until)
	d["QuartersHint"] = a.renewalQuartersHint(x, c, pinned)
	if d["RenewalOpens"], err = a.renewalOpens(x, c); err != nil {
		return err
	}
	d["NextStep"] = a.nextStep(x, c.Next)
	d["Current"] = a.renewalOf(x, c.Accreditation)
	if x.user.Role == domain.RoleAssessor {
		d["Barred"] = a.ownBar(x, c)
	}
	if p == nil {
		p = x.newPage("certificate.title", nil)
		// A returned renewal is sent again mended where the assessor
		// asked: its form holds what was sent, not empty fields.
		if r := c.Accreditation.CurrentRenewal; r != nil && r.State == accreditation.StateRenewalReturned {
			p.Form = renewalValues(x.lang, r)
		}
	}
	p.D = d
	return x.render(status, "certificate", p)
}

// renewalValues is the renewal r as its form shows it, in lang: each
// year's figures, the reflection and the aims' statements (the
// declarations are confirmed again).
func renewalValues(lang string, r *cases.RenewalView) url.Values {
	v := url.Values{}
	for i, y := range r.Years {
		f := fmt.Sprintf("years[%d].", i)
		v.Set(f+"practice_hours", formatNum(lang, y.PracticeHours))
		v.Set(f+"supervision_hours", formatNum(lang, y.SupervisionHours))
		for q, h := range y.SupervisionHoursByQuarter {
			v.Set(fmt.Sprintf("%ssupervision_hours_by_quarter[%d]", f, q), formatNum(lang, h))
		}
		v.Set(f+"cpd_hours", formatNum(lang, y.CPDHours))
	}
	if r.Reflection != "" {
		v.Set("reflection", r.Reflection)
	}
	for _, a := range r.Aims {
		v.Set("aims."+string(a.Aim), a.Statement)
	}
	return v
}

// renewalQuartersHint is the legend of a renewal year's quarters: with the
// minimum a quarter the renewal's rules set at the level awarded (those
// pinned, for a returned renewal; else those in force; a graduate's
// figures where they give them), none where they set none (eia-2024-1
// counts the year's hours).
func (a *app) renewalQuartersHint(x *ctx, c *cases.CaseView, pinned string) string {
	rs := a.d.Cases.RuleSets()
	r, ok := rs.ByID(pinned)
	if !ok {
		r = rs.InForce(accreditation.Scheme(c.Scheme), a.d.Now())
	}
	if c.Portfolio.EQAProgramme != "" { // as the renewal is checked (Case.Renew)
		r = r.ForGraduates()
	}
	if v, ok := r.Value(accreditation.RuleRenewalSupervisionQuarters, c.Accreditation.Level); ok {
		return x.T("renew.supervision_quarters", formatNum(x.lang, v))
	}
	return x.T("renew.supervision_quarters_unset")
}

// renewalOpens is when the renewal of c's accreditation opens, as the
// case's own rule says (cases.Service.RenewalOpens), when that is still to
// come; zero when it has opened or the rules set no window.
func (a *app) renewalOpens(x *ctx, c *cases.CaseView) (time.Time, error) {
	opens, err := a.d.Cases.RenewalOpens(x.Request().Context(), c.ID)
	if err != nil || !a.d.Now().Before(opens) {
		return time.Time{}, err
	}
	return opens, nil
}

// renewal is the renewal part of the accreditation page: the form's year
// rows and aims, and the current renewal.
type renewal struct {
	Years []renewalYear
	Aims  []string
}

// renewalYear is one row of the renewal form: the fields of year I of the
// period, which runs from From to To.
type renewalYear struct {
	N        int
	From, To time.Time
	Practice string
	Super    string
	// Quarters are the inputs of the year's supervision hours by quarter,
	// oldest first, named as the domain names their errors.
	Quarters []string
	CPD      string
}

func renewalForm(until time.Time) renewal {
	var r renewal
	from := until.AddDate(-accreditation.ValidityYears, 0, 0)
	for i := range accreditation.ValidityYears {
		f := fmt.Sprintf("years[%d].", i)
		y := renewalYear{N: i + 1, From: from.AddDate(i, 0, 0), To: from.AddDate(i+1, 0, -1),
			Practice: f + "practice_hours", Super: f + "supervision_hours", CPD: f + "cpd_hours"}
		for q := range accreditation.Quarters {
			y.Quarters = append(y.Quarters, fmt.Sprintf("%ssupervision_hours_by_quarter[%d]", f, q))
		}
		r.Years = append(r.Years, y)
	}
	r.Aims = stringsOf(accreditation.RenewalAims)
	return r
}

// renew is the holder submitting the renewal, as POST
// /api/v1/accreditations/:id/renewal does.
func (a *app) renew(x *ctx) error {
	p := x.newPage("certificate.title", nil)
	p.Form = x.form
	in := cases.RenewalRequest{Reflection: x.fv("reflection"), Declarations: confirmedDeclarations(x)}
	if x.fv("scheme") == string(accreditation.SchemeEQA) {
		in.Aims = map[accreditation.RenewalAim]string{}
		for _, aim := range accreditation.RenewalAims {
			in.Aims[aim] = x.fv("aims." + string(aim))
		}
	} else {
		for i := range accreditation.ValidityYears {
			var y accreditation.RenewalYear
			for _, f := range []struct {
				name string
				to   *float64
			}{{"practice_hours", &y.PracticeHours}, {"supervision_hours", &y.SupervisionHours}, {"cpd_hours", &y.CPDHours}} {
				name := fmt.Sprintf("years[%d].%s", i, f.name)
				v, ok := parseNumber(x.fv(name), false)
				if !ok {
					p.Errors[name] = x.T(refusedNumber(x.fv(name), "form.number"))
				}
				*f.to = v
			}
			// The year's four quarters, or none: one left empty among
			// others given is 0 hours.
			quarters := make([]float64, accreditation.Quarters)
			given := false
			for q := range quarters {
				name := fmt.Sprintf("years[%d].supervision_hours_by_quarter[%d]", i, q)
				given = given || x.fv(name) != ""
				v, ok := parseNumber(x.fv(name), false)
				if !ok {
					p.Errors[name] = x.T(refusedNumber(x.fv(name), "form.number"))
				}
				quarters[q] = v
			}
			if given {
				y.SupervisionHoursByQuarter = quarters
			}
			in.Years = append(in.Years, y)
		}
	}
	if len(p.Errors) > 0 {
		return a.certificatePage(x, p, http.StatusBadRequest)
	}
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
					if f := renewalField(u.Rule); f != "" {
						// The statement's own field, which the summary
						// names by its label.
						p.Errors[f] = x.T("renew.unwritten")
						continue
					}
					p.Errors[u.Rule] = ruleText(x, accreditation.RuleResult{Rule: u.Rule, Required: u.Required, Given: u.Given}, false)
				}
				p.Problems = append(p.Problems, x.T("renew.unmet"))
			} else {
				status = x.fieldErrors(p, err, nil)
			}
		}
		return a.certificatePage(x, p, status)
	}
	a.settle(x, res.Seq)
	return x.redirect("/accreditations/" + x.Param("acc") + "?ok=renewal_submitted")
}

// renewalField is the field of the renewal form that an unmet rule asks
// to write (an EQA aim's statement, the EIA reflection), so that the error
// stands at the field and the summary links to it; "" for a rule over
// several fields (the hours of the period), whose error stands above
// them.
func renewalField(rule string) string {
	if rule == accreditation.RuleRenewalReflection {
		return "reflection"
	}
	for _, aim := range accreditation.RenewalAims {
		if accreditation.RuleRenewalAim(aim) == rule {
			return "aims." + string(aim)
		}
	}
	return ""
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
	if x.editing() { // back from the confirmation: the reason as typed
		return a.certificatePage(x, x.typedPage("certificate.title"), 0)
	}
	if x.fv("withdraw_reason") == "" {
		p.Errors["withdraw_reason"] = x.fillIn("withdraw_reason")
		return a.certificatePage(x, p, http.StatusBadRequest)
	}
	if !x.confirmed() {
		// Only the holder is asked: for anyone else the accreditation is
		// not there, as the command and the API answer.
		if _, err := a.d.Cases.CaseOfAccreditation(x.actor(), accID); err != nil {
			return err
		}
		return a.askToConfirm(x, endingConfirmation(x, accID, "withdraw_reason", "confirm.withdraw_mine"))
	}
	_, res, err := a.d.Cases.WithdrawAccreditation(x.Request().Context(), x.meta(string(accreditation.ActionWithdrawAccreditation)), accID, x.fv("withdraw_reason"))
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		renameField(err, "reason", "withdraw_reason")
		return a.certificatePage(x, p, x.fieldErrors(p, err, nil))
	}
	a.settle(x, res.Seq)
	return x.redirect("/accreditations/" + accID + "?ok=accreditation_withdrawn")
}

// exportMine is the right of access: all of the caller's personal data and
// case history in one JSON document, the same as GET /api/v1/me/export.
func (a *app) exportMine(x *ctx) error {
	doc, err := export.Mine(x.Request().Context(), a.exportSources(), x.actor(), *x.user)
	if err != nil {
		return err
	}
	x.Response().Header().Set("Content-Disposition", `attachment; filename="accredit-export.json"`)
	x.Response().Header().Set("Cache-Control", "no-store")
	return x.JSON(http.StatusOK, doc)
}

func (a *app) exportSources() export.Sources {
	return export.Sources{Accounts: a.d.Accounts, Cases: a.d.Cases, SelfChecks: a.d.SelfChecks,
		Mail: a.d.Mail, Recovery: a.d.Recovery, Now: a.d.Now}
}

// exportUser is the office's download of a user's export, for a request
// of access from a user who cannot log in (GET /api/v1/users/{id}/export).
func (a *app) exportUser(x *ctx) error {
	id := x.Param("user")
	if !domain.ValidULID(id) {
		return domain.Errorf(domain.NotFound, "no user %s", id)
	}
	doc, err := export.OfUser(x.Request().Context(), a.exportSources(), id)
	if err != nil {
		return err
	}
	a.d.Log.Info("the office exported a user's data", "user_id", id, "by", x.actor().ID)
	x.Response().Header().Set("Content-Disposition", `attachment; filename="accredit-export-`+id+`.json"`)
	x.Response().Header().Set("Cache-Control", "no-store")
	return x.JSON(http.StatusOK, doc)
}
