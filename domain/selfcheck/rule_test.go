package selfcheck_test

import (
	"slices"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/selfcheck"
)

var cat = framework.Default()

// upTo rates every indicator of levels up to l with r.
func upTo(l framework.Level, r selfcheck.Rating) selfcheck.Ratings {
	rs := selfcheck.Ratings{}
	for _, in := range cat.IndicatorsAtOrBelow(l) {
		rs[in.Number] = r
	}
	return rs
}

// in returns the numbers of category c's indicators at level l.
func in(c int, l framework.Level) []int {
	var out []int
	for _, i := range cat.IndicatorsAt(l) {
		if i.Category == c {
			out = append(out, i.Number)
		}
	}
	return out
}

// set rates the given indicators r, in place, and returns rs.
func set(rs selfcheck.Ratings, r selfcheck.Rating, numbers ...int) selfcheck.Ratings {
	for _, n := range numbers {
		rs[n] = r
	}
	return rs
}

// The worked examples of the indicative-level rule (see the package doc).
// Each states the ratings, the level it indicates and why.
func TestIndicativeLevelWorkedExamples(t *testing.T) {
	f, p, s, m := framework.Foundation, framework.Practitioner, framework.SeniorPractitioner, framework.MasterPractitioner
	cases := []struct {
		name    string
		ratings selfcheck.Ratings
		want    framework.Level
		why     string
		// cat, when set, is a category whose own level is checked too.
		cat      int
		catLevel framework.Level
	}{
		{name: "nothing rated", ratings: selfcheck.Ratings{}, want: "",
			why: "an unrated indicator is 'not yet': no category meets Foundation"},
		{name: "everything consistently", ratings: upTo(m, selfcheck.Consistently), want: m,
			why: "every category meets every level"},
		{name: "Foundation and Practitioner consistently, nothing above", ratings: upTo(p, selfcheck.Consistently), want: p,
			why: "every category meets Foundation and Practitioner; no category with Senior indicators meets Senior"},
		{name: "everything partly", ratings: upTo(m, selfcheck.Partly), want: "",
			why: "half-points equal the count, but depth needs at least one indicator rated consistently at each level"},
		{name: "half of each level is enough (equivalence principle)",
			// Category 3 at Practitioner has 9 indicators: 4 consistently and 1 partly earn 9 half-points.
			ratings: func() selfcheck.Ratings {
				rs := upTo(p, selfcheck.Consistently)
				pr := in(3, p)
				set(rs, selfcheck.NotYet, pr[4:]...)
				return set(rs, selfcheck.Partly, pr[4])
			}(), want: p, cat: 3, catLevel: p,
			why: "category 3 earns 4x2+1 = 9 half-points of its 9 Practitioner indicators, half the full score"},
		{name: "one half-point short",
			// The same with the partly indicator at not yet: 8 half-points of 9.
			ratings: func() selfcheck.Ratings {
				rs := upTo(p, selfcheck.Consistently)
				return set(rs, selfcheck.NotYet, in(3, p)[4:]...)
			}(), want: f, cat: 3, catLevel: f,
			why: "category 3 earns 8 half-points of 9 at Practitioner: it stays at Foundation, and so does the indicative level"},
		{name: "partly everywhere at a level lacks depth",
			// Category 2 has 5 Senior indicators, all partly: 5 half-points, none consistently.
			ratings: func() selfcheck.Ratings {
				rs := upTo(s, selfcheck.Consistently)
				return set(rs, selfcheck.Partly, in(2, s)...)
			}(), want: p, cat: 2, catLevel: p,
			why: "category 2 has enough half-points at Senior but no indicator rated consistently there"},
		{name: "one category behind caps the level (breadth)",
			// Category 8 at Practitioner: 4 indicators, 1 consistently and 1 partly = 3 half-points.
			ratings: func() selfcheck.Ratings {
				rs := upTo(m, selfcheck.Consistently)
				pr := in(8, p)
				set(rs, selfcheck.NotYet, pr...)
				set(rs, selfcheck.Consistently, pr[0])
				return set(rs, selfcheck.Partly, pr[1])
			}(), want: f, cat: 8, catLevel: f,
			why: "category 8 misses Practitioner (3 of 4 half-points), so although the other seven are at Master it holds every category at Foundation"},
		{name: "depth above without the base",
			// Everything consistently except category 1's Foundation indicators.
			ratings: func() selfcheck.Ratings {
				rs := upTo(m, selfcheck.Consistently)
				return set(rs, selfcheck.NotYet, in(1, f)...)
			}(), want: "", cat: 1, catLevel: "",
			why: "levels build on each other: category 1 meets Practitioner to Master but not Foundation, so it holds no level"},
		{name: "a category with no indicator at a level carries its level up",
			// Category 6 has no Master indicators; all Master indicators of the others are rated.
			ratings: upTo(m, selfcheck.Consistently), want: m, cat: 6, catLevel: m,
			why: "the framework asks nothing more of category 6 at Master, so it meets Master once it meets Senior"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := selfcheck.Evaluate(cat, tc.ratings)
			if res.Level != tc.want {
				t.Fatalf("level: got %q, want %q (%s)", res.Level, tc.want, tc.why)
			}
			if tc.cat != 0 {
				if got := res.Categories[tc.cat-1].Level; got != tc.catLevel {
					t.Fatalf("category %d: got %q, want %q (%s)", tc.cat, got, tc.catLevel, tc.why)
				}
			}
		})
	}
}

// The indicators to develop are those of the categories below the next
// level, between their level and the next one, not yet consistently.
func TestToDevelopLeadsToTheNextLevel(t *testing.T) {
	f, p := framework.Foundation, framework.Practitioner
	t.Run("nothing rated: every Foundation indicator", func(t *testing.T) {
		res := selfcheck.Evaluate(cat, selfcheck.Ratings{})
		want := numbers(cat.IndicatorsAt(f))
		if res.Next != f || !slices.Equal(res.ToDevelop, want) {
			t.Fatalf("got next %q, %v; want %q, %v", res.Next, res.ToDevelop, f, want)
		}
	})
	t.Run("one category behind: its missing indicators only", func(t *testing.T) {
		rs := upTo(p, selfcheck.Consistently)
		pr := in(8, p)
		set(rs, selfcheck.NotYet, pr...)
		set(rs, selfcheck.Consistently, pr[0])
		set(rs, selfcheck.Partly, pr[1])
		res := selfcheck.Evaluate(cat, rs)
		// Foundation everywhere; the next level is Practitioner. The other
		// seven categories already meet it, so only category 8's three
		// Practitioner indicators not rated consistently are listed.
		if res.Level != f || res.Next != p || !slices.Equal(res.ToDevelop, pr[1:]) {
			t.Fatalf("got %q -> %q, %v; want %q -> %q, %v", res.Level, res.Next, res.ToDevelop, f, p, pr[1:])
		}
	})
	t.Run("Master: nothing next", func(t *testing.T) {
		res := selfcheck.Evaluate(cat, upTo(framework.MasterPractitioner, selfcheck.Consistently))
		if res.Next != "" || len(res.ToDevelop) != 0 {
			t.Fatalf("got next %q, %v; want none", res.Next, res.ToDevelop)
		}
	})
}

// The profile (the chart's bar) is the category's level plus the share of
// the next level's full score.
func TestProfile(t *testing.T) {
	rs := upTo(framework.Foundation, selfcheck.Consistently)
	set(rs, selfcheck.Partly, in(1, framework.Practitioner)...) // 3 indicators, 3 of 6 half-points
	res := selfcheck.Evaluate(cat, rs)
	if got := res.Categories[0].Profile; got != 1.5 {
		t.Fatalf("category 1 profile: got %v, want 1.5", got)
	}
	if got := res.Categories[1].Profile; got != 1 {
		t.Fatalf("category 2 profile: got %v, want 1", got)
	}
}

func TestParseNamesWhatIsWrong(t *testing.T) {
	_, err := selfcheck.Parse(cat, []selfcheck.Input{{Indicator: 1, Rating: "partly"}, {Indicator: 9999, Rating: "partly"},
		{Indicator: 2, Rating: "sometimes"}, {Indicator: 1, Rating: "consistently"}})
	var de *domain.Error
	if !domain.Is(err, domain.Invalid) || !asErr(err, &de) {
		t.Fatalf("got %v, want invalid", err)
	}
	var fields []string
	for _, f := range de.Fields {
		fields = append(fields, f.Field)
	}
	want := []string{"ratings[1].indicator", "ratings[2].rating", "ratings[3].indicator"}
	if !slices.Equal(fields, want) {
		t.Fatalf("fields: got %v, want %v", fields, want)
	}
	rs, err := selfcheck.Parse(cat, []selfcheck.Input{{Indicator: 1, Rating: "partly"}, {Indicator: 2, Rating: "not_yet"}})
	if err != nil || rs.Of(1) != selfcheck.Partly || rs.Of(2) != selfcheck.NotYet || rs.Of(3) != selfcheck.NotYet {
		t.Fatalf("got %v, %v", rs, err)
	}
}

func numbers(ins []framework.Indicator) []int {
	var out []int
	for _, i := range ins {
		out = append(out, i.Number)
	}
	return out
}
