package projections

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
)

// Cases is the read model of every case's current state. It folds each
// case with the aggregate's own Apply, so the read side can never disagree
// with the write side about where a case stands; the queue, "my cases" and
// the statistics are queries over it. Only some cases are kept folded (see
// casestore.go).
type Cases struct {
	Errors int `json:"errors"`

	hot    map[string]*hotCase
	cold   map[string]coldCase // case id -> where its JSON, compressed, is
	sums   map[string]*summary // every case
	tick   uint64              // counts the cases warmed, for the oldest
	gen    uint64              // counts the snapshots' captures (copy on write)
	hotMax int                 // idle cases kept folded (keepFolded)
	// catchUp is set while the read side replays far behind the store:
	// catchUpFactor times hotMax idle cases are kept folded meanwhile.
	catchUp  bool
	inflated int // cold cases the follower decoded again for an event (tests)
	// idle is the folded cases neither queued nor renewing: those coolOff
	// may compress, kept apart so that it reads them alone (a scan of every
	// folded case, every few hundred cases, was a tenth of a rebuild with
	// 20k cases queued).
	idle map[string]struct{}
	// stowed is the buffer the last batch of cases cooled off was gathered
	// in, kept for the next (place copies out what stays on the heap): a
	// new one grown to a batch's size each time was fresh memory for some
	// thousand cases' JSON, a tenth of cooling off at a start with no
	// snapshot.
	stowed []byte

	// The spills hold the cold cases off the heap (see coldstore.go):
	// spills is where and the file now written, oldSpill one being
	// emptied into it, moving the cases still to move.
	spills   spillPlace
	oldSpill *spill
	moving   []string
	// spillsReplaced counts the spills replaced (tests).
	spillsReplaced int

	// queue holds the cases in the office's queue, by submission: queries
	// page through it oldest first and stop at their limit instead of
	// scanning and sorting every case.
	queue ordered
	// awaitingBy is the cases awaiting assessment (all that an assessor
	// may claim, a small part of the queue), split by what a profile
	// selects on first (scheme, language, level), each part by
	// submission, so that an assessor's queue reads only the parts their
	// profile matches, merged: it read every case awaiting (about 3,500 at
	// 100k cases, 2,000 of them for a narrow profile) to find the few it
	// may take.
	awaitingBy map[claimKey]*ordered
	awaitKey   map[string]claimKey // case id -> its part in awaitingBy
	// undecided is the queued cases submitted and not decided, by
	// submission: the overdue ones are its oldest, counted without a scan.
	undecided ordered
	assigned  map[string][]queueRef // assessor id -> their cases, by submission
	// listed holds the (assessor, case) pairs in assigned, so that an
	// assignment is added once without a scan of the assessor's list.
	listed map[assignment]bool
	// open is, per assessor, their listed cases in the queue.
	open openIndex
	// renewing is the cases whose accreditation has a renewal under way:
	// few, so that the renewal lists read them alone.
	renewing map[string]bool
	// ofApplicant is each applicant's cases, so that their own list reads
	// them alone: it scanned every case's summary, on every applicant's
	// home page, a cost that grew with all the cases in the store.
	ofApplicant map[string][]string
	tally       tally // the office's figures (Stats)
}

type assignment struct{ userID, caseID string }

// NewCases returns an empty cases model.
func NewCases() *Cases {
	m := &Cases{hotMax: keepFolded}
	m.reset()
	return m
}

func (m *Cases) reset() {
	m.hot, m.cold, m.sums, m.idle = map[string]*hotCase{}, map[string]coldCase{}, map[string]*summary{}, map[string]struct{}{}
	m.dropSpills()
	m.queue, m.undecided = newOrdered(), newOrdered()
	m.awaitingBy, m.awaitKey = map[claimKey]*ordered{}, map[string]claimKey{}
	m.assigned, m.listed = map[string][]queueRef{}, map[assignment]bool{}
	m.renewing, m.ofApplicant, m.tally = map[string]bool{}, map[string][]string{}, newTally()
	m.open = newOpenIndex()
}

// file keeps the case id among its applicant's cases (a case's applicant
// is set when it opens and does not change; were it to, the case moves).
func (m *Cases) file(id string, old, s *summary) {
	if old != nil && old.ApplicantID == s.ApplicantID {
		return
	}
	if old != nil && old.ApplicantID != "" {
		ids := slices.DeleteFunc(m.ofApplicant[old.ApplicantID], func(x string) bool { return x == id })
		if len(ids) == 0 {
			delete(m.ofApplicant, old.ApplicantID)
		} else {
			m.ofApplicant[old.ApplicantID] = ids
		}
	}
	if s.ApplicantID != "" {
		m.ofApplicant[s.ApplicantID] = append(m.ofApplicant[s.ApplicantID], id)
	}
}

// Name implements ReadModel.
func (m *Cases) Name() string { return "cases" }

// Apply implements ReadModel.
func (m *Cases) Apply(e eventstore.Event) {
	m.apply(e, func(c *accreditation.Case) error { return c.Apply(e) })
}

// applyDecoded applies a case event whose payload the replay decoded ahead.
func (m *Cases) applyDecoded(d decodedEvent) {
	m.apply(d.event, func(c *accreditation.Case) error { return c.ApplyDecided(d.event, d.payload) })
}

func (m *Cases) apply(e eventstore.Event, fold func(*accreditation.Case) error) {
	id, ok := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	c := m.warm(id)
	if c == nil {
		c = accreditation.New(id)
		m.hot[id] = &hotCase{c: c, touched: m.tick, gen: m.gen}
	}
	wasQueued := c.State.Queued()
	wasAwaiting := c.State == accreditation.StateAwaitingAssessment
	submitted := c.SubmittedAt
	var holders []string // before an unassignment: whoever it takes off leaves "my cases"
	if accreditation.EventType(e.Type) == accreditation.EventAssessorUnassigned {
		for _, a := range c.Assignments.All() {
			holders = append(holders, a.UserID)
		}
	}
	if err := fold(c); err != nil {
		m.Errors++
	}
	for _, u := range holders {
		if c.Assignments.RoleOf(u) == "" {
			m.unlist(u, c.ID)
		}
	}
	switch queued := c.State.Queued(); {
	case queued && (!wasQueued || !c.SubmittedAt.Equal(submitted)):
		m.queue.put(c.ID, c.SubmittedAt)
		m.placeOpen(c)
	case wasQueued && !queued:
		m.queue.remove(c.ID)
		m.open.dropCase(c.ID)
	}
	switch awaiting := c.State == accreditation.StateAwaitingAssessment; {
	case awaiting && (!wasAwaiting || !c.SubmittedAt.Equal(submitted) || m.awaitKey[c.ID] != claimKeyOf(c)):
		m.placeAwaiting(c)
	case wasAwaiting && !awaiting:
		m.unplaceAwaiting(c.ID)
	}
	if start := c.ServiceStart(); undecided(c.State, c.Decision == nil, start) {
		if at, ok := m.undecided.at[c.ID]; !ok || !at.Equal(start) {
			m.undecided.put(c.ID, start)
		}
	} else {
		m.undecided.remove(c.ID)
	}
	if accreditation.EventType(e.Type) == accreditation.EventAssessorAssigned {
		for _, a := range c.Assignments.All() {
			m.list(a.UserID, c)
		}
	}
	m.trackRenewal(c)
	s := m.sums[id]
	if !s.describes(c) {
		old := s
		s = summarise(c)
		m.file(id, old, s)
		m.tally.count(old, -1)
		m.tally.count(s, 1)
		m.sums[id] = s
	}
	if s.pinned() {
		delete(m.idle, id)
	} else {
		m.idle[id] = struct{}{}
	}
	m.coolOff()
}

// list adds c to the assessor's own cases, once.
func (m *Cases) list(userID string, c *accreditation.Case) {
	if k := (assignment{userID, c.ID}); !m.listed[k] {
		m.listed[k] = true
		m.assigned[userID] = insertOrdered(m.assigned[userID], queueRef{at: c.SubmittedAt, id: c.ID})
	}
	if c.State.Queued() {
		m.open.add(userID, c)
	}
}

// unlist removes a case from the assessor's own cases: the office took them
// off it.
func (m *Cases) unlist(userID, caseID string) {
	k := assignment{userID, caseID}
	if !m.listed[k] {
		return
	}
	delete(m.listed, k)
	m.open.drop(userID, caseID)
	m.assigned[userID] = slices.DeleteFunc(m.assigned[userID], func(r queueRef) bool { return r.id == caseID })
	if len(m.assigned[userID]) == 0 {
		delete(m.assigned, userID)
	}
}

// Snapshot implements ReadModel.
func (m *Cases) Snapshot() ([]byte, error) {
	return encodeInMemory(func(w *snapWriter) error { return encodeCases(w, m) })
}

// Restore implements ReadModel. The cases come back cold but for those in
// the queues and the renewal lists.
func (m *Cases) Restore(b []byte) error {
	m.reset()
	if err := decodeCases(b, m); err != nil {
		return err
	}
	for id, s := range m.sums {
		m.file(id, nil, s)
		m.tally.count(s, 1)
		if s.State == accreditation.StateAwaitingAssessment {
			if c, ok := m.Case(id); ok { // folded: it is queued
				k := claimKeyOf(c)
				m.awaitKey[id] = k
				m.awaitingPart(k).append(id, s.SubmittedAt)
			}
		}
		if undecided(s.State, s.Decision == nil, s.ServiceStart) {
			m.undecided.append(id, s.ServiceStart)
		}
		if s.State.Queued() {
			m.queue.append(id, s.SubmittedAt)
		}
		if s.Renewing {
			m.renewing[id] = true
		}
		for _, r := range s.Roles {
			if k := (assignment{r.UserID, id}); !m.listed[k] {
				m.listed[k] = true
				m.assigned[r.UserID] = append(m.assigned[r.UserID], queueRef{at: s.SubmittedAt, id: id})
				if s.State.Queued() {
					m.open.byCase[id] = append(m.open.byCase[id], r.UserID)
					m.open.byUser[r.UserID] = append(m.open.byUser[r.UserID], queueRef{at: s.SubmittedAt, id: id})
				}
			}
		}
	}
	m.queue.sort()
	for _, o := range m.awaitingBy {
		o.sort()
	}
	m.undecided.sort()
	for _, refs := range m.assigned {
		slices.SortFunc(refs, byTime)
	}
	for _, refs := range m.open.byUser {
		slices.SortFunc(refs, byTime)
	}
	return nil
}

// QueueItem is one case in a queue.
type QueueItem struct {
	CaseID      string               `json:"case_id"`
	Scheme      accreditation.Scheme `json:"scheme"`
	Level       framework.Level      `json:"level"`
	Language    string               `json:"language"`
	State       accreditation.State  `json:"state"`
	SubmittedAt time.Time            `json:"submitted_at"`
	WaitingDays int                  `json:"waiting_days"`
	DueAt       time.Time            `json:"due_at,omitzero"` // ServiceStart plus the service level; none while the fee awaits payment
	Overdue     bool                 `json:"overdue"`
	AssessorID  string               `json:"assessor_id,omitempty"`
	VerifierID  string               `json:"verifier_id,omitempty"`
	// For an assessor: the role they hold, or the roles they may claim.
	MyRole    accreditation.AssessorRole   `json:"my_role,omitempty"`
	Claimable []accreditation.AssessorRole `json:"claimable,omitempty"`
	// Barred: of an assessor's own case, their profile no longer meets
	// the conditions of the role they hold (the case view's barred_roles
	// says why): they take no further step on it.
	Barred bool `json:"barred,omitempty"`
}

func item(c *accreditation.Case, now time.Time, sla time.Duration) QueueItem {
	it := QueueItem{CaseID: c.ID, Scheme: c.Scheme, Level: c.Level, Language: c.Language, State: c.State,
		SubmittedAt: c.SubmittedAt}
	if !c.SubmittedAt.IsZero() {
		it.WaitingDays = int(math.Floor(now.Sub(c.SubmittedAt).Hours() / 24))
	}
	if start := c.ServiceStart(); !start.IsZero() { // none while the fee awaits payment
		it.DueAt = start.Add(sla)
		it.Overdue = !now.Before(it.DueAt) && c.Decision == nil
	}
	it.AssessorID, it.VerifierID = c.Assignments.Holder(accreditation.RoleAssessor), c.Assignments.Holder(accreditation.RoleVerifier)
	return it
}

// QueueFilter narrows the office's queue.
type QueueFilter struct {
	Scheme, Level, State, Language, AssessorID string
	Overdue                                    *bool
	// ToAssess, with AssessorID, keeps the cases where that assessor
	// holds a role not assessed yet: their open work, as the statistics'
	// workload counts it (Workload.Open).
	ToAssess bool
	// After, when its ID is set, starts the office's queue after that
	// case (a page's Next): with an offset, a case leaving the queue
	// between pages moved the next one onto the page already read.
	After QueueCursor
}

// QueueCursor is a place in the office's queue: the case's time there and
// its id, in the finished cases' form ("<unix nanoseconds>.<case id>").
type QueueCursor = FinishedCursor

// Page is one page of a queue, oldest first.
type Page struct {
	Items   []QueueItem `json:"items"`
	HasMore bool        `json:"has_more"`
	// Next is where the queue goes on when HasMore: after its last case
	// (the office's, and each of an assessor's two).
	Next *QueueCursor `json:"-"`
	// Before is how many of the office's cases filtered come before the
	// page (the web's "cases 51-100").
	Before int `json:"-"`
}

func (f QueueFilter) match(c *accreditation.Case, it QueueItem) bool {
	return (f.Scheme == "" || string(c.Scheme) == f.Scheme) && (f.Level == "" || string(c.Level) == f.Level) &&
		(f.State == "" || string(c.State) == f.State) && (f.Language == "" || c.Language == f.Language) &&
		(f.AssessorID == "" || it.AssessorID == f.AssessorID || it.VerifierID == f.AssessorID) &&
		(f.Overdue == nil || it.Overdue == *f.Overdue) && (!f.ToAssess || toAssess(c, f.AssessorID))
}

// toAssess reports whether user holds a role of c not assessed yet.
func toAssess(c *accreditation.Case, user string) bool {
	for r, a := range c.Assignments.All() {
		if a.UserID == user && !c.Assessments.Done(r) {
			return true
		}
	}
	return false
}

// OfficeQueue pages through every case in progress, oldest first, filtered.
// It stops at the end of the page: a query costs the page, not the queue.
func (m *Cases) OfficeQueue(f QueueFilter, now time.Time, sla time.Duration, offset, limit int) Page {
	return m.OfficeQueueIn(make([]QueueItem, 0, min(limit, m.queue.len())), f, now, sla, offset, limit)
}

// OfficeQueueIn is OfficeQueue making the page in items' array (emptied
// first): a reader that writes the page out and keeps none of it can use
// one array again (a page of 50 is 12 KB).
func (m *Cases) OfficeQueueIn(items []QueueItem, f QueueFilter, now time.Time, sla time.Duration, offset, limit int) Page {
	p := Page{Items: emptied(items)}
	seen := 0
	after := queueRef{at: f.After.At, id: f.After.ID}
	var last queueRef
	for r := range m.queue.all() {
		c, ok := m.Case(r.id)
		if !ok {
			continue
		}
		it := item(c, now, sla)
		if !f.match(c, it) {
			continue
		}
		if seen++; seen <= offset || after.id != "" && byTime(r, after) <= 0 {
			p.Before++
			continue
		}
		if len(p.Items) == limit {
			p.HasMore, p.Next = true, &QueueCursor{At: last.at, ID: last.id}
			break
		}
		p.Items = append(p.Items, it)
		last = r
	}
	return p
}

// emptied is items with none in it, never nil: a page's items are a JSON
// array, not null.
func emptied(items []QueueItem) []QueueItem {
	if items == nil {
		return []QueueItem{}
	}
	return items[:0]
}

// barred reports whether p no longer meets the conditions of role, held
// on c (the check claiming makes, Case.Exclusions; domain/cases refuses
// such a holder's steps).
func barred(c *accreditation.Case, p accreditation.AssessorProfile, role accreditation.AssessorRole) bool {
	return role != "" && len(c.Exclusions(p, role)) > 0
}

// BarredRoles is, of each of the cases ids, the roles whose holders'
// profiles (by user id; a holder without one is left out) no longer meet
// their conditions: the office's queue marks them, as BarredHeld counts
// them for the dashboard.
func (m *Cases) BarredRoles(ids []string, profiles map[string]accreditation.AssessorProfile) map[string]map[accreditation.AssessorRole]bool {
	out := map[string]map[accreditation.AssessorRole]bool{}
	for _, id := range ids {
		c, ok := m.Case(id)
		if !ok || !c.State.InProgress() {
			continue
		}
		for _, as := range c.Assignments.All() {
			if p, ok := profiles[as.UserID]; ok && barred(c, p, as.Role) {
				if out[id] == nil {
					out[id] = map[accreditation.AssessorRole]bool{}
				}
				out[id][as.Role] = true
			}
		}
	}
	return out
}

// BarredHeld counts the cases in progress on which p's assessor holds a
// role that p no longer allows: the office's dashboard says they wait.
// It reads that assessor's own cases only.
func (m *Cases) BarredHeld(p accreditation.AssessorProfile) int {
	n := 0
	for _, r := range m.open.byUser[p.UserID] {
		if c, ok := m.Case(r.id); ok && barred(c, p, c.Assignments.RoleOf(p.UserID)) {
			n++
		}
	}
	return n
}

// roleOf is the role userID holds on the item's case, if any, from the
// ids item read: no second look at the case's assignments.
func (it *QueueItem) roleOf(userID string) accreditation.AssessorRole {
	switch {
	case userID == "":
		return ""
	case it.AssessorID == userID:
		return accreditation.RoleAssessor
	case it.VerifierID == userID:
		return accreditation.RoleVerifier
	}
	return ""
}

// OfApplicant lists an applicant's cases, newest first.
func (m *Cases) OfApplicant(userID string) []*accreditation.Case {
	var out []*accreditation.Case
	for _, id := range m.ofApplicant[userID] {
		if s := m.sums[id]; s.exists() && s.ApplicantID == userID {
			if c, ok := m.Case(id); ok {
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(a, b *accreditation.Case) int { return b.OpenedAt.Compare(a.OpenedAt) })
	return out
}

// trackRenewal keeps c in renewing while its accreditation has a renewal
// under way.
func (m *Cases) trackRenewal(c *accreditation.Case) {
	if c.RenewalUnderWay() {
		m.renewing[c.ID] = true
	} else {
		delete(m.renewing, c.ID)
	}
}

// RenewalItem is a renewal under way, as the renewal lists show it.
type RenewalItem struct {
	CaseID          string                     `json:"case_id"`
	AccreditationID string                     `json:"accreditation_id"`
	Scheme          accreditation.Scheme       `json:"scheme"`
	Level           framework.Level            `json:"level"`
	Language        string                     `json:"language"`
	State           accreditation.RenewalState `json:"state"`
	SubmittedAt     time.Time                  `json:"submitted_at"`
	AssessorID      string                     `json:"assessor_id,omitempty"`
}

// Renewals lists the renewals under way in state (every state when
// empty) assessed by assessorID (anyone's when empty), oldest first.
func (m *Cases) Renewals(state accreditation.RenewalState, assessorID string) []RenewalItem {
	out := []RenewalItem{}
	for id := range m.renewing {
		c, ok := m.Case(id)
		if !ok || !c.RenewalUnderWay() {
			continue
		}
		a, r := c.Accreditation, c.Accreditation.Current
		if (state != "" && r.State != state) || (assessorID != "" && r.Assessor != assessorID) {
			continue
		}
		out = append(out, RenewalItem{CaseID: id, AccreditationID: a.ID, Scheme: c.Scheme, Level: a.Level, Language: c.Language,
			State: r.State, SubmittedAt: r.SubmittedAt, AssessorID: r.Assessor})
	}
	slices.SortFunc(out, func(a, b RenewalItem) int {
		if c := a.SubmittedAt.Compare(b.SubmittedAt); c != 0 {
			return c
		}
		return strings.Compare(a.CaseID, b.CaseID)
	})
	return out
}

// claimKey is what an assessor's profile selects a case awaiting
// assessment on first: its scheme, language and level.
type claimKey struct {
	scheme   accreditation.Scheme
	language string
	level    framework.Level
}

func claimKeyOf(c *accreditation.Case) claimKey {
	return claimKey{scheme: c.Scheme, language: c.Language, level: c.Level}
}

// awaitingPart is the part of awaitingBy for k, made when first needed.
func (m *Cases) awaitingPart(k claimKey) *ordered {
	o := m.awaitingBy[k]
	if o == nil {
		n := newOrdered()
		o = &n
		m.awaitingBy[k] = o
	}
	return o
}

// placeAwaiting puts case c in its part of awaitingBy, out of the one it
// was in if that was another.
func (m *Cases) placeAwaiting(c *accreditation.Case) {
	m.unplaceAwaiting(c.ID)
	k := claimKeyOf(c)
	m.awaitKey[c.ID] = k
	m.awaitingPart(k).put(c.ID, c.SubmittedAt)
}

func (m *Cases) unplaceAwaiting(id string) {
	k, ok := m.awaitKey[id]
	if !ok {
		return
	}
	delete(m.awaitKey, id)
	o := m.awaitingBy[k]
	o.remove(id)
	if o.len() == 0 {
		delete(m.awaitingBy, k)
	}
}
