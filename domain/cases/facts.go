package cases

import "context"

// CaseFacts returns whose case id is and its language, for the notifier;
// false when there is no such case.
func (s *Service) CaseFacts(ctx context.Context, id string) (applicantID, language string, ok bool, err error) {
	c, _, found, err := s.repo.Find(ctx, id)
	if err != nil || !found || !c.Exists() {
		return "", "", false, err
	}
	return c.ApplicantID, c.Language, true, nil
}
