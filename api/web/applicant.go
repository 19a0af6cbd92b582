package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/emcc/accredit/api"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections"
)

// myCase is one of an applicant's cases in their list.
type myCase struct {
	ID, Scheme, Level, State, NextStep string
	OpenedAt, SubmittedAt, DueAt       any
	AccreditationID, AccStatus         string
	ValidUntil                         any
	OpenRequest                        bool
	ActionNeeded                       bool // the case waits on the applicant
}

func (a *app) myApplications(x *ctx) error {
	var list []myCase
	now := a.d.Now()
	a.read(func(m *projections.Models) {
		for _, c := range m.Cases.OfApplicant(x.user.ID) {
			mc := myCase{ID: c.ID, Scheme: string(c.Scheme), Level: string(c.Level), State: string(c.State), OpenedAt: c.OpenedAt}
			if !c.SubmittedAt.IsZero() {
				mc.SubmittedAt = c.SubmittedAt
			}
			if due, ok := c.DecisionExpectedBy(a.sla()); ok {
				mc.DueAt = due
			}
			if ac := c.Accreditation; ac != nil {
				mc.AccreditationID, mc.AccStatus, mc.ValidUntil = ac.ID, string(ac.Status), ac.ValidUntil
			}
			for _, r := range c.InformationRequests {
				if !r.Answered() {
					mc.OpenRequest = true
				}
			}
			next := c.Next(now).RevealPlace(func(s pii.Sealed) string { return a.d.Reads.Vault.Reveal(x.Request().Context(), s) })
			mc.NextStep, mc.ActionNeeded = a.nextStep(x, next), next.ApplicantActs()
			list = append(list, mc)
		}
	})
	return x.render(0, "applications", x.newPage("applications.title", list))
}

func (a *app) newApplication(x *ctx) error {
	scheme := enumParam(x.QueryParam("scheme"), schemes)
	p := x.newPage("new.title", map[string]any{"Scheme": scheme})
	p.Form.Set("scheme", scheme)
	p.Form.Set("language", x.lang)
	return x.render(0, "new", p)
}

func (a *app) openApplication(x *ctx) error {
	scheme := enumParam(x.fv("scheme"), schemes)
	p := x.newPage("new.title", map[string]any{"Scheme": scheme})
	p.Form = x.form
	if scheme == "" {
		return x.redirect("/applications/new")
	}
	if x.fv("level") == "" {
		p.Errors["level"] = x.T("new.level.required")
	}
	in := cases.OpenRequest{Scheme: scheme, Level: x.fv("level"), Language: x.fv("language")}
	if scheme == "EQA" {
		in.Programme = &struct{ Name, Provider string }{x.fv("programme_name"), x.fv("programme_provider")}
		for _, f := range []string{"programme_name", "programme_provider"} {
			if x.fv(f) == "" {
				p.Errors[f] = x.fillIn(f)
			}
		}
	}
	if len(p.Errors) > 0 {
		return x.render(http.StatusBadRequest, "new", p)
	}
	id, res, err := a.d.Cases.Open(x.Request().Context(), x.meta(string(accreditation.ActionOpen)), in)
	if err != nil {
		status := x.fieldErrors(p, err, func(f string) string { return strings.ReplaceAll(f, ".", "_") })
		return x.render(status, "new", p)
	}
	a.settle(x, res.Seq)
	return x.redirect("/applications/" + id + "?ok=opened")
}

// appCase is what every page of one application shows: the case, the
// live checklist and where it stands.
type appCase struct {
	C         *cases.CaseView
	Section   string
	Checklist []checkItem
	// OpenItems are what the office or an assessor asked that no rule
	// checks (see openItems).
	OpenItems []checkItem
	NextStep  string
	Rules     *rulesRef // the version the case is pinned to
	// Declarations are what submitting confirms.
	Declarations []declItem
	Extra        map[string]any
}

func (a *app) appCase(x *ctx, c *cases.CaseView, section string) *appCase {
	return &appCase{C: c, Section: section, Checklist: a.checklist(x, c), OpenItems: a.openItems(x, c), NextStep: a.nextStep(x, c.Next), Rules: a.rulesOf(x, c.RuleSet),
		Declarations: a.declarationsOf(x, accreditation.Scheme(c.Scheme), c.RuleSet), Extra: map[string]any{}}
}

func (a *app) application(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	return a.renderApplication(x, c, nil, 0)
}

// renderApplication shows the overview of an application; p, when given,
// carries a rejected form's errors and values.
func (a *app) renderApplication(x *ctx, c *cases.CaseView, p *page, status int) error {
	ac := a.appCase(x, c, "overview")
	h, err := a.history(x, c)
	if err != nil {
		return err
	}
	ac.Extra["History"] = h
	if p == nil {
		p = x.newPage("application.title", ac)
	}
	p.D = ac
	return x.render(status, "application", p)
}

// caseCommand runs a command on the :case of an applicant's form and
// answers with the overview: redirected on success, re-rendered with the
// errors (and what was typed) otherwise.
func (a *app) caseCommand(x *ctx, okKey string, rename func(string) string, run func(id string, m aggregate.Meta) (aggregate.Result, error)) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	res, err := run(c.ID, x.meta(okKey))
	if err != nil {
		return a.caseFailed(x, c, err, rename)
	}
	a.settle(x, res.Seq)
	return x.redirect("/applications/" + c.ID + "?ok=" + okKey)
}

// caseFailed answers a refused command with the application page, the
// form as sent and the errors at their fields.
func (a *app) caseFailed(x *ctx, c *cases.CaseView, err error, rename func(string) string) error {
	if domain.Is(err, domain.NotFound) {
		return err
	}
	p := x.newPage("application.title", nil)
	p.Form = x.form
	status := x.fieldErrors(p, err, rename)
	if c2, err2 := a.loadCase(x, c.ID); err2 == nil {
		c = c2
	}
	return a.renderApplication(x, c, p, status)
}

// submit submits with the declarations ticked. Rules not met are shown at
// their fields (a declaration at its box) and in the checklist, never as
// the domain's message, which names the rule set by its id.
func (a *app) submit(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	if x.editing() { // back from the confirmation: the declarations as ticked
		return a.renderApplication(x, c, x.typedPage("application.title"), 0)
	}
	if !x.confirmed() && a.readyToSubmit(x, c) {
		return a.askToConfirm(x, a.submissionConfirmation(x, c))
	}
	res, err := a.d.Cases.Submit(x.Request().Context(), x.meta("submitted"), c.ID, confirmedDeclarations(x))
	var de *domain.Error
	if asDomain(err, &de) {
		if unmet, ok := de.Extra["unmet"].([]accreditation.Unmet); ok {
			p := x.newPage("application.title", nil)
			p.Form = x.form
			for _, u := range unmet {
				if strings.HasPrefix(u.Rule, "declaration_") {
					p.Errors[u.Rule] = ruleText(x, accreditation.RuleResult{Rule: u.Rule, Required: u.Required, Given: u.Given}, false)
				}
			}
			p.Problems = append(p.Problems, x.T("submit.unmet"))
			return a.renderApplication(x, c, p, statusOf(err))
		}
	}
	if err != nil {
		return a.caseFailed(x, c, err, nil)
	}
	a.settle(x, res.Seq)
	ok := "submitted"
	if s, found := aggregate.StateOf[*accreditation.Case](res); found && s.State == accreditation.StateAwaitingPayment {
		ok = "submitted_fee" // the office does not screen it yet
	}
	return x.redirect("/applications/" + c.ID + "?ok=" + ok)
}

// declItem is a declaration to confirm: its checkbox and its text in the
// reader's language.
type declItem struct{ Field, Text string }

// declarationsOf are the declarations of the rule set id (the one of scheme
// in force now when id is empty).
func (a *app) declarationsOf(x *ctx, scheme accreditation.Scheme, id string) []declItem {
	rs := a.d.Cases.RuleSets()
	r, ok := rs.ByID(id)
	if !ok {
		r = rs.InForce(scheme, a.d.Now())
	}
	var out []declItem
	for _, d := range r.Declarations {
		text := d.Text[x.lang]
		if text == "" {
			text = d.Text["en"]
		}
		out = append(out, declItem{Field: accreditation.RuleDeclaration(d.Key), Text: text})
	}
	return out
}

// confirmedDeclarations are the keys of the declarations ticked on a form.
func confirmedDeclarations(x *ctx) []string {
	var out []string
	for _, k := range accreditation.Declarations {
		if x.fv(accreditation.RuleDeclaration(k)) == "yes" {
			out = append(out, k)
		}
	}
	return out
}

func (a *app) respond(x *ctx) error {
	return a.caseCommand(x, "answered", nil, func(id string, m aggregate.Meta) (aggregate.Result, error) {
		if x.fv("answer") == "" {
			return aggregate.Result{}, domain.InvalidFields("answer required", domain.FieldError{Field: "answer", Reason: "required"})
		}
		return a.d.Cases.ProvideInformation(x.Request().Context(), m, id, x.fv("answer"))
	})
}

func (a *app) appeal(x *ctx) error {
	return a.caseCommand(x, "appealed", nil, func(id string, m aggregate.Meta) (aggregate.Result, error) {
		if x.fv("grounds") == "" {
			return aggregate.Result{}, domain.InvalidFields("grounds required", domain.FieldError{Field: "grounds", Reason: "required"})
		}
		return a.d.Cases.Appeal(x.Request().Context(), m, id, x.fv("grounds"))
	})
}

// withdraw withdraws the application, once confirmed: it cannot be undone.
func (a *app) withdraw(x *ctx) error {
	if !x.confirmed() {
		c, err := a.loadParamCase(x)
		if err != nil {
			return err
		}
		if x.editing() { // back from the confirmation: the reason as typed
			return a.renderApplication(x, c, x.typedPage("application.title"), 0)
		}
		if c.Can(accreditation.ActionWithdraw) {
			return a.askToConfirm(x, withdrawalConfirmation(x, c))
		}
	}
	return a.caseCommand(x, "withdrawn", nil, func(id string, m aggregate.Meta) (aggregate.Result, error) {
		return a.d.Cases.Withdraw(x.Request().Context(), m, id, x.fv("reason"))
	})
}

// ruleHints are the portfolio fields' hints: the minimum the case's rule
// set (pinned, or in force) sets at its level, in words. A rule not set
// gets none.
func (a *app) ruleHints(x *ctx, c *cases.CaseView) map[string]string {
	rs := a.d.Cases.RuleSets()
	scheme := accreditation.Scheme(c.Scheme)
	r, ok := rs.ByID(c.RuleSet)
	if !ok {
		r = rs.InForce(scheme, a.d.Now())
	}
	level := framework.Level(c.Level)
	out := map[string]string{}
	for _, d := range accreditation.RuleDefs(scheme) {
		v, ok := r.Value(d.Name, level)
		switch {
		case !ok:
		case d.Name == accreditation.RuleYearsPractising:
			out["first_practice_date"] = x.T("portfolio.hint.years", int(v))
		case d.Name == accreditation.RuleSupervisionHours && v == 4:
			out[d.Name] = x.T("portfolio.hint.supervision", formatNum(x.lang, v))
		case d.Name == accreditation.RuleSupervisionQuarters:
			out[quartersField] = x.T("portfolio.hint.quarters", formatNum(x.lang, v))
		case d.Unit != accreditation.UnitRequired:
			out[d.Name] = x.T("portfolio.hint.at_least", formatNum(x.lang, v))
		}
	}
	return out
}

// quartersField is the portfolio's supervision hours by quarter; the form
// has one input a quarter (quarterField), oldest first.
const quartersField = "supervision_hours_by_quarter"

// quarterField is the form's input of quarter n of the last four, 1 the
// oldest: "supervision_hours_by_quarter_1".
func quarterField(n int) string { return quartersField + "_" + itoa(n) }

// quarterFieldOf is the form's input a field error of the domain names:
// "supervision_hours_by_quarter[2]" is the third quarter's; the list as a
// whole, the first's.
func quarterFieldOf(field string) (string, bool) {
	if field == quartersField {
		return quarterField(1), true
	}
	var i int
	if _, err := fmt.Sscanf(field, quartersField+"[%d]", &i); err == nil && i >= 0 && i < accreditation.Quarters {
		return quarterField(i + 1), true
	}
	return "", false
}

// portfolioFields are the number fields of each scheme's portfolio.
var (
	eiaNumbers = []string{"client_hours", "client_count", "cpd_hours_last_year", "supervision_hours_last_year",
		quarterField(1), quarterField(2), quarterField(3), quarterField(4), "feedback_items_last_12m", "reflection_items_last_12m"}
	eqaNumbers = []string{"contact_hours", "completed_cycles"}
	wholes     = []string{"client_count", "feedback_items_last_12m", "reflection_items_last_12m", "completed_cycles"}
)

func (a *app) portfolioPage(x *ctx, c *cases.CaseView, p *page, status int) error {
	return a.portfolioPageFrom(x, c, p, status, nil)
}

// portfolioPageFrom is the portfolio page; reused, when set, is the earlier
// application whose figures fill the form.
func (a *app) portfolioPageFrom(x *ctx, c *cases.CaseView, p *page, status int, reused *cases.CaseView) error {
	ac := a.appCase(x, c, "portfolio")
	ac.Extra["Reused"] = reused
	ac.Extra["Previous"] = a.previousApplications(x, c)
	ac.Extra["Hints"] = a.ruleHints(x, c)
	ac.Extra["Indicators"] = a.indicatorsByCategory(framework.Level(c.Level))
	if !c.EQA() {
		ac.Extra["Programmes"] = a.eqaProgrammes(x)
	}
	p.D = ac
	return x.render(status, "portfolio", p)
}

// eqaProgrammes are the EQA-accredited programmes in force on the public
// register, for a graduate to name theirs: "Name, Provider (level)".
func (a *app) eqaProgrammes(x *ctx) []option {
	var rows []api.RegisterRow
	a.read(func(m *projections.Models) {
		rows, _ = a.publicRegister().Listed(x.Request().Context(), m.Register).Search(api.RegisterFilter{Scheme: string(accreditation.SchemeEQA)}, 0, 0)
	})
	var out []option
	for _, r := range rows {
		if r.Valid {
			out = append(out, option{Value: r.AccreditationID, Label: fmt.Sprintf("%s, %s (%s)", r.Programme, r.Provider, a.levelName(x, string(r.Level)))})
		}
	}
	return out
}

func (a *app) portfolioForm(x *ctx) error {
	c, err := a.loadParamCaseOpened(x) // an EQA's curriculum fills the form
	if err != nil {
		return err
	}
	p := x.newPage("portfolio.title", nil)
	pf := c.Portfolio
	var reused *cases.CaseView
	if from := x.QueryParam("from"); from != "" && c.Can(accreditation.ActionUpdatePortfolio) {
		if reused, err = a.previousApplication(x, c, from); err != nil {
			return err
		}
		pf = reused.Portfolio
	}
	p.Form = portfolioValues(x.lang, pf)
	return a.portfolioPageFrom(x, c, p, 0, reused)
}

// portfolioValues is pf as the portfolio form shows it, in lang.
func portfolioValues(lang string, pf cases.PortfolioView) url.Values {
	v := url.Values{}
	set := func(k string, n float64) {
		if n != 0 {
			v.Set(k, formatNum(lang, n))
		}
	}
	v.Set("first_practice_date", pf.FirstPracticeDate.String())
	set("client_hours", pf.ClientHours)
	set("client_count", float64(pf.ClientCount))
	set("cpd_hours_last_year", pf.CPDHoursLastYear)
	set("supervision_hours_last_year", pf.SupervisionHoursLastYear)
	for i, h := range pf.SupervisionHoursByQuarter {
		v.Set(quarterField(i+1), formatNum(lang, h))
	}
	set("feedback_items_last_12m", float64(pf.FeedbackItemsLast12m))
	set("reflection_items_last_12m", float64(pf.ReflectionItemsLast12m))
	if pf.ProfessionalBodyMember {
		v.Set("professional_body_member", "yes")
	}
	v.Set("eqa_programme", pf.EQAProgramme)
	set("contact_hours", pf.ContactHours)
	set("completed_cycles", float64(pf.CompletedCycles))
	for _, it := range pf.Curriculum {
		n := itoa(it.Category)
		v.Set("curriculum_"+n, it.Description)
		for _, i := range it.Indicators {
			v.Add("curriculum_indicators_"+n, itoa(i))
		}
	}
	return v
}

// portfolioFields are the portfolio form's fields for c's scheme.
func portfolioFields(c *cases.CaseView) []string {
	if !c.EQA() {
		return append([]string{"first_practice_date", "professional_body_member", "eqa_programme"}, eiaNumbers...)
	}
	fs := slices.Clone(eqaNumbers)
	for n := 1; n <= framework.NumCategories; n++ {
		fs = append(fs, "curriculum_"+itoa(n), "curriculum_indicators_"+itoa(n))
	}
	return fs
}

// parseNumber reads a number the way people type it ("12,5" or "12.5").
// A separator followed by three digits after a whole part other than 0
// ("1,200", "1.200") is refused: it separates the thousands in one of the
// pages' languages and the decimals in the other, and read the wrong way
// it is a thousandth of what was meant.
func parseNumber(s string, whole bool) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if s == "" {
		return 0, true
	}
	if i := strings.IndexAny(s, ",."); i > 0 && len(s)-i == 4 && strings.Trim(s[:i], "0") != "" {
		return 0, false
	}
	s = strings.Replace(s, ",", ".", 1)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || whole && f != math.Trunc(f) {
		return 0, false
	}
	return f, true
}

// belowZero reports whether s reads as a number below 0 ("-1", "-2,5"),
// which parseNumber refuses: the figures of the forms count something.
func belowZero(s string) bool {
	s = strings.Replace(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), ",", ".", 1)
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f < 0
}

// refusedNumber is the message key for s, which parseNumber refused:
// form.negative for a figure below 0, whole or not, whose sign is what is
// wrong; else key, the form's message for what is not a number.
func refusedNumber(s, key string) string {
	if belowZero(s) {
		return "form.negative"
	}
	return key
}

var curriculumField = regexp.MustCompile(`^curriculum\[(\d+)\]\.(\w+)$`)

func (a *app) savePortfolio(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	p := x.newPage("portfolio.title", nil)
	m := a.merge(x, x.meta(string(accreditation.ActionUpdatePortfolio)), c, portfolioFields(c),
		func(v *cases.CaseView) url.Values { return portfolioValues(x.lang, v.Portfolio) })
	p.Form = x.form
	nums := map[string]float64{}
	fields := eiaNumbers
	if c.EQA() {
		fields = eqaNumbers
	}
	for _, f := range fields {
		whole := slices.Contains(wholes, f)
		v, ok := parseNumber(x.fv(f), whole)
		if !ok {
			key := "form.number"
			if whole {
				key = "form.whole"
			}
			p.Errors[f] = x.T(refusedNumber(x.fv(f), key))
		}
		nums[f] = v
	}
	in := cases.PortfolioRequest{}
	var cats []int
	if c.EQA() {
		in.ContactHours, in.CompletedCycles = nums["contact_hours"], int(nums["completed_cycles"])
		for n := 1; n <= framework.NumCategories; n++ {
			desc := x.fv("curriculum_" + itoa(n))
			var inds []int
			for _, s := range x.form["curriculum_indicators_"+itoa(n)] {
				if i, err := strconv.Atoi(s); err == nil {
					inds = append(inds, i)
				}
			}
			if desc == "" && len(inds) == 0 {
				continue
			}
			cats = append(cats, n)
			in.Curriculum = append(in.Curriculum, cases.CurriculumRequest{Category: n, Indicators: inds, Description: desc})
		}
	} else {
		in.FirstPracticeDate = x.fv("first_practice_date")
		in.ClientHours, in.ClientCount = nums["client_hours"], int(nums["client_count"])
		in.CPDHoursLastYear, in.SupervisionHoursLastYear = nums["cpd_hours_last_year"], nums["supervision_hours_last_year"]
		// The four quarters, or none: a quarter left empty among others
		// given is 0 hours.
		for n := 1; n <= accreditation.Quarters; n++ {
			if x.fv(quarterField(n)) != "" {
				for n := 1; n <= accreditation.Quarters; n++ {
					in.SupervisionHoursByQuarter = append(in.SupervisionHoursByQuarter, nums[quarterField(n)])
				}
				break
			}
		}
		in.FeedbackItemsLast12m, in.ReflectionItemsLast12m = int(nums["feedback_items_last_12m"]), int(nums["reflection_items_last_12m"])
		in.ProfessionalBodyMember = x.fv("professional_body_member") == "yes"
		in.EQAProgramme = x.fv("eqa_programme")
	}
	if len(p.Errors) > 0 {
		return a.portfolioPage(x, c, p, http.StatusBadRequest)
	}
	res, err := a.d.Cases.UpdatePortfolio(x.Request().Context(), m, c.ID, in)
	if x.overtaken(err) {
		return errOvertaken
	}
	if err != nil {
		status := x.fieldErrors(p, err, func(f string) string {
			if m := curriculumField.FindStringSubmatch(f); m != nil {
				if i, _ := strconv.Atoi(m[1]); i < len(cats) {
					return "curriculum_" + itoa(cats[i])
				}
			}
			if strings.HasPrefix(f, "curriculum") {
				return "curriculum"
			}
			if q, ok := quarterFieldOf(f); ok {
				return q
			}
			return f
		})
		return a.portfolioPage(x, c, p, status)
	}
	a.settle(x, res.Seq)
	return x.redirect("/applications/" + c.ID + "/portfolio?ok=saved")
}

// catIndicators is a category with the indicators of a level (at or below).
type catIndicators struct {
	framework.Category
	At []framework.Indicator
}

// indicatorsByCategory lists each category with its indicators at or below
// level l.
func (a *app) indicatorsByCategory(l framework.Level) []catIndicators {
	var out []catIndicators
	for _, cat := range a.d.Catalogue.Categories {
		ci := catIndicators{Category: cat}
		for _, in := range cat.Indicators {
			if l.AtLeast(in.Level) {
				ci.At = append(ci.At, in)
			}
		}
		out = append(out, ci)
	}
	return out
}
