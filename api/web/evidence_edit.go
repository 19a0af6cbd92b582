package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
)

// The evidence edit page changes what describes an uploaded file (kind,
// title, categories, indicators) while the application is with its
// applicant, instead of removing and uploading it again.

// evidenceEditView renders the edit page of evidence ev; p carries the form
// (the evidence as it is, or as sent with its errors).
func (a *app) evidenceEditView(x *ctx, c *cases.CaseView, ev *cases.EvidenceView, p *page, status int) error {
	ac := a.appCase(x, c, "evidence")
	ac.Extra["Evidence"] = ev
	ac.Extra["Kinds"] = stringsOf(accreditation.EvidenceKindsOf(c.Scheme))
	ac.Extra["Indicators"] = a.indicatorsByCategory(framework.Level(c.Level))
	p.D = ac
	return x.render(status, "evidenceedit", p)
}

// paramEvidence is the case and the evidence of the :case and :ev
// parameters, the case loaded by load; evidence the case does not hold is
// a 404.
func (a *app) paramEvidence(x *ctx, load func(*ctx) (*cases.CaseView, error)) (*cases.CaseView, *cases.EvidenceView, error) {
	c, err := load(x)
	if err != nil {
		return nil, nil, err
	}
	ev := c.EvidenceOf(x.Param("ev"))
	if ev == nil {
		return nil, nil, domain.Errorf(domain.NotFound, "no evidence %s in case %s", x.Param("ev"), c.ID)
	}
	return c, ev, nil
}

func (a *app) evidenceEditPage(x *ctx) error {
	c, ev, err := a.paramEvidence(x, a.loadParamCaseOpened) // its title fills the form
	if err != nil {
		return err
	}
	p := x.newPage("evidence.edit.title", nil)
	p.Form = evidenceValues(ev)
	return a.evidenceEditView(x, c, ev, p, 0)
}

// evidenceFields are the evidence form's fields.
var evidenceFields = []string{"kind", "title", "categories", "indicators"}

// evidenceValues is ev as the evidence form shows it.
func evidenceValues(ev *cases.EvidenceView) url.Values {
	v := url.Values{}
	v.Set("kind", string(ev.Kind))
	v.Set("title", ev.Title)
	for _, n := range ev.Categories {
		v.Add("categories", strconv.Itoa(n))
	}
	for _, n := range ev.Indicators {
		v.Add("indicators", strconv.Itoa(n))
	}
	return v
}

func (a *app) editEvidence(x *ctx) error {
	c, ev, err := a.paramEvidence(x, a.loadParamCase)
	if err != nil {
		return err
	}
	p := x.newPage("evidence.edit.title", nil)
	m := a.merge(x, x.meta(string(accreditation.ActionEditEvidence)), c, evidenceFields, func(v *cases.CaseView) url.Values {
		if e := v.EvidenceOf(ev.ID); e != nil {
			return evidenceValues(e)
		}
		return url.Values{} // not yet added then: every field is the form's change
	})
	p.Form = x.form
	in := cases.EvidenceEdit{Kind: x.fv("kind"), Title: x.fv("title"), Categories: formInts(x, "categories"), Indicators: formInts(x, "indicators")}
	if in.Kind == "" {
		p.Errors["kind"] = x.T("evidence.kind.required")
	}
	if in.Title == "" {
		p.Errors["title"] = x.fillIn("title")
	}
	if len(p.Errors) > 0 {
		return a.evidenceEditView(x, c, ev, p, http.StatusBadRequest)
	}
	res, err := a.d.Cases.EditEvidence(x.Request().Context(), m, c.ID, ev.ID, in)
	if x.overtaken(err) {
		return errOvertaken
	}
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		status := x.fieldErrors(p, err, func(f string) string {
			if m := listField.FindStringSubmatch(f); m != nil {
				return m[1]
			}
			return f
		})
		return a.evidenceEditView(x, c, ev, p, status)
	}
	a.settle(x, res.Seq)
	return x.redirect("/applications/" + c.ID + "/evidence?ok=evidence_edited")
}

// formInts are the numbers a form sent under name (checkboxes); anything
// else is left out.
func formInts(x *ctx, name string) []int {
	var out []int
	for _, s := range x.form[name] {
		if n, err := strconv.Atoi(s); err == nil {
			out = append(out, n)
		}
	}
	return out
}
