package cases

import (
	"cmp"
	"context"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// CaseFacts returns whose case id is and its language, for the notifier;
// false when there is no such case.
func (s *Service) CaseFacts(ctx context.Context, id string) (applicantID, language string, ok bool, err error) {
	c, _, found, err := s.repo.Find(ctx, id)
	if err != nil || !found || !c.Exists() {
		return "", "", false, err
	}
	return c.ApplicantID, c.Language, true, nil
}

// CaseTitle returns how the pages head case id, for the notifier: its
// scheme, the level applied for and an EQA case's programme name (sealed);
// false when there is no such case.
func (s *Service) CaseTitle(ctx context.Context, id string) (scheme string, level framework.Level, programme pii.Sealed, ok bool, err error) {
	c, _, found, err := s.repo.Find(ctx, id)
	if err != nil || !found || !c.Exists() {
		return "", "", pii.Sealed{}, false, err
	}
	if c.Programme != nil {
		programme = c.Programme.Name
	}
	return string(c.Scheme), c.Level, programme, true, nil
}

// AssessorsOf returns who holds case id's assessing roles now, for the
// notifier: none when there is no such case.
func (s *Service) AssessorsOf(ctx context.Context, id string) (accreditation.Assignments, error) {
	c, _, found, err := s.repo.Find(ctx, id)
	if err != nil || !found {
		return accreditation.Assignments{}, err
	}
	return c.Assignments, nil
}

// RenewalOpens returns when the renewal of case id's accreditation opens
// under the rules in force now (accreditation.Case.RenewalOpens, as the
// renewal will be checked): zero when the rules set no window or the case
// has no accreditation.
func (s *Service) RenewalOpens(ctx context.Context, id string) (time.Time, error) {
	c, _, ok, err := s.repo.Find(ctx, id)
	if err != nil || !ok {
		return time.Time{}, err
	}
	return c.RenewalOpens(s.now(), s.RuleSets()), nil
}

// LanguageOf returns the language of the newest case userID applied with,
// for the notifier to write to them about their account when they chose
// no language of their own; "" when they have no case.
func (s *Service) LanguageOf(ctx context.Context, userID string) (string, error) {
	ids := s.index.casesOf(userID)
	for i := len(ids) - 1; i >= 0; i-- {
		c, _, found, err := s.repo.Find(ctx, ids[i])
		if err != nil {
			return "", err
		}
		if found && c.Exists() && c.Language != "" {
			return c.Language, nil
		}
	}
	return "", nil
}

// RequestedBy returns who asked information request requestID of case id,
// for the notifier; false when there is no such request.
func (s *Service) RequestedBy(ctx context.Context, id, requestID string) (string, bool, error) {
	c, _, found, err := s.repo.Find(ctx, id)
	if err != nil || !found {
		return "", false, err
	}
	for _, r := range c.InformationRequests {
		if r.ID == requestID {
			return r.By, r.By != "", nil
		}
	}
	return "", false, nil
}

// Expiring is an active accreditation, when it runs out and when its
// renewal opens (zero: the rules set no window).
type Expiring struct {
	CaseID, AccreditationID, HolderID, Language string
	ValidUntil, RenewalOpens                    time.Time
}

// ExpiringBefore returns the active accreditations that run out before t,
// for the renewal reminders, but those whose holder has sent the renewal
// (Accreditation.RenewalSent): the cases the index names, each confirmed
// from its own state. A case the store cannot give is left out and the
// first such error returned after the others.
func (s *Service) ExpiringBefore(ctx context.Context, t time.Time) ([]Expiring, error) {
	var out []Expiring
	var unread error
	for _, id := range s.index.due(t) {
		c, _, ok, err := s.repo.Find(ctx, id)
		if err != nil {
			unread = cmp.Or(unread, err)
			continue
		}
		a := c.Accreditation
		if !ok || a == nil || a.Status != accreditation.StatusActive || !a.ValidUntil.Before(t) || a.RenewalSent() {
			continue
		}
		out = append(out, Expiring{CaseID: id, AccreditationID: a.ID, HolderID: c.ApplicantID, Language: c.Language, ValidUntil: a.ValidUntil,
			RenewalOpens: c.RenewalOpens(s.now(), s.RuleSets())})
	}
	return out, unread
}
