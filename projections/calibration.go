package projections

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/calibration"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
)

// Calibration is the read model of how assessors agree: each pair of
// assessments of one case (the assessor's and the verifier's) counted per
// category, per assessor and per quarter, and how often an assessor's
// recommendation was overturned, in moderation or on appeal. It keeps
// counts, and of each case only what the next pair, moderation or appeal
// needs.
type Calibration struct {
	// Categories: the assessor's rating (rows) against the verifier's
	// (columns), per category.
	Categories map[int]*calibration.Matrix `json:"categories"`
	// Assessors: per user id, their ratings (rows) against the other's.
	Assessors map[string]*AssessorCalibration `json:"assessors"`
	Cases     map[string]*calibrationCase     `json:"cases"`
	errors    int64
	gen       uint64 // counts the snapshots' captures (copy on write)
}

// AssessorCalibration is one assessor's record, in all and per quarter.
type AssessorCalibration struct {
	CalibrationTally
	Categories map[int]*calibration.Matrix  `json:"categories"`
	Quarters   map[string]*CalibrationTally `json:"quarters"` // "2026-Q1"
}

// CalibrationTally is the counts of one assessor over some period.
type CalibrationTally struct {
	Pairs calibration.Matrix `json:"pairs"`
	// Assessments is how many assessments they submitted (each a
	// recommendation); Moderated how many of those went to moderation, and
	// ModeratedAgainst how many the moderator decided otherwise. Appealed is
	// how many were followed by a decision that was appealed and decided,
	// AppealedAgainst how many of those the appeal upheld against a
	// decision that had gone their way.
	Assessments      int `json:"assessments"`
	Moderated        int `json:"moderated"`
	ModeratedAgainst int `json:"moderated_against"`
	Appealed         int `json:"appealed"`
	AppealedAgainst  int `json:"appealed_against"`
	// Overturned is how many assessments were overturned, in moderation or
	// on appeal: one overturned in both counts once (the share overturned
	// is of assessments).
	Overturned int `json:"overturned,omitempty"`
}

// calibrationCase is what one case's next events need: the current round
// of assessments (a return to assessment starts a new round) and the
// outcome of each decision. It is kept for every case assessed, so it is
// kept small: slices where maps of one or two entries took three times the
// room (123 against 45 MiB for 50k cases each assessed twice, half of
// them decided).
type calibrationCase struct {
	Round round `json:"round,omitempty"`
	// Assessed counts the case's assessments: each is numbered by it (N),
	// so that one an appeal weighed twice (upheld back to the decision,
	// then appealed again) counts once in Appealed and AppealedAgainst.
	Assessed int `json:"k,omitempty"`
	// Appealed and Against are the numbers of the assessments counted as
	// appealed, and as appealed against.
	Appealed []int `json:"ap,omitempty"`
	Against  []int `json:"ag,omitempty"`
	// Decisions are the case's decisions, in the order made, each with the
	// assessments that stood when it was made.
	Decisions []calibrationDecision `json:"decisions,omitempty"`
	// gen is the model's capture generation when the case was made or
	// copied: below the model's, a snapshot's capture may be encoding it.
	gen uint64
}

type calibrationDecision struct {
	Number  int                     `json:"number"`
	Outcome accreditation.Outcome   `json:"outcome"`
	Level   framework.Level         `json:"level,omitempty"` // awarded
	Stood   []calibrationAssessment `json:"stood,omitempty"`
}

type calibrationAssessment struct {
	UserID         string                       `json:"user_id"`
	Ratings        ratings                      `json:"ratings"`
	Recommendation accreditation.Recommendation `json:"recommendation"`
	// Level is the one recommended for an award (absent in assessments
	// recorded before it was).
	Level   framework.Level `json:"level,omitempty"`
	Quarter string          `json:"quarter"`
	N       int             `json:"n,omitempty"`
	// ModeratedAgainst is set when the moderation went against it: an
	// appeal upheld against it then overturns it no further.
	ModeratedAgainst bool `json:"ma,omitempty"`
}

// round is one assessment per assessor role, in the order they came.
type round []roleAssessment

type roleAssessment struct {
	Role accreditation.AssessorRole `json:"role"`
	calibrationAssessment
}

// get returns role's assessment in the round.
func (r round) get(role accreditation.AssessorRole) (calibrationAssessment, bool) {
	for _, a := range r {
		if a.Role == role {
			return a.calibrationAssessment, true
		}
	}
	return calibrationAssessment{}, false
}

// set puts role's assessment in the round, in place of one it had.
func (r round) set(role accreditation.AssessorRole, a calibrationAssessment) round {
	for i := range r {
		if r[i].Role == role {
			r[i].calibrationAssessment = a
			return r
		}
	}
	return append(r, roleAssessment{Role: role, calibrationAssessment: a})
}

// ratings are an assessment's ratings by category, in category order,
// one per category; never changed once made (a capture shares them).
type ratings []categoryRating

type categoryRating struct {
	Category int                  `json:"category"`
	Rating   accreditation.Rating `json:"rating"`
}

// ratingsOf makes ratings of an assessment's: the last rating of a
// category given twice stands, as it did in a map. The ratings' names are
// the package's constants, so the decoded event's strings are not kept.
func ratingsOf(in []accreditation.CategoryRating) ratings {
	out := make(ratings, 0, len(in))
	for _, r := range in {
		i, found := slices.BinarySearchFunc(out, r.Category, func(c categoryRating, cat int) int { return c.Category - cat })
		cr := categoryRating{Category: r.Category, Rating: knownRating(r.Rating)}
		if found {
			out[i] = cr
		} else {
			out = slices.Insert(out, i, cr)
		}
	}
	return slices.Clip(out)
}

// of returns the rating of category cat, "" when it has none.
func (rs ratings) of(cat int) accreditation.Rating {
	if i, found := slices.BinarySearchFunc(rs, cat, func(c categoryRating, cat int) int { return c.Category - cat }); found {
		return rs[i].Rating
	}
	return ""
}

// intern replaces the ratings' names by the package's constants (after a
// snapshot's restore, before any capture shares them).
func (rs ratings) intern() {
	for i := range rs {
		rs[i].Rating = knownRating(rs[i].Rating)
	}
}

func knownRating(r accreditation.Rating) accreditation.Rating {
	for _, k := range calibration.Scale {
		if r == k {
			return k
		}
	}
	return r
}

// knownRole is role as the package's constant, so that the decoded
// event's string is not kept.
func knownRole(role accreditation.AssessorRole) accreditation.AssessorRole {
	for _, k := range accreditation.AssessorRoles {
		if role == k {
			return k
		}
	}
	return role
}

// NewCalibration returns an empty calibration model.
func NewCalibration() *Calibration {
	return &Calibration{Categories: map[int]*calibration.Matrix{}, Assessors: map[string]*AssessorCalibration{}, Cases: map[string]*calibrationCase{}}
}

// Name implements ReadModel.
func (m *Calibration) Name() string { return "calibration" }

// Quarter names the calendar quarter of t (UTC), such as "2026-Q1".
func Quarter(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

// Apply implements ReadModel.
func (m *Calibration) Apply(e eventstore.Event) {
	id, ok := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	switch accreditation.EventType(e.Type) {
	case accreditation.EventAssessmentSubmitted:
		var d accreditation.AssessmentSubmitted
		if m.decode(e, &d) {
			m.assessed(id, e, d)
		}
	case accreditation.EventCaseModerated:
		var d accreditation.CaseModerated
		if m.decode(e, &d) {
			m.moderated(id, d)
		}
	case accreditation.EventDecisionMade:
		var d accreditation.DecisionMade
		if m.decode(e, &d) {
			m.decided(id, d)
		}
	case accreditation.EventAppealDecided:
		var d accreditation.AppealDecided
		if m.decode(e, &d) {
			m.appealDecided(id, d)
		}
	}
}

// applyDecoded implements decodedApplier: the replay's payload, decoded
// ahead on every core, rather than decoded again here, on the one goroutine
// that applies every model's events.
func (m *Calibration) applyDecoded(d decodedEvent) {
	id, ok := strings.CutPrefix(d.event.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	switch p := d.payload.(type) {
	case accreditation.AssessmentSubmitted:
		m.assessed(id, d.event, p)
	case accreditation.CaseModerated:
		m.moderated(id, p)
	case accreditation.DecisionMade:
		m.decided(id, p)
	case accreditation.AppealDecided:
		m.appealDecided(id, p)
	case nil:
		m.Apply(d.event) // it did not decode: Apply counts it
	}
}

func (m *Calibration) decided(id string, d accreditation.DecisionMade) {
	c := m.caseOf(id)
	dec := c.decision(d.Number)
	if dec == nil {
		c.Decisions = append(c.Decisions, calibrationDecision{Number: d.Number})
		dec = &c.Decisions[len(c.Decisions)-1]
	}
	dec.Outcome, dec.Level = d.Outcome, knownLevel(d.Level)
	for _, role := range accreditation.AssessorRoles {
		if a, ok := c.Round.get(role); ok {
			dec.Stood = append(dec.Stood, a)
		}
	}
}

// decision returns decision number n of the case, nil when it has none.
func (c *calibrationCase) decision(n int) *calibrationDecision {
	for i := range c.Decisions {
		if c.Decisions[i].Number == n {
			return &c.Decisions[i]
		}
	}
	return nil
}

func (m *Calibration) decode(e eventstore.Event, v any) bool {
	if err := json.Unmarshal(e.Data, v); err != nil {
		m.errors++
		return false
	}
	return true
}

// caseOf returns case id's record to change, made if new, copied if a
// snapshot's capture shares it (an assessment's ratings are never changed,
// so the copy shares them).
func (m *Calibration) caseOf(id string) *calibrationCase {
	c := m.Cases[id]
	switch {
	case c == nil:
		c = &calibrationCase{gen: m.gen}
		m.Cases[id] = c
	case c.gen < m.gen:
		n := &calibrationCase{Round: slices.Clone(c.Round), Decisions: slices.Clone(c.Decisions), Assessed: c.Assessed,
			Appealed: slices.Clone(c.Appealed), Against: slices.Clone(c.Against), gen: m.gen}
		for i := range n.Decisions {
			n.Decisions[i].Stood = slices.Clone(n.Decisions[i].Stood)
		}
		c = n
		m.Cases[id] = c
	}
	return c
}

// capture implements capturer: the cases' records are shared with the
// capture and copied by caseOf before they change; the counts, per
// category and per assessor (a few per assessor and quarter), are copied.
func (m *Calibration) capture() func(w *snapWriter) error {
	m.gen++
	frozen := &Calibration{Categories: cloneMatrices(m.Categories), Assessors: make(map[string]*AssessorCalibration, len(m.Assessors)),
		Cases: maps.Clone(m.Cases)}
	for id, a := range m.Assessors {
		n := &AssessorCalibration{CalibrationTally: a.CalibrationTally, Categories: cloneMatrices(a.Categories),
			Quarters: make(map[string]*CalibrationTally, len(a.Quarters))}
		for q, t := range a.Quarters {
			t := *t
			n.Quarters[q] = &t
		}
		frozen.Assessors[id] = n
	}
	return frozen.writeTo
}

// writeTo writes the model as json.Marshal writes it, its cases (one
// record per case with assessments) a case at a time (see writeMap).
func (m *Calibration) writeTo(w *snapWriter) error {
	head, err := openObject(json.Marshal(struct {
		Categories map[int]*calibration.Matrix     `json:"categories"`
		Assessors  map[string]*AssessorCalibration `json:"assessors"`
	}{m.Categories, m.Assessors}))
	if err != nil {
		return err
	}
	w.Write(head)
	w.WriteString(`,"cases":`)
	if err := writeMap(w, m.Cases); err != nil {
		return err
	}
	_, err = w.WriteString("}")
	return err
}

func cloneMatrices(in map[int]*calibration.Matrix) map[int]*calibration.Matrix {
	out := make(map[int]*calibration.Matrix, len(in))
	for k, x := range in {
		x := *x
		out[k] = &x
	}
	return out
}

func (m *Calibration) assessor(userID string) *AssessorCalibration {
	a := m.Assessors[userID]
	if a == nil {
		a = &AssessorCalibration{Categories: map[int]*calibration.Matrix{}, Quarters: map[string]*CalibrationTally{}}
		m.Assessors[userID] = a
	}
	return a
}

// tally runs count on an assessor's totals and on their quarter's.
func (m *Calibration) tally(userID, quarter string, count func(t *CalibrationTally)) {
	a := m.assessor(userID)
	count(&a.CalibrationTally)
	q := a.Quarters[quarter]
	if q == nil {
		q = &CalibrationTally{}
		a.Quarters[quarter] = q
	}
	count(q)
}

// assessed records an assessment; the second of a round makes the pairs.
func (m *Calibration) assessed(id string, e eventstore.Event, d accreditation.AssessmentSubmitted) {
	c := m.caseOf(id)
	if len(c.Round) == len(accreditation.AssessorRoles) {
		c.Round = nil // assessed again after a return: a new round
	}
	c.Assessed++
	a := calibrationAssessment{UserID: e.Actor.ID, Ratings: ratingsOf(d.Ratings), Recommendation: d.Recommendation,
		Level: knownLevel(d.Level), Quarter: Quarter(e.OccurredAt), N: c.Assessed}
	c.Round = c.Round.set(knownRole(d.Role), a)
	m.tally(a.UserID, a.Quarter, func(t *CalibrationTally) { t.Assessments++ })
	first, _ := c.Round.get(accreditation.RoleAssessor)
	second, _ := c.Round.get(accreditation.RoleVerifier)
	if first.UserID == "" || second.UserID == "" {
		return
	}
	for _, r := range first.Ratings {
		cat, r1, r2 := r.Category, r.Rating, second.Ratings.of(r.Category)
		var pair calibration.Matrix
		if r2 == "" || !pair.Add(r1, r2) {
			continue
		}
		m.matrix(m.Categories, cat).Merge(pair)
		for _, side := range []struct {
			who  calibrationAssessment
			pair calibration.Matrix
		}{{first, pair}, {second, pair.Transposed()}} {
			m.matrix(m.assessor(side.who.UserID).Categories, cat).Merge(side.pair)
			// In the quarter the side assessed in: its report is "by when
			// they assessed", and the other may have assessed in the next.
			m.tally(side.who.UserID, side.who.Quarter, func(t *CalibrationTally) { t.Pairs.Merge(side.pair) })
		}
	}
}

func (m *Calibration) matrix(in map[int]*calibration.Matrix, cat int) *calibration.Matrix {
	x := in[cat]
	if x == nil {
		x = &calibration.Matrix{}
		in[cat] = x
	}
	return x
}

// moderated counts, for each assessment of the round, whether the
// moderator recommended otherwise.
func (m *Calibration) moderated(id string, d accreditation.CaseModerated) {
	c := m.caseOf(id)
	for i := range c.Round {
		a := &c.Round[i]
		// Otherwise: another recommendation, or an award at another level
		// (either recorded without one: the recommendation alone).
		against := a.Recommendation != d.Recommendation || a.Level != "" && d.Level != "" && a.Level != d.Level
		if against {
			a.ModeratedAgainst = true // the round is the case's own copy (caseOf)
		}
		m.tally(a.UserID, a.Quarter, func(t *CalibrationTally) {
			t.Moderated++
			if against {
				t.ModeratedAgainst++
				t.Overturned++
			}
		})
	}
}

// appealDecided counts, for each assessment the appealed decision stood
// on, whether the appeal was upheld against a decision that had gone the
// assessment's way; an assessment once (appeals of two decisions made on
// it, the first upheld back to the decision, are one assessment appealed).
func (m *Calibration) appealDecided(id string, d accreditation.AppealDecided) {
	c := m.caseOf(id)
	dec := c.decision(d.DecisionNumber)
	if dec == nil {
		return
	}
	for _, a := range dec.Stood {
		appealed := a.N == 0 || !slices.Contains(c.Appealed, a.N)
		against := d.Outcome == accreditation.AppealUpheld && followed(a, *dec) && (a.N == 0 || !slices.Contains(c.Against, a.N))
		if a.N != 0 && appealed {
			c.Appealed = append(c.Appealed, a.N)
		}
		if a.N != 0 && against {
			c.Against = append(c.Against, a.N)
		}
		m.tally(a.UserID, a.Quarter, func(t *CalibrationTally) {
			if appealed {
				t.Appealed++
			}
			if against {
				t.AppealedAgainst++
				if !a.ModeratedAgainst {
					t.Overturned++
				}
			}
		})
	}
}

// followed reports whether a decision went the way of an assessment's
// recommendation: an award at the level it recommended (at any level for
// one recorded without it), or no award.
func followed(a calibrationAssessment, dec calibrationDecision) bool {
	switch a.Recommendation {
	case accreditation.RecommendAward, accreditation.RecommendAwardLower:
		return dec.Outcome == accreditation.OutcomeAwarded && (a.Level == "" || dec.Level == "" || a.Level == dec.Level)
	case accreditation.RecommendNotAward:
		return dec.Outcome == accreditation.OutcomeNotAwarded
	}
	return false
}

// knownLevel is l as the framework's constant (a record holds no string
// of its own for it); another, as it came.
func knownLevel(l framework.Level) framework.Level {
	for _, k := range []framework.Level{framework.Foundation, framework.Practitioner, framework.SeniorPractitioner, framework.MasterPractitioner} {
		if l == k {
			return k
		}
	}
	return l
}

// Snapshot implements ReadModel.
func (m *Calibration) Snapshot() ([]byte, error) { return encodeInMemory(m.writeTo) }

// Restore implements ReadModel.
func (m *Calibration) Restore(b []byte) error {
	fresh := NewCalibration()
	if err := unmarshal(b, fresh); err != nil {
		return err
	}
	// The names as the package's constants: a case's record holds no
	// string of its own for them, as when it was made from the events.
	for _, c := range fresh.Cases {
		for i := range c.Round {
			c.Round[i].Role = knownRole(c.Round[i].Role)
			c.Round[i].Ratings.intern()
			c.Round[i].Level = knownLevel(c.Round[i].Level)
		}
		for i := range c.Decisions {
			d := &c.Decisions[i]
			d.Level = knownLevel(d.Level)
			for j := range d.Stood {
				d.Stood[j].Ratings.intern()
				d.Stood[j].Level = knownLevel(d.Stood[j].Level)
			}
		}
	}
	*m = *fresh
	return nil
}

// Agreement is how far two assessors' ratings agree over some pairs; the
// figures are absent where they are not defined (no pairs; for kappa, one
// rating throughout).
type Agreement struct {
	Pairs     int      `json:"pairs"`
	Agreement *float64 `json:"agreement,omitempty"`
	Kappa     *float64 `json:"kappa,omitempty"`
}

func agreementOf(m calibration.Matrix) Agreement {
	out := Agreement{Pairs: m.N()}
	if a, ok := m.Agreement(); ok {
		out.Agreement = &a
	}
	if k, ok := m.Kappa(); ok {
		out.Kappa = &k
	}
	return out
}

// CategoryAgreement is the agreement on one category.
type CategoryAgreement struct {
	Category int `json:"category"`
	Agreement
}

// TallyReport is an assessor's figures over some period.
type TallyReport struct {
	Agreement
	Assessments      int `json:"assessments"`
	Moderated        int `json:"moderated"`
	ModeratedAgainst int `json:"moderated_against"`
	Appealed         int `json:"appealed"`
	AppealedAgainst  int `json:"appealed_against"`
	// Overturned is the share of their assessments whose recommendation
	// was overturned, in moderation or on appeal.
	Overturned *float64 `json:"overturned,omitempty"`
}

func tallyReport(t CalibrationTally) TallyReport {
	r := TallyReport{Agreement: agreementOf(t.Pairs), Assessments: t.Assessments, Moderated: t.Moderated,
		ModeratedAgainst: t.ModeratedAgainst, Appealed: t.Appealed, AppealedAgainst: t.AppealedAgainst}
	if t.Assessments > 0 {
		o := float64(t.Overturned) / float64(t.Assessments)
		r.Overturned = &o
	}
	return r
}

// AssessorReport is one assessor's calibration.
type AssessorReport struct {
	UserID string `json:"user_id"`
	TallyReport
	Categories []CategoryAgreement `json:"categories"`
	Quarters   []QuarterReport     `json:"quarters"`
}

// QuarterReport is an assessor's figures in one calendar quarter (by when
// they assessed), for the drift over time.
type QuarterReport struct {
	Quarter string `json:"quarter"`
	TallyReport
}

// CalibrationReport is the calibration as one reader may see it.
type CalibrationReport struct {
	Scale      []accreditation.Rating `json:"scale"`
	Weights    string                 `json:"weights"`
	Categories []CategoryAgreement    `json:"categories,omitempty"`
	Assessors  []AssessorReport       `json:"assessors"`
}

// Report returns every assessor's calibration and the agreement per
// category (all), or only the one assessor's figures (only set): an
// assessor sees their own and nobody else's.
func (m *Calibration) Report(only string) CalibrationReport {
	out := CalibrationReport{Scale: calibration.Scale, Weights: "linear", Assessors: []AssessorReport{}}
	if only == "" {
		for _, cat := range slices.Sorted(maps.Keys(m.Categories)) {
			out.Categories = append(out.Categories, CategoryAgreement{Category: cat, Agreement: agreementOf(*m.Categories[cat])})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(m.Assessors)) {
		if only != "" && id != only {
			continue
		}
		a := m.Assessors[id]
		r := AssessorReport{UserID: id, TallyReport: tallyReport(a.CalibrationTally), Categories: []CategoryAgreement{}, Quarters: []QuarterReport{}}
		for _, cat := range slices.Sorted(maps.Keys(a.Categories)) {
			r.Categories = append(r.Categories, CategoryAgreement{Category: cat, Agreement: agreementOf(*a.Categories[cat])})
		}
		for _, q := range slices.Sorted(maps.Keys(a.Quarters)) {
			r.Quarters = append(r.Quarters, QuarterReport{Quarter: q, TallyReport: tallyReport(*a.Quarters[q])})
		}
		out.Assessors = append(out.Assessors, r)
	}
	return out
}
