package cases

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
)

// index is what the service needs to know of every case without holding
// the cases: whose each is, when an applicant's cases last changed, which
// case holds an accreditation and when each awarded accreditation runs
// out, and which cases each assessor took a role on. It is built from the
// events alone (a few fields of five payloads), so it never needs a case's
// state; the jobs that act on a case read the case itself and decide from
// that (see ExpireDue, HasOpenCase). It is saved with the write-side
// snapshot.
type index struct {
	mu  sync.RWMutex
	idx indexed
}

// indexed is the index's data, as the snapshot holds it.
type indexed struct {
	// Applicant is each case's applicant.
	Applicant map[string]string `json:"applicant"`
	// Cases is each applicant's cases, in id order (oldest first).
	Cases map[string][]string `json:"cases"`
	// Last is when an event of a case of the applicant last occurred.
	Last map[string]time.Time `json:"last"`
	// Accreditations is the case of each accreditation, also of one a case
	// no longer has (replaced on appeal).
	Accreditations map[string]string `json:"accreditations"`
	// Until is when the last accreditation awarded on a case runs out, as
	// its award or renewal said: the cases the expiry job looks at. A case
	// whose accreditation turns out no longer active is dropped from it.
	Until map[string]time.Time `json:"until"`
	// Assessed is each assessor's cases, in id order: those they were
	// given or took a role on (assessor, verifier, a renewal's assessor),
	// also one taken off them since. Their right of access reads it.
	Assessed map[string][]string `json:"assessed"`
}

func newIndexed() indexed {
	return indexed{Applicant: map[string]string{}, Cases: map[string][]string{}, Last: map[string]time.Time{},
		Accreditations: map[string]string{}, Until: map[string]time.Time{}, Assessed: map[string][]string{}}
}

// Follow implements aggregate.Follower. Commits handed over again after a
// snapshot (see aggregate.Snapshotter) leave it as it is: each assigns.
func (x *index) Follow(c eventstore.Commit) {
	caseID, ok := strings.CutPrefix(c.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, e := range c.Events {
		t := accreditation.EventType(e.Type)
		if accreditation.SchemaVersion(t) == 0 {
			continue // not a case event: the case ignores it too
		}
		switch t {
		case accreditation.EventCaseOpened:
			var p accreditation.CaseOpened
			if json.Unmarshal(e.Data, &p) == nil && p.ApplicantID != "" {
				x.idx.Applicant[caseID] = p.ApplicantID
				x.idx.Cases[p.ApplicantID] = insertSorted(x.idx.Cases[p.ApplicantID], caseID)
			}
		case accreditation.EventAccreditationAwarded:
			var p accreditation.AccreditationAwarded
			if json.Unmarshal(e.Data, &p) == nil {
				x.idx.Accreditations[p.AccreditationID] = caseID
				x.idx.Until[caseID] = p.ValidUntil
			}
		case accreditation.EventAssessorAssigned:
			var p accreditation.AssessorAssigned
			if json.Unmarshal(e.Data, &p) == nil && p.UserID != "" {
				x.idx.Assessed[p.UserID] = insertSorted(x.idx.Assessed[p.UserID], caseID)
			}
		case accreditation.EventRenewalAssigned:
			var p accreditation.RenewalAssigned
			if json.Unmarshal(e.Data, &p) == nil && p.AssessorID != "" {
				x.idx.Assessed[p.AssessorID] = insertSorted(x.idx.Assessed[p.AssessorID], caseID)
			}
		case accreditation.EventAccreditationRenewed:
			var p accreditation.AccreditationRenewed
			if json.Unmarshal(e.Data, &p) == nil {
				x.idx.Until[caseID] = p.ValidUntil
			}
		}
		if who := x.idx.Applicant[caseID]; who != "" && e.OccurredAt.After(x.idx.Last[who]) {
			x.idx.Last[who] = e.OccurredAt
		}
	}
}

// insertSorted adds id to sorted ids; new ids sort last, so this is an
// append but for the rare id made a moment earlier elsewhere.
func insertSorted(ids []string, id string) []string {
	i, found := slices.BinarySearch(ids, id)
	if found {
		return ids
	}
	return slices.Insert(ids, i, id)
}

func (x *index) caseOf(accID string) (string, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	id, ok := x.idx.Accreditations[accID]
	return id, ok
}

// applicantOf is the applicant of case id; "" when no such case.
func (x *index) applicantOf(id string) string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.idx.Applicant[id]
}

func (x *index) casesOf(applicant string) []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return slices.Clone(x.idx.Cases[applicant])
}

// assessedBy is the cases assessor took a role on, in id order.
func (x *index) assessedBy(assessor string) []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return slices.Clone(x.idx.Assessed[assessor])
}

func (x *index) lastActivity(applicant string) time.Time {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.idx.Last[applicant]
}

// due lists the cases whose accreditation runs out by now, in id order.
func (x *index) due(now time.Time) []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var ids []string
	for id, until := range x.idx.Until {
		if !now.Before(until) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// settle records what a case's own state says of its accreditation: the
// date it runs out while active; nothing to expire otherwise.
func (x *index) settle(caseID string, a *accreditation.Accreditation) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if a != nil && a.Status == accreditation.StatusActive {
		x.idx.Until[caseID] = a.ValidUntil
	} else {
		delete(x.idx.Until, caseID)
	}
}

// expired drops caseID's end date once its accreditation, due at was, is
// expired, unless a renewal (in the rules' grace period) moved it since:
// followed between the expiry's commit and this call, its new date would
// be dropped with it, and the accreditation never expired again.
func (x *index) expired(caseID string, was time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if until, ok := x.idx.Until[caseID]; ok && until.Equal(was) {
		delete(x.idx.Until, caseID)
	}
}

// SnapshotName implements aggregate.Snapshotter.
func (x *index) SnapshotName() string { return "cases.index" }

// SnapshotShape implements aggregate.Snapshotter.
func (x *index) SnapshotShape() string { return aggregate.ShapeOf(indexed{}) }

// SaveSnapshot implements aggregate.Snapshotter.
func (x *index) SaveSnapshot(_ context.Context, put func(any) error) error {
	x.mu.RLock()
	b, err := json.Marshal(x.idx)
	x.mu.RUnlock()
	if err != nil {
		return err
	}
	return put(json.RawMessage(b))
}

// LoadSnapshot implements aggregate.Snapshotter.
func (x *index) LoadSnapshot(more func() bool, next func(any) error) (func(), error) {
	if !more() {
		return nil, errors.New("no cases index")
	}
	idx := newIndexed()
	if err := next(&idx); err != nil {
		return nil, err
	}
	for _, m := range []bool{idx.Applicant == nil, idx.Cases == nil, idx.Last == nil, idx.Accreditations == nil, idx.Until == nil, idx.Assessed == nil} {
		if m {
			return nil, errors.New("cases index without one of its parts")
		}
	}
	return func() {
		x.mu.Lock()
		x.idx = idx
		x.mu.Unlock()
	}, nil
}
