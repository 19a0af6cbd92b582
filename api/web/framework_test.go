package web_test

import (
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/framework"
)

var indicatorLink = regexp.MustCompile(`href="/framework/indicators/(\d+)"`)

// linked lists the indicators a page links to, once each, in order.
func linked(body string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range indicatorLink.FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// TestFrameworkExplorer: anyone, with no account, reads the framework at
// /framework, in English and Dutch: its framing texts as printed, the
// level descriptions, every indicator under its category; filters by level
// and category and a search in both languages; deep links to an indicator
// and a category.
func TestFrameworkExplorer(t *testing.T) {
	w := newWorld(t)
	cat := framework.Default()
	visitor := w.client(t)

	p := visitor.get("/framework")
	if p.Status != 200 {
		t.Fatalf("GET /framework: %d", p.Status)
	}
	framing := []string{cat.Purpose.EN, cat.Equivalence.EN, cat.Progression.EN}
	for _, l := range cat.Levels {
		framing = append(framing, l.Name.EN, l.EIA.EN, l.EQA.EN)
	}
	for _, text := range framing {
		for _, line := range strings.Split(text, "\n") { // printed as paragraphs
			if !strings.Contains(p.Body, esc(line)) {
				t.Errorf("the explorer lacks the framework's text %q", line)
			}
		}
	}
	for _, c := range cat.Categories {
		if !strings.Contains(p.Body, esc(c.Name.EN)) || !strings.Contains(p.Body, esc(c.Description.EN)) {
			t.Errorf("category %d (%s) or its description missing", c.Number, c.Name.EN)
		}
	}
	if got := len(linked(p.Body)); got != len(cat.Indicators()) {
		t.Fatalf("indicators listed: %d, want all %d", got, len(cat.Indicators()))
	}

	t.Run("filter by level", func(t *testing.T) {
		got := linked(visitor.get("/framework?level=master_practitioner").Body)
		want := cat.IndicatorsAt(framework.MasterPractitioner)
		if len(got) != len(want) {
			t.Fatalf("master practitioner: %d indicators listed, want %d", len(got), len(want))
		}
		for i, in := range want {
			if got[i] != itoa(in.Number) {
				t.Fatalf("master practitioner: listed %v, want %v", got, want)
			}
		}
	})
	t.Run("filter by category and level", func(t *testing.T) {
		c, _ := cat.Category(5)
		var want []string
		for _, in := range c.Indicators {
			if in.Level == framework.Foundation {
				want = append(want, itoa(in.Number))
			}
		}
		if got := linked(visitor.get("/framework?category=5&level=foundation").Body); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("category 5 at foundation: %v, want %v", got, want)
		}
	})
	t.Run("search in both languages, whatever the page's language", func(t *testing.T) {
		in42, _ := cat.Indicator(42)
		for _, q := range []string{firstWords(in42.Text.NL, 3), firstWords(in42.Text.EN, 3)} {
			var want []string
			for _, in := range cat.Indicators() {
				if strings.Contains(strings.ToLower(in.Text.NL), strings.ToLower(q)) || strings.Contains(strings.ToLower(in.Text.EN), strings.ToLower(q)) {
					want = append(want, itoa(in.Number))
				}
			}
			page := visitor.get("/framework?q=" + strings.ReplaceAll(strings.ToUpper(q), " ", "+"))
			if got := linked(page.Body); strings.Join(got, ",") != strings.Join(want, ",") || !strings.Contains(page.Body, "of the 112 indicators match") {
				t.Fatalf("search %q: %v, want %v", q, got, want)
			}
		}
	})
	t.Run("deep links", func(t *testing.T) {
		in, _ := cat.Indicator(42)
		c, _ := cat.Category(in.Category)
		lvl, _ := cat.Level(in.Level)
		page := visitor.get("/framework/indicators/42")
		if page.Status != 200 || !strings.Contains(page.Body, esc(in.Text.EN)) || !strings.Contains(page.Body, esc(c.Name.EN)) || !strings.Contains(page.Body, esc(lvl.Name.EN)) {
			t.Fatalf("/framework/indicators/42: %d, want its text, category and level", page.Status)
		}
		c5, _ := cat.Category(5)
		page = visitor.get("/framework/categories/5")
		var want []string
		for _, l := range framework.Levels {
			for _, in := range c5.Indicators {
				if in.Level == l {
					want = append(want, itoa(in.Number))
				}
			}
		}
		if page.Status != 200 || !strings.Contains(page.Body, esc(c5.Description.EN)) || strings.Join(linked(page.Body), ",") != strings.Join(want, ",") {
			t.Fatalf("/framework/categories/5: %d, indicators %v, want %v level by level", page.Status, linked(page.Body), want)
		}
		for _, path := range []string{"/framework/indicators/0", "/framework/indicators/113", "/framework/indicators/x", "/framework/categories/9", "/framework/categories/x"} {
			if s := visitor.get(path).Status; s != 404 {
				t.Errorf("GET %s: %d, want 404", path, s)
			}
		}
	})
	t.Run("in Dutch", func(t *testing.T) {
		nl := w.client(t)
		nl.setLang("nl")
		page := nl.get("/framework")
		for _, text := range []string{cat.Equivalence.NL, cat.Progression.NL, "Het equivalentieprincipe"} {
			if !strings.Contains(page.Body, esc(text)) {
				t.Errorf("the Dutch explorer lacks %q", text)
			}
		}
		in, _ := cat.Indicator(42)
		if page := nl.get("/framework/indicators/42"); !strings.Contains(page.Body, esc(in.Text.NL)) {
			t.Errorf("indicator 42 in Dutch: lacks its printed text")
		}
	})
	t.Run("the texts are the catalogue's, never copied into templates", func(t *testing.T) {
		files, _ := filepath.Glob("templates/*.html")
		if len(files) == 0 {
			t.Fatal("no templates found")
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range cat.Indicators() {
				for _, text := range []string{in.Text.EN, in.Text.NL} {
					if len(text) > 30 && strings.Contains(string(b), text[:30]) {
						t.Errorf("%s holds the text of indicator %d", f, in.Number)
					}
				}
			}
		}
	})
}

// firstWords is the first n words of s.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}
