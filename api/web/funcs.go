package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// The functions the templates call, in the page's language.

// funcs are the template functions of a language.
func funcs(lang string, cat *framework.Catalogue) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string { return tr(lang, key, args...) },
		// erased reports whether s is the marker of erased personal data,
		// which a page says once rather than once for each field.
		"erased": func(s string) bool { return s == pii.Erased },
		// auditReason words a reason of the audit's verifier.
		"auditReason": func(reason string) string { return auditReason(lang, reason) },
		// tn is t for a count n (the first argument): key.one when n is 1.
		"tn": func(key string, n int, args ...any) string {
			return tr(lang, countKey(key, n), append([]any{n}, args...)...)
		},
		// tcount is t for the words beside a count n that the page shows
		// apart (a dashboard tile's label): key.one when n is 1.
		"tcount": func(key string, n any) string { return tr(lang, countKey(key, n)) },
		"ft": func(t framework.Text) string {
			return t.In(lang)
		},
		"lines": func(s string) []string { return strings.Split(s, "\n") },
		"date":  func(v any) string { return formatDate(lang, v, false) },
		"datetime": func(v any) string {
			return formatDate(lang, v, true)
		},
		"clock": func(v any) string {
			if t, ok := asTime(v); ok {
				return clock(t)
			}
			return ""
		},
		"isodate": func(v any) string {
			if t, ok := asTime(v); ok {
				return t.UTC().Format(time.DateOnly)
			}
			return ""
		},
		"level": func(l any) string {
			s := fmt.Sprint(l)
			if li, ok := cat.Level(framework.Level(s)); ok {
				return li.Name.In(lang)
			}
			return s
		},
		"levels": func() []framework.LevelInfo { return cat.Levels },
		"enum": func(prefix string, v any) string {
			s := fmt.Sprint(v)
			if k := prefix + "." + s; hasMessage(k) {
				return tr(lang, k)
			}
			return strings.ReplaceAll(s, "_", " ")
		},
		"category": func(n int) framework.Category {
			c, _ := cat.Category(n)
			return c
		},
		"categories": func() []framework.Category { return cat.Categories },
		"indicator": func(n int) framework.Indicator {
			in, _ := cat.Indicator(n)
			return in
		},
		"coverage": func(c *cases.CaseView) cases.Coverage { return cases.CoverageOf(c, cat) },
		"bytes":    func(n int64) string { return formatBytes(lang, n) },
		"num":      func(f float64) string { return formatNum(lang, f) },
		"eur":      func(f float64) string { return formatEUR(lang, f) },
		"has":      has,
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"list": func(v ...any) []any { return v },
		"idem": func() string { return randomToken(12) },
		"json": func(v any) string {
			b, _ := json.MarshalIndent(v, "", "  ")
			return string(b)
		},
		"add":   func(a, b int) int { return a + b },
		"join":  strings.Join,
		"lower": strings.ToLower,
		"str":   func(v any) string { return fmt.Sprint(v) },
		"itoa":  strconv.Itoa,
		// summaryLine is a line of the error summary: the field's label,
		// then what is wrong; a label that is a question ("What kind of
		// evidence is it?") takes no colon after its question mark.
		"summaryLine": summaryText,
		// fieldLabel names a form field in the error summary.
		"fieldLabel": func(name string) string { return fieldLabel(lang, cat, name) },
		// options makes the choices of a select or radios from values,
		// labelled by the messages prefix.value.
		"options": func(prefix string, vals ...any) []option {
			var out []option
			add := func(v string) {
				label := v
				if k := prefix + "." + v; hasMessage(k) {
					label = tr(lang, k)
				}
				out = append(out, option{Value: v, Label: label})
			}
			for _, v := range vals {
				switch l := v.(type) {
				case []string:
					for _, s := range l {
						add(s)
					}
				default:
					add(fmt.Sprint(v))
				}
			}
			return out
		},
		"categoryOpts": func() []option {
			var out []option
			for _, c := range cat.Categories {
				out = append(out, option{Value: strconv.Itoa(c.Number), Label: strconv.Itoa(c.Number) + ". " + c.Name.In(lang)})
			}
			return out
		},
		"levelOpts": func(ls any) []option {
			var out []option
			switch l := ls.(type) {
			case []framework.LevelInfo:
				for _, li := range l {
					out = append(out, option{Value: string(li.ID), Label: li.Name.In(lang)})
				}
			}
			return out
		},
		"eventLabel": func(t string) string { return eventLabel(lang, t) },
		"eventOptions": func(types []string) []option {
			var out []option
			for _, t := range types {
				out = append(out, option{Value: t, Label: eventLabel(lang, t)})
			}
			return out
		},
		"ruleLine": func(u accreditation.RuleResult) string { return ruleTextIn(lang, cat, u, true) },
	}
}

// countKey is the message key for words about a count n: key.one, where
// the catalogue has it, when n is 1.
func countKey(key string, n any) string {
	if one(n) && hasMessage(key+".one") {
		return key + ".one"
	}
	return key
}

// one reports whether n, a count or a figure such as a median, is 1.
func one(n any) bool {
	switch v := n.(type) {
	case int:
		return v == 1
	case int64:
		return v == 1
	case float64:
		return v == 1
	}
	return false
}

// fieldLabel names a form field in the error summary, in lang: its
// field.NAME message, or what names it by its parts; "" when the message
// names the field itself (an unmet rule's).
func fieldLabel(lang string, cat *framework.Catalogue, name string) string {
	if k := "field." + name; hasMessage(k) {
		return tr(lang, k)
	}
	// A field per assessor role (reassign_to_verifier): its label
	// and the role's.
	for _, r := range []string{"assessor", "verifier"} {
		if base, ok := strings.CutSuffix(name, "_"+r); ok && base != "assessor_id" && hasMessage("field."+base) {
			return tr(lang, "field."+base) + " (" + tr(lang, "arole."+r) + ")"
		}
	}
	if hasMessage("rule." + name) {
		return ""
	}
	// A self-check's rating (scField): its message names the indicator,
	// its field name "r42" means nothing to a reader.
	if n, ok := strings.CutPrefix(name, "r"); ok && n != "" {
		if _, err := strconv.Atoi(n); err == nil {
			return ""
		}
	}
	// A figure of the office's rules form: its rule and level, and
	// the route for graduates; a rule's source.
	for _, f := range []struct{ prefix, key string }{{"v_", "field.rule_value"}, {"g_", "field.rule_graduates"}} {
		rest, ok := strings.CutPrefix(name, f.prefix)
		if !ok {
			continue
		}
		for _, l := range cat.Levels {
			if rule, ok := strings.CutSuffix(rest, "_"+string(l.ID)); ok && hasMessage("rule."+rule) {
				return tr(lang, f.key, tr(lang, "rule."+rule), l.Name.In(lang))
			}
		}
	}
	if rule, ok := strings.CutPrefix(name, "src_"); ok && hasMessage("rule."+rule) {
		return tr(lang, "field.rule_source", tr(lang, "rule."+rule))
	}
	// A figure of a year of the renewal: the year and its label.
	if m := renewalYearField.FindStringSubmatch(name); m != nil {
		year, _ := strconv.Atoi(m[1])
		if m[3] != "" {
			q, _ := strconv.Atoi(m[3])
			return tr(lang, "field.renewal_quarter", year+1, q+1)
		}
		if k := "renew." + m[2]; hasMessage(k) {
			return tr(lang, "field.renewal_year", year+1, tr(lang, k))
		}
	}
	// A statement on an aim of an EQA renewal: the aim.
	if aim, ok := strings.CutPrefix(name, "aims."); ok {
		if k := "rule.renewal_aim_" + aim; hasMessage(k) {
			return tr(lang, k)
		}
	}
	// The rating of a review area of an EQA assessment: the
	// area, as a category's rating names its category.
	if area, ok := strings.CutPrefix(name, "area_"); ok && hasMessage("area."+area) {
		return tr(lang, "field.rating") + " (" + tr(lang, "area."+area) + ")"
	}
	if i := strings.LastIndexByte(name, '_'); i > 0 {
		if n, err := strconv.Atoi(name[i+1:]); err == nil {
			if k := "field." + name[:i]; hasMessage(k) {
				c, _ := cat.Category(n)
				return tr(lang, k) + " (" + c.Name.In(lang) + ")"
			}
			if k := "field." + name[:i]; name[:i] == "assessor_id" || hasMessage(k) {
				return tr(lang, "field.assessor_id")
			}
		}
		if strings.HasPrefix(name, "assessor_id_") {
			return tr(lang, "field.assessor_id")
		}
	}
	return strings.ReplaceAll(name, "_", " ")
}

// summaryText is a line of the error summary: the field's label, then
// what is wrong; a label that is a question ("What kind of evidence is
// it?") takes no colon after its question mark, and a message that names
// the field itself ("Fill in ‘Reason’") is the line.
func summaryText(label, message string) string {
	switch {
	case label == "":
		return message
	case strings.HasSuffix(label, "?"):
		return label + " " + message
	case strings.Contains(message, "‘"+label+"’"):
		return message
	}
	return label + ": " + message
}
