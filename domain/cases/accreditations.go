package cases

import (
	"cmp"
	"context"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/limits"
)

// CaseOfAccreditation returns the case holding an accreditation the caller may see.
func (s *Service) CaseOfAccreditation(actor domain.Actor, accID string) (string, error) {
	id, ok := s.index.caseOf(accID)
	if !ok {
		return "", domain.Errorf(domain.NotFound, "no accreditation %s", accID)
	}
	if err := s.mustSee(actor, id); err != nil {
		return "", domain.Errorf(domain.NotFound, "no accreditation %s", accID)
	}
	return id, nil
}

// runOnAccreditation runs decide, a command on accreditation accID, on case
// id, the case that holds it by the index, while accID is still the case's
// accreditation. The index keeps every accreditation a case was awarded:
// after an appeal upheld and a new decision, the first one, withdrawn,
// still leads to the case, whose accreditation is the new one, which a
// command naming the first must not touch.
func (s *Service) runOnAccreditation(ctx context.Context, m aggregate.Meta, id, accID string,
	decide func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error)) (aggregate.Result, error) {
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		current := ""
		if c.Accreditation != nil {
			current = c.Accreditation.ID
		}
		if err := IsCurrent(current, accID); err != nil {
			return nil, err
		}
		return decide(c, now)
	})
}

// IsCurrent refuses accreditation accID, as NotFound, when it is not
// current, its case's accreditation now ("": none yet): the reads and the
// commands that find a case by an accreditation's id ask it.
func IsCurrent(current, accID string) error {
	switch current {
	case accID:
		return nil
	case "":
		return domain.Errorf(domain.NotFound, "no accreditation %s", accID)
	}
	return domain.Errorf(domain.NotFound, "no accreditation %s in force: the case's accreditation is now %s", accID, current)
}

// AccreditationID is the id of v's accreditation, "" when it has none.
func (v *CaseView) AccreditationID() string {
	if v.Accreditation == nil {
		return ""
	}
	return v.Accreditation.ID
}

// Programme returns the EQA-accredited programme of accreditation accID,
// as the public register shows it, when that accreditation is in force:
// the programmes an applicant may name as the one they graduated from.
// Errors: Unavailable (the store could not give the programme's case).
func (s *Service) Programme(ctx context.Context, accID string) (ProgrammeView, bool, error) {
	p, inForce, ok, err := s.programme(ctx, accID)
	return p, ok && inForce, err
}

// programme returns the programme accredited as accID and whether that
// accreditation is in force now; false when accID is no EQA accreditation.
func (s *Service) programme(ctx context.Context, accID string) (p ProgrammeView, inForce, ok bool, err error) {
	id, ok := s.index.caseOf(accID)
	if !ok {
		return ProgrammeView{}, false, false, nil
	}
	c, _, ok, err := s.repo.Find(ctx, id)
	if err != nil {
		e := domain.Wrap(domain.Unavailable, err, "event store unavailable")
		e.RetryAfter = 1
		return ProgrammeView{}, false, false, e
	}
	if !ok || c.Scheme != accreditation.SchemeEQA || c.Programme == nil || c.Accreditation == nil || c.Accreditation.ID != accID {
		return ProgrammeView{}, false, false, nil
	}
	p = ProgrammeView{Name: s.vault.Reveal(ctx, c.Programme.Name), Provider: s.vault.Reveal(ctx, c.Programme.Provider)}
	return p, accreditation.InForce(c.Accreditation.Status, c.Accreditation.ValidUntil, s.now()), true, nil
}

// Revoke is the office revoking an accreditation, with a reason.
func (s *Service) Revoke(ctx context.Context, m aggregate.Meta, accID, reason string) (string, aggregate.Result, error) {
	return s.endAccreditation(ctx, m, accID, reason, (*accreditation.Case).Revoke)
}

// WithdrawAccreditation is the office or the holder withdrawing an
// accreditation, with a reason.
func (s *Service) WithdrawAccreditation(ctx context.Context, m aggregate.Meta, accID, reason string) (string, aggregate.Result, error) {
	return s.endAccreditation(ctx, m, accID, reason, (*accreditation.Case).WithdrawAccreditation)
}

// endAccreditation runs end, a command that ends an accreditation for a
// reason, on the case that holds accID.
func (s *Service) endAccreditation(ctx context.Context, m aggregate.Meta, accID, reason string,
	end func(*accreditation.Case, domain.Actor, time.Time, accreditation.ReasonInput) ([]aggregate.Change, error)) (string, aggregate.Result, error) {
	id, err := s.CaseOfAccreditation(m.Actor, accID)
	if err != nil {
		return "", aggregate.Result{}, err
	}
	if err := checkProse("reason", reason, limits.Reason); err != nil {
		return "", aggregate.Result{}, err
	}
	r, err := s.sealOn(ctx, id, reason)
	if err != nil {
		return "", aggregate.Result{}, err
	}
	res, err := s.runOnAccreditation(ctx, m, id, accID, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return end(c, m.Actor, now, accreditation.ReasonInput{Reason: r})
	})
	return id, res, err
}

// ExpireDue expires every active accreditation past its valid-until date.
// Several processes may run it at once: the expected-version check lets one
// expiry of each accreditation through and the others find it expired. It
// reads only the cases the index says may be due, and decides from each
// case's own state. A case the store cannot give is left for the next run
// and the first such error returned after the others are done.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	now := s.now()
	n := 0
	var unread error // the first case the store could not give: tried again next run
	for _, id := range s.index.due(now) {
		c, _, ok, err := s.repo.Find(ctx, id)
		if err != nil {
			unread = cmp.Or(unread, err)
			continue
		}
		if !ok {
			continue
		}
		a := c.Accreditation
		if a == nil || a.Status != accreditation.StatusActive || now.Before(a.ValidUntil) {
			s.index.settle(id, a) // ended, or renewed by an event the index does not read
			continue
		}
		_, err = s.repo.Update(ctx, id, aggregate.Meta{Command: string(accreditation.ActionExpire), Actor: domain.System, CommandID: "expire-" + id + "-" + now.UTC().Format("2006-01-02")},
			func(c *accreditation.Case, _ uint64) ([]aggregate.Change, error) {
				if a := c.Accreditation; a == nil || a.Status != accreditation.StatusActive {
					return nil, nil // another process expired it first
				}
				return c.Expire(domain.System, now)
			})
		if err != nil {
			return n, err
		}
		s.index.expired(id, a.ValidUntil)
		n++
	}
	return n, unread
}
