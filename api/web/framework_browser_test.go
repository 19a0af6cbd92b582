package web_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emcc/accredit/domain/framework"
)

// TestTheFrameworkExplorerInTheBrowser (issue 16 item 1, "Done means"): a
// visitor with no account reads the explorer, narrows the indicators by
// level and category with the page's own form, searches a Dutch word from
// the English page, follows an indicator's deep link (opened as a shared link would be), and reads it all in
// Dutch. The expected counts are worked out from the catalogue here.
func TestTheFrameworkExplorerInTheBrowser(t *testing.T) {
	w := newWorld(t)
	cat := framework.Default()
	b := browser(t)
	b.base = w.in.URL
	shown := func() int { return js[int](b, `document.querySelectorAll("ul.indicators li").length`) }

	b.open("/framework")
	if got, want := shown(), len(cat.Indicators()); got != want {
		t.Fatalf("the explorer shows %d indicators, want all %d", got, want)
	}
	if !strings.Contains(js[string](b, `document.body.innerText`), cat.Equivalence.EN[:40]) {
		t.Fatal("the explorer does not show the equivalence principle")
	}

	b.set("#f-level", string(framework.MasterPractitioner))
	b.set("#f-category", "5")
	b.submit(`form[action="/framework"] button[type=submit]`)
	want := 0
	for _, in := range cat.Indicators() {
		if in.Level == framework.MasterPractitioner && in.Category == 5 {
			want++
		}
	}
	if got := shown(); got != want || want == 0 {
		t.Fatalf("master practitioner, category 5: %d indicators shown, want %d", got, want)
	}

	// A Dutch word searched on the English page: the longest word of one
	// indicator's Dutch text, counted over both languages.
	in42, _ := cat.Indicator(42)
	words := strings.FieldsFunc(strings.ToLower(in42.Text.NL), func(r rune) bool { return !(r >= 'a' && r <= 'z' || r > 127) })
	word := slices.MaxFunc(words, func(a, b string) int { return utf8.RuneCountInString(a) - utf8.RuneCountInString(b) })
	want = 0
	for _, in := range cat.Indicators() {
		if strings.Contains(strings.ToLower(in.Text.NL), word) || strings.Contains(strings.ToLower(in.Text.EN), word) {
			want++
		}
	}
	b.open("/framework")
	b.set("#f-q", word)
	b.submit(`form[action="/framework"] button[type=submit]`)
	if got := shown(); got != want {
		t.Fatalf("search %q: %d indicators shown, want %d", word, got, want)
	}
	if !slices.Contains(strings.Split(js[string](b, `[...document.querySelectorAll("ul.indicators li a")].map(a => a.getAttribute("href")).join(" ")`), " "), "/framework/indicators/42") {
		t.Fatalf("search %q does not list indicator 42, whose Dutch text holds it", word)
	}

	b.open("/framework/indicators/42") // the deep link just listed, opened as a shared link would be
	if body := js[string](b, `document.body.innerText`); !strings.Contains(body, in42.Text.EN[:30]) {
		t.Fatalf("indicator 42's page lacks %q: %.600s", in42.Text.EN[:30], body)
	}
	b.lang("nl")
	if body := js[string](b, `document.body.innerText`); !strings.Contains(body, in42.Text.NL[:30]) {
		t.Fatal("indicator 42's page in Dutch lacks its Dutch text")
	}
	b.open("/framework/categories/5")
	c5, _ := cat.Category(5)
	if body := js[string](b, `document.body.innerText`); !strings.Contains(body, c5.Name.NL) {
		t.Fatalf("category 5's page in Dutch lacks its name %q", c5.Name.NL)
	}
}
