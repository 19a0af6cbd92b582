package rulesets

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
)

var (
	now       = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	office    = domain.Actor{ID: "office-1", Role: domain.RoleOffice}
	applicant = domain.Actor{ID: "app-1", Role: domain.RoleApplicant}
	shipped   = accreditation.DefaultRuleSets()
)

func shippedOf(s accreditation.Scheme) accreditation.RuleSet { return shipped.InForce(s, now) }

func fig(v float64) *float64 { return &v }

// every sets v at every level.
func every(v *float64) map[framework.Level]*float64 {
	out := map[framework.Level]*float64{}
	for _, l := range framework.Levels {
		out[l] = v
	}
	return out
}

// publish runs Publish on b and applies what it records.
func publish(t *testing.T, b *Book, actor domain.Actor, in PublishInput) (*Book, error) {
	t.Helper()
	changes, err := b.Clone().Publish(actor, now, shippedOf(schemeOf(b)), in)
	if err != nil {
		return b, err
	}
	for i, c := range changes {
		data, err := json.Marshal(c.Data)
		if err != nil {
			t.Fatal(err)
		}
		e := eventstore.Event{ID: fmt.Sprint(i), Type: c.Type, SchemaVersion: c.SchemaVersion, OccurredAt: now, Actor: actor, Data: data}
		if err := b.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	return b, nil
}

func schemeOf(b *Book) accreditation.Scheme { return accreditation.Scheme(strings.ToUpper(b.ID)) }

func wantCode(t *testing.T, err error, code domain.Code, contains string) *domain.Error {
	t.Helper()
	var de *domain.Error
	text := ""
	if errors.As(err, &de) {
		text = de.Error()
		for _, f := range de.Fields {
			text += "; " + f.Field + ": " + f.Reason
		}
	}
	if de == nil || de.Code != code || !strings.Contains(text, contains) {
		t.Fatalf("got %v (%s), want %s containing %q", err, text, code, contains)
	}
	return de
}

func tomorrow() accreditation.Date { return accreditation.DateOf(now.AddDate(0, 0, 1)) }

func TestPublishSetsAnUnsetFigureSourcedByTheOffice(t *testing.T) {
	b, err := publish(t, newBook("eqa"), office, PublishInput{BasedOn: accreditation.DefaultEQAID, EffectiveFrom: tomorrow(),
		Rules: []RuleChange{{Name: accreditation.RuleContactHours, Values: map[framework.Level]*float64{
			framework.Foundation: fig(20), framework.Practitioner: fig(60), framework.SeniorPractitioner: nil}}}})
	if err != nil {
		t.Fatal(err)
	}
	v := b.Versions[0]
	if v.ID != "eqa-2026-1" || v.Scheme != accreditation.SchemeEQA || !v.EffectiveFrom.Equal(tomorrow().Time()) || v.BasedOn != accreditation.DefaultEQAID || v.PublishedBy != office.ID {
		t.Fatalf("version: got %s %s from %s based on %s by %s", v.ID, v.Scheme, v.EffectiveFrom, v.BasedOn, v.PublishedBy)
	}
	r, _ := v.Rule(accreditation.RuleContactHours)
	if got, want := fmt.Sprint(r.Values), "map[foundation:20 practitioner:60]"; got != want || r.Source != "set by the office on 2026-12-02" {
		t.Fatalf("contact hours: got %s from %q, want %s set by the office on 2026-12-02", got, r.Source, want)
	}
	// The rules not named are kept, sources and all.
	c, _ := v.Rule(accreditation.RuleCompletedCycles)
	if c.Source != accreditation.SourceEQA || c.Values[framework.Foundation] != 1 {
		t.Fatalf("completed cycles: got %+v, want the shipped rule", c)
	}
}

func TestPublishKeepsACitedSourceAndUnsetsAFigure(t *testing.T) {
	b, err := publish(t, newBook("eia"), office, PublishInput{BasedOn: accreditation.DefaultEIAID, EffectiveFrom: tomorrow(), Rules: []RuleChange{
		{Name: accreditation.RuleClientHours, Values: every(fig(60)), Source: "EMCC Global, EIA guide 2027"},
		{Name: accreditation.RuleClientCount},
	}})
	if err != nil {
		t.Fatal(err)
	}
	v := b.Versions[0]
	if r, _ := v.Rule(accreditation.RuleClientHours); r.Source != "EMCC Global, EIA guide 2027" || r.Values[framework.MasterPractitioner] != 60 {
		t.Fatalf("client hours: got %+v", r)
	}
	if r, _ := v.Rule(accreditation.RuleClientCount); len(r.Values) != 0 || r.Source != "" {
		t.Fatalf("client count: got %+v, want unset and unsourced", r)
	}
	// The next version of the same year is numbered on.
	b, err = publish(t, b, office, PublishInput{BasedOn: v.ID, EffectiveFrom: tomorrow(), Rules: []RuleChange{{Name: accreditation.RuleClientCount, Values: every(fig(5))}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Versions[1].ID; got != "eia-2026-2" {
		t.Fatalf("second id: got %q, want eia-2026-2", got)
	}
}

func TestPublishRefuses(t *testing.T) {
	ok := func() PublishInput {
		return PublishInput{BasedOn: accreditation.DefaultEIAID, EffectiveFrom: tomorrow(),
			Rules: []RuleChange{{Name: accreditation.RuleClientHours, Values: every(fig(60))}}}
	}
	edit := func(f func(*PublishInput)) PublishInput { in := ok(); f(&in); return in }
	for _, tc := range []struct {
		name   string
		actor  domain.Actor
		in     PublishInput
		code   domain.Code
		detail string
	}{
		{"Forbidden/an applicant", applicant, ok(), domain.Forbidden, "only the EMCC office"},
		{"Conflict/edited from an older version", office, edit(func(in *PublishInput) { in.BasedOn = "eia-2023-1" }), domain.Conflict, `latest EIA rules are now "eia-2024-1"`},
		{"Invalid/edited from no version", office, edit(func(in *PublishInput) { in.BasedOn = "" }), domain.Invalid, `based_on: required`},
		{"Invalid/edited from a name that is no version's", office, edit(func(in *PublishInput) { in.BasedOn = strings.Repeat("x", 10_000) }), domain.Invalid, `based_on: not the id of a version`},
		{"Invalid/edited from the other scheme's version", office, edit(func(in *PublishInput) { in.BasedOn = accreditation.DefaultEQAID }), domain.Invalid, `based_on: not the id`},
		{"Invalid/no date", office, edit(func(in *PublishInput) { in.EffectiveFrom = accreditation.Date{} }), domain.Invalid, "effective_from"},
		{"Invalid/a date in the past", office, edit(func(in *PublishInput) { in.EffectiveFrom = accreditation.DateOf(now.AddDate(0, 0, -1)) }), domain.Invalid, "never changed for the past"},
		{"Invalid/a rule of the other scheme", office, edit(func(in *PublishInput) { in.Rules[0].Name = accreditation.RuleContactHours }), domain.Invalid, "rules[0].name"},
		{"Invalid/a rule twice", office, edit(func(in *PublishInput) { in.Rules = append(in.Rules, in.Rules[0]) }), domain.Invalid, "given twice"},
		{"Invalid/a negative figure", office, edit(func(in *PublishInput) { in.Rules[0].Values = every(fig(-1)) }), domain.Invalid, "rules[0].values.foundation"},
		{"Invalid/a level that is not one", office, edit(func(in *PublishInput) { in.Rules[0].Values = map[framework.Level]*float64{"expert": fig(1)} }), domain.Invalid, "not a level"},
		{"Invalid/half a client", office, edit(func(in *PublishInput) {
			in.Rules[0] = RuleChange{Name: accreditation.RuleClientCount, Values: every(fig(5.5))}
		}), domain.Invalid, "whole number of clients"},
		{"Invalid/a fee below the cent", office, edit(func(in *PublishInput) {
			in.Rules[0] = RuleChange{Name: accreditation.RuleFee, Values: every(fig(450.125))}
		}), domain.Invalid, "euros to the cent"},
		{"Invalid/required is yes or no", office, edit(func(in *PublishInput) {
			in.Rules[0] = RuleChange{Name: accreditation.RuleProfessionalBody, Values: every(fig(2))}
		}), domain.Invalid, "1 (required) or 0"},
		{"Invalid/no appeal per decision as 0, which a case reads as no limit", office, edit(func(in *PublishInput) {
			in.Rules[0] = RuleChange{Name: accreditation.RuleAppealsPerDecision, Values: every(fig(0))}
		}), domain.Invalid, "rules[0].values.foundation: must be at least 1: leave it empty for no limit"},
		{"Invalid/an appeal window of 0 days", office, edit(func(in *PublishInput) {
			in.Rules[0] = RuleChange{Name: accreditation.RuleAppealWindow, Values: map[framework.Level]*float64{framework.Practitioner: fig(0), framework.Foundation: fig(30)}}
		}), domain.Invalid, "rules[0].values.practitioner: must be at least 1: leave it empty for no limit"},
		{"Invalid/a source too long", office, edit(func(in *PublishInput) { in.Rules[0].Source = strings.Repeat("x", 501) }), domain.Invalid, "at most 500"},
		{"Invalid/the shipped version's own day, long past", office, PublishInput{BasedOn: accreditation.DefaultEIAID, EffectiveFrom: accreditation.DateOf(shippedOf(accreditation.SchemeEIA).EffectiveFrom)}, domain.Invalid, "never changed for the past"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBook("eia")
			_, err := publish(t, b, tc.actor, tc.in)
			wantCode(t, err, tc.code, tc.detail)
			if tc.code == domain.Conflict && !errors.Is(err, ErrSuperseded) {
				t.Fatalf("got %v, want an ErrSuperseded, which readers word themselves", err)
			}
			if len(b.Versions) != 0 {
				t.Fatalf("versions after a refusal: got %d, want 0", len(b.Versions))
			}
		})
	}
	t.Run("Unprocessable/the same rules on the same day", func(t *testing.T) {
		b, err := publish(t, newBook("eia"), office, ok())
		if err != nil {
			t.Fatal(err)
		}
		in := ok()
		in.BasedOn = b.Versions[0].ID
		in.Rules[0].Source = b.Versions[0].Rules[1].Source
		_, err = publish(t, b, office, in)
		wantCode(t, err, domain.Unprocessable, "nothing changes")
	})
	t.Run("Invalid/further ahead than an accreditation lasts", func(t *testing.T) {
		_, err := publish(t, newBook("eia"), office, edit(func(in *PublishInput) { in.EffectiveFrom = accreditation.DateOf(now.AddDate(MaxYearsAhead, 0, 1)) }))
		wantCode(t, err, domain.Invalid, "must be within 5 years from today (by 2031-12-02)")
		if _, err := publish(t, newBook("eia"), office, edit(func(in *PublishInput) { in.EffectiveFrom = accreditation.DateOf(now.AddDate(MaxYearsAhead, 0, 0)) })); err != nil {
			t.Fatalf("on the last day allowed: %v", err)
		}
	})
}

// A version that takes effect before the scheduled one it is edited from
// replaces it: a date set wrong (a year mistyped) is mended by publishing
// again. The replaced version stays in the book, marked, and its id is
// never given again; the replacement keeps its figures unless changed.
func TestAVersionTakingEffectEarlierReplacesTheScheduledOne(t *testing.T) {
	at := func(d time.Time) accreditation.Date { return accreditation.DateOf(d) }
	b, err := publish(t, newBook("eia"), office, PublishInput{BasedOn: accreditation.DefaultEIAID, EffectiveFrom: at(now.AddDate(4, 0, 0)),
		Rules: []RuleChange{{Name: accreditation.RuleClientHours, Values: every(fig(60))}}})
	if err != nil {
		t.Fatal(err)
	}
	mistyped := b.Versions[0].ID
	b, err = publish(t, b, office, PublishInput{BasedOn: mistyped, EffectiveFrom: at(now.AddDate(0, 1, 0))})
	if err != nil {
		t.Fatalf("publish the right date: %v", err)
	}
	if len(b.Versions) != 2 || b.Versions[0].ReplacedBy != b.Versions[1].ID || b.Versions[1].ReplacedBy != "" {
		t.Fatalf("versions: %+v", b.Versions)
	}
	fixed := b.Versions[1]
	if fixed.ID == mistyped || fixed.BasedOn != mistyped || !fixed.EffectiveFrom.Equal(now.AddDate(0, 1, 0).Truncate(24*time.Hour)) {
		t.Fatalf("the replacement: %s based on %s from %s", fixed.ID, fixed.BasedOn, fixed.EffectiveFrom)
	}
	if v, _ := fixed.Value(accreditation.RuleClientHours, framework.Foundation); v != 60 {
		t.Fatalf("the replacement lost the replaced one's figure: client hours %v", v)
	}
	// The replaced one is no longer the latest: edited from it is stale.
	_, err = publish(t, b, office, PublishInput{BasedOn: mistyped, EffectiveFrom: tomorrow(), Rules: []RuleChange{{Name: accreditation.RuleClientHours, Values: every(fig(70))}}})
	wantCode(t, err, domain.Conflict, fmt.Sprintf("now %q", fixed.ID))

	// A later version after it, then one replacing that later one: it may
	// not go before the version it follows.
	b, err = publish(t, b, office, PublishInput{BasedOn: fixed.ID, EffectiveFrom: at(now.AddDate(0, 6, 0)), Rules: []RuleChange{{Name: accreditation.RuleClientHours, Values: every(fig(80))}}})
	if err != nil {
		t.Fatal(err)
	}
	later := b.Versions[2].ID
	_, err = publish(t, b, office, PublishInput{BasedOn: later, EffectiveFrom: tomorrow()})
	wantCode(t, err, domain.Invalid, fmt.Sprintf("must not be before %s, when %s takes effect", fixed.EffectiveFrom.Format(time.DateOnly), fixed.ID))
	if len(b.Versions) != 3 || b.Versions[2].ReplacedBy != "" {
		t.Fatalf("after the refusal: %+v", b.Versions)
	}
	b, err = publish(t, b, office, PublishInput{BasedOn: later, EffectiveFrom: at(now.AddDate(0, 3, 0))})
	if err != nil || b.Versions[2].ReplacedBy != b.Versions[3].ID {
		t.Fatalf("replace the later one, after the one it follows: %v, %+v", err, b.Versions)
	}
	seen := map[string]bool{}
	for _, v := range b.Versions {
		if seen[v.ID] {
			t.Fatalf("id %s given twice: %+v", v.ID, b.Versions)
		}
		seen[v.ID] = true
	}
}

// Diff names each figure that changes, level by level.
func TestDiff(t *testing.T) {
	b, err := publish(t, newBook("eqa"), office, PublishInput{BasedOn: accreditation.DefaultEQAID, EffectiveFrom: tomorrow(), Rules: []RuleChange{
		{Name: accreditation.RuleContactHours, Values: map[framework.Level]*float64{framework.Foundation: fig(20)}},
		{Name: accreditation.RuleCompletedCycles, Values: every(fig(1)), Source: "another citation"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := Diff(shippedOf(accreditation.SchemeEQA), b.Versions[0].RuleSet)
	if len(got) != 1 || got[0].Rule != accreditation.RuleContactHours || got[0].Level != framework.Foundation || got[0].From != nil || *got[0].To != 20 {
		t.Fatalf("diff: got %+v, want contact hours at foundation from not set to 20", got)
	}
}

var _ aggregate.Root[*Book] = (*Book)(nil)

// TestPublishSetsARuleTheLatestVersionPredates: a version published before
// the code knew a rule (the written portfolio's counts) lacks it; the
// office can still set it, with the source it cites.
func TestPublishSetsARuleTheLatestVersionPredates(t *testing.T) {
	b := newBook("eia")
	old := shippedOf(accreditation.SchemeEIA).Clone()
	old.ID = "eia-2026-1"
	rule := accreditation.RuleEvidence(accreditation.KindCaseStudy)
	old.Rules = slices.DeleteFunc(old.Rules, func(r accreditation.Rule) bool { return r.Name == rule })
	b.Versions = append(b.Versions, Version{RuleSet: old})
	src := "nobco.nl/wat-moet-je-aantonen-voor-eia-certificering"
	b, err := publish(t, b, office, PublishInput{BasedOn: "eia-2026-1", EffectiveFrom: tomorrow(),
		Rules: []RuleChange{{Name: rule, Values: every(fig(1)), Source: src}}})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := b.Versions[1].Rule(rule)
	if !ok || r.Values[framework.Foundation] != 1 || r.Source != src || r.Unit != accreditation.UnitItems {
		t.Fatalf("%s in the new version: got %+v (present %v)", rule, r, ok)
	}
}

// A declaration's text is versioned: a new text is a new version, sourced
// by the office unless cited; no text drops the declaration.
func TestPublishChangesDeclarations(t *testing.T) {
	text := map[string]string{"en": "I work to a written diversity policy.", "nl": "Ik werk volgens een geschreven diversiteitsbeleid."}
	b, err := publish(t, newBook("eia"), office, PublishInput{BasedOn: accreditation.DefaultEIAID, EffectiveFrom: tomorrow(),
		Declarations: []DeclarationChange{{Key: accreditation.DeclarationDiversity, Text: text}}})
	if err != nil {
		t.Fatal(err)
	}
	ds := b.Versions[0].Declarations
	if len(ds) != 2 || ds[1].Key != accreditation.DeclarationDiversity || ds[1].Version != 2 || ds[1].Text["nl"] != text["nl"] ||
		ds[1].Source != "set by the office on 2026-12-02" || ds[0].Version != 1 {
		t.Fatalf("declarations: got %+v, want diversity at version 2 set by the office, the code of ethics kept", ds)
	}
	b, err = publish(t, b, office, PublishInput{BasedOn: b.Versions[0].ID, EffectiveFrom: tomorrow(),
		Declarations: []DeclarationChange{{Key: accreditation.DeclarationDiversity}}})
	if err != nil {
		t.Fatal(err)
	}
	if ds := b.Versions[1].Declarations; len(ds) != 1 || ds[0].Key != accreditation.DeclarationCodeOfEthics {
		t.Fatalf("after dropping diversity: got %+v", ds)
	}
	for name, ch := range map[string]DeclarationChange{
		"declarations[0].key":     {Key: "honesty", Text: text},
		"declarations[0].text.nl": {Key: accreditation.DeclarationDiversity, Text: map[string]string{"en": "Only English."}},
	} {
		_, err := publish(t, newBook("eia"), office, PublishInput{BasedOn: accreditation.DefaultEIAID, EffectiveFrom: tomorrow(), Declarations: []DeclarationChange{ch}})
		wantCode(t, err, domain.Invalid, name)
	}
}

// A declaration's Version goes up whenever its text changes (types.go:
// "Version goes up whenever the text changes, and the event of a
// confirmation records it"). Dropped in one version and given again with
// another text in the next, it must not be "version 1" again: two texts
// would then share a version, and a confirmation recording {diversity, 1}
// no longer says which text was confirmed.
func TestADeclarationGivenAgainAfterItWasDroppedCountsOnItsVersions(t *testing.T) {
	b, err := publish(t, newBook("eia"), office, PublishInput{BasedOn: accreditation.DefaultEIAID, EffectiveFrom: tomorrow(),
		Declarations: []DeclarationChange{{Key: accreditation.DeclarationDiversity}}}) // dropped
	if err != nil {
		t.Fatal(err)
	}
	text := map[string]string{"en": "I follow the EMCC diversity policy of 2027.", "nl": "Ik volg het EMCC-diversiteitsbeleid van 2027."}
	b, err = publish(t, b, office, PublishInput{BasedOn: b.Versions[0].ID, EffectiveFrom: tomorrow(),
		Declarations: []DeclarationChange{{Key: accreditation.DeclarationDiversity, Text: text}}}) // given again, new text
	if err != nil {
		t.Fatal(err)
	}
	var shippedV accreditation.Declaration
	for _, d := range shippedOf(accreditation.SchemeEIA).Declarations {
		if d.Key == accreditation.DeclarationDiversity {
			shippedV = d
		}
	}
	for _, d := range b.Versions[1].Declarations {
		if d.Key == accreditation.DeclarationDiversity && d.Version <= shippedV.Version {
			t.Fatalf("re-added diversity declaration with a new text is version %d, the version the shipped text %q already has",
				d.Version, shippedV.Text["en"])
		}
	}
}
