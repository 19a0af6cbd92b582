package cases

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
)

// EraseEvidenceOf deletes every evidence object of the cases of userID.
func (s *Service) EraseEvidenceOf(ctx context.Context, userID string) error {
	var objects []string
	s.repo.Each(func(_ string, c *accreditation.Case) {
		if c.ApplicantID == userID {
			for _, e := range c.Evidence {
				objects = append(objects, e.Object)
			}
		}
	})
	for _, o := range objects {
		if err := s.blobs.Delete(ctx, o); err != nil {
			return fmt.Errorf("erase evidence %s: %w", o, err)
		}
	}
	return nil
}

// IDsOfApplicant lists the cases of an applicant, oldest first.
func (s *Service) IDsOfApplicant(userID string) []string {
	var ids []string
	s.repo.Each(func(id string, c *accreditation.Case) {
		if c.ApplicantID == userID {
			ids = append(ids, id)
		}
	})
	slices.Sort(ids)
	return ids
}

// Activity is what the retention policy needs to know of an applicant's cases.
type Activity struct {
	Last time.Time // the latest event on any of their cases
	// Open is set while a case of theirs is still open (Case.StillOpen):
	// then nothing of theirs may be erased by the retention policy.
	Open bool
}

// ActivityOf returns each applicant's case activity.
func (s *Service) ActivityOf() map[string]Activity {
	out := map[string]Activity{}
	s.repo.Each(func(_ string, c *accreditation.Case) {
		a := out[c.ApplicantID]
		if c.UpdatedAt.After(a.Last) {
			a.Last = c.UpdatedAt
		}
		if c.StillOpen() {
			a.Open = true
		}
		out[c.ApplicantID] = a
	})
	return out
}
