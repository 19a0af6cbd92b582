package projections

import (
	"bytes"
	"cmp"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/klauspost/compress/flate"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
)

// Most cases are finished (decided, withdrawn, their accreditation in force
// or ended), and the queries read only a few of their fields (statistics,
// an applicant's list). Yet as folded state each held about 13 KiB (135 MiB
// at 10k cases), and each was encoded again for every snapshot. So the
// cases model keeps folded (hot) only the cases in the queue, those with a
// renewal under way and the hotMax others used last; any other (cold) is
// kept as its JSON, deflated (about 5 KiB), beside a summary of the fields
// the statistics and lists read. A cold case is decoded when an event or a
// query needs it, and the snapshot writes it as it is.

// keepFolded is how many cases, neither queued nor renewing, stay folded.
const keepFolded = 1024

// catchUpFactor is how many times hotMax idle cases stay folded while the
// read side catches up from far behind (a start without a snapshot or with
// a long tail, a rebuild). A replay meets each case's events spread over
// the months it is in progress, thousands of cases at once at 50k cases;
// with hotMax folded, most events found their case deflated, and it was
// inflated and deflated again: a fifth of the CPU of a cold start at 1M
// events. Once caught up, the cases beyond hotMax are deflated at once.
const catchUpFactor = 8

// catchingUp says whether the events now applied are a catch-up from far
// behind the store's end; the end of one deflates the surplus at once.
func (m *Cases) catchingUp(on bool) {
	if on == m.catchUp {
		return
	}
	m.catchUp = on
	if !on {
		m.coolOff()
	}
}

// idleMax is how many idle cases may stay folded now.
func (m *Cases) idleMax() int {
	if m.catchUp {
		return m.hotMax * catchUpFactor
	}
	return m.hotMax
}

type hotCase struct {
	c       *accreditation.Case
	touched uint64
	// gen is the cases' capture generation when c was folded or copied:
	// c is shared with a snapshot's capture when gen is below the model's.
	gen uint64
}

// summary is what the statistics and the lists read of a case, made from
// its folded state after each of its events.
type summary struct {
	ApplicantID string               `json:"a,omitempty"`
	OpenedAt    time.Time            `json:"o,omitzero"`
	State       accreditation.State  `json:"s,omitempty"`
	Scheme      accreditation.Scheme `json:"sc,omitempty"`
	Level       framework.Level      `json:"l,omitempty"`
	SubmittedAt time.Time            `json:"su,omitzero"`
	// ServiceStart is the case's (accreditation.Case.ServiceStart): the
	// overdue are counted from it.
	ServiceStart time.Time  `json:"ss,omitzero"`
	Decision     *decided   `json:"d,omitempty"`
	Roles        []roleLoad `json:"r,omitempty"` // by accreditation.AssessorRoles
	Renewing     bool       `json:"rn,omitempty"`
}

type decided struct {
	At      time.Time             `json:"at"`
	Outcome accreditation.Outcome `json:"o"`
}

// roleLoad is one assignment: who holds it, and whether they have assessed.
type roleLoad struct {
	UserID   string `json:"u"`
	Assessed bool   `json:"a,omitempty"`
}

func summarise(c *accreditation.Case) *summary {
	s := &summary{ApplicantID: c.ApplicantID, OpenedAt: c.OpenedAt, State: c.State, Scheme: c.Scheme, Level: c.Level,
		SubmittedAt: c.SubmittedAt, ServiceStart: c.ServiceStart(), Renewing: c.RenewalUnderWay()}
	if c.Decision != nil {
		s.Decision = &decided{At: c.Decision.At, Outcome: c.Decision.Outcome}
	}
	for _, r := range accreditation.AssessorRoles {
		if a, ok := c.Assignments.Get(r); ok {
			done := c.Assessments.Done(r)
			s.Roles = append(s.Roles, roleLoad{UserID: a.UserID, Assessed: done})
		}
	}
	return s
}

// describes reports whether s is what summarise makes of c now. Most
// events change nothing in it (evidence, a portfolio, a request answered),
// and apply then keeps it, rather than making it again and counting it out
// of the statistics and back in.
func (s *summary) describes(c *accreditation.Case) bool {
	if s == nil || s.ApplicantID != c.ApplicantID || !s.OpenedAt.Equal(c.OpenedAt) || s.State != c.State ||
		s.Scheme != c.Scheme || s.Level != c.Level || !s.SubmittedAt.Equal(c.SubmittedAt) || !s.ServiceStart.Equal(c.ServiceStart()) ||
		s.Renewing != c.RenewalUnderWay() {
		return false
	}
	switch d := c.Decision; {
	case (d == nil) != (s.Decision == nil):
		return false
	case d != nil && (!s.Decision.At.Equal(d.At) || s.Decision.Outcome != d.Outcome):
		return false
	}
	i := 0
	for r, a := range c.Assignments.All() {
		if i == len(s.Roles) || s.Roles[i] != (roleLoad{UserID: a.UserID, Assessed: c.Assessments.Done(r)}) {
			return false
		}
		i++
	}
	return i == len(s.Roles)
}

// pinned cases stay folded: the queues and the renewal lists read them.
func (s *summary) pinned() bool { return s.State.Queued() || s.Renewing }

func (s *summary) exists() bool { return s.State != "" }

// Case returns a case (read-only) by id; a cold one is decoded, a copy.
func (m *Cases) Case(id string) (*accreditation.Case, bool) {
	if h, ok := m.hot[id]; ok {
		return h.c, true
	}
	b, ok := m.cold[id]
	if !ok {
		return nil, false
	}
	c, err := inflateCold(b)
	if err != nil {
		// Only a spill that cannot be read back (a failing disk).
		slog.Error("cold case not read", "case", id, "err", err)
		return nil, false
	}
	return c, true
}

// Len is the number of cases.
func (m *Cases) Len() int { return len(m.sums) }

// Each calls fn with every case, decoding the cold ones: for tests and
// checks, not for queries.
func (m *Cases) Each(fn func(c *accreditation.Case)) {
	for id := range m.sums {
		if c, ok := m.Case(id); ok {
			fn(c)
		}
	}
}

// warm returns case id folded, decoding it if it was cold; nil if unknown.
// The follower alone calls it.
func (m *Cases) warm(id string) *accreditation.Case {
	m.tick++
	if h, ok := m.hot[id]; ok {
		if h.gen < m.gen {
			// Copy on write: a snapshot's encoder may be reading h.c.
			h = &hotCase{c: h.c.Clone(), gen: m.gen}
			m.hot[id] = h
		}
		h.touched = m.tick
		return h.c
	}
	b, ok := m.cold[id]
	if !ok {
		return nil
	}
	c, err := inflateCold(b)
	if err != nil {
		// Only a spill that cannot be read back: the case starts again
		// from its next event, counted among the errors, rather than
		// stopping the read side.
		slog.Error("cold case not read; it restarts from its next event", "case", id, "err", err)
		m.Errors++
		c = accreditation.New(id)
	}
	m.inflated++
	m.dropCold(id)
	m.hot[id] = &hotCase{c: c, touched: m.tick, gen: m.gen}
	return c
}

// coolOff deflates the idle cases used longest ago once more than idleMax
// of them (and a quarter) are folded.
func (m *Cases) coolOff() {
	keep := m.idleMax()
	if len(m.idle) <= keep+keep/4 {
		if m.oldSpill != nil {
			m.tidySpill() // a replaced spill is emptied as events come
		}
		return
	}
	idle := make([]string, 0, len(m.idle))
	for id := range m.idle {
		idle = append(idle, id)
	}
	slices.SortFunc(idle, func(a, b string) int { return cmp.Compare(m.hot[a].touched, m.hot[b].touched) })
	if m.zw == nil {
		m.zw, _ = flate.NewWriter(nil, flate.BestSpeed)
	}
	w := stowing{buf: *bytes.NewBuffer(m.stowed[:0])}
	for _, id := range idle[:len(idle)-keep*3/4] {
		// Encoded as the snapshot holds it, with the model's writer.
		if err := w.add(m.zw, id, m.hot[id].c); err != nil {
			continue // kept folded
		}
		delete(m.hot, id)
		delete(m.idle, id)
	}
	m.stow(&w)
	m.stowed = nil
	if b := w.buf.Bytes(); cap(b) <= keptStowing || m.catchUp {
		m.stowed = b[:0]
	}
}

// keptStowing bounds the buffer kept for the next batch once caught up.
// While catching up a batch is a few thousand cases (20 MiB at 1M events)
// and its buffer is kept whatever its size; the batch at the end of a
// catch-up is every case cooled at once, hundreds of megabytes, and its
// buffer is let go.
const keptStowing = 8 << 20

// deflateCase is c's JSON deflated with zw; the same case gives the same
// bytes, folded or restored. It returns a copy of exactly that length: a
// buffer grown by doubling held half as much again, for every cold case.
func deflateCase(zw *flate.Writer, c *accreditation.Case) ([]byte, error) {
	var b bytes.Buffer
	if err := deflateInto(zw, c, &b); err != nil {
		return nil, err
	}
	return bytes.Clone(b.Bytes()), nil
}

// deflateInto appends c's JSON deflated with zw to b.
func deflateInto(zw *flate.Writer, c *accreditation.Case, b *bytes.Buffer) error {
	j, err := marshal(c)
	if err != nil {
		return err
	}
	b.Grow(len(j) / 2)
	zw.Reset(b)
	if _, err := zw.Write(j); err != nil {
		return err
	}
	return zw.Close()
}

// marshal writes v as encoding/json writes it, the same bytes (a test
// holds it to that on seeded cases and decision records), with its
// successor's encoder: on seeded cases in three quarters of the time, on
// decision records in three fifths. A start with no snapshot deflates
// every case that is not in a queue, and keeps every decision's record.
func marshal(v any) ([]byte, error) { return jsonv2.Marshal(v, jsonv1.DefaultOptionsV1()) }

// inflaters holds flate readers for inflateCase: a new one allocates its
// 32 KiB window and tables: nearly a third of inflating a case (the
// follower, the snapshot's load on every core and the queries all inflate).
var inflaters sync.Pool

func inflateCase(b []byte) (*accreditation.Case, error) {
	src := bytes.NewReader(b)
	zr, _ := inflaters.Get().(io.ReadCloser)
	if zr == nil {
		zr = flate.NewReader(src)
	} else if err := zr.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	defer inflaters.Put(zr)
	var j bytes.Buffer
	j.Grow(3 * len(b)) // a case's JSON deflates to about a third
	if _, err := j.ReadFrom(zr); err != nil {
		return nil, err
	}
	c := &accreditation.Case{}
	// encoding/json's semantics on its successor's decoder, as the replay
	// decodes payloads: the same answers, in about half the time.
	if err := jsonv1.Unmarshal(j.Bytes(), c); err != nil {
		return nil, err
	}
	c.ShareConstants()
	return c, nil
}

// capture implements capturer. The deflated cases and the summaries are
// replaced, never changed, by the follower, so copies of their maps hold
// them as they stand (a spill is only appended to, and stays open while
// the copy refers to it); the folded cases are shared with the capture, and
// the follower folds the next event of one into a copy of it (warm).
func (m *Cases) capture() func(w *snapWriter) error {
	m.gen++
	frozen := &Cases{Errors: m.Errors, cold: maps.Clone(m.cold), sums: maps.Clone(m.sums),
		hot: make(map[string]*hotCase, len(m.hot))}
	for id, h := range m.hot {
		frozen.hot[id] = &hotCase{c: h.c}
	}
	return func(w *snapWriter) error { return encodeCases(w, frozen) }
}
