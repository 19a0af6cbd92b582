package seed

import (
	"context"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
)

func (g *job) afterDecision(ctx context.Context, p *plan, now time.Time) (time.Duration, error) {
	c := p.c
	if p.appeal && !p.appealed {
		p.appealed = true
		grounds, err := g.text(ctx, p, pick(g.rnd, appealGrounds))
		if err != nil {
			return 0, err
		}
		a := g.applicantActor(p)
		g.sum.Appeals++
		return g.days(10, 40), g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.Appeal(a, now, accreditation.AppealInput{Grounds: grounds})
		})
	}
	acc := c.Accreditation
	if c.State != accreditation.StateAwarded || acc == nil || acc.Status != accreditation.StatusActive {
		return 0, nil
	}
	switch {
	case p.revoke:
		r, err := g.text(ctx, p, pick(g.rnd, revocations))
		if err != nil {
			return 0, err
		}
		o := g.officeActor()
		g.sum.Revocations++
		return 0, g.do(ctx, p, o, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.Revoke(o, now, accreditation.ReasonInput{Reason: r})
		})
	case now.Before(acc.ValidUntil):
		a := g.applicantActor(p)
		in := accreditation.RenewalInput{ContinuedPractice: true, EthicsCodeAdherence: true, Declarations: accreditation.Declarations,
			SupervisionHoursLastYear: float64(4 + g.rnd.IntN(16)), CPDHoursLastYear: float64(16 + g.rnd.IntN(40))}
		if err := g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.Renew(a, now, g.cfg.RuleSets, in)
		}); err != nil {
			return 0, err
		}
		g.sum.Renewals++
	default:
		// The system's expiry job, as accreditd runs it.
		if err := g.do(ctx, p, domain.System, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.Expire(domain.System, now)
		}); err != nil {
			return 0, err
		}
		g.sum.Expiries++
	}
	return g.nextAfterAward(p, now), nil
}

// decideAppeal has an office user who had no part in the case decide the
// appeal: upheld, it goes back to the decision.
func (g *job) decideAppeal(ctx context.Context, p *plan, now time.Time) (time.Duration, error) {
	in := accreditation.AppealDecisionInput{Outcome: accreditation.AppealDismissed}
	if p.upheld {
		in = accreditation.AppealDecisionInput{Outcome: accreditation.AppealUpheld, ReturnTo: accreditation.ReturnToDecision}
	}
	var err error
	if in.Rationale, err = g.text(ctx, p, appealRationales[map[bool]int{false: 0, true: 1}[p.upheld]]); err != nil {
		return 0, err
	}
	o := domain.Actor{}
	for _, i := range g.rnd.Perm(len(g.offices)) {
		if id := g.users[g.offices[i]].ID; !p.c.Involved(id) {
			o = domain.Actor{ID: id, Role: domain.RoleOffice}
			break
		}
	}
	if err := g.do(ctx, p, o, now, func(c *accreditation.Case) ([]aggregate.Change, error) { return c.DecideAppeal(o, now, in) }); err != nil {
		return 0, err
	}
	if p.upheld {
		return g.days(3, 14), nil
	}
	return g.nextAfterAward(p, now), nil
}
