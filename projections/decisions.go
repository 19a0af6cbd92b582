package projections

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// DecisionRecord is one decision with what it stood on.
type DecisionRecord struct {
	CaseID             string                     `json:"case_id"`
	Number             int                        `json:"number"`
	Scheme             accreditation.Scheme       `json:"scheme"`
	LevelAppliedFor    framework.Level            `json:"level_applied_for"`
	LevelAwarded       framework.Level            `json:"level_awarded,omitempty"`
	Outcome            accreditation.Outcome      `json:"outcome"`
	Rationale          pii.Sealed                 `json:"rationale"`
	DecidedBy          string                     `json:"decided_by"`
	DecidedAt          time.Time                  `json:"decided_at"`
	SubmittedAt        time.Time                  `json:"submitted_at"`
	DaysFromSubmission float64                    `json:"days_from_submission"`
	Assessments        []accreditation.Assessment `json:"assessments"`
	Moderation         *accreditation.Moderation  `json:"moderation,omitempty"`
	RuleSet            string                     `json:"rule_set"`
	Appeals            []accreditation.Appeal     `json:"appeals"`
	Overturned         bool                       `json:"overturned"`
}

// Decisions is the read model of every decision: each recorded with both
// assessments as they stood when it was taken, the appeals beside it.
//
// It reads the context of each decision from the Cases model of its own
// generation, which the runner applies first, so every event is decoded
// once for both.
//
// Each record is held as its JSON, in a spill beside the snapshot when
// there is a directory (on the heap otherwise), with the fields a page
// filters and orders on beside it (decisionHead): the records with their
// assessments and sealed texts were 375 MB of the heap at 100k cases,
// for a page of them now and then. A page decodes the records it shows.
// A record is replaced when an appeal changes it, its old JSON left in
// the spill (two appeal events in ten decisions: no compaction).
type Decisions struct {
	records []*decisionHead
	cases   *Cases
	index   map[string][]int // case id -> positions in records
	// byTime is the positions in records ordered by decisionKey, oldest
	// first: a page walks it from the newest and stops at its size.
	byTime []int
	// ScanBound is how many decisions one page looks at most when its
	// filter matches few (0: DefaultDecisionScanBound).
	ScanBound int

	spills spillPlace
}

// decisionHead is what a page filters and orders a decision on, and
// where its record's JSON is.
type decisionHead struct {
	CaseID          string                `json:"case_id"`
	Number          int                   `json:"number"`
	Scheme          accreditation.Scheme  `json:"scheme"`
	LevelAppliedFor framework.Level       `json:"level_applied_for"`
	LevelAwarded    framework.Level       `json:"level_awarded,omitempty"`
	Outcome         accreditation.Outcome `json:"outcome"`
	DecidedAt       time.Time             `json:"decided_at"`
	Assessments     []assessorRef         `json:"assessments"`
	json            coldCase
}

// assessorRef is who made one of a decision's assessments.
type assessorRef struct {
	UserID string `json:"user_id"`
}

func headOf(r *DecisionRecord) *decisionHead {
	h := &decisionHead{CaseID: r.CaseID, Number: r.Number, Scheme: r.Scheme, LevelAppliedFor: r.LevelAppliedFor,
		LevelAwarded: r.LevelAwarded, Outcome: r.Outcome, DecidedAt: r.DecidedAt}
	for _, a := range r.Assessments {
		h.Assessments = append(h.Assessments, assessorRef{a.UserID})
	}
	return h
}

// Len is the number of decisions recorded.
func (m *Decisions) Len() int { return len(m.records) }

// record decodes the decision at position i.
func (m *Decisions) record(i int) (*DecisionRecord, error) {
	return m.records[i].record()
}

func (h *decisionHead) record() (*DecisionRecord, error) {
	b, err := h.json.read(nil)
	if err != nil {
		return nil, err
	}
	r := &DecisionRecord{}
	return r, unmarshal(b, r)
}

// put records r at position i (len(m.records): a new one), its JSON as
// the snapshot holds it.
func (m *Decisions) put(i int, r *DecisionRecord) error {
	b, err := marshal(r)
	if err != nil {
		return err
	}
	h := headOf(r)
	var w stowing
	w.addBytes(r.CaseID, b)
	h.json = w.place(m.spills.file())[0]
	if i == len(m.records) {
		m.index[r.CaseID] = append(m.index[r.CaseID], i)
		m.records = append(m.records, h)
		m.place(i)
		return nil
	}
	m.records[i] = h // a new head: a snapshot's capture may hold the old one
	return nil
}

// DefaultDecisionScanBound bounds the decisions a page looks at, so that a
// filter matching few of many answers in a bounded time; the page then
// ends early with a cursor to go on from.
const DefaultDecisionScanBound = 10_000

// NewDecisions returns an empty decisions model over cases (applied first).
func NewDecisions(cases *Cases) *Decisions {
	return &Decisions{cases: cases, index: map[string][]int{}}
}

// DecisionCursor is where a page of decisions ended: the decision last
// looked at, by when it was taken, then its case and number.
type DecisionCursor struct {
	At     time.Time
	CaseID string
	Number int
}

func (h *decisionHead) key() DecisionCursor {
	return DecisionCursor{At: h.DecidedAt, CaseID: h.CaseID, Number: h.Number}
}

func (a DecisionCursor) compare(b DecisionCursor) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	if c := strings.Compare(a.CaseID, b.CaseID); c != 0 {
		return c
	}
	return a.Number - b.Number
}

// String is the cursor as the API and the pages write it.
func (a DecisionCursor) String() string {
	return strconv.FormatInt(a.At.UnixNano(), 10) + "." + strconv.Itoa(a.Number) + "." + a.CaseID
}

// ParseDecisionCursor reads what String wrote.
func ParseDecisionCursor(v string) (DecisionCursor, error) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) == 3 && parts[2] != "" {
		at, err1 := strconv.ParseInt(parts[0], 10, 64)
		n, err2 := strconv.Atoi(parts[1])
		// A case's id and a decision's number, as String wrote them: a
		// tampered one read as a place in the list gave an empty page.
		if err1 == nil && err2 == nil && n >= 0 && domain.ValidULID(parts[2]) {
			return DecisionCursor{At: time.Unix(0, at).UTC(), CaseID: parts[2], Number: n}, nil
		}
	}
	return DecisionCursor{}, errors.New("not a decisions cursor")
}

// place puts the record at position i into byTime; decisions arrive nearly
// in time order, so its place is at or near the end.
func (m *Decisions) place(i int) {
	k := m.records[i].key()
	j := len(m.byTime)
	for j > 0 && m.records[m.byTime[j-1]].key().compare(k) > 0 {
		j--
	}
	m.byTime = slices.Insert(m.byTime, j, i)
}

// Name implements ReadModel.
func (m *Decisions) Name() string { return "decisions" }

// Apply implements ReadModel.
func (m *Decisions) Apply(e eventstore.Event) {
	id, ok := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	c, ok := m.cases.Case(id) // folded: Cases has just applied e
	if !ok {
		return
	}
	switch accreditation.EventType(e.Type) {
	case accreditation.EventDecisionMade:
		d := c.Decision
		if d == nil {
			return
		}
		r := &DecisionRecord{CaseID: id, Number: d.Number, Scheme: c.Scheme, LevelAppliedFor: c.Level, Outcome: d.Outcome,
			Rationale: d.Rationale, DecidedBy: d.By, DecidedAt: d.At, SubmittedAt: c.SubmittedAt, RuleSet: c.RuleSetVersion,
			Assessments: []accreditation.Assessment{}, Appeals: []accreditation.Appeal{}}
		if d.Outcome == accreditation.OutcomeAwarded {
			r.LevelAwarded = d.Level
		}
		if !c.SubmittedAt.IsZero() {
			r.DaysFromSubmission = float64(int(d.At.Sub(c.SubmittedAt).Hours()/24*10)) / 10
		}
		for _, role := range accreditation.AssessorRoles {
			if a, ok := c.Assessments.Get(role); ok {
				r.Assessments = append(r.Assessments, a)
			}
		}
		if c.Moderation != nil {
			mod := *c.Moderation
			r.Moderation = &mod
		}
		if err := m.put(len(m.records), r); err != nil {
			slog.Error("decision not recorded", "case", id, "err", err) // not reached: a record encodes
		}
	case accreditation.EventAppealFiled, accreditation.EventAppealDecided:
		for _, i := range m.index[id] {
			// A new record, not the old one changed: a snapshot's
			// capture may be encoding the old one (see capture).
			r, err := m.record(i)
			if err != nil {
				slog.Error("decision not read back; its appeals are not recorded", "case", id, "err", err)
				continue
			}
			r.Appeals = []accreditation.Appeal{}
			for _, a := range c.Appeals {
				if a.DecisionNumber == r.Number {
					r.Appeals = append(r.Appeals, a)
				}
			}
			for _, pd := range c.PastDecisions {
				if pd.Number == r.Number && pd.Overturned {
					r.Overturned = true
				}
			}
			if err := m.put(i, r); err != nil {
				slog.Error("appeal not recorded", "case", id, "err", err) // not reached: a record encodes
			}
		}
	}
}

// Snapshot implements ReadModel: the records in chunks, decoded on every
// core at a start (one document took a core 2 to 3 s at 10k cases).
func (m *Decisions) Snapshot() ([]byte, error) {
	return encodeInMemory(func(w *snapWriter) error { return encodeDecisions(w, m.records) })
}

// capture implements capturer: records are added, or replaced when an
// appeal changes one, never changed in place (nor their JSON, in a spill
// only appended to), so a copy of the list holds them as they stand.
func (m *Decisions) capture() func(w *snapWriter) error {
	records := slices.Clone(m.records)
	return func(w *snapWriter) error { return encodeDecisions(w, records) }
}

// encodeDecisions is encodeChunked of the records, from their JSON as held:
// a chunk is the JSON array of its records' JSON, as json.Marshal writes
// one.
func encodeDecisions(w *snapWriter, records []*decisionHead) error {
	headOf := func(sizes []int) ([]byte, error) { return openObject(json.Marshal(sizedChunks{Sizes: sizes})) }
	return writeChunks(w, (len(records)+chunkCases-1)/chunkCases, headOf, func(i int) ([]byte, error) {
		chunk := records[i*chunkCases : min((i+1)*chunkCases, len(records))]
		size := len(chunk) + 1
		for _, h := range chunk {
			size += h.json.n
		}
		b := append(make([]byte, 0, size), '[')
		for k, h := range chunk {
			if k > 0 {
				b = append(b, ',')
			}
			at := len(b)
			b = b[:at+h.json.n]
			if h.json.s == nil {
				copy(b[at:], h.json.b)
			} else if err := h.json.readInto(b[at:]); err != nil {
				return nil, fmt.Errorf("decision %d of case %s: %w", h.Number, h.CaseID, err)
			}
		}
		return append(b, ']'), nil
	})
}

// Restore implements ReadModel. Each record's JSON goes to the spill as
// the snapshot holds it, and only its head is decoded.
func (m *Decisions) Restore(b []byte) error {
	chunks, err := splitChunked(b)
	if err != nil {
		return err
	}
	sp := m.spills.file()
	heads := make([][]*decisionHead, len(chunks))
	// A chunk at a time on each core, its records' JSON dropped once in
	// the spill: the whole snapshot's decoded at once raised a restore's
	// peak by their size.
	err = eachOnCores(len(chunks), func(w *stowing, c int) error {
		w.reuse(len(chunks[c])) // the records are the chunk, less its commas and brackets
		err := eachRecord(chunks[c], func(h *decisionHead, raw []byte) {
			heads[c] = append(heads[c], h)
			w.addBytes(h.CaseID, raw)
		})
		if err != nil {
			return err
		}
		dropPages(chunks[c])
		for i, at := range w.place(sp) {
			heads[c][i].json = at
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.records, m.index = slices.Concat(heads...), map[string][]int{}
	m.byTime = make([]int, len(m.records))
	for i, h := range m.records {
		m.index[h.CaseID] = append(m.index[h.CaseID], i)
		m.byTime[i] = i
	}
	slices.SortFunc(m.byTime, func(a, b int) int { return m.records[a].key().compare(m.records[b].key()) })
	return nil
}

// eachRecord decodes the head of each record of a chunk (a JSON array of
// records) and gives it with the record's JSON, a slice of chunk, in one
// pass over it: decoded into raw values first, then each head from its
// value, the chunk was read twice and copied once (215 MB at 1M events).
// The heads are decoded as jsonv1.Unmarshal would.
func eachRecord(chunk []byte, fn func(h *decisionHead, raw []byte)) error {
	dec := jsontext.NewDecoder(bytes.NewReader(chunk))
	if tok, err := dec.ReadToken(); err != nil {
		return err
	} else if tok.Kind() != '[' {
		return fmt.Errorf("decisions chunk: got %v, want an array", tok.Kind())
	}
	for dec.PeekKind() != ']' {
		from := dec.InputOffset()
		h := &decisionHead{}
		if err := jsonv2.UnmarshalDecode(dec, h, jsonv1.DefaultOptionsV1()); err != nil {
			return err
		}
		// From the end of what came before: the comma and any space.
		raw := bytes.TrimLeft(chunk[from:dec.InputOffset()], ", \t\r\n")
		fn(h, raw)
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	return nil
}

// DecisionFilter narrows the decisions.
type DecisionFilter struct {
	Scheme, Level, Outcome, AssessorID string
	From, To                           time.Time
}

func (f DecisionFilter) match(r *decisionHead) bool {
	if (f.Scheme != "" && string(r.Scheme) != f.Scheme) || (f.Outcome != "" && string(r.Outcome) != f.Outcome) ||
		(f.Level != "" && string(r.LevelAppliedFor) != f.Level && string(r.LevelAwarded) != f.Level) ||
		(!f.From.IsZero() && r.DecidedAt.Before(f.From)) || (!f.To.IsZero() && !r.DecidedAt.Before(f.To)) {
		return false
	}
	return f.AssessorID == "" || slices.ContainsFunc(r.Assessments, func(a assessorRef) bool { return a.UserID == f.AssessorID })
}

// Page returns up to limit decisions matching f, newest first, from after
// the cursor (nil: the newest), and the cursor of the next page (nil at the
// end). It looks at most ScanBound decisions: a page's cost is its size and
// that bound, never every decision taken (a page may so end short of limit,
// with a cursor to go on from).
//
// A record that cannot be read back from the spill (a failing disk) is
// left out, and logged.
func (m *Decisions) Page(f DecisionFilter, after *DecisionCursor, limit int) ([]DecisionRecord, *DecisionCursor) {
	p, next := m.Pick(f, after, limit)
	return p.Records(), next
}

// DecisionPage is a page of decisions chosen, not yet decoded.
type DecisionPage struct{ heads []*decisionHead }

// Pick is Page without decoding the records, which DecisionPage.Records
// does: they need not be decoded under the read models' lock (what Pick
// chose is never changed, nor where its JSON is), which a page of 100
// held for milliseconds.
func (m *Decisions) Pick(f DecisionFilter, after *DecisionCursor, limit int) (DecisionPage, *DecisionCursor) {
	heads, next := m.pageHeads(f, after, limit)
	return DecisionPage{heads}, next
}

// Records decodes the page's records, newest first.
func (p DecisionPage) Records() []DecisionRecord {
	out := make([]DecisionRecord, 0, len(p.heads))
	for _, h := range p.heads {
		r, err := h.record()
		if err != nil {
			slog.Error("decision not read back", "case", h.CaseID, "number", h.Number, "err", err)
			continue
		}
		out = append(out, *r)
	}
	return out
}

// pageHeads is Page's choice of decisions.
func (m *Decisions) pageHeads(f DecisionFilter, after *DecisionCursor, limit int) ([]*decisionHead, *DecisionCursor) {
	out := []*decisionHead{}
	i := len(m.byTime) - 1
	if after != nil {
		j, _ := slices.BinarySearchFunc(m.byTime, *after, func(p int, k DecisionCursor) int { return m.records[p].key().compare(k) })
		i = j - 1 // the newest strictly before the cursor
	}
	bound := m.ScanBound
	if bound <= 0 {
		bound = DefaultDecisionScanBound
	}
	for scanned := 0; i >= 0; i-- {
		r := m.records[m.byTime[i]]
		if f.match(r) {
			if len(out) == limit {
				k := out[limit-1].key()
				return out, &k
			}
			out = append(out, r)
		}
		if scanned++; scanned >= bound && i > 0 {
			k := r.key() // everything newer has been looked at
			return out, &k
		}
	}
	return out, nil
}
