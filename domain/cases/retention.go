package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
)

// AfterErasure finishes an erasure of applicant userID (recorded, their
// key deleted): each case of theirs still before its decision is withdrawn
// (accreditation.Case.EndOnErasure: nothing more could be written on it),
// then their evidence files are deleted. It may be run again: a case ended
// and a file deleted stay so. meta is the erasure's; each case's command id
// is derived from it, so a retried erasure ends each case once. Done, it
// records the erasure as completed (accounts.CompleteErasure).
func (s *Service) AfterErasure(ctx context.Context, meta aggregate.Meta, userID string) error {
	objects, err := s.evidenceOf(ctx, userID, func(id string, c *accreditation.Case) error {
		if !c.EndsOnErasure() {
			return nil
		}
		m := meta
		m = m.Unconditioned()
		m.Command = "end_on_erasure"
		if m.CommandID != "" {
			m.CommandID += ".end." + id
		}
		if _, err := s.run(ctx, m, id, func(c *accreditation.Case, _ time.Time) ([]aggregate.Change, error) {
			return c.EndOnErasure(m.Actor)
		}); err != nil {
			return fmt.Errorf("end case %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.deleteObjects(ctx, objects); err != nil {
		return err
	}
	// Seen through: the jobs that finish an interrupted erasure pass over
	// the user from now on.
	if s.accounts != nil {
		if _, err := s.accounts.CompleteErasure(ctx, meta, userID); err != nil {
			return fmt.Errorf("record the erasure of %s as completed: %w", userID, err)
		}
	}
	return nil
}

// EraseEvidenceOf deletes every evidence object of the cases of userID.
func (s *Service) EraseEvidenceOf(ctx context.Context, userID string) error {
	objects, err := s.evidenceOf(ctx, userID, nil)
	if err != nil {
		return err
	}
	return s.deleteObjects(ctx, objects)
}

// evidenceOf reads each case of applicant userID once, calls also (when
// set) with it, and returns the objects of its evidence: every file the
// case was ever given, also those removed since, whose object a failed
// deletion may have left (RemoveEvidence does not fail on it, and the
// orphan sweep judges an object only in the week after its upload, when
// the case still named it). A case the store cannot give fails it: an
// erasure that skipped a case would report done.
func (s *Service) evidenceOf(ctx context.Context, userID string, also func(id string, c *accreditation.Case) error) ([]string, error) {
	var objects []string
	for _, id := range s.IDsOfApplicant(userID) {
		c, _, ok, err := s.repo.Find(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("erase evidence of case %s: %w", id, err)
		}
		if !ok {
			continue
		}
		for _, e := range c.Evidence {
			objects = append(objects, e.Object)
		}
		removed, err := s.removedEvidence(ctx, id, c)
		if err != nil {
			return nil, fmt.Errorf("erase evidence of case %s: %w", id, err)
		}
		objects = append(objects, removed...)
		if also != nil {
			if err := also(id, c); err != nil {
				return nil, err
			}
		}
	}
	return objects, nil
}

// removedEvidence is the objects of the files case id (as c) was given and
// no longer lists, from its events (one read of its stream: an erasure is
// rare, and reads only its applicant's cases).
func (s *Service) removedEvidence(ctx context.Context, id string, c *accreditation.Case) ([]string, error) {
	evs, err := s.store.Load(ctx, accreditation.StreamPrefix+"."+id)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range evs {
		if accreditation.EventType(e.Type) != accreditation.EventEvidenceAdded {
			continue
		}
		var p accreditation.EvidenceAdded
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return nil, fmt.Errorf("decode %s (event %s): %w", e.Type, e.ID, err)
		}
		if p.Object != "" && !slices.ContainsFunc(c.Evidence, func(ev accreditation.Evidence) bool { return ev.Object == p.Object }) {
			out = append(out, p.Object)
		}
	}
	return out, nil
}

func (s *Service) deleteObjects(ctx context.Context, objects []string) error {
	for _, o := range objects {
		if err := s.blobs.Delete(ctx, o); err != nil {
			return fmt.Errorf("erase evidence %s: %w", o, err)
		}
	}
	return nil
}

// IDsOfApplicant lists the cases of an applicant, oldest first.
func (s *Service) IDsOfApplicant(userID string) []string { return s.index.casesOf(userID) }

// LastActivity is when an event of a case of the applicant last occurred;
// zero when they have none.
func (s *Service) LastActivity(userID string) time.Time { return s.index.lastActivity(userID) }

// HasOpenCase reports whether a case of the applicant is still open
// (Case.StillOpen): then nothing of theirs may be erased by the retention
// policy. It reads the applicant's cases, and no other. A case the store
// cannot give is an error, never "not open": the answer decides an
// erasure.
func (s *Service) HasOpenCase(ctx context.Context, userID string) (bool, error) {
	for _, id := range s.IDsOfApplicant(userID) {
		c, _, ok, err := s.repo.Find(ctx, id)
		if err != nil {
			return false, fmt.Errorf("read case %s: %w", id, err)
		}
		if ok && c.StillOpen() {
			return true, nil
		}
	}
	return false, nil
}
