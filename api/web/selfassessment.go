package web

// The applicant's self-assessment: a statement for each competence
// category, saved over changes made since as the other forms are (merge).

import (
	"net/url"
	"regexp"
	"strconv"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
)

func (a *app) selfAssessmentPage(x *ctx, c *cases.CaseView, p *page, status int) error {
	ac := a.appCase(x, c, "self-assessment")
	ac.Extra["Indicators"] = a.indicatorsByCategory(framework.Level(c.Level))
	covered := map[int]bool{}
	for _, e := range c.Evidence {
		for _, n := range e.Categories {
			covered[n] = true
		}
	}
	ac.Extra["Covered"] = covered
	p.D = ac
	return x.render(status, "selfassessment", p)
}

func (a *app) selfAssessmentForm(x *ctx) error {
	c, err := a.loadParamCaseOpened(x) // the statements fill the form
	if err != nil {
		return err
	}
	p := x.newPage("self.title", nil)
	p.Form = selfAssessmentValues(c)
	return a.selfAssessmentPage(x, c, p, 0)
}

var statementField = regexp.MustCompile(`^categories\[(\d+)\]\.statement$`)

// statementFields are the self-assessment form's fields.
var statementFields = func() []string {
	var fs []string
	for n := 1; n <= framework.NumCategories; n++ {
		fs = append(fs, "statement_"+itoa(n))
	}
	return fs
}()

// selfAssessmentValues are c's statements as its form shows them.
func selfAssessmentValues(c *cases.CaseView) url.Values {
	v := url.Values{}
	for _, s := range c.SelfAssessment {
		v.Set("statement_"+itoa(s.Category), s.Statement)
	}
	return v
}

func (a *app) saveSelfAssessment(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	p := x.newPage("self.title", nil)
	m := a.merge(x, x.meta(string(accreditation.ActionUpdateSelfAssessment)), c, statementFields, selfAssessmentValues)
	p.Form = x.form
	var items []cases.SelfAssessment
	for n := 1; n <= framework.NumCategories; n++ {
		name := "statement_" + itoa(n)
		// A field the form did not send leaves the statement; one sent
		// emptied takes it back (an empty statement is none), as the API's.
		if !x.form.Has(name) {
			continue
		}
		st := x.fv(name)
		if st == c.Statement(n) {
			continue
		}
		items = append(items, cases.SelfAssessment{Category: n, Statement: st})
	}
	if len(items) == 0 {
		return x.redirect("/applications/" + c.ID + "/self-assessment?ok=unchanged")
	}
	res, err := a.d.Cases.UpdateSelfAssessment(x.Request().Context(), m, c.ID, items)
	if x.overtaken(err) {
		return errOvertaken
	}
	if err != nil {
		status := x.fieldErrors(p, err, func(f string) string {
			if m := statementField.FindStringSubmatch(f); m != nil {
				if i, _ := strconv.Atoi(m[1]); i < len(items) {
					return "statement_" + itoa(items[i].Category)
				}
			}
			return f
		})
		return a.selfAssessmentPage(x, c, p, status)
	}
	a.settle(x, res.Seq)
	return x.redirect("/applications/" + c.ID + "/self-assessment?ok=saved")
}
