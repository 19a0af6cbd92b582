package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/selfcheck"
)

// The development self-check (issue 16 item 2). Anyone rates themself on
// the framework's indicators and sees the result: the ratings travel in the
// form post and nothing is stored (no event, no session, no cookie beyond
// the CSRF seed every visitor gets). A logged-in user's self-check is kept,
// dated (domain/selfcheck), listed on /self-checks with the previous one to
// compare, and an applicant can start an application from it with the
// self-assessment pre-filled.

// scField is the form field of indicator n's rating.
func scField(n int) string { return "r" + strconv.Itoa(n) }

// ratingKey is the message key of a rating's name.
func ratingKey(r selfcheck.Rating) string { return "selfcheck.rating." + string(r) }

// scLevel is one level of the form: the indicators of that level by
// category.
type scLevel struct {
	Level      framework.LevelInfo
	Categories []catIndicators
}

// selfCheckLevels lays the form out level by level, lowest first.
func (a *app) selfCheckLevels() []scLevel {
	var out []scLevel
	for _, li := range a.d.Catalogue.Levels {
		l := scLevel{Level: li}
		for _, c := range a.d.Catalogue.Categories {
			ci := catIndicators{Category: c}
			for _, in := range c.Indicators {
				if in.Level == li.ID {
					ci.At = append(ci.At, in)
				}
			}
			if len(ci.At) > 0 {
				l.Categories = append(l.Categories, ci)
			}
		}
		out = append(out, l)
	}
	return out
}

// selfCheckPage is the form, with the result of the ratings posted when
// there is one.
func (a *app) selfCheckPage(x *ctx, p *page, result *scView, status int) error {
	p.D = map[string]any{"Levels": a.selfCheckLevels(), "Scale": selfcheck.Scale, "Result": result}
	return x.render(status, "selfcheck", p)
}

// selfCheckForm is GET /self-check; a logged-in user may start from one of
// their saved self-checks (?from=id).
func (a *app) selfCheckForm(x *ctx) error {
	p := x.newPage("selfcheck.title", nil)
	if id := x.QueryParam("from"); id != "" && x.user != nil {
		sv, _, _, err := a.d.SelfChecks.Get(x.Request().Context(), x.actor(), id)
		if err != nil {
			return err
		}
		for _, in := range sv.Ratings {
			p.Form.Set(scField(in.Indicator), in.Rating)
		}
	}
	return a.selfCheckPage(x, p, nil, 0)
}

// ratingsOf reads the form's ratings: an indicator with no choice is "not
// yet"; a value off the scale is an error naming the indicator's field.
func (a *app) ratingsOf(x *ctx, p *page) []selfcheck.Input {
	var inputs []selfcheck.Input
	for _, in := range a.d.Catalogue.Indicators() {
		v := x.fv(scField(in.Number))
		if v == "" {
			continue
		}
		if !selfcheck.Rating(v).Valid() {
			p.Errors[scField(in.Number)] = x.T("selfcheck.bad_rating", in.Number)
		}
		inputs = append(inputs, selfcheck.Input{Indicator: in.Number, Rating: v})
	}
	for k := range x.form {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, "r")); err == nil && strings.HasPrefix(k, "r") {
			if _, ok := a.d.Catalogue.Indicator(n); !ok {
				p.Errors[k] = x.T("selfcheck.unknown_indicator", n)
			}
		}
	}
	return inputs
}

// evaluateSelfCheck is POST /self-check: the result, kept when logged in.
func (a *app) evaluateSelfCheck(x *ctx) error {
	p := x.newPage("selfcheck.title", nil)
	p.Form = x.form
	inputs := a.ratingsOf(x, p)
	if len(p.Errors) > 0 {
		return a.selfCheckPage(x, p, nil, http.StatusBadRequest)
	}
	if x.user == nil {
		rs, err := selfcheck.Parse(a.d.Catalogue, inputs)
		if err != nil {
			return err
		}
		v := a.scView(x, selfcheck.Evaluate(a.d.Catalogue, rs))
		return a.selfCheckPage(x, p, &v, 0)
	}
	saved, res, err := a.d.SelfChecks.Save(x.Request().Context(), x.meta("save_self_check"), inputs)
	if err != nil {
		return err
	}
	a.settle(x, res.Seq)
	return x.redirect("/self-checks?show=" + saved.ID + "&ok=selfcheck_saved#result")
}

// selfChecks is GET /self-checks: the user's saved self-checks, one of them
// (?show=id, else the newest) in full, compared with the one before it.
func (a *app) selfChecks(x *ctx) error {
	ctx := x.Request().Context()
	list, err := a.d.SelfChecks.List(ctx, x.actor())
	if err != nil {
		return err
	}
	d := map[string]any{"List": list}
	id := x.QueryParam("show")
	if id == "" && len(list) > 0 {
		id = list[0].ID
	}
	p := x.newPage("selfchecks.title", d)
	if id != "" {
		cur, prev, hasPrev, err := a.d.SelfChecks.Get(ctx, x.actor(), id)
		if err != nil {
			return err
		}
		v := a.scView(x, cur.Result)
		v.Saved = &cur
		if hasPrev {
			v.Previous = &prev
		}
		d["Shown"] = &v
		start := cur.Level
		if start == "" {
			start = framework.Foundation
		}
		p.Form.Set("check", cur.ID)
		p.Form.Set("level", string(start))
		p.Form.Set("language", x.lang)
	}
	return x.render(0, "selfchecks", p)
}

// applyFromSelfCheck is POST /self-checks/apply: an EIA application at the
// chosen level whose self-assessment is pre-filled from the self-check.
func (a *app) applyFromSelfCheck(x *ctx) error {
	ctx := x.Request().Context()
	sv, _, _, err := a.d.SelfChecks.Get(ctx, x.actor(), x.fv("check"))
	if err != nil {
		return err
	}
	level, ok := framework.ParseLevel(x.fv("level"))
	if !ok {
		return domain.InvalidFields("invalid application", domain.FieldError{Field: "level", Reason: "a level"})
	}
	lang := x.fv("language")
	id, res, err := a.d.Cases.Open(ctx, x.meta(string(accreditation.ActionOpen)), cases.OpenRequest{Scheme: "EIA", Level: string(level), Language: lang})
	if err != nil {
		return err
	}
	textLang := x.lang
	if lang == "en" || lang == "nl" {
		textLang = lang
	}
	// The second command of the form: its own command id, derived from
	// the form's, so a double submission writes each once.
	m := x.meta(string(accreditation.ActionUpdateSelfAssessment))
	if m.CommandID != "" {
		m.CommandID += "-statements"
	}
	res2, err := a.d.Cases.UpdateSelfAssessment(ctx, m, id, a.statementsFrom(textLang, sv, level))
	if err != nil {
		return err
	}
	a.settle(x, max(res.Seq, res2.Seq))
	return x.redirect("/applications/" + id + "/self-assessment?ok=selfcheck_prefilled")
}

// statementsFrom drafts a self-assessment statement per category from a
// self-check, in lang, for an application at level: the date and the
// category's indicative level, then the indicators up to that level rated
// consistently, partly and not yet, each with its number and text. The
// applicant edits them before submitting.
func (a *app) statementsFrom(lang string, sv selfcheck.Saved, level framework.Level) []cases.SelfAssessment {
	var out []cases.SelfAssessment
	name := func(l framework.Level) string {
		if li, ok := a.d.Catalogue.Level(l); ok {
			return li.Name.In(lang)
		}
		return tr(lang, "selfcheck.level.none")
	}
	for i, c := range a.d.Catalogue.Categories {
		var b strings.Builder
		b.WriteString(tr(lang, "selfcheck.statement.head", formatDate(lang, sv.TakenAt, false), name(sv.Categories[i].Level)))
		for _, r := range []selfcheck.Rating{selfcheck.Consistently, selfcheck.Partly, selfcheck.NotYet} {
			var items []string
			for _, in := range c.Indicators {
				if level.AtLeast(in.Level) && sv.Rating(in.Number) == r {
					items = append(items, fmt.Sprintf("(%d) %s", in.Number, in.Text.In(lang)))
				}
			}
			if len(items) > 0 {
				b.WriteString("\n\n" + tr(lang, ratingKey(r)) + ":\n- " + strings.Join(items, "\n- "))
			}
		}
		out = append(out, cases.SelfAssessment{Category: c.Number, Statement: b.String()})
	}
	return out
}
