package rulesets

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
)

// ErrSuperseded is the cause of the Conflict of a publish edited from a
// version that is no longer the scheme's latest (another office user
// published since, or a second tab): Extra["latest"] names the latest, for
// a reader to say it in its own words.
var ErrSuperseded = errors.New("the rules were edited from a version no longer the latest")

// StreamPrefix is the prefix of the rule-set streams: "rulesets.<scheme>",
// the scheme in lower case.
const StreamPrefix = "rulesets"

// EventPublished is the one event of a rule-set stream; a stable name.
const EventPublished = "rulesets.published"

// Published: the office published a new version of a scheme's rules.
type Published struct {
	RuleSet accreditation.RuleSet `json:"rule_set"`
	// BasedOn is the version it was edited from (the latest at the time).
	BasedOn string `json:"based_on"`
}

// Version is one version of a scheme's rules and who published it when; a
// shipped version has no publisher.
type Version struct {
	accreditation.RuleSet
	PublishedAt time.Time `json:"published_at,omitzero"`
	PublishedBy string    `json:"published_by,omitempty"`
	BasedOn     string    `json:"based_on,omitempty"`
	// ReplacedBy is the version that replaced this one before it took
	// effect (edited from it, taking effect earlier): it never will.
	ReplacedBy string `json:"replaced_by,omitempty"`
}

// Book is the state of one scheme's stream: the versions the office
// published, in order, the replaced ones too (so that ids stay unique and
// the history whole).
type Book struct {
	ID       string // the scheme, lower case: "eia"
	Versions []Version
}

func newBook(id string) *Book { return &Book{ID: id} }

// BookID is the aggregate id of scheme's rules.
func BookID(scheme accreditation.Scheme) string { return strings.ToLower(string(scheme)) }

// Apply implements aggregate.Root.
func (b *Book) Apply(e eventstore.Event) error {
	if e.Type != EventPublished {
		return nil
	}
	var p Published
	if err := json.Unmarshal(e.Data, &p); err != nil {
		return fmt.Errorf("decode %s (event %s): %w", e.Type, e.ID, err)
	}
	// A version taking effect before the scheduled one it was edited from
	// replaces it (Publish allows that only while it is scheduled).
	if i := slices.IndexFunc(b.Versions, func(v Version) bool { return v.ID == p.BasedOn }); i >= 0 &&
		b.Versions[i].EffectiveFrom.After(p.RuleSet.EffectiveFrom) {
		b.Versions[i].ReplacedBy = p.RuleSet.ID
	}
	b.Versions = append(b.Versions, Version{RuleSet: p.RuleSet, PublishedAt: e.OccurredAt, PublishedBy: e.Actor.ID, BasedOn: p.BasedOn})
	return nil
}

// Clone implements aggregate.Root.
func (b *Book) Clone() *Book {
	n := &Book{ID: b.ID, Versions: make([]Version, len(b.Versions))}
	for i, v := range b.Versions {
		v.RuleSet = v.RuleSet.Clone()
		n.Versions[i] = v
	}
	return n
}

// RuleChange is the office's new figures and source for one rule. Values
// maps a level to its figure; a level left out (or null) is unset there.
type RuleChange struct {
	Name   string                       `json:"name"`
	Values map[framework.Level]*float64 `json:"values"`
	Source string                       `json:"source"`
	// Graduates are the figures for graduates of an EQA-accredited
	// programme (EIA), where they differ; left out (null), they are kept as
	// they were; given, they replace them ({} drops them).
	Graduates map[framework.Level]*float64 `json:"graduates"`
}

// DeclarationChange is the office's new text of one declaration, by
// language (en and nl); no text at all drops the declaration.
type DeclarationChange struct {
	Key    string            `json:"key"`
	Text   map[string]string `json:"text"`
	Source string            `json:"source"`
}

// PublishInput is a new version as the office edits it: the version it
// starts from (the latest), the day it takes effect and the rules it
// changes; the rules it does not name are kept as they are.
type PublishInput struct {
	BasedOn       string
	EffectiveFrom accreditation.Date
	Rules         []RuleChange
	Declarations  []DeclarationChange
}

// maxFigure bounds a rule's figure: no minimum of the process comes near it.
const maxFigure = 1_000_000

// whole are the units counted in whole numbers.
var whole = []accreditation.Unit{accreditation.UnitYears, accreditation.UnitClients, accreditation.UnitItems,
	accreditation.UnitCycles, accreditation.UnitMonths, accreditation.UnitRequired, accreditation.UnitDays, accreditation.UnitTimes, accreditation.UnitMembers}

// Publish is the office publishing a new version of the scheme's rules,
// edited from latest (the scheme's latest version, published or shipped).
// It takes effect on in.EffectiveFrom, today or later, and within
// MaxYearsAhead. Taking effect before latest, which is then still
// scheduled, it replaces latest (a date set wrong is mended so), but never
// before the version latest followed. A rule whose figures change without a new source is
// sourced "set by the office on <today>". Errors: Forbidden (not the
// office), Conflict (in.BasedOn is not the latest: someone published
// since), Invalid (the input, naming the field), Unprocessable (nothing
// changes).
func (b *Book) Publish(actor domain.Actor, now time.Time, latest accreditation.RuleSet, in PublishInput) ([]aggregate.Change, error) {
	if actor.Role != domain.RoleOffice || actor.ID == "" {
		return nil, domain.Errorf(domain.Forbidden, "cannot publish rules: only the EMCC office may")
	}
	// The highest version each declaration ever had in the book, the
	// shipped one's included: a text given again after it was dropped
	// counts on from there, so no two texts share a version.
	highest := map[string]int{}
	for _, rs := range append([]accreditation.RuleSet{latest}, b.ruleSets()...) {
		for _, d := range rs.Declarations {
			highest[d.Key] = max(highest[d.Key], d.Version)
		}
	}
	// The version latest followed: a replacement may not go before it.
	before := accreditation.RuleSet{}
	if live := b.live(); len(live) > 0 {
		before, latest = latest, live[len(live)-1].RuleSet
		if len(live) > 1 {
			before = live[len(live)-2].RuleSet
		}
	}
	if latest.ID == "" {
		return nil, domain.Errorf(domain.Internal, "cannot publish: no rules of %s to start from", b.ID)
	}
	if in.BasedOn != latest.ID && !isVersionID(latest.Scheme, in.BasedOn) {
		// Not a version of any day: no one edited from it, so no one
		// published since; what is wrong is the field, not the moment.
		if in.BasedOn == "" {
			return nil, domain.InvalidFields("cannot publish: based_on names no version",
				domain.FieldError{Field: "based_on", Reason: fmt.Sprintf("required: the id of the version edited from, the latest: %q", latest.ID)})
		}
		return nil, domain.InvalidFields("cannot publish: based_on names no version",
			domain.FieldError{Field: "based_on", Reason: fmt.Sprintf("not the id of a version of the %s rules: the latest is %q", latest.Scheme, latest.ID)})
	}
	if in.BasedOn != latest.ID {
		e := domain.Wrap(domain.Conflict, ErrSuperseded, "cannot publish: it was edited from %q, but the latest %s rules are now %q; review them and publish again",
			in.BasedOn, latest.Scheme, latest.ID)
		e.Extra = map[string]any{"latest": latest.ID}
		return nil, e
	}
	today := now.UTC().Truncate(24 * time.Hour)
	var fields []domain.FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, domain.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	from := in.EffectiveFrom.Time()
	switch {
	case in.EffectiveFrom.IsZero():
		bad("effective_from", "required: the day the rules take effect, such as %s", today.Format(time.DateOnly))
	case from.Before(today):
		bad("effective_from", "must be today (%s) or later: rules are never changed for the past", today.Format(time.DateOnly))
	case from.After(today.AddDate(MaxYearsAhead, 0, 0)):
		bad("effective_from", "must be within %d years from today (by %s)", MaxYearsAhead, today.AddDate(MaxYearsAhead, 0, 0).Format(time.DateOnly))
	case from.Before(latest.EffectiveFrom) && before.ID != "" && from.Before(before.EffectiveFrom):
		bad("effective_from", "must not be before %s, when %s takes effect (%s, scheduled, would be replaced by this version)",
			before.EffectiveFrom.Format(time.DateOnly), before.ID, latest.ID)
	}
	next := latest.Clone()
	next.EffectiveFrom = from
	seen := map[string]bool{}
	for i, ch := range in.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		def, ok := defOf(latest.Scheme, ch.Name)
		if !ok {
			bad(field+".name", "not a rule of %s; one of %s", latest.Scheme, strings.Join(ruleNames(latest.Scheme), ", "))
			continue
		}
		if seen[ch.Name] {
			bad(field+".name", "%s is given twice", ch.Name)
			continue
		}
		seen[ch.Name] = true
		values := figures(def, field+".values", ch.Values, bad)
		source := strings.TrimSpace(ch.Source)
		if e := limits.Source.Prose(field+".source", source); e != nil {
			fields = append(fields, *e)
		}
		idx := slices.IndexFunc(next.Rules, func(r accreditation.Rule) bool { return r.Name == ch.Name })
		if idx < 0 { // a rule the code learnt after latest was published: unset there
			next.Rules = append(next.Rules, accreditation.Rule{Name: def.Name, Unit: def.Unit})
			idx = len(next.Rules) - 1
		}
		old := next.Rules[idx]
		graduates := old.Graduates
		switch {
		case ch.Graduates != nil && latest.Scheme != accreditation.SchemeEIA && len(ch.Graduates) > 0:
			bad(field+".graduates", "only EIA has a route for graduates of an EQA-accredited programme")
		case ch.Graduates != nil: // named: replaced; left out: kept
			graduates = figures(def, field+".graduates", ch.Graduates, bad)
		}
		changed := !maps.Equal(old.Values, values) || !maps.Equal(old.Graduates, graduates)
		switch {
		case values == nil && graduates == nil:
			source = "" // unset: nothing to source
		case changed && (source == "" || source == old.Source):
			source = "set by the office on " + today.Format(time.DateOnly)
		case source == "":
			source = old.Source
		}
		next.Rules[idx] = accreditation.Rule{Name: old.Name, Unit: old.Unit, Values: values, Source: source, Graduates: graduates}
	}
	next.Declarations = changeDeclarations(next.Declarations, in.Declarations, highest, today, bad)
	if len(fields) > 0 {
		return nil, domain.InvalidFields("invalid rule set", fields...)
	}
	if next.EffectiveFrom.Equal(latest.EffectiveFrom) && sameRules(next.Rules, latest.Rules) && sameDeclarations(next.Declarations, latest.Declarations) {
		return nil, domain.Errorf(domain.Unprocessable, "cannot publish: nothing changes from %s", latest.ID)
	}
	next.ID = b.nextID(latest.Scheme, from, latest.ID)
	return []aggregate.Change{{Type: EventPublished, SchemaVersion: 1, Data: Published{RuleSet: next, BasedOn: latest.ID}}}, nil
}

// MaxYearsAhead bounds how far ahead a version may take effect: as long
// as an accreditation lasts (accreditation.ValidityYears), so that a year
// mistyped (2207 for 2027) is refused rather than scheduled.
const MaxYearsAhead = accreditation.ValidityYears

// ruleSets are the rule sets of every version the book holds, replaced
// ones included.
func (b *Book) ruleSets() []accreditation.RuleSet {
	out := make([]accreditation.RuleSet, 0, len(b.Versions))
	for _, v := range b.Versions {
		out = append(out, v.RuleSet)
	}
	return out
}

// live is the versions not replaced, in order: the scheme's history as it
// takes effect.
func (b *Book) live() []Version {
	out := make([]Version, 0, len(b.Versions))
	for _, v := range b.Versions {
		if v.ReplacedBy == "" {
			out = append(out, v)
		}
	}
	return out
}

// limitRules are the rules whose figure limits something and whose 0 a
// case reads as no limit (the appeal terms a decision records): 0 is
// refused, and left empty they are unset.
var limitRules = []string{accreditation.RuleAppealWindow, accreditation.RuleAppealsPerDecision}

// figures checks the figures of one rule by level, naming field in what
// is wrong; nil when none is set.
func figures(def accreditation.RuleDef, field string, in map[framework.Level]*float64, bad func(field, format string, args ...any)) map[framework.Level]float64 {
	values := map[framework.Level]float64{}
	for l, v := range in {
		switch {
		case !l.Valid():
			bad(field, "%q is not a level; one of %s", l, domain.List(framework.Levels))
		case v == nil:
		case math.IsNaN(*v) || *v < 0 || *v > maxFigure:
			bad(fmt.Sprintf("%s.%s", field, l), "must be from 0 to %d", maxFigure)
		case def.Unit == accreditation.UnitRequired && *v != 0 && *v != 1:
			bad(fmt.Sprintf("%s.%s", field, l), "1 (required) or 0 (not required)")
		case slices.Contains(whole, def.Unit) && *v != math.Trunc(*v):
			bad(fmt.Sprintf("%s.%s", field, l), "a whole number of %s", def.Unit)
		case def.Unit == accreditation.UnitEUR && math.Abs(*v*100-math.Round(*v*100)) > 1e-6:
			bad(fmt.Sprintf("%s.%s", field, l), "an amount in euros to the cent, such as 450 or 450.50")
		case *v == 0 && slices.Contains(limitRules, def.Name):
			// A case reads 0 as unset: no limit. Set, it would say "none"
			// and allow any number.
			bad(fmt.Sprintf("%s.%s", field, l), "must be at least 1: leave it empty for no limit")
		default:
			values[l] = *v
		}
	}
	if len(values) == 0 {
		return nil
	}
	return values
}

// isVersionID reports whether id is written as nextID writes a version
// id of scheme ("eia-2027-1"), of a version published or not.
func isVersionID(scheme accreditation.Scheme, id string) bool {
	rest, ok := strings.CutPrefix(id, BookID(scheme)+"-")
	year, n, ok2 := strings.Cut(rest, "-")
	digits := func(s string) bool { return s != "" && len(s) <= 9 && strings.Trim(s, "0123456789") == "" }
	return ok && ok2 && len(year) == 4 && digits(year) && digits(n)
}

// nextID is "<scheme>-<year it takes effect>-<n>", n counting the versions
// of that year.
func (b *Book) nextID(scheme accreditation.Scheme, from time.Time, shipped string) string {
	ids := []string{shipped}
	for _, v := range b.Versions {
		ids = append(ids, v.ID)
	}
	for n := 1; ; n++ {
		id := fmt.Sprintf("%s-%d-%d", BookID(scheme), from.Year(), n)
		if !slices.Contains(ids, id) && !slices.ContainsFunc(accreditation.DefaultRuleSets(), func(r accreditation.RuleSet) bool { return r.ID == id }) {
			return id
		}
	}
}

// changeDeclarations applies the office's changes to the declarations ds
// (a copy): a changed text is a new version of the declaration, the one
// after the highest it ever had (highest, by key), sourced "set by the
// office on <today>" unless a new source is given.
func changeDeclarations(ds []accreditation.Declaration, changes []DeclarationChange, highest map[string]int, today time.Time, bad func(field, format string, args ...any)) []accreditation.Declaration {
	seen := map[string]bool{}
	for i, ch := range changes {
		field := fmt.Sprintf("declarations[%d]", i)
		switch {
		case !slices.Contains(accreditation.Declarations, ch.Key):
			bad(field+".key", "one of %s", strings.Join(accreditation.Declarations, ", "))
			continue
		case seen[ch.Key]:
			bad(field+".key", "%s is given twice", ch.Key)
			continue
		}
		seen[ch.Key] = true
		idx := slices.IndexFunc(ds, func(d accreditation.Declaration) bool { return d.Key == ch.Key })
		if len(ch.Text) == 0 {
			if idx >= 0 {
				ds = slices.Delete(ds, idx, idx+1)
			}
			continue
		}
		text := map[string]string{}
		for _, lang := range []string{"en", "nl"} {
			t := strings.TrimSpace(ch.Text[lang])
			if t == "" {
				bad(field+".text."+lang, "required: the text in %s", lang)
			} else if e := limits.Declaration.Prose(field+".text."+lang, t); e != nil {
				bad(e.Field, "%s", e.Reason)
			}
			text[lang] = t
		}
		for lang := range ch.Text {
			if lang != "en" && lang != "nl" {
				bad(field+".text", "en and nl only, not %q", lang)
			}
		}
		source := strings.TrimSpace(ch.Source)
		if e := limits.Source.Prose(field+".source", source); e != nil {
			bad(e.Field, "%s", e.Reason)
		}
		var old accreditation.Declaration
		if idx >= 0 {
			old = ds[idx]
		}
		changed := !maps.Equal(old.Text, text)
		d := accreditation.Declaration{Key: ch.Key, Version: old.Version, Text: text, Source: source}
		if changed {
			d.Version = max(d.Version, highest[ch.Key]) + 1
		}
		switch {
		case changed && (source == "" || source == old.Source):
			d.Source = "set by the office on " + today.Format(time.DateOnly)
		case source == "":
			d.Source = old.Source
		}
		if idx >= 0 {
			ds[idx] = d
		} else {
			ds = append(ds, d)
		}
	}
	return ds
}

func sameDeclarations(a, b []accreditation.Declaration) bool {
	return slices.EqualFunc(a, b, func(x, y accreditation.Declaration) bool {
		return x.Key == y.Key && x.Version == y.Version && x.Source == y.Source && maps.Equal(x.Text, y.Text)
	})
}

func defOf(scheme accreditation.Scheme, name string) (accreditation.RuleDef, bool) {
	for _, d := range accreditation.RuleDefs(scheme) {
		if d.Name == name {
			return d, true
		}
	}
	return accreditation.RuleDef{}, false
}

func ruleNames(scheme accreditation.Scheme) []string {
	var out []string
	for _, d := range accreditation.RuleDefs(scheme) {
		out = append(out, d.Name)
	}
	return out
}

func sameRules(a, b []accreditation.Rule) bool {
	return slices.EqualFunc(a, b, func(x, y accreditation.Rule) bool {
		return x.Name == y.Name && x.Source == y.Source && maps.Equal(x.Values, y.Values) && maps.Equal(x.Graduates, y.Graduates)
	})
}
