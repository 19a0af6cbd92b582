package framework

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// seedPath is the text extracted from the printed (PDF) framework that
// framework.json was built from. The tests check the catalogue against this
// text itself, never against a copy of the catalogue.
const seedPath = "../../../shared/seed/000_2aa9e33d1637c944.txt"

// bullet stands for the PDF's bullet glyph (U+F0A7) in the normalised seed.
// Keeping a marker, rather than dropping it, lets the tests check that an
// indicator's text starts exactly at a bullet (it is not truncated) and that
// the level descriptions are split into lines exactly at the printed bullets.
const bullet = "•"

var (
	// A word broken with a hyphen at the end of a line ("niet-" / "oordelend")
	// is a hyphenated compound: join it, keeping the hyphen.
	hyphenBreak = regexp.MustCompile(`(\pL)-[ \t]*(?:\r?\n[ \t]*)+(\p{Ll})`)
	footerPage  = regexp.MustCompile(`© EMCC EMCC Competence Framework Pagina \d+`)
	footerDate  = regexp.MustCompile(`September 2015 \(Ned\. vertaling 12 april 2016\) V3`)
	numberRe    = regexp.MustCompile(`\((\d+)\)`)
)

// normalise joins hyphenated line breaks, turns bullet glyphs into a marker,
// collapses all whitespace to single spaces and drops the page footers.
func normalise(s string) string {
	s = hyphenBreak.ReplaceAllString(s, "$1-$2")
	s = strings.ReplaceAll(s, "\uf0a7", " "+bullet+" ")
	s = strings.Join(strings.Fields(s), " ")
	s = footerPage.ReplaceAllString(s, " ")
	s = footerDate.ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(s), " ")
}

// lines normalises a catalogue text whose list items are separated by "\n";
// sep is what separates the items in the normalised seed.
func lines(s, sep string) string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(parts, sep)
}

func readSeed(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatalf("seed text is required for these tests: %v", err)
	}
	return normalise(string(b))
}

// between returns the part of s strictly between the first occurrence of
// start (at or after from) and the next occurrence of end, and its offset.
func between(t *testing.T, s, start, end string, from int) (string, int) {
	t.Helper()
	i := strings.Index(s[from:], start)
	if i < 0 {
		t.Fatalf("seed: %q not found", start)
	}
	i += from + len(start)
	j := strings.Index(s[i:], end)
	if j < 0 {
		t.Fatalf("seed: %q not found after %q", end, start)
	}
	return s[i : i+j], i
}

// tableHeader is the start of the table rows of each category as printed in
// the table (these names differ from the category list on page 6, e.g.
// "Evaluatie" vs "Evalueren"). They come from the seed's layout, not from the
// catalogue.
var tableHeader = map[int]string{
	1: "1. Zelfinzicht Laat zien",
	2: "2. Gerichtheid op zelfontwikkeling Onderzoekt",
	3: "3. Omgaan met het coachcontract / de coachovereenkomst",
	4: "4. Vormgeven van de coachrelatie",
	5: "5. Stelt de cliënt in staat inzicht te verkrijgen en te leren",
	6: "6. Doel- en actiegerichtheid",
	7: "7. Gebruik van modellen en technieken",
	8: "8. Evaluatie",
}

const columnHeads = "Competentie Categorie Foundation Vaardigheidsindicatoren Practitioner Vaardigheidsindicatoren Senior Practitioner Vaardigheidsindicatoren Master Practitioner Vaardigheidsindicatoren"

// section is the seed text of one category's table rows on one page: from its
// header to the next category header (or the end of the table).
type section struct {
	category   int
	start, end int
}

// seedTable returns the table's sections in reading order. Category 3 runs
// over a page break, so it has two sections.
func seedTable(t *testing.T, seed string) []section {
	t.Helper()
	tableStart := strings.Index(seed, columnHeads)
	if tableStart < 0 {
		t.Fatalf("seed: table column headings not found")
	}
	var secs []section
	for cat, h := range tableHeader {
		want := 1
		if cat == 3 {
			want = 2 // the category continues on the next page under a repeated header
		}
		from := tableStart
		got := 0
		for {
			i := strings.Index(seed[from:], h)
			if i < 0 {
				break
			}
			got++
			secs = append(secs, section{category: cat, start: from + i})
			from += i + len(h)
		}
		if got != want {
			t.Fatalf("seed: header %q occurs %d times in the table, want %d", h, got, want)
		}
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i].start < secs[j].start })
	for i := range secs {
		if i+1 < len(secs) {
			secs[i].end = secs[i+1].start
		} else {
			secs[i].end = len(seed)
		}
	}
	return secs
}

// seedNumber is an indicator number found in the seed table.
type seedNumber struct {
	section, category, number int
}

// seedNumbers lists every "(N)" in the table, in reading order.
func seedNumbers(seed string, secs []section) []seedNumber {
	var out []seedNumber
	for si, s := range secs {
		for _, m := range numberRe.FindAllStringSubmatch(seed[s.start:s.end], -1) {
			n, _ := strconv.Atoi(m[1])
			out = append(out, seedNumber{si, s.category, n})
		}
	}
	return out
}

func allIndicators(c *Catalogue) []Indicator { return c.IndicatorsAtOrBelow(MasterPractitioner) }

func TestDefaultLoads(t *testing.T) {
	c := Default()
	if c.Version != "emcc-cf-v3-2015-nl-2016" {
		t.Errorf("Version got %q, want %q", c.Version, "emcc-cf-v3-2015-nl-2016")
	}
	if Version != c.Version {
		t.Errorf("const Version got %q, want %q", Version, c.Version)
	}
	if got := len(c.Levels); got != 4 {
		t.Errorf("len(Levels) = %d, want 4", got)
	}
	for i, l := range c.Levels {
		if l.ID != Levels[i] {
			t.Errorf("Levels[%d].ID = %q, want %q", i, l.ID, Levels[i])
		}
	}
	if got, want := c.CategoryNumbers(), []int{1, 2, 3, 4, 5, 6, 7, 8}; !slices.Equal(got, want) {
		t.Errorf("CategoryNumbers() = %v, want %v", got, want)
	}
	for _, cat := range c.Categories {
		if !slices.IsSortedFunc(cat.Indicators, func(a, b Indicator) int { return a.Number - b.Number }) {
			t.Errorf("category %d: indicators not sorted by number", cat.Number)
		}
	}
	// Loading the embedded bytes again must give the same catalogue.
	again, err := Load(embedded)
	if err != nil {
		t.Fatalf("Load(embedded): %v", err)
	}
	a, _ := json.Marshal(c)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Errorf("Load(embedded) differs from Default()")
	}
}

// TestIndicatorsInSeed checks every indicator's Dutch text against the seed:
// "• text (N)" must occur exactly once, and inside a table section of the
// indicator's category.
func TestIndicatorsInSeed(t *testing.T) {
	seed := readSeed(t)
	secs := seedTable(t, seed)
	for _, in := range allIndicators(Default()) {
		t.Run(fmt.Sprintf("CI%03d", in.Number), func(t *testing.T) {
			needle := bullet + " " + lines(in.Text.NL, " ") + " (" + strconv.Itoa(in.Number) + ")"
			if n := strings.Count(seed, needle); n != 1 {
				t.Fatalf("%q occurs %d times in the seed, want 1", needle, n)
			}
			pos := strings.Index(seed, needle)
			got := 0
			for _, s := range secs {
				if pos >= s.start && pos+len(needle) <= s.end {
					got = s.category
				}
			}
			if got != in.Category {
				t.Errorf("found in the table section of category %d, want category %d", got, in.Category)
			}
		})
	}
}

// TestIndicatorNumbersMatchSeed checks that the catalogue holds exactly the
// indicator numbers printed in the seed's table, each once, with the category
// of the section where the number is printed.
func TestIndicatorNumbersMatchSeed(t *testing.T) {
	seed := readSeed(t)
	found := seedNumbers(seed, seedTable(t, seed))
	seedCat := map[int]int{}
	for _, f := range found {
		if _, dup := seedCat[f.number]; dup {
			t.Errorf("seed: (%d) printed twice", f.number)
		}
		seedCat[f.number] = f.category
	}
	c := Default()
	got := map[int]int{}
	for _, in := range allIndicators(c) {
		got[in.Number] = in.Category
	}
	for n, cat := range seedCat {
		if gc, ok := got[n]; !ok {
			t.Errorf("indicator %d (category %d in the seed) is missing from the catalogue", n, cat)
		} else if gc != cat {
			t.Errorf("indicator %d: category got %d, want %d", n, gc, cat)
		}
	}
	for n := range got {
		if _, ok := seedCat[n]; !ok {
			t.Errorf("indicator %d is not in the seed table", n)
		}
	}
	if len(got) != len(seedCat) {
		t.Errorf("catalogue has %d indicators, seed table has %d", len(got), len(seedCat))
	}
}

// TestIndicatorLevelsFromSeedLayout derives each indicator's level column
// from the seed by a method that does not look at the catalogue, and compares.
//
// What can and cannot be checked mechanically: the extracted text carries no
// x-coordinates, so the printed column of a cell cannot be read directly.
// Two properties of the seed are used instead, both visible in the text and
// asserted below where possible:
//
//  1. Within one category's table section, the extraction emits the cells
//     column by column (all Foundation cells, then Practitioner, ...), so a
//     column is a run of consecutive numbers, e.g. category 1 reads
//     1 2 3 4 | 31 32 33 | 73 74 | 99 100 101.
//  2. The printed numbering runs down each level column and continues in the
//     same column of the next category (Foundation 1-4 in category 1,
//     5 in category 2, 6-9 in category 3, ...), so the runs link up, across
//     sections, into one chain per column.
//
// The test links the runs into chains and requires exactly four chains that
// together cover every number; the chains, ordered by their first number,
// are Foundation, Practitioner, Senior and Master Practitioner. A run that
// continues a column over a page break (category 3's second page, 44-45)
// joins its chain like any other. An empty cell (category 6 has no Master
// Practitioner indicator: that column goes from 108 in category 5 to 109 in
// category 7) is inferred from the numbering, not seen. The method would be
// fooled only if the last number of one column and the first of the next
// column in the same section were consecutive, which the required four
// chains of contiguous ranges would expose. That the content grows more
// advanced from column to column is a judgement, not something a test can
// check; the ordering invariants this relies on are asserted in
// TestLevelOrderingInvariants.
func TestIndicatorLevelsFromSeedLayout(t *testing.T) {
	seed := readSeed(t)
	found := seedNumbers(seed, seedTable(t, seed))

	type run struct {
		section, category int
		numbers           []int
	}
	var runs []*run
	for _, f := range found {
		if k := len(runs); k > 0 && runs[k-1].section == f.section && runs[k-1].numbers[len(runs[k-1].numbers)-1]+1 == f.number {
			runs[k-1].numbers = append(runs[k-1].numbers, f.number)
			continue
		}
		runs = append(runs, &run{f.section, f.category, []int{f.number}})
	}
	var chains [][]*run
	for _, r := range runs {
		linked := -1
		for ci, ch := range chains {
			last := ch[len(ch)-1]
			if last.numbers[len(last.numbers)-1]+1 == r.numbers[0] && last.section < r.section {
				if linked >= 0 {
					t.Fatalf("seed: run starting at %d continues two columns", r.numbers[0])
				}
				linked = ci
			}
		}
		if linked >= 0 {
			chains[linked] = append(chains[linked], r)
		} else {
			chains = append(chains, []*run{r})
		}
	}
	if len(chains) != len(Levels) {
		t.Fatalf("seed layout gives %d columns, want %d", len(chains), len(Levels))
	}
	sort.Slice(chains, func(i, j int) bool { return chains[i][0].numbers[0] < chains[j][0].numbers[0] })
	want := map[int]Level{}
	wantCat := map[int]int{}
	for i, ch := range chains {
		for _, r := range ch {
			for _, n := range r.numbers {
				want[n] = Levels[i]
				wantCat[n] = r.category
			}
		}
	}
	c := Default()
	if len(want) != len(allIndicators(c)) {
		t.Errorf("seed layout places %d numbers, catalogue has %d indicators", len(want), len(allIndicators(c)))
	}
	for _, in := range allIndicators(c) {
		t.Run(fmt.Sprintf("CI%03d", in.Number), func(t *testing.T) {
			if in.Level != want[in.Number] {
				t.Errorf("level got %q, want %q", in.Level, want[in.Number])
			}
			if in.Category != wantCat[in.Number] {
				t.Errorf("category got %d, want %d", in.Category, wantCat[in.Number])
			}
		})
	}
}

// TestLevelOrderingInvariants asserts the numbering invariants the level
// placement relies on: each level's numbers form one contiguous range, the
// ranges follow the level order, and within a level the numbers ascend with
// the category.
func TestLevelOrderingInvariants(t *testing.T) {
	c := Default()
	prevMax := 0
	for _, l := range Levels {
		t.Run(string(l), func(t *testing.T) {
			ind := c.IndicatorsAt(l)
			if len(ind) == 0 {
				t.Fatalf("no indicators")
			}
			// IndicatorsAt is by category then number, so ascending numbers
			// mean the numbering runs down the column, category by category.
			for i, in := range ind {
				if want := prevMax + 1 + i; in.Number != want {
					t.Fatalf("position %d (category %d): got number %d, want %d (not contiguous or not ascending by category)", i, in.Category, in.Number, want)
				}
			}
			prevMax = ind[len(ind)-1].Number
		})
	}
	for _, cat := range c.Categories {
		t.Run(fmt.Sprintf("category%d", cat.Number), func(t *testing.T) {
			for i := 1; i < len(cat.Indicators); i++ {
				a, b := cat.Indicators[i-1], cat.Indicators[i]
				if a.Level.Rank() > b.Level.Rank() {
					t.Errorf("indicator %d (%s) precedes %d (%s): level rank got %d > %d", a.Number, a.Level, b.Number, b.Level, a.Level.Rank(), b.Level.Rank())
				}
			}
		})
	}
}

func TestLevelDescriptionsInSeed(t *testing.T) {
	seed := readSeed(t)
	const heads = " Foundation Practitioner Senior Practitioner Master Practitioner "
	eqa, _ := between(t, seed, "EQA Niveau Omschrijvingen"+heads, " EIA Niveau Omschrijvingen", 0)
	eia, _ := between(t, seed, "EIA Niveau Omschrijvingen"+heads, " Acht competentiecategorieën", 0)
	c := Default()
	for _, tc := range []struct {
		name   string
		region string
		text   func(LevelInfo) Text
	}{
		{"EQA", eqa, func(l LevelInfo) Text { return l.EQA }},
		{"EIA", eia, func(l LevelInfo) Text { return l.EIA }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The extraction gives the four columns one after the other, so the
			// whole region must be exactly the four descriptions in level order,
			// one printed bullet per line break.
			var parts []string
			for _, l := range c.Levels {
				nl := lines(tc.text(l).NL, " "+bullet+" ")
				if !strings.HasPrefix(nl, "Bestemd voor degenen die: "+bullet+" ") {
					t.Errorf("%s: got %.40q..., want it to start with the printed intro and a bullet", l.ID, nl)
				}
				if !strings.Contains(tc.region, nl) {
					t.Errorf("%s: Dutch text not found in the seed's %s descriptions: %q", l.ID, tc.name, nl)
				}
				parts = append(parts, nl)
			}
			if got := strings.Join(parts, " "); got != strings.TrimSpace(tc.region) {
				t.Errorf("the four descriptions joined:\n got %q\nwant %q", got, strings.TrimSpace(tc.region))
			}
		})
	}
	for i, l := range c.Levels {
		if l.Name.NL == "" || !strings.Contains(seed, columnHeads) || !strings.Contains(columnHeads, l.Name.NL+" Vaardigheidsindicatoren") {
			t.Errorf("level %d: name %q is not a printed column heading", i, l.Name.NL)
		}
	}
}

func TestCategoriesInSeed(t *testing.T) {
	seed := readSeed(t)
	region, _ := between(t, seed, "Acht competentiecategorieën voor mentoring/coaching ", " Vaardigheidsindicatoren In de tabel", 0)
	var parts []string
	for _, cat := range Default().Categories {
		t.Run(fmt.Sprintf("category%d", cat.Number), func(t *testing.T) {
			s := fmt.Sprintf("%d. %s %s", cat.Number, cat.Name.NL, cat.Description.NL)
			if !strings.Contains(region, s) {
				t.Errorf("%q not found in the seed's list of categories", s)
			}
		})
		parts = append(parts, fmt.Sprintf("%d. %s %s", cat.Number, cat.Name.NL, cat.Description.NL))
	}
	if got := strings.Join(parts, " "); got != strings.TrimSpace(region) {
		t.Errorf("the eight categories joined:\n got %q\nwant %q", got, strings.TrimSpace(region))
	}
}

func TestPurposeAndEquivalenceInSeed(t *testing.T) {
	seed := readSeed(t)
	c := Default()
	for _, tc := range []struct {
		name, before, text, after string
	}{
		// The purpose runs from the heading to the list of authors.
		{"purpose", "DOEL ", lines(c.Purpose.NL, " "), " Voor EMCC International"},
		// The equivalence paragraph follows the table's introduction and is
		// followed by the paragraph on the principles of the levels.
		{"equivalence", "VI van toepassing is. ", lines(c.Equivalence.NL, " "), " De bij de opeenvolgende niveaus"},
		// The paragraph on how the levels build on each other closes the
		// introduction, before the table's header.
		{"progression", "wordt aangetoond. ", c.Progression.NL, " Competentie Categorie"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s := tc.before + tc.text + tc.after; !strings.Contains(seed, s) {
				t.Errorf("%q not found in the seed", s)
			}
		})
	}
}

func TestEveryTextTranslated(t *testing.T) {
	c := Default()
	type item struct {
		name     string
		text     Text
		sameOkay bool // level names are English in the Dutch text too
	}
	items := []item{{"purpose", c.Purpose, false}, {"equivalence", c.Equivalence, false}, {"progression", c.Progression, false}}
	for _, l := range c.Levels {
		items = append(items,
			item{string(l.ID) + "/name", l.Name, true},
			item{string(l.ID) + "/eia", l.EIA, false},
			item{string(l.ID) + "/eqa", l.EQA, false})
	}
	for _, cat := range c.Categories {
		items = append(items,
			item{fmt.Sprintf("category%d/name", cat.Number), cat.Name, false},
			item{fmt.Sprintf("category%d/description", cat.Number), cat.Description, false})
		for _, in := range cat.Indicators {
			items = append(items, item{fmt.Sprintf("CI%03d", in.Number), in.Text, false})
		}
	}
	for _, it := range items {
		t.Run(it.name, func(t *testing.T) {
			if strings.TrimSpace(it.text.NL) == "" {
				t.Errorf("Dutch text is empty")
			}
			if strings.TrimSpace(it.text.EN) == "" {
				t.Errorf("English text is empty")
			}
			if !it.sameOkay && it.text.EN == it.text.NL {
				t.Errorf("English text got %q, want a translation, not the Dutch text", it.text.EN)
			}
			if strings.Count(it.text.EN, "\n") != strings.Count(it.text.NL, "\n") {
				t.Errorf("English has %d lines, want %d like the Dutch", strings.Count(it.text.EN, "\n")+1, strings.Count(it.text.NL, "\n")+1)
			}
			for _, s := range []string{it.text.NL, it.text.EN} {
				if strings.Contains(s, "\uf0a7") || strings.Contains(s, "  ") || s != strings.TrimSpace(s) {
					t.Errorf("text not clean: %q", s)
				}
			}
		})
	}
	wantEN := map[int]string{
		1: "Understanding Self", 2: "Commitment to Self-Development", 3: "Managing the Contract",
		4: "Building the Relationship", 5: "Enabling Insight and Learning", 6: "Outcome and Action Orientation",
		7: "Use of Models and Techniques", 8: "Evaluation",
	}
	for n, want := range wantEN {
		cat, _ := c.Category(n)
		if cat.Name.EN != want {
			t.Errorf("category %d English name got %q, want %q", n, cat.Name.EN, want)
		}
	}
}

func TestJSONShape(t *testing.T) {
	b, err := json.Marshal(Default())
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]json.RawMessage) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	check := func(name string, got []string, want ...string) {
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s keys got %v, want %v", name, got, want)
		}
	}
	check("catalogue", keys(top), "version", "purpose", "equivalence_principle", "level_progression", "levels", "categories")
	var levels []map[string]json.RawMessage
	var cats []map[string]json.RawMessage
	_ = json.Unmarshal(top["levels"], &levels)
	_ = json.Unmarshal(top["categories"], &cats)
	check("level", keys(levels[0]), "id", "name", "eia", "eqa")
	check("category", keys(cats[0]), "number", "name", "description", "indicators")
	var text map[string]json.RawMessage
	_ = json.Unmarshal(top["purpose"], &text)
	check("text", keys(text), "nl", "en")
	var inds []map[string]json.RawMessage
	_ = json.Unmarshal(cats[0]["indicators"], &inds)
	check("indicator", keys(inds[0]), "number", "category", "level", "text")
}

func TestTextIn(t *testing.T) {
	x := Text{NL: "hallo", EN: "hello"}
	for _, tc := range []struct{ lang, want string }{
		{"nl", "hallo"}, {"NL", "hallo"}, {"en", "hello"}, {"", "hello"}, {"de", "hello"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			if got := x.In(tc.lang); got != tc.want {
				t.Errorf("In(%q) got %q, want %q", tc.lang, got, tc.want)
			}
		})
	}
}

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Level
		ok   bool
	}{
		{"foundation", Foundation, true},
		{"Practitioner", Practitioner, true},
		{"senior_practitioner", SeniorPractitioner, true},
		{"Senior Practitioner", SeniorPractitioner, true},
		{" master-practitioner ", MasterPractitioner, true},
		{"master", "", false},
		{"", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseLevel(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ParseLevel(%q) got (%q, %v), want (%q, %v)", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
	for i, l := range Levels {
		if got := l.Rank(); got != i+1 {
			t.Errorf("%s.Rank() got %d, want %d", l, got, i+1)
		}
	}
	if got := Level("x").Rank(); got != 0 {
		t.Errorf("unknown Rank() got %d, want 0", got)
	}
	for _, tc := range []struct {
		l, other Level
		want     bool
	}{
		{Practitioner, Foundation, true},
		{Practitioner, Practitioner, true},
		{Practitioner, SeniorPractitioner, false},
		{MasterPractitioner, Foundation, true},
		{"x", Foundation, false},
		{Foundation, "x", false},
	} {
		t.Run(fmt.Sprintf("%s>=%s", tc.l, tc.other), func(t *testing.T) {
			if got := tc.l.AtLeast(tc.other); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLookups(t *testing.T) {
	c := Default()
	for _, l := range Levels {
		t.Run("level/"+string(l), func(t *testing.T) {
			info, ok := c.Level(l)
			if !ok || info.ID != l {
				t.Errorf("Level(%q) got (%q, %v), want (%q, true)", l, info.ID, ok, l)
			}
		})
	}
	if _, ok := c.Level("x"); ok {
		t.Errorf("Level(x) got ok, want not found")
	}
	for _, in := range allIndicators(c) {
		got, ok := c.Indicator(in.Number)
		if !ok || got != in {
			t.Errorf("Indicator(%d) got (%+v, %v), want (%+v, true)", in.Number, got, ok, in)
		}
	}
	for _, n := range []int{0, -1, 1000} {
		if _, ok := c.Indicator(n); ok {
			t.Errorf("Indicator(%d) got ok, want not found", n)
		}
	}
	for _, n := range c.CategoryNumbers() {
		cat, ok := c.Category(n)
		if !ok || cat.Number != n {
			t.Errorf("Category(%d) got (%d, %v), want (%d, true)", n, cat.Number, ok, n)
		}
	}
	if _, ok := c.Category(9); ok {
		t.Errorf("Category(9) got ok, want not found")
	}
	// IndicatorsAtOrBelow: union of the levels up to l, by category then number.
	total := 0
	for _, l := range Levels {
		total += len(c.IndicatorsAt(l))
		t.Run("atOrBelow/"+string(l), func(t *testing.T) {
			got := c.IndicatorsAtOrBelow(l)
			if len(got) != total {
				t.Errorf("got %d indicators, want %d", len(got), total)
			}
			for i, in := range got {
				if !l.AtLeast(in.Level) {
					t.Errorf("indicator %d has level %s above %s", in.Number, in.Level, l)
				}
				if i > 0 {
					p := got[i-1]
					if p.Category > in.Category || (p.Category == in.Category && p.Number >= in.Number) {
						t.Errorf("indicator %d/%d after %d/%d: not by category then number", in.Category, in.Number, p.Category, p.Number)
					}
				}
			}
		})
	}
	if got := c.IndicatorsAtOrBelow("x"); got != nil {
		t.Errorf("IndicatorsAtOrBelow(unknown) got %d indicators, want none", len(got))
	}
	if total != len(allIndicators(c)) {
		t.Errorf("levels hold %d indicators, want %d", total, len(allIndicators(c)))
	}
}
