package projections

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
)

// MinGraduates is the fewest graduates a figure of a programme's
// effectiveness may rest on: a figure resting on fewer is not shown, and a
// part of a distribution resting on fewer is merged with its neighbour (see
// distribute). Five is the rule (issue 16 item 4); it holds for the
// office's view too, so that no view of the figures identifies a person.
const MinGraduates = 5

// Effectiveness is the read model of how the graduates of each
// EQA-accredited programme fared in their EIA cases: per decided EIA case
// that names a programme (portfolio.eqa_programme), the assessors' ratings
// per category, the outcome and the time from submission to the award. It
// keeps no name, text or date of a case, only what the figures are made of;
// the figures themselves are made at read time (Of), anonymous and
// aggregated.
//
// Like Decisions, it reads each case as the Cases model of its own
// generation has just folded it.
type Effectiveness struct {
	Graduates map[string]*graduateCase `json:"graduates"` // by case id
	cases     *Cases
	// byProgramme indexes Graduates by programme (accreditation id).
	byProgramme map[string]map[string]bool
}

// graduateCase is one decided EIA case of a graduate, reduced to what the
// figures need.
type graduateCase struct {
	Programme string `json:"programme"`
	// Applicant counts graduates (one person may have several cases); it
	// is a user id and never leaves the model.
	Applicant string          `json:"applicant"`
	Level     framework.Level `json:"level"`
	// Ratings are each submitted assessment's rating, by category.
	Ratings      map[int][]accreditation.Rating `json:"ratings,omitempty"`
	Outcome      accreditation.Outcome          `json:"outcome"`
	LevelAwarded framework.Level                `json:"level_awarded,omitempty"`
	// DaysToAward is from the last submission to the award; awards only.
	DaysToAward float64 `json:"days_to_award,omitempty"`
}

// NewEffectiveness returns an empty model over cases (applied first).
func NewEffectiveness(cases *Cases) *Effectiveness {
	return &Effectiveness{Graduates: map[string]*graduateCase{}, cases: cases, byProgramme: map[string]map[string]bool{}}
}

// Name implements ReadModel.
func (m *Effectiveness) Name() string { return "effectiveness" }

// Apply implements ReadModel: the case the event belongs to is read again
// as Cases has it now, so an appeal that overturns a decision, or a
// decision taken again, is followed without a case per event type.
func (m *Effectiveness) Apply(e eventstore.Event) {
	id, ok := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	c, _ := m.cases.Case(id) // folded: Cases has just applied e
	g := graduateOf(c)
	if old := m.Graduates[id]; old != nil {
		delete(m.byProgramme[old.Programme], id)
		delete(m.Graduates, id)
	}
	if g != nil {
		m.put(id, g)
	}
}

func (m *Effectiveness) put(id string, g *graduateCase) {
	m.Graduates[id] = g
	if m.byProgramme[g.Programme] == nil {
		m.byProgramme[g.Programme] = map[string]bool{}
	}
	m.byProgramme[g.Programme][id] = true
}

// graduateOf reduces c to a graduate's decided case; nil when c is none.
func graduateOf(c *accreditation.Case) *graduateCase {
	if c == nil || c.Scheme != accreditation.SchemeEIA || c.Portfolio.EQAProgramme == "" || c.Decision == nil {
		return nil
	}
	g := &graduateCase{Programme: c.Portfolio.EQAProgramme, Applicant: c.ApplicantID, Level: c.Level, Outcome: c.Decision.Outcome}
	for _, role := range accreditation.AssessorRoles {
		a, _ := c.Assessments.Get(role)
		for _, r := range a.Ratings {
			if g.Ratings == nil {
				g.Ratings = map[int][]accreditation.Rating{}
			}
			g.Ratings[r.Category] = append(g.Ratings[r.Category], r.Rating)
		}
	}
	if c.Decision.Outcome == accreditation.OutcomeAwarded {
		g.LevelAwarded = c.Decision.Level
		if !c.SubmittedAt.IsZero() {
			g.DaysToAward = c.Decision.At.Sub(c.SubmittedAt).Hours() / 24
		}
	}
	return g
}

// Snapshot implements ReadModel.
func (m *Effectiveness) Snapshot() ([]byte, error) { return json.Marshal(m) }

// Restore implements ReadModel.
func (m *Effectiveness) Restore(b []byte) error {
	if err := unmarshal(b, m); err != nil {
		return err
	}
	graduates := m.Graduates
	m.Graduates, m.byProgramme = map[string]*graduateCase{}, map[string]map[string]bool{}
	for id, g := range graduates {
		m.put(id, g)
	}
	return nil
}

// Programmes lists the EQA-accredited programmes of reg whatever their
// status (a programme's graduates stay its graduates), by accreditation id;
// but not one replaced by a later award on its case (an appeal upheld back
// to the decision): that one is listed as the accreditation in force, and
// the graduates who named the first count in its figures (OfEntry).
func (m *Effectiveness) Programmes(reg *Register) []RegisterEntry {
	out := []RegisterEntry{}
	for e := range reg.Programmes {
		if !reg.Replaced(*e) {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, func(a, b RegisterEntry) int { return strings.Compare(a.AccreditationID, b.AccreditationID) })
	return out
}

// ProgrammeEffectiveness is what a programme's provider sees of its
// graduates' EIA cases. Every figure is shown only when it rests on at
// least MinGraduates graduates (Shown); otherwise it carries no number.
type ProgrammeEffectiveness struct {
	AccreditationID string `json:"accreditation_id"`
	MinGraduates    int    `json:"min_graduates"`
	// Graduates is how many graduates have a decided EIA case, when at
	// least MinGraduates have (GraduatesShown).
	Graduates      int  `json:"graduates,omitempty"`
	GraduatesShown bool `json:"graduates_shown"`
	// Categories are the assessors' ratings of each competence category.
	Categories []CategoryRatings `json:"categories"`
	// Outcomes are the decisions by the level applied for; levels with
	// fewer graduates than MinGraduates are merged with a neighbour.
	Outcomes []LevelOutcomes `json:"outcomes"`
	// TimeToAward is the time from submission to the award, in weeks.
	TimeToAward TimeToAward `json:"time_to_award"`
}

// Distribution is a figure shared out over ordered values (ratings,
// outcomes, durations). Shown is false when it rests on fewer than
// MinGraduates graduates: then it has no parts. A part resting on fewer
// is merged with its neighbour, so a part may name several values.
type Distribution struct {
	Shown bool    `json:"shown"`
	Count int     `json:"count,omitempty"` // ratings or cases counted
	Parts []Share `json:"parts,omitempty"`
}

// Share is one part of a distribution: one value, or neighbouring values
// merged, and how many of the count fell in it.
type Share struct {
	Values  []string `json:"values"`
	Count   int      `json:"count"`
	Percent int      `json:"percent"`
}

// CategoryRatings is the distribution of the assessors' ratings of one
// category, each assessor's rating counted.
type CategoryRatings struct {
	Category int `json:"category"`
	Distribution
}

// LevelOutcomes is the distribution of the outcomes of the cases applied
// for at Levels: not awarded, awarded at a lower level, awarded as
// applied for.
type LevelOutcomes struct {
	Levels []framework.Level `json:"levels"`
	Distribution
}

// TimeToAward is how long awards took, from the last submission to the
// decision: the median in whole weeks and the awards by duration.
type TimeToAward struct {
	MedianWeeks int `json:"median_weeks,omitempty"`
	Distribution
}

// The values of the outcome and time distributions, in order.
const (
	OutcomeNotAwarded   = "not_awarded"
	OutcomeAwardedLower = "awarded_lower"
	OutcomeAwardedAsFor = "awarded"
)

// AwardWeeks are the upper bounds, in weeks, of the time-to-award parts
// (the 13 weeks are the published three months); one more part holds the
// longer ones.
var AwardWeeks = []int{8, 13, 26}

// Of returns the figures of the graduates who named programme alone. Call
// it within a read of the models.
func (m *Effectiveness) Of(programme string) ProgrammeEffectiveness {
	return m.of(programme, []string{programme})
}

// OfEntry returns the figures of programme e: of the graduates who named
// it and, when e is the accreditation in force on its case, of those who
// named one it replaced (see Programmes), so that the programme's
// graduates are not split into parts each too small to be shown. Call it
// within a read of the models.
func (m *Effectiveness) OfEntry(reg *Register, e RegisterEntry) ProgrammeEffectiveness {
	named := []string{e.AccreditationID}
	if !reg.Replaced(e) {
		for p := range reg.Programmes {
			if p.CaseID == e.CaseID && p.AccreditationID != e.AccreditationID {
				named = append(named, p.AccreditationID)
			}
		}
	}
	return m.of(e.AccreditationID, named)
}

// of returns the figures of the graduates who named any of named, as
// programme's.
func (m *Effectiveness) of(programme string, named []string) ProgrammeEffectiveness {
	var gs []*graduateCase
	for _, p := range named {
		for id := range m.byProgramme[p] {
			gs = append(gs, m.Graduates[id])
		}
	}
	v := ProgrammeEffectiveness{AccreditationID: programme, MinGraduates: MinGraduates,
		Categories: []CategoryRatings{}, Outcomes: []LevelOutcomes{}}
	if n := len(people(gs)); n >= MinGraduates {
		v.Graduates, v.GraduatesShown = n, true
	}
	for cat := 1; cat <= framework.NumCategories; cat++ {
		cells := cellsOf(ratingValues)
		for _, g := range gs {
			for _, r := range g.Ratings[cat] {
				cells[slices.Index(ratingValues, string(r))].add(g.Applicant)
			}
		}
		v.Categories = append(v.Categories, CategoryRatings{Category: cat, Distribution: distribute(cells)})
	}
	v.Outcomes = outcomesByLevel(gs)
	v.TimeToAward = timeToAward(gs)
	return v
}

var ratingValues = []string{string(accreditation.RatingNotEvidenced), string(accreditation.RatingPartiallyEvidenced), string(accreditation.RatingEvidenced)}

// outcomesByLevel groups the cases by the level applied for, merging
// neighbouring levels until each group rests on MinGraduates graduates;
// a group's outcomes are a distribution of their own.
func outcomesByLevel(gs []*graduateCase) []LevelOutcomes {
	levels := make([]string, len(framework.Levels))
	for i, l := range framework.Levels {
		levels[i] = string(l)
	}
	byLevel := cellsOf(levels)
	for _, g := range gs {
		if i := slices.Index(levels, string(g.Level)); i >= 0 {
			byLevel[i].add(g.Applicant)
		}
	}
	out := []LevelOutcomes{}
	if !distribute(byLevel).Shown {
		return out
	}
	for _, group := range merge(byLevel) {
		if group.count == 0 {
			continue // no case at these levels
		}
		var ls []framework.Level
		for _, l := range group.values {
			if byLevel[slices.Index(levels, l)].count > 0 {
				ls = append(ls, framework.Level(l))
			}
		}
		cells := cellsOf([]string{OutcomeNotAwarded, OutcomeAwardedLower, OutcomeAwardedAsFor})
		for _, g := range gs {
			if !slices.Contains(ls, g.Level) {
				continue
			}
			switch {
			case g.Outcome != accreditation.OutcomeAwarded:
				cells[0].add(g.Applicant)
			case g.LevelAwarded != g.Level:
				cells[1].add(g.Applicant)
			default:
				cells[2].add(g.Applicant)
			}
		}
		out = append(out, LevelOutcomes{Levels: ls, Distribution: distribute(cells)})
	}
	return out
}

// AwardBands names the time-to-award parts, shortest first:
// "up_to_8_weeks"... and "over_26_weeks".
func AwardBands() []string {
	values := []string{}
	for _, w := range AwardWeeks {
		values = append(values, "up_to_"+strconv.Itoa(w)+"_weeks")
	}
	return append(values, "over_"+strconv.Itoa(AwardWeeks[len(AwardWeeks)-1])+"_weeks")
}

func timeToAward(gs []*graduateCase) TimeToAward {
	cells := cellsOf(AwardBands())
	var days []float64
	for _, g := range gs {
		if g.Outcome != accreditation.OutcomeAwarded {
			continue
		}
		days = append(days, g.DaysToAward)
		i := slices.IndexFunc(AwardWeeks, func(w int) bool { return g.DaysToAward <= float64(7*w) })
		if i < 0 {
			i = len(AwardWeeks)
		}
		cells[i].add(g.Applicant)
	}
	t := TimeToAward{Distribution: distribute(cells)}
	if t.Shown {
		slices.Sort(days)
		t.MedianWeeks = int(math.Round(nearestRank(days, 0.5) / 7)) // rounded once: 24.46 days are 3 weeks, not 24.5 days, 4
	}
	return t
}

// cell is one value of a distribution: how many fell in it, and who.
type cell struct {
	values []string
	count  int
	who    map[string]bool
}

func cellsOf(values []string) []*cell {
	out := make([]*cell, len(values))
	for i, v := range values {
		out[i] = &cell{values: []string{v}, who: map[string]bool{}}
	}
	return out
}

func (c *cell) add(person string) {
	c.count++
	c.who[person] = true
}

// people are the distinct graduates of gs.
func people(gs []*graduateCase) map[string]bool {
	out := map[string]bool{}
	for _, g := range gs {
		out[g.Applicant] = true
	}
	return out
}

// distribute shapes cells into a distribution: hidden when all of them
// rest on fewer than MinGraduates graduates, and otherwise with every part
// that rests on fewer merged with a neighbour (see merge).
func distribute(cells []*cell) Distribution {
	all := map[string]bool{}
	total := 0
	for _, c := range cells {
		total += c.count
		for p := range c.who {
			all[p] = true
		}
	}
	if len(all) < MinGraduates {
		return Distribution{}
	}
	d := Distribution{Shown: true, Count: total}
	for _, g := range merge(cells) {
		d.Parts = append(d.Parts, Share{Values: g.values, Count: g.count, Percent: int(math.Round(100 * float64(g.count) / float64(total)))})
	}
	return d
}

// merge joins ordered cells into groups until no group that holds anyone
// rests on fewer than MinGraduates graduates: the smallest such group is
// joined with its nearest neighbour holding anyone, on the side holding
// fewer (the lower one on a tie), taking in the empty cells between. An
// empty cell is left as it is: that nobody fell in it is shown. The cells
// together must rest on MinGraduates graduates at least.
func merge(cells []*cell) []*cell {
	groups := make([]*cell, len(cells))
	for i, c := range cells {
		groups[i] = &cell{values: slices.Clone(c.values), count: c.count, who: c.who}
	}
	for {
		small := -1
		for i, g := range groups {
			if g.count > 0 && len(g.who) < MinGraduates && (small < 0 || len(g.who) < len(groups[small].who)) {
				small = i
			}
		}
		if small < 0 {
			return groups
		}
		left, right := small-1, small+1
		for left >= 0 && groups[left].count == 0 {
			left--
		}
		for right < len(groups) && groups[right].count == 0 {
			right++
		}
		from, to := left, small
		if left < 0 || right < len(groups) && len(groups[right].who) < len(groups[left].who) {
			from, to = small, right
		}
		if from < 0 || to >= len(groups) {
			return groups // the one group holding anyone: cannot happen when the cells rest on enough
		}
		joined := &cell{who: map[string]bool{}}
		for _, g := range groups[from : to+1] {
			joined.values = append(joined.values, g.values...)
			joined.count += g.count
			for p := range g.who {
				joined.who[p] = true
			}
		}
		groups = slices.Concat(groups[:from], []*cell{joined}, groups[to+1:])
	}
}
