package web

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
)

// TestARefusalsReasonsShowOnItsPagesInTheirLanguage: the reasons a
// refusal lists beside its message (Extra["reasons"]) show on a form page
// and on the error page, in English and in Dutch, each translated as a
// field's reason is; one with no Dutch reads as the domain wrote it; a
// reason the message already says is not said twice; and an assessor's
// refusal for a role, which the page words with its reasons, gets no
// second list. No refusal of the domain today both names fields and lists
// reasons, nor reaches the error page with them (the assessor's refusals
// that list reasons are worded by ctx.refusal on their forms), so no page
// of a running server can be brought to show this: the test renders the
// pages' own templates for such refusals.
func TestARefusalsReasonsShowOnItsPagesInTheirLanguage(t *testing.T) {
	formPage := func(lang string, err error) string { return formPageWith(t, lang, err) }
	errorPage := func(lang string, err error) string {
		return regexp.MustCompile(`(?s)<div class="narrow error-page">.*?</div>`).FindString(renderedPage(t, lang, func(x *ctx) error { return x.errorPage(err) }))
	}
	withFields := &domain.Error{Code: domain.Invalid, Message: "cannot open: invalid",
		Fields: []domain.FieldError{{Field: "level", Reason: "required"}},
		Extra:  map[string]any{"reasons": []string{"not qualified for EIA", "declared a conflict of interest with the applicant", "a reason with no Dutch"}}}
	noFields := domain.Wrap(domain.Unprocessable, errors.New("a cause the web does not word"), "cannot open: not qualified for EIA; a reason with no Dutch")
	noFields.Extra = map[string]any{"reasons": []string{"not qualified for EIA", "a reason with no Dutch"}}
	notQualified := domain.Wrap(domain.Unprocessable, accreditation.ErrNotQualified, "cannot claim 01JANNA as assessor: not qualified for EIA")
	notQualified.Extra = map[string]any{"reasons": []string{"not qualified for EIA"}, "excluded": []accreditation.ExclusionCode{accreditation.ExcludedScheme}}

	for _, tc := range []struct {
		name         string
		show         func(lang string, err error) string
		err          error
		en, nl       []string // what the page says, each once
		notEN, notNL []string
	}{
		{"a form page, with fields", formPage, withFields,
			[]string{"not qualified for EIA", "declared a conflict of interest with the applicant", "a reason with no Dutch"},
			[]string{"niet bevoegd voor EIA", "heeft een belangenconflict met de aanvrager gemeld", "a reason with no Dutch"},
			nil, []string{"not qualified", "declared a conflict"}},
		{"a form page, without fields", formPage, noFields,
			[]string{"not qualified for EIA"}, []string{"niet bevoegd voor EIA", "a reason with no Dutch"},
			nil, []string{"not qualified"}},
		{"the error page, with fields", errorPage, withFields,
			[]string{"<li>not qualified for EIA</li>", "<li>declared a conflict of interest with the applicant</li>", "<li>a reason with no Dutch</li>"},
			[]string{"<li>niet bevoegd voor EIA</li>", "<li>heeft een belangenconflict met de aanvrager gemeld</li>", "<li>a reason with no Dutch</li>"},
			nil, []string{"not qualified", "declared a conflict"}},
		{"the error page, without fields", errorPage, noFields,
			[]string{"not qualified for EIA"}, []string{"<li>niet bevoegd voor EIA</li>", "<li>a reason with no Dutch</li>"},
			[]string{"refusal-reasons"}, []string{"not qualified"}},
		{"the error page, an assessor not qualified", errorPage, notQualified,
			[]string{"The assessor profile is not qualified for the case's scheme."}, []string{"Het assessorprofiel is niet bevoegd voor de regeling van het dossier."},
			[]string{"refusal-reasons", "not qualified for EIA"}, []string{"refusal-reasons", "niet bevoegd voor EIA", "not qualified"}},
	} {
		for _, lang := range []string{"en", "nl"} {
			got := tc.show(lang, tc.err)
			want, not := tc.en, tc.notEN
			if lang == "nl" {
				want, not = tc.nl, tc.notNL
			}
			for _, s := range want {
				if n := strings.Count(got, s); n != 1 {
					t.Errorf("%s, %s: %q %d times, want once: %s", tc.name, lang, s, n, got)
				}
			}
			for _, s := range not {
				if strings.Contains(got, s) {
					t.Errorf("%s, %s: the page says %q: %s", tc.name, lang, s, got)
				}
			}
			if strings.Contains(got, "⟦") || strings.Contains(got, "%!") {
				t.Errorf("%s, %s: a message is missing or malformed: %s", tc.name, lang, got)
			}
		}
	}
}

// TestAReasonIsLeftOutOnlyWhenTheMessageSaysItWhole: a refusal's reason
// is left out of the list when the message shown says it as one of its
// items (after "cannot ...: ", among others joined with "; ", in
// parentheses, or as the whole message), not when it is only some words
// of the message: a short reason found inside a longer one is still
// listed, in English and in Dutch.
func TestAReasonIsLeftOutOnlyWhenTheMessageSaysItWhole(t *testing.T) {
	for _, tc := range []struct {
		name, lang, shown string
		reasons, want     []string
	}{
		{"after the colon, among others", "en", "Cannot open: not qualified for EIA; a reason with no Dutch",
			[]string{"not qualified for EIA", "a reason with no Dutch"}, nil},
		{"words of an item", "en", "Cannot open: not qualified for EIA; a reason with no Dutch",
			[]string{"qualified for EIA", "a reason", "no Dutch"}, []string{"qualified for EIA", "a reason", "no Dutch"}},
		{"in parentheses", "en", "You no longer meet the conditions of your role on this case (the assessor is not active; declared a conflict of interest with the applicant): you take no further step on it",
			[]string{"the assessor is not active", "declared a conflict of interest with the applicant", "not active", "a conflict of interest"},
			[]string{"not active", "a conflict of interest"}},
		{"the whole message, as a sentence", "en", "Not qualified for EIA.",
			[]string{"not qualified for EIA", "qualified"}, []string{"qualified"}},
		{"repeated in the list", "en", "Cannot open: not qualified for EIA",
			[]string{"the assessor is not active", "the assessor is not active"}, []string{"the assessor is not active"}},
		{"in Dutch, said", "nl", "Dit kan niet: niet bevoegd voor EIA.",
			[]string{"not qualified for EIA", "the assessor is not active"}, []string{"de assessor is niet actief"}},
		{"in Dutch, words of an item", "nl", "Dit kan niet: de assessor is niet actief geweest.",
			[]string{"the assessor is not active"}, []string{"de assessor is niet actief"}},
	} {
		de := &domain.Error{Code: domain.Unprocessable, Message: "a refusal", Extra: map[string]any{"reasons": tc.reasons}}
		got := (&ctx{lang: tc.lang}).refusalReasons(de, de, tc.shown)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q beside %q: got %q, want %q", tc.name, tc.reasons, tc.shown, got, tc.want)
		}
	}
}
