package seed

import (
	"context"
	"fmt"
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
	if acc.Current.Open() {
		return g.renewal(ctx, p, now)
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
		in, err := g.renewalInput(ctx, p)
		if err != nil {
			return 0, err
		}
		a := g.applicantActor(p)
		return g.days(1, 14), g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.Renew(a, now, g.cfg.RuleSets, in)
		})
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

// renewalInput is the holder's renewal: EIA five years of practice,
// supervision and CPD over the published minimums, and a reflection; EQA a
// statement on each aim.
func (g *job) renewalInput(ctx context.Context, p *plan) (accreditation.RenewalInput, error) {
	in := accreditation.RenewalInput{Declarations: accreditation.Declarations}
	if p.scheme == accreditation.SchemeEQA {
		for i, aim := range accreditation.RenewalAims {
			s, err := g.text(ctx, p, aimStatements[i])
			if err != nil {
				return in, err
			}
			in.Aims = append(in.Aims, accreditation.AimStatement{Aim: aim, Statement: s})
		}
		return in, nil
	}
	for range accreditation.ValidityYears {
		y := accreditation.RenewalYear{PracticeHours: float64(25 + g.rnd.IntN(120)),
			SupervisionHours: float64(4 + g.rnd.IntN(12)), CPDHours: float64(16 + g.rnd.IntN(40))}
		// Supervised through the year: at least the published hour in
		// each quarter, the year's hours their sum.
		y.SupervisionHoursByQuarter = quarters(y.SupervisionHours, 1)
		y.SupervisionHours = 0
		for _, h := range y.SupervisionHoursByQuarter {
			y.SupervisionHours += h
		}
		in.Years = append(in.Years, y)
	}
	r, err := g.text(ctx, p, pick(g.rnd, reflections))
	in.Reflection = r
	return in, err
}

// renewal takes the submitted renewal's next step: the office assigns a
// qualified assessor, who renews the accreditation.
func (g *job) renewal(ctx context.Context, p *plan, now time.Time) (time.Duration, error) {
	if p.c.Accreditation.Current.State == accreditation.StateRenewalSubmitted {
		o := g.officeActor()
		for _, i := range g.assessors {
			prof := g.users[i].profile
			if _, err := p.c.AssignRenewal(o, now, accreditation.RenewalAssignInput{Profile: prof}); err != nil {
				continue
			}
			return g.days(5, 30), g.do(ctx, p, o, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
				return c.AssignRenewal(o, now, accreditation.RenewalAssignInput{Profile: prof})
			})
		}
		return 0, fmt.Errorf("no assessor qualified for the renewal of %s %s in %q", p.scheme, p.level, p.lang)
	}
	why, err := g.text(ctx, p, pick(g.rnd, renewalRationales))
	if err != nil {
		return 0, err
	}
	a := domain.Actor{ID: p.c.RenewalAssessor(), Role: domain.RoleAssessor}
	if err := g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
		return c.AssessRenewal(a, now, accreditation.RenewalAssessmentInput{Outcome: accreditation.RenewalRenew, Rationale: why})
	}); err != nil {
		return 0, err
	}
	g.sum.Renewals++
	return g.nextAfterAward(p, now), nil
}
