package selfcheck

import (
	"fmt"
	"slices"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
)

// Rating is how consistently a coach shows one indicator, in their own eyes.
type Rating string

// The scale, lowest first.
const (
	NotYet       Rating = "not_yet"
	Partly       Rating = "partly"
	Consistently Rating = "consistently"
)

// Scale lists the ratings lowest first.
var Scale = []Rating{NotYet, Partly, Consistently}

// Valid reports whether r is on the scale.
func (r Rating) Valid() bool { return slices.Contains(Scale, r) }

// Ratings are a self-check's ratings by indicator number; an indicator that
// is missing is "not yet".
type Ratings map[int]Rating

// Of returns the rating of indicator n ("not yet" when unrated).
func (rs Ratings) Of(n int) Rating {
	if r, ok := rs[n]; ok {
		return r
	}
	return NotYet
}

// Input is one rating as a caller gives it.
type Input struct {
	Indicator int    `json:"indicator"`
	Rating    string `json:"rating"`
}

// Parse checks inputs against the catalogue: every indicator known and
// rated once, every rating on the scale. Errors: Invalid, naming each
// wrong field ("ratings[3].indicator", "ratings[3].rating").
func Parse(cat *framework.Catalogue, inputs []Input) (Ratings, error) {
	if err := limits.Check("too many ratings", limits.Indicators.List("ratings", len(inputs))); err != nil {
		return nil, err
	}
	rs := Ratings{}
	var fields []domain.FieldError
	for i, in := range inputs {
		f := fmt.Sprintf("ratings[%d]", i)
		if _, ok := cat.Indicator(in.Indicator); !ok {
			fields = append(fields, domain.FieldError{Field: f + ".indicator", Reason: fmt.Sprintf("no capability indicator %d in the framework", in.Indicator)})
		} else if _, dup := rs[in.Indicator]; dup {
			fields = append(fields, domain.FieldError{Field: f + ".indicator", Reason: fmt.Sprintf("indicator %d is rated twice", in.Indicator)})
		}
		r := Rating(in.Rating)
		if !r.Valid() {
			fields = append(fields, domain.FieldError{Field: f + ".rating", Reason: "one of not_yet, partly, consistently"})
		}
		rs[in.Indicator] = r
	}
	if len(fields) > 0 {
		return nil, domain.InvalidFields("invalid self-check", fields...)
	}
	return rs, nil
}

// Inputs lists rs as inputs, by indicator number.
func (rs Ratings) Inputs() []Input {
	out := make([]Input, 0, len(rs))
	for n, r := range rs {
		out = append(out, Input{Indicator: n, Rating: string(r)})
	}
	slices.SortFunc(out, func(a, b Input) int { return a.Indicator - b.Indicator })
	return out
}

// LevelScore is how one category fares at one level.
type LevelScore struct {
	Level        framework.Level `json:"level"`
	Indicators   int             `json:"indicators"`
	Consistently int             `json:"consistently"`
	Partly       int             `json:"partly"`
	// Met: half-points >= Indicators and Consistently >= 1 (or no
	// indicator at this level).
	Met bool `json:"met"`
}

// CategoryResult is one category's profile.
type CategoryResult struct {
	Category int `json:"category"`
	// Level is the highest level met with every level below it; "" for
	// none.
	Level  framework.Level `json:"level,omitempty"`
	Levels []LevelScore    `json:"levels"`
	// Profile is Level's rank (0..4) plus the share of the next level's
	// full score already earned (0 up to below 1): the bar of the chart.
	Profile float64 `json:"profile"`
}

// Result is what a self-check indicates.
type Result struct {
	// Level is the indicative level, "" when not yet Foundation.
	Level framework.Level `json:"level,omitempty"`
	// Next is the level above Level ("" at Master Practitioner).
	Next       framework.Level  `json:"next_level,omitempty"`
	Categories []CategoryResult `json:"categories"`
	// ToDevelop are the indicators to develop to reach Next, by category
	// then number.
	ToDevelop []int `json:"to_develop"`
}

// Evaluate applies the rule of the package doc to rs.
func Evaluate(cat *framework.Catalogue, rs Ratings) Result {
	res := Result{ToDevelop: []int{}}
	overall := len(framework.Levels)
	for _, c := range cat.Categories {
		cr := evaluateCategory(c, rs)
		overall = min(overall, rank(cr.Level))
		res.Categories = append(res.Categories, cr)
	}
	res.Level = levelOfRank(overall)
	res.Next = levelOfRank(overall + 1)
	if res.Next == "" {
		return res
	}
	for i, c := range cat.Categories {
		from := rank(res.Categories[i].Level)
		for _, in := range c.Indicators {
			if r := in.Level.Rank(); r > from && r <= res.Next.Rank() && rs.Of(in.Number) != Consistently {
				res.ToDevelop = append(res.ToDevelop, in.Number)
			}
		}
	}
	return res
}

func evaluateCategory(c framework.Category, rs Ratings) CategoryResult {
	cr := CategoryResult{Category: c.Number}
	holding := true // every level so far met
	for _, l := range framework.Levels {
		s := LevelScore{Level: l}
		for _, in := range c.Indicators {
			if in.Level != l {
				continue
			}
			s.Indicators++
			switch rs.Of(in.Number) {
			case Consistently:
				s.Consistently++
			case Partly:
				s.Partly++
			}
		}
		s.Met = s.Indicators == 0 || 2*s.Consistently+s.Partly >= s.Indicators && s.Consistently >= 1
		if holding && s.Met {
			cr.Level = l
		} else if holding {
			holding = false
			cr.Profile = float64(rank(cr.Level)) + float64(2*s.Consistently+s.Partly)/float64(2*s.Indicators)
		}
		cr.Levels = append(cr.Levels, s)
	}
	if holding {
		cr.Profile = float64(rank(cr.Level))
	}
	return cr
}

// rank is a level's rank, 0 for none.
func rank(l framework.Level) int { return l.Rank() }

// levelOfRank is the level of rank r (1..4), "" otherwise.
func levelOfRank(r int) framework.Level {
	if r < 1 || r > len(framework.Levels) {
		return ""
	}
	return framework.Levels[r-1]
}
