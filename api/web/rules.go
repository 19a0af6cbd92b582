package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/rulesets"
)

// The rules as people read them: a version is "Rules of 1 January 2027",
// never its internal id, each rule in words with its figure per level and
// where the figure comes from.

// rulesRef names a version for a case page.
type rulesRef struct {
	ID    string
	Title string
}

// rulesTitle is a version in words: "Rules of 1 January 2027".
func rulesTitle(x *ctx, r accreditation.RuleSet) string {
	return x.T("ruleset.title", formatDate(x.lang, r.EffectiveFrom, false))
}

// rulesOf names the version a case is pinned to; nil when it is not pinned.
func (a *app) rulesOf(x *ctx, id string) *rulesRef {
	if id == "" {
		return nil
	}
	r, ok := a.d.Cases.RuleSets().ByID(id)
	if !ok {
		return &rulesRef{ID: id, Title: x.T("rules.unknown")}
	}
	return &rulesRef{ID: id, Title: rulesTitle(x, r)}
}

// ruleRow is one rule in words.
type ruleRow struct {
	Name   string
	Label  string
	Unit   accreditation.Unit
	Values []string // per level, in order; "not set" where unset
	Set    []bool
	Source string
	// SourceLang is the language of Source when it quotes a publication
	// (English), "" when the page words it (sourceText).
	SourceLang string
	// Graduates are the figures for graduates of an EQA-accredited
	// programme, per level ("" where as for everyone); nil when none differ.
	Graduates []string
	// GraduateRoute: the rule can have such figures (EIA); GraduatesGiven:
	// the form holds one (its group opens).
	GraduateRoute, GraduatesGiven bool
}

// figure says a rule's figure with its unit: "250 hours", "required".
func figure(x *ctx, u accreditation.Unit, v float64) string {
	if u == accreditation.UnitRequired {
		return x.T(fmt.Sprintf("unit.required.%d", int(v)))
	}
	if u == accreditation.UnitEUR {
		return x.T("unit.eur", formatEUR(x.lang, v))
	}
	return x.T("unit."+string(u), formatNum(x.lang, v))
}

func ruleRows(x *ctx, r accreditation.RuleSet) []ruleRow {
	var out []ruleRow
	for _, rule := range r.Rules {
		row := ruleRow{Name: rule.Name, Label: x.T("rule." + rule.Name), Unit: rule.Unit}
		row.Source, row.SourceLang = sourceText(x, rule.Source)
		for _, l := range framework.Levels {
			v, ok := rule.Value(l)
			row.Set = append(row.Set, ok)
			if ok {
				row.Values = append(row.Values, figure(x, rule.Unit, v))
			} else {
				row.Values = append(row.Values, x.T("rules.not_set"))
			}
		}
		if len(rule.Graduates) > 0 {
			for _, l := range framework.Levels {
				g := ""
				if v, ok := rule.Graduates[l]; ok {
					g = figure(x, rule.Unit, v)
				}
				row.Graduates = append(row.Graduates, g)
			}
		}
		out = append(out, row)
	}
	return out
}

// officeSource is the source the rules give a figure or a declaration
// the office set itself (rulesets.Book.Publish).
var officeSource = regexp.MustCompile(`^set by the office on (\d{4}-\d{2}-\d{2})$`)

// sourceText is a rule's source as a page shows it, and its language: a
// publication's words are quoted as they are, in English; the office's
// own setting is said in the reader's words, with the date in their format.
func sourceText(x *ctx, source string) (text, lang string) {
	if m := officeSource.FindStringSubmatch(source); m != nil {
		return x.T("rules.set_by_office", formatDate(x.lang, m[1], false)), ""
	}
	if source == "" {
		return "", ""
	}
	return source, "en"
}

// declRow is a declaration in the reader's language.
type declRow struct {
	Label, Text, Source, SourceLang string
	Version                         int
}

func declRows(x *ctx, r accreditation.RuleSet) []declRow {
	var out []declRow
	for _, d := range r.Declarations {
		text := d.Text[x.lang]
		if text == "" {
			text = d.Text["en"]
		}
		row := declRow{Label: x.T("rule." + accreditation.RuleDeclaration(d.Key)), Text: text, Version: d.Version}
		row.Source, row.SourceLang = sourceText(x, d.Source)
		out = append(out, row)
	}
	return out
}

// changeRow is one figure that changes, in words.
type changeRow struct{ Rule, Level, From, To string }

func changeRows(x *ctx, a *app, from, to accreditation.RuleSet) []changeRow {
	var out []changeRow
	say := func(u accreditation.Unit, v *float64) string {
		if v == nil {
			return x.T("rules.not_set")
		}
		return figure(x, u, *v)
	}
	for _, c := range rulesets.Diff(from, to) {
		rule := x.T("rule." + c.Rule)
		if c.Graduates {
			rule = x.T("rules.for_graduates_of", rule)
		}
		out = append(out, changeRow{Rule: rule, Level: a.levelName(x, string(c.Level)), From: say(c.Unit, c.From), To: say(c.Unit, c.To)})
	}
	return out
}

// versionItem is a version in a list.
type versionItem struct {
	ID, Title string
	Status    rulesets.Status
}

// schemeRules is one scheme's rules: the version in force in full, and
// every version.
type schemeRules struct {
	Scheme   accreditation.Scheme
	InForce  versionItem
	Rows     []ruleRow
	Decls    []declRow
	Versions []versionItem
}

func (a *app) rules(x *ctx) error {
	svc, now := a.d.Cases.Rules(), a.d.Now()
	var out []schemeRules
	for _, sc := range []accreditation.Scheme{accreditation.SchemeEIA, accreditation.SchemeEQA} {
		in := svc.All().InForce(sc, now)
		s := schemeRules{Scheme: sc, InForce: versionItem{ID: in.ID, Title: rulesTitle(x, in), Status: rulesets.StatusInForce}, Rows: ruleRows(x, in), Decls: declRows(x, in)}
		for _, v := range svc.Versions() {
			if v.Scheme == sc {
				s.Versions = append(s.Versions, versionItem{ID: v.ID, Title: rulesTitle(x, v.RuleSet), Status: svc.StatusOf(v, now)})
			}
		}
		out = append(out, s)
	}
	p := x.newPage("rules.title", map[string]any{"Schemes": out, "Office": x.user != nil && x.user.Role == domain.RoleOffice})
	return x.render(0, "rules", p)
}

func (a *app) rulesVersion(x *ctx) error {
	svc, now := a.d.Cases.Rules(), a.d.Now()
	v, ok := svc.Version(x.Param("rules"))
	if !ok {
		return domain.Errorf(domain.NotFound, "no rules %s", x.Param("rules"))
	}
	in := svc.All().InForce(v.Scheme, now)
	d := map[string]any{"V": versionItem{ID: v.ID, Title: rulesTitle(x, v.RuleSet), Status: svc.StatusOf(v, now)},
		"Scheme": v.Scheme, "Rows": ruleRows(x, v.RuleSet), "Decls": declRows(x, v.RuleSet), "PublishedAt": v.PublishedAt}
	if in.ID != v.ID {
		d["InForce"] = versionItem{ID: in.ID, Title: rulesTitle(x, in)}
		d["Changes"] = changeRows(x, a, in, v.RuleSet)
	}
	// A version replaced before it took effect links the one that did (a
	// reader who followed an old link wants what replaced it).
	if by, ok := svc.Version(v.ReplacedBy); ok && v.ReplacedBy != "" {
		d["ReplacedBy"] = versionItem{ID: by.ID, Title: rulesTitle(x, by.RuleSet)}
	}
	if in.ID != v.ID && in.ID != v.ReplacedBy {
		d["InForceLink"] = d["InForce"]
	}
	p := x.newPage("rules.title", d)
	p.Title = rulesTitle(x, v.RuleSet)
	return x.render(0, "rulesversion", p)
}

// ---- the office publishes ----

func schemeParam(x *ctx) (accreditation.Scheme, error) {
	sc := accreditation.Scheme(strings.ToUpper(x.Param("scheme")))
	if !sc.Valid() {
		return "", domain.Errorf(domain.NotFound, "no scheme %s", x.Param("scheme"))
	}
	return sc, nil
}

// The form's fields: v_<rule>_<level> is a figure (empty: not set),
// g_<rule>_<level> the figure for graduates of an EQA-accredited programme
// (EIA; empty: as for everyone), src_<rule> the source.
func valueField(rule string, l framework.Level) string    { return "v_" + rule + "_" + string(l) }
func graduateField(rule string, l framework.Level) string { return "g_" + rule + "_" + string(l) }
func sourceField(rule string) string                      { return "src_" + rule }

func (a *app) rulesForm(x *ctx) error {
	sc, err := schemeParam(x)
	if err != nil {
		return err
	}
	latest := a.d.Cases.Rules().Latest(sc)
	p := x.newPage("rules.publish.title", nil)
	p.Form.Set("based_on", latest.ID)
	p.Form.Set("effective_from", a.d.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02"))
	for _, r := range latest.Rules {
		for _, l := range framework.Levels {
			if v, ok := r.Value(l); ok {
				p.Form.Set(valueField(r.Name, l), formatNum(x.lang, v))
			}
			if v, ok := r.Graduates[l]; ok {
				p.Form.Set(graduateField(r.Name, l), formatNum(x.lang, v))
			}
		}
		p.Form.Set(sourceField(r.Name), r.Source)
	}
	return a.rulesFormPage(x, sc, p, nil, 0)
}

func (a *app) rulesFormPage(x *ctx, sc accreditation.Scheme, p *page, review *accreditation.RuleSet, status int) error {
	svc, now := a.d.Cases.Rules(), a.d.Now()
	latest, in := svc.Latest(sc), svc.All().InForce(sc, now)
	var fields []ruleRow
	for _, d := range accreditation.RuleDefs(sc) {
		row := ruleRow{Name: d.Name, Label: x.T("rule." + d.Name), Unit: d.Unit, GraduateRoute: sc == accreditation.SchemeEIA}
		for _, l := range framework.Levels {
			row.GraduatesGiven = row.GraduatesGiven || p.Form.Get(graduateField(d.Name, l)) != ""
		}
		fields = append(fields, row)
	}
	d := map[string]any{"Scheme": sc, "Rules": fields, "Latest": versionItem{ID: latest.ID, Title: rulesTitle(x, latest)},
		"InForce": versionItem{ID: in.ID, Title: rulesTitle(x, in)}}
	if review != nil {
		d["Review"] = versionItem{Title: rulesTitle(x, *review)}
		d["Changes"] = changeRows(x, a, in, *review)
	}
	p.D = d
	p.Title = x.T("rules.publish.title") + " · " + string(sc)
	return x.render(status, "rulesform", p)
}

func (a *app) publishRules(x *ctx) error {
	sc, err := schemeParam(x)
	if err != nil {
		return err
	}
	p := x.newPage("rules.publish.title", nil)
	p.Form = x.form
	req := rulesets.PublishRequest{Scheme: string(sc), BasedOn: x.fv("based_on"), EffectiveFrom: x.fv("effective_from")}
	defs := accreditation.RuleDefs(sc)
	for _, d := range defs {
		ch := rulesets.RuleChange{Name: d.Name, Values: map[framework.Level]*float64{}, Source: x.fv(sourceField(d.Name))}
		if sc == accreditation.SchemeEIA {
			ch.Graduates = map[framework.Level]*float64{}
		}
		for _, l := range framework.Levels {
			for field, into := range map[string]map[framework.Level]*float64{valueField(d.Name, l): ch.Values, graduateField(d.Name, l): ch.Graduates} {
				if into == nil || x.fv(field) == "" {
					continue
				}
				v, ok := parseNumber(x.fv(field), false)
				if !ok {
					p.Errors[field] = x.T(refusedNumber(x.fv(field), "rules.bad_figure"))
					continue
				}
				into[l] = &v
			}
		}
		req.Rules = append(req.Rules, ch)
	}
	if len(p.Errors) > 0 {
		return a.rulesFormPage(x, sc, p, nil, http.StatusBadRequest)
	}
	// The domain names fields rules[i].values.<level> and rules[i].source.
	rename := func(f string) string {
		var i int
		var rest string
		if n, _ := fmt.Sscanf(f, "rules[%d].%s", &i, &rest); n == 2 && i >= 0 && i < len(defs) {
			if l, ok := strings.CutPrefix(rest, "values."); ok {
				return valueField(defs[i].Name, framework.Level(l))
			}
			if l, ok := strings.CutPrefix(rest, "graduates."); ok {
				return graduateField(defs[i].Name, framework.Level(l))
			}
			return sourceField(defs[i].Name)
		}
		return f
	}
	if x.fv("action") != "publish" {
		r, err := a.d.Cases.Rules().Preview(x.Request().Context(), x.actor(), req)
		if err != nil {
			return a.rulesFormPage(x, sc, p, nil, x.fieldErrors(p, err, rename))
		}
		return a.rulesFormPage(x, sc, p, &r, 0)
	}
	r, res, err := a.d.Cases.Rules().Publish(x.Request().Context(), x.meta("publish_rule_set"), req)
	if err != nil {
		return a.rulesFormPage(x, sc, p, nil, x.fieldErrors(p, err, rename))
	}
	a.settle(x, res.Seq)
	return x.redirect("/rules/" + r.ID + "?ok=rules_published")
}
