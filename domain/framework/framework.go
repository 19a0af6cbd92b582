package framework

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/emcc/accredit/domain"
)

// Version is the id of the embedded catalogue.
const Version = "emcc-cf-v3-2015-nl-2016"

//go:embed framework.json
var embedded []byte

// Text is a text in Dutch (as printed in the framework) and in English
// (a translation). Whitespace is collapsed; texts made of a list (the level
// descriptions and the purpose's numbered uses) keep one line per printed
// list item, separated by "\n".
type Text struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

// In returns the text in lang ("nl" or "en"; anything else gives English).
// The comparison ignores case.
func (t Text) In(lang string) string {
	if strings.EqualFold(lang, "nl") {
		return t.NL
	}
	return t.EN
}

// Level is an accreditation level of the framework.
type Level string

// The four levels, lowest first.
const (
	Foundation         Level = "foundation"
	Practitioner       Level = "practitioner"
	SeniorPractitioner Level = "senior_practitioner"
	MasterPractitioner Level = "master_practitioner"
)

// Levels lists the four levels lowest first.
var Levels = []Level{Foundation, Practitioner, SeniorPractitioner, MasterPractitioner}

// UnmarshalText decodes a level id as its constant (domain.Known); a value
// that is none is kept as written, for Rank to refuse. It reads ids only:
// the printed names are ParseLevel's.
func (l *Level) UnmarshalText(b []byte) error {
	*l = domain.Known(b, Levels)
	return nil
}

// ParseLevel parses a level id such as "senior_practitioner". It ignores case
// and surrounding space and also accepts the printed names with a space or a
// hyphen ("Senior Practitioner", "master-practitioner").
func ParseLevel(s string) (Level, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer(" ", "_", "-", "_").Replace(s)
	l := Level(s)
	if l.Rank() == 0 {
		return "", false
	}
	return l, true
}

// Rank is 1..4 (0 for an unknown level).
func (l Level) Rank() int {
	switch l {
	case Foundation:
		return 1
	case Practitioner:
		return 2
	case SeniorPractitioner:
		return 3
	case MasterPractitioner:
		return 4
	}
	return 0
}

// AtLeast reports l >= other. It is false if either level is unknown.
func (l Level) AtLeast(other Level) bool {
	return l.Rank() > 0 && other.Rank() > 0 && l.Rank() >= other.Rank()
}

// Valid reports whether l is one of the four levels.
func (l Level) Valid() bool { return l.Rank() > 0 }

// LevelInfo describes a level: its name and its EIA (individual
// accreditation) and EQA (quality award for training programmes)
// descriptions.
type LevelInfo struct {
	ID   Level `json:"id"`
	Name Text  `json:"name"`
	EIA  Text  `json:"eia"`
	EQA  Text  `json:"eqa"`
}

// Indicator is a capability indicator, identified by the number printed after
// it in the framework's table, e.g. "(12)".
type Indicator struct {
	Number   int   `json:"number"`
	Category int   `json:"category"`
	Level    Level `json:"level"`
	Text     Text  `json:"text"`
}

// Category is one of the eight competence categories with its indicators,
// ordered by number.
type Category struct {
	Number      int         `json:"number"`
	Name        Text        `json:"name"`
	Description Text        `json:"description"`
	Indicators  []Indicator `json:"indicators"`
}

// Catalogue is the whole framework.
type Catalogue struct {
	Version     string `json:"version"`
	Purpose     Text   `json:"purpose"`
	Equivalence Text   `json:"equivalence_principle"`
	// Progression is the paragraph on how the levels build on each other.
	Progression Text        `json:"level_progression"`
	Levels      []LevelInfo `json:"levels"`
	Categories  []Category  `json:"categories"`

	byNumber map[int]Indicator
}

// NumCategories is the number of competence categories.
const NumCategories = 8

var defaultCatalogue = sync.OnceValue(func() *Catalogue {
	c, err := Load(embedded)
	if err != nil {
		panic("framework: embedded framework.json is invalid: " + err.Error())
	}
	return c
})

// Default returns the embedded catalogue, parsed once (panics only if the
// embedded file is corrupt, which a test rules out). The result is shared:
// callers must not modify it.
func Default() *Catalogue { return defaultCatalogue() }

// Load parses and validates a catalogue (every indicator number unique,
// category 1..8, level valid). It also requires a version, exactly the eight
// categories 1..8, each indicator's category to match the category holding
// it, and exactly one description of each of the four levels. Levels are
// returned lowest first, categories by number and indicators by number.
func Load(data []byte) (*Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("framework: parse: %w", err)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	slices.SortFunc(c.Levels, func(a, b LevelInfo) int { return a.ID.Rank() - b.ID.Rank() })
	slices.SortFunc(c.Categories, func(a, b Category) int { return a.Number - b.Number })
	c.byNumber = make(map[int]Indicator)
	for i := range c.Categories {
		ind := c.Categories[i].Indicators
		slices.SortFunc(ind, func(a, b Indicator) int { return a.Number - b.Number })
		for _, in := range ind {
			c.byNumber[in.Number] = in
		}
	}
	return &c, nil
}

func (c *Catalogue) validate() error {
	var errs []error
	if c.Version == "" {
		errs = append(errs, errors.New("missing version"))
	}
	seenLevel := map[Level]bool{}
	for _, l := range c.Levels {
		switch {
		case !l.ID.Valid():
			errs = append(errs, fmt.Errorf("unknown level %q", l.ID))
		case seenLevel[l.ID]:
			errs = append(errs, fmt.Errorf("level %q described twice", l.ID))
		}
		seenLevel[l.ID] = true
	}
	for _, l := range Levels {
		if !seenLevel[l] {
			errs = append(errs, fmt.Errorf("level %q not described", l))
		}
	}
	seenCat := map[int]bool{}
	seenNum := map[int]int{}
	for _, cat := range c.Categories {
		switch {
		case cat.Number < 1 || cat.Number > NumCategories:
			errs = append(errs, fmt.Errorf("category %d out of range 1..%d", cat.Number, NumCategories))
		case seenCat[cat.Number]:
			errs = append(errs, fmt.Errorf("category %d listed twice", cat.Number))
		}
		seenCat[cat.Number] = true
		for _, in := range cat.Indicators {
			if in.Number < 1 {
				errs = append(errs, fmt.Errorf("indicator number %d is not positive", in.Number))
			}
			if prev, dup := seenNum[in.Number]; dup {
				errs = append(errs, fmt.Errorf("indicator %d listed twice (categories %d and %d)", in.Number, prev, cat.Number))
			}
			seenNum[in.Number] = cat.Number
			if in.Category < 1 || in.Category > NumCategories {
				errs = append(errs, fmt.Errorf("indicator %d: category %d out of range 1..%d", in.Number, in.Category, NumCategories))
			} else if in.Category != cat.Number {
				errs = append(errs, fmt.Errorf("indicator %d: category %d but listed under category %d", in.Number, in.Category, cat.Number))
			}
			if !in.Level.Valid() {
				errs = append(errs, fmt.Errorf("indicator %d: unknown level %q", in.Number, in.Level))
			}
		}
	}
	for n := 1; n <= NumCategories; n++ {
		if !seenCat[n] {
			errs = append(errs, fmt.Errorf("category %d missing", n))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("framework: invalid catalogue: %w", err)
	}
	return nil
}

// Indicator returns the indicator with the given number.
func (c *Catalogue) Indicator(number int) (Indicator, bool) {
	if c.byNumber != nil {
		in, ok := c.byNumber[number]
		return in, ok
	}
	for _, cat := range c.Categories {
		for _, in := range cat.Indicators {
			if in.Number == number {
				return in, true
			}
		}
	}
	return Indicator{}, false
}

// Category returns the category with the given number (1..8). Its Indicators
// slice is a copy.
func (c *Catalogue) Category(number int) (Category, bool) {
	for _, cat := range c.Categories {
		if cat.Number == number {
			cat.Indicators = slices.Clone(cat.Indicators)
			return cat, true
		}
	}
	return Category{}, false
}

// Level returns the description of a level.
func (c *Catalogue) Level(id Level) (LevelInfo, bool) {
	for _, l := range c.Levels {
		if l.ID == id {
			return l, true
		}
	}
	return LevelInfo{}, false
}

// Indicators returns all indicators, by category then number.
func (c *Catalogue) Indicators() []Indicator {
	return c.IndicatorsAtOrBelow(MasterPractitioner)
}

// IndicatorsAtOrBelow returns the indicators of levels up to and including l,
// by category then number. It returns nil for an unknown level.
func (c *Catalogue) IndicatorsAtOrBelow(l Level) []Indicator {
	if !l.Valid() {
		return nil
	}
	var out []Indicator
	for _, cat := range c.Categories {
		for _, in := range cat.Indicators {
			if l.AtLeast(in.Level) {
				out = append(out, in)
			}
		}
	}
	return out
}

// IndicatorsAt returns the indicators of exactly level l, by category then
// number.
func (c *Catalogue) IndicatorsAt(l Level) []Indicator {
	var out []Indicator
	for _, cat := range c.Categories {
		for _, in := range cat.Indicators {
			if in.Level == l {
				out = append(out, in)
			}
		}
	}
	return out
}

// CategoryNumbers returns 1..8.
func (c *Catalogue) CategoryNumbers() []int {
	out := make([]int, 0, len(c.Categories))
	for _, cat := range c.Categories {
		out = append(out, cat.Number)
	}
	return out
}
