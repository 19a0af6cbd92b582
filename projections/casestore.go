package projections

import (
	"bytes"
	"cmp"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/klauspost/compress/s2"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
)

// Most cases are finished (decided, withdrawn, their accreditation in force
// or ended), and the queries read only a few of their fields (statistics,
// an applicant's list). Yet as folded state each held about 13 KiB (135 MiB
// at 10k cases), and each was encoded again for every snapshot. So the
// cases model keeps folded (hot) only the cases in the queue, those with a
// renewal under way and the hotMax others used last; any other (cold) is
// kept as its JSON, compressed (about 2 KiB), beside a summary of the fields
// the statistics and lists read. A cold case is decoded when an event or a
// query needs it, and the snapshot writes it as it is.

// keepFolded is how many cases, neither queued nor renewing, stay folded.
const keepFolded = 1024

// catchUpFactor is how many times hotMax idle cases stay folded while the
// read side catches up from far behind (a start without a snapshot or with
// a long tail, a rebuild). A replay meets each case's events spread over
// the months it is in progress, thousands of cases at once at 50k cases;
// with hotMax folded, most events found their case compressed, and it was
// inflated and compressed again: a fifth of the CPU of a cold start at 1M
// events. Once caught up, the cases beyond hotMax are compressed at once.
const catchUpFactor = 8

// catchingUp says whether the events now applied are a catch-up from far
// behind the store's end; the end of one compresses the surplus at once.
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
	// RenewalAssessor holds the renewal in assessment: the office's
	// figures count it as that assessor's work.
	RenewalAssessor string `json:"ra,omitempty"`
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
	s.RenewalAssessor = renewalAssessor(c)
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
		s.Renewing != c.RenewalUnderWay() || s.RenewalAssessor != renewalAssessor(c) {
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

// renewalAssessor is who holds the case's renewal in assessment, "" when
// none is.
func renewalAssessor(c *accreditation.Case) string {
	if !c.RenewalUnderWay() || c.Accreditation.Current.State != accreditation.StateRenewalInAssessment {
		return ""
	}
	return c.Accreditation.Current.Assessor
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
	c, err := decompressCold(b)
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
	c, err := decompressCold(b)
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

// coolOff compresses the idle cases used longest ago once more than idleMax
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
	w := stowing{buf: *bytes.NewBuffer(m.stowed[:0])}
	for _, id := range idle[:len(idle)-keep*3/4] {
		// Encoded as the snapshot holds it, with the model's writer.
		if err := w.add(id, m.hot[id].c); err != nil {
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

// The cold cases, and the folded ones in a snapshot, are kept as their JSON
// compressed with S2 (Snappy's successor, klauspost/compress/s2). It was
// deflate (level 1): in a profile of a start with no snapshot at 1M events
// (2026-12-06), which cools off every finished case, cooling off took 4.2 s
// of the 32.5 s of CPU, half of it deflating; with S2, 2.5 s of 30.8. On
// generated cases' JSON (4.4 KB on average) S2 took 5.2 µs a case where
// deflate took 24.5, and 2.3 µs to decompress where inflating took 23, for
// about a quarter more bytes (on seeded cases 6.2 KB against 4.9): bytes
// that live in the spill, off the heap, and in the snapshot.

// compressCase is c's JSON compressed; the same case gives the same bytes,
// folded or restored. It returns a copy of exactly that length: a buffer
// grown by doubling held half as much again, for every cold case.
func compressCase(c *accreditation.Case) ([]byte, error) {
	var b bytes.Buffer
	if err := compressInto(c, &b); err != nil {
		return nil, err
	}
	return bytes.Clone(b.Bytes()), nil
}

// compressInto appends c's JSON compressed to b.
func compressInto(c *accreditation.Case, b *bytes.Buffer) error {
	j, err := marshal(c)
	if err != nil {
		return err
	}
	n := s2.MaxEncodedLen(len(j))
	if n < 0 {
		return fmt.Errorf("case %s: %d bytes of JSON, too many to compress", c.ID, len(j))
	}
	b.Grow(n)
	b.Write(s2.Encode(b.AvailableBuffer()[:n], j))
	return nil
}

// marshal writes v as encoding/json writes it, the same bytes (a test
// holds it to that on seeded cases and decision records), with its
// successor's encoder: on seeded cases in three quarters of the time, on
// decision records in three fifths. A start with no snapshot compresses
// every case that is not in a queue, and keeps every decision's record.
func marshal(v any) ([]byte, error) { return jsonv2.Marshal(v, jsonv1.DefaultOptionsV1()) }

// jsonBufs holds the buffers decompressCase decodes a case's JSON into:
// the decoder copies what it keeps, so the buffer serves the next case.
var jsonBufs sync.Pool

// decompressCase decodes a case compressed by compressCase.
func decompressCase(b []byte) (*accreditation.Case, error) {
	n, err := s2.DecodedLen(b)
	if err != nil {
		return nil, err
	}
	p, _ := jsonBufs.Get().(*[]byte)
	if p == nil {
		p = new([]byte)
	}
	defer jsonBufs.Put(p)
	if cap(*p) < n {
		*p = make([]byte, n)
	}
	j, err := s2.Decode((*p)[:n], b)
	if err != nil {
		return nil, err
	}
	c := &accreditation.Case{}
	// encoding/json's semantics on its successor's decoder, as the replay
	// decodes payloads: the same answers, in about half the time.
	if err := jsonv1.Unmarshal(j, c); err != nil {
		return nil, err
	}
	c.ShareConstants()
	return c, nil
}

// capture implements capturer. The compressed cases and the summaries are
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
