package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
)

// AfterErasure finishes an erasure of applicant userID (recorded, their
// key deleted): each case of theirs still before its decision is withdrawn
// (accreditation.Case.EndOnErasure: nothing more could be written on it),
// then their evidence files are deleted. It may be run again: a case ended
// and a file deleted stay so. meta is the erasure's; each case's command id
// is derived from it, so a retried erasure ends each case once.
func (s *Service) AfterErasure(ctx context.Context, meta aggregate.Meta, userID string) error {
	for _, id := range s.IDsOfApplicant(userID) {
		c, _, ok, err := s.repo.Find(ctx, id)
		if err != nil {
			return fmt.Errorf("end case %s: %w", id, err)
		}
		if !ok || !c.EndsOnErasure() {
			continue
		}
		m := meta
		m.Command, m.IfVersion = "end_on_erasure", nil
		if m.CommandID != "" {
			m.CommandID += ".end." + id
		}
		if _, err := s.run(ctx, m, id, func(c *accreditation.Case, _ time.Time) ([]aggregate.Change, error) {
			return c.EndOnErasure(m.Actor)
		}); err != nil {
			return fmt.Errorf("end case %s: %w", id, err)
		}
	}
	return s.EraseEvidenceOf(ctx, userID)
}

// EraseEvidenceOf deletes every evidence object of the cases of userID.
func (s *Service) EraseEvidenceOf(ctx context.Context, userID string) error {
	var objects []string
	for _, id := range s.IDsOfApplicant(userID) {
		c, _, ok, err := s.repo.Find(ctx, id)
		if err != nil { // an erasure that skipped a case would report done
			return fmt.Errorf("erase evidence of case %s: %w", id, err)
		}
		if !ok {
			continue
		}
		for _, e := range c.Evidence {
			objects = append(objects, e.Object)
		}
	}
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
