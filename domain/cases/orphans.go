package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
)

// OrphanMargin is how long ago an evidence object no case names must have
// been stored for SweepOrphanEvidence to delete it. An upload stores its
// object, then appends the event naming it, all within uploadFinishTimeout
// (2 minutes) of its body's end; a day is hundreds of times that, so an
// upload still in flight, or its event on its way through a slow store,
// is never taken for an orphan, and clocks of the processes (the store's,
// which dates the object, and the sweeper's) may differ by hours. An orphan
// is rare (a crash between the object and its event), so keeping it a day
// or two costs nothing.
const OrphanMargin = 24 * time.Hour

// OrphanWindow is how far before the cutoff the sweep looks: an orphan is
// made by an upload, so the objects stored in the week before the cutoff
// are those a daily sweep has still to judge (six missed runs included).
// Older ones were judged by the runs before: reading the case of every
// object ever stored, each day, cost a read of every case with evidence
// (most of them out of the cases' cache, which it would push out), for
// objects a run had already kept.
const OrphanWindow = 7 * 24 * time.Hour

// SweepOrphanEvidence deletes the evidence objects stored before cutoff,
// and within OrphanWindow of it, that no case names: an upload's object whose event never came (the
// process stopped between the two), or a removed file whose deletion
// failed. It returns how many it deleted.
//
// It walks the object store's descriptions one at a time and reads only
// the case a name in the window gives (<case>/<evidence>), from memory
// when the case is there, so its cost is one look-up per object of the
// window's uploads, not a read of every event; no read model knows every object's name (the cases index
// knows cases, not files). An object whose name is not of that shape is
// not one this service wrote, and is left. The feed first applies
// everything stored when the sweep starts, so an event that names an
// object older than cutoff (appended minutes after it) is seen.
func (s *Service) SweepOrphanEvidence(ctx context.Context, cutoff time.Time) (int, error) {
	catchUp, cancel := context.WithTimeout(ctx, aggregate.CommandTimeout)
	defer cancel()
	last, err := s.store.LastSeq(catchUp)
	if err != nil {
		return 0, fmt.Errorf("sweep orphan evidence: %w", err)
	}
	if err := s.feed.WaitFor(catchUp, last); err != nil {
		return 0, fmt.Errorf("sweep orphan evidence: %w", err)
	}
	var orphans []string // few: deleted once the walk is done, not under it
	err = s.blobs.Walk(ctx, func(name string, stored time.Time) error {
		if !stored.Before(cutoff) || stored.Before(cutoff.Add(-OrphanWindow)) {
			return nil
		}
		caseID, evID, ok := strings.Cut(name, "/")
		if !ok || caseID == "" || evID == "" || strings.Contains(evID, "/") {
			return nil
		}
		named := false
		if err := s.repo.Peek(ctx, caseID, func(c *accreditation.Case, _ uint64, exists bool) {
			named = exists && slices.ContainsFunc(c.Evidence, func(e accreditation.Evidence) bool { return e.Object == name })
		}); err != nil {
			return err // unread, never taken for unnamed
		}
		if !named {
			orphans = append(orphans, name)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sweep orphan evidence: %w", err)
	}
	for i, name := range orphans {
		if err := s.blobs.Delete(ctx, name); err != nil {
			return i, fmt.Errorf("sweep orphan evidence %s: %w", name, err)
		}
		s.log.Info("orphan evidence object deleted", "object", name)
	}
	return len(orphans), nil
}
