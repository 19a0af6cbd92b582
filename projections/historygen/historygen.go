// Package historygen generates random, valid case histories by driving the
// real case aggregate with random allowed actions, for property tests and
// benchmarks of the read side.
package historygen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// Generator drives cases through random allowed actions.
type Generator struct {
	Store     eventstore.Store
	rnd       *rand.Rand
	now       time.Time
	feed      *aggregate.Feed
	repo      *aggregate.Repository[*accreditation.Case]
	vault     *pii.Vault
	rules     accreditation.RuleSets
	offices   []string
	assessors []accreditation.AssessorProfile
	cancel    context.CancelFunc
	cases     []string
	applicant map[string]string
	// Programmes, when set, are EQA accreditation ids (ULIDs) that the EIA
	// portfolios name at random as the programme their applicant graduated
	// from, or not (portfolio.eqa_programme).
	Programmes []string
	// Errors, when set, hears of refused random actions (a refusal is
	// fine: the action's input was random; a systematic one is a bug).
	Errors func(action accreditation.Action, err error)
}

// New returns a generator writing to store, seeded for repeatability.
func New(tb testing.TB, store eventstore.Store, seed uint64) *Generator {
	tb.Helper()
	vault, err := pii.NewVault(pii.NewMemoryKeys(), make([]byte, 32))
	if err != nil {
		tb.Fatal(err)
	}
	g := &Generator{Store: store, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now: time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC), vault: vault, rules: accreditation.DefaultRuleSets(),
		offices: []string{"office-1", "office-2", "office-3", "office-4"}, applicant: map[string]string{}}
	for i := range 6 {
		g.assessors = append(g.assessors, accreditation.AssessorProfile{UserID: fmt.Sprintf("assessor-%d", i),
			Schemes: []string{"EIA", "EQA"}, MaxLevel: framework.MasterPractitioner, Languages: []string{"en", "nl"}, Active: true})
	}
	g.feed = aggregate.NewFeed(store, nil)
	g.repo = aggregate.NewRepository(accreditation.StreamPrefix, store, g.feed, func() time.Time { return g.now }, accreditation.Factory(framework.Default()))
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	go func() { _ = g.feed.Run(ctx) }()
	tb.Cleanup(cancel)
	return g
}

// Now is the generator's clock.
func (g *Generator) Now() time.Time { return g.now }

func (g *Generator) seal(subject, text string) pii.Sealed {
	s, _ := g.vault.Seal(context.Background(), subject, text)
	return s
}

// OpenCases opens n cases, each by its own applicant, at random schemes and levels.
func (g *Generator) OpenCases(tb testing.TB, n int) {
	tb.Helper()
	for range n {
		id := fmt.Sprintf("C%06d%s", len(g.cases), "0000000000000000000")[:26]
		applicant := "applicant-" + id
		scheme := []accreditation.Scheme{accreditation.SchemeEIA, accreditation.SchemeEQA}[g.rnd.IntN(2)]
		in := accreditation.OpenInput{CaseID: id, Scheme: scheme, Level: framework.Levels[g.rnd.IntN(2)],
			Language: []string{"en", "nl"}[g.rnd.IntN(2)]}
		if scheme == accreditation.SchemeEQA {
			in.ProgrammeName, in.ProgrammeProvider = g.seal(applicant, "Programme "+id), g.seal(applicant, "Provider "+id)
		}
		actor := domain.Actor{ID: applicant, Role: domain.RoleApplicant}
		g.must(tb, id, actor, func(c *accreditation.Case) ([]aggregate.Change, error) { return c.Open(actor, g.now, in) })
		g.cases = append(g.cases, id)
		g.applicant[id] = applicant
	}
}

// Lifetimes opens n cases and takes steps random actions on them, then
// lets years pass, expires what is due and takes after more: a history
// with every kind of step, expiries and renewals among them.
func (g *Generator) Lifetimes(tb testing.TB, n, steps, years, after int) {
	tb.Helper()
	g.OpenCases(tb, n)
	g.Steps(tb, steps)
	g.Advance(time.Duration(years) * 365 * 24 * time.Hour)
	g.ExpireDue(tb)
	g.Steps(tb, after)
}

// Steps takes n random allowed actions on random cases.
func (g *Generator) Steps(tb testing.TB, n int) {
	tb.Helper()
	for range n {
		g.now = g.now.Add(time.Duration(g.rnd.IntN(72)) * time.Hour)
		id := g.cases[g.rnd.IntN(len(g.cases))]
		g.step(tb, id)
	}
}

// Drive takes each case through the happy path to a decision (most awarded).
func (g *Generator) Drive(tb testing.TB, id string, steps int) {
	tb.Helper()
	for range steps {
		g.now = g.now.Add(time.Duration(g.rnd.IntN(48)) * time.Hour)
		g.step(tb, id)
	}
}

// Adopt takes over the cases another generator opened in the same store
// (before a restart of the process under test, say), once this one has
// read them, so that Steps drives them on.
func (g *Generator) Adopt(tb testing.TB, ids []string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := g.feed.CatchUp(ctx); err != nil {
		tb.Fatalf("adopt: %v", err)
	}
	for _, id := range ids {
		g.cases = append(g.cases, id)
		g.applicant[id] = "applicant-" + id
	}
}

// Cases lists the generated case ids.
func (g *Generator) Cases() []string { return g.cases }

func (g *Generator) actors(c *accreditation.Case) []domain.Actor {
	out := []domain.Actor{{ID: c.ApplicantID, Role: domain.RoleApplicant}}
	for _, o := range g.offices {
		out = append(out, domain.Actor{ID: o, Role: domain.RoleOffice})
	}
	for _, a := range g.assessors {
		out = append(out, domain.Actor{ID: a.UserID, Role: domain.RoleAssessor})
	}
	return out
}

// step picks one allowed (actor, action) on case id and does it.
func (g *Generator) step(tb testing.TB, id string) {
	tb.Helper()
	c, _, ok, err := g.repo.Find(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	if !ok {
		return
	}
	type choice struct {
		actor  domain.Actor
		action accreditation.Action
	}
	var choices []choice
	for _, a := range g.actors(c) {
		for _, act := range c.AllowedActions(a, g.now, g.rules) {
			if act == accreditation.ActionRemoveEvidence || act == accreditation.ActionExpire {
				continue
			}
			choices = append(choices, choice{a, act})
		}
	}
	if len(choices) == 0 {
		return
	}
	// Pick an action kind first (so one actor's many options do not crowd
	// out another's one), rarely an ending one, so histories get long.
	ending := func(a accreditation.Action) bool {
		return a == accreditation.ActionWithdraw || a == accreditation.ActionWithdrawAccreditation || a == accreditation.ActionRevoke
	}
	var kinds []accreditation.Action
	for _, ch := range choices {
		if !slices.Contains(kinds, ch.action) && (!ending(ch.action) || g.rnd.IntN(30) == 0) {
			kinds = append(kinds, ch.action)
		}
	}
	if len(kinds) == 0 {
		return
	}
	kind := kinds[g.rnd.IntN(len(kinds))]
	var of []choice
	for _, ch := range choices {
		if ch.action == kind {
			of = append(of, ch)
		}
	}
	pick := of[g.rnd.IntN(len(of))]
	_, err = g.repo.Update(context.Background(), id, aggregate.Meta{Actor: pick.actor}, func(c *accreditation.Case, _ uint64) ([]aggregate.Change, error) {
		return g.decide(c, pick.actor, pick.action)
	})
	if err != nil && g.Errors != nil {
		g.Errors(pick.action, err)
	}
}

func (g *Generator) ratings(c *accreditation.Case) []accreditation.CategoryRating {
	var out []accreditation.CategoryRating
	for cat := 1; cat <= 8; cat++ {
		out = append(out, accreditation.CategoryRating{Category: cat,
			Rating: []accreditation.Rating{accreditation.RatingEvidenced, accreditation.RatingPartiallyEvidenced}[g.rnd.IntN(2)],
			Notes:  g.seal(c.ApplicantID, "notes")})
	}
	return out
}

// areas rates the review areas of an EQA case; an EIA case has none.
func (g *Generator) areas(c *accreditation.Case) []accreditation.AreaRating {
	if c.Scheme != accreditation.SchemeEQA {
		return nil
	}
	var out []accreditation.AreaRating
	for _, a := range accreditation.ReviewAreas {
		out = append(out, accreditation.AreaRating{Area: a,
			Rating: []accreditation.Rating{accreditation.RatingEvidenced, accreditation.RatingPartiallyEvidenced}[g.rnd.IntN(2)],
			Notes:  g.seal(c.ApplicantID, "notes")})
	}
	return out
}

func (g *Generator) decide(c *accreditation.Case, a domain.Actor, action accreditation.Action) ([]aggregate.Change, error) {
	subject := c.ApplicantID
	text := func(s string) pii.Sealed { return g.seal(subject, s) }
	switch action {
	case accreditation.ActionUpdatePortfolio:
		p := accreditation.Portfolio{FirstPracticeDate: accreditation.NewDate(2015, 1, 1), ClientHours: 600, ClientCount: 50,
			CPDHoursLastYear: 20, SupervisionHoursLastYear: 6, SupervisionHoursByQuarter: []float64{2, 1, 2, 1}, FeedbackItemsLast12m: 6, ReflectionItemsLast12m: 6,
			ProfessionalBodyMember: true}
		if n := len(g.Programmes); n > 0 && c.Scheme == accreditation.SchemeEIA {
			if i := g.rnd.IntN(n + 1); i < n {
				p.EQAProgramme = g.Programmes[i]
			}
		}
		if c.Scheme == accreditation.SchemeEQA {
			p = accreditation.Portfolio{ContactHours: 200, CompletedCycles: 2}
			for cat := 1; cat <= 8; cat++ {
				p.Curriculum = append(p.Curriculum, accreditation.CurriculumItem{Category: cat, Description: text("module")})
			}
		}
		return c.UpdatePortfolio(a, g.now, p)
	case accreditation.ActionAddEvidence:
		kind := accreditation.KindReflectiveStatement
		if c.Scheme == accreditation.SchemeEQA {
			kind = accreditation.KindCurriculum
		}
		return c.AddEvidence(a, g.now, accreditation.EvidenceInput{ID: fmt.Sprintf("E%d", len(c.Evidence)+g.rnd.IntN(1e6)),
			Kind: kind, Title: text("title"), FileName: text("f.pdf"), ContentType: "application/pdf",
			Size: 10, SHA256: strings.Repeat("ab", 32), Object: "o", Categories: []int{1, 2, 3, 4, 5, 6, 7, 8}})
	case accreditation.ActionUpdateSelfAssessment:
		return c.UpdateSelfAssessment(a, g.now, accreditation.SelfAssessmentInput{Category: 1 + g.rnd.IntN(8), Statement: text("statement")})
	case accreditation.ActionSubmit:
		return c.Submit(a, g.now, g.rules, accreditation.SubmitInput{Declarations: accreditation.Declarations})
	case accreditation.ActionRecordPayment:
		return c.RecordPayment(a, g.now, accreditation.PaymentInput{Status: accreditation.PaymentPaid, Reference: "INV-" + c.ID})
	case accreditation.ActionScreen:
		if g.rnd.IntN(5) == 0 {
			return c.Screen(a, g.now, accreditation.ScreenInput{Outcome: accreditation.ScreeningReturned, Reason: text("more")})
		}
		return c.Screen(a, g.now, accreditation.ScreenInput{Outcome: accreditation.ScreeningAccepted})
	case accreditation.ActionAssign, accreditation.ActionClaim:
		for _, i := range g.rnd.Perm(len(g.assessors)) {
			p := g.assessors[i]
			for _, r := range accreditation.AssessorRoles {
				if c.CanClaim(p, r) != nil {
					continue
				}
				if action == accreditation.ActionAssign {
					return c.Assign(a, g.now, accreditation.AssignInput{Role: r, Profile: p})
				}
				if p.UserID == a.ID {
					return c.Claim(a, g.now, accreditation.ClaimInput{Role: r, Profile: p})
				}
			}
		}
		return nil, nil
	case accreditation.ActionAssess:
		rec := []accreditation.Recommendation{accreditation.RecommendAward, accreditation.RecommendAward, accreditation.RecommendNotAward}[g.rnd.IntN(3)]
		return c.SubmitAssessment(a, g.now, accreditation.AssessmentInput{Ratings: g.ratings(c), Areas: g.areas(c), Recommendation: rec, Rationale: text("why")})
	case accreditation.ActionRequestInformation:
		return c.RequestInformation(a, g.now, accreditation.InformationRequestInput{Questions: text("q?")})
	case accreditation.ActionRespond:
		return c.ProvideInformation(a, g.now, accreditation.InformationResponseInput{Answer: text("a")})
	case accreditation.ActionModerate:
		return c.Moderate(a, g.now, accreditation.ModerationInput{Recommendation: accreditation.RecommendAward, Rationale: text("moderated")})
	case accreditation.ActionDecide:
		if g.rnd.IntN(4) == 0 {
			return c.Decide(a, g.now, accreditation.DecisionInput{Outcome: accreditation.OutcomeNotAwarded, Rationale: text("no")})
		}
		return c.Decide(a, g.now, accreditation.DecisionInput{Outcome: accreditation.OutcomeAwarded, Level: c.Level, Rationale: text("yes"),
			AccreditationID: fmt.Sprintf("A-%s-%d", c.ID, len(c.PastDecisions))})
	case accreditation.ActionAppeal:
		return c.Appeal(a, g.now, accreditation.AppealInput{Grounds: text("grounds")})
	case accreditation.ActionDecideAppeal:
		in := accreditation.AppealDecisionInput{Outcome: accreditation.AppealDismissed, Rationale: text("r")}
		if g.rnd.IntN(2) == 0 {
			in = accreditation.AppealDecisionInput{Outcome: accreditation.AppealUpheld, Rationale: text("r"),
				ReturnTo: []string{accreditation.ReturnToAssessment, accreditation.ReturnToDecision}[g.rnd.IntN(2)]}
		}
		return c.DecideAppeal(a, g.now, in)
	case accreditation.ActionWithdraw:
		return c.Withdraw(a, g.now, accreditation.WithdrawInput{})
	case accreditation.ActionRenew:
		in := accreditation.RenewalInput{Declarations: accreditation.Declarations}
		if c.Scheme == accreditation.SchemeEQA {
			for _, aim := range accreditation.RenewalAims {
				in.Aims = append(in.Aims, accreditation.AimStatement{Aim: aim, Statement: text("aim")})
			}
		} else {
			for range accreditation.ValidityYears {
				in.Years = append(in.Years, accreditation.RenewalYear{PracticeHours: 30, SupervisionHours: 6, CPDHours: 20})
			}
			in.Reflection = text("reflection")
		}
		return c.Renew(a, g.now, g.rules, in)
	case accreditation.ActionAssignRenewal:
		for _, i := range g.rnd.Perm(len(g.assessors)) {
			if ch, err := c.AssignRenewal(a, g.now, accreditation.RenewalAssignInput{Profile: g.assessors[i]}); err == nil {
				return ch, nil
			}
		}
		return nil, nil
	case accreditation.ActionAssessRenewal:
		out := []accreditation.RenewalOutcome{accreditation.RenewalRenew, accreditation.RenewalRenew, accreditation.RenewalReturn, accreditation.RenewalRefuse}[g.rnd.IntN(4)]
		return c.AssessRenewal(a, g.now, accreditation.RenewalAssessmentInput{Outcome: out, Rationale: text("why")})
	case accreditation.ActionRevoke:
		return c.Revoke(a, g.now, accreditation.ReasonInput{Reason: text("ethics")})
	case accreditation.ActionWithdrawAccreditation:
		return c.WithdrawAccreditation(a, g.now, accreditation.ReasonInput{Reason: text("asked")})
	}
	return nil, nil
}

func (g *Generator) must(tb testing.TB, id string, a domain.Actor, decide func(*accreditation.Case) ([]aggregate.Change, error)) {
	tb.Helper()
	if _, err := g.repo.Update(context.Background(), id, aggregate.Meta{Actor: a}, func(c *accreditation.Case, _ uint64) ([]aggregate.Change, error) {
		return decide(c)
	}); err != nil {
		tb.Fatalf("generate %s: %v", id, err)
	}
}

// Graduate is one EIA case of a graduate of programme (an accreditation
// id) taken straight to a decision: applicant opens it at level (one
// without an interview: foundation or practitioner) and submits it; the
// assessor rates every category ratings[0] and the verifier ratings[1],
// both recommending awarded (the level awarded; "" for not awarding); the
// decision follows days after the submission (the generator's clock
// moves on by as much). It returns the case id.
func (g *Generator) Graduate(tb testing.TB, applicant, programme string, level framework.Level, ratings [2]accreditation.Rating,
	awarded framework.Level, days int) string {
	tb.Helper()
	id := fmt.Sprintf("G%06d%s", len(g.cases), "0000000000000000000")[:26]
	g.cases = append(g.cases, id)
	g.applicant[id] = applicant
	me := domain.Actor{ID: applicant, Role: domain.RoleApplicant}
	office := domain.Actor{ID: g.offices[0], Role: domain.RoleOffice}
	g.must(tb, id, me, func(c *accreditation.Case) ([]aggregate.Change, error) {
		return c.Open(me, g.now, accreditation.OpenInput{CaseID: id, Scheme: accreditation.SchemeEIA, Level: level, Language: "en"})
	})
	g.must(tb, id, me, func(c *accreditation.Case) ([]aggregate.Change, error) {
		p := accreditation.Portfolio{FirstPracticeDate: accreditation.NewDate(2015, 1, 1), ClientHours: 600, ClientCount: 50,
			CPDHoursLastYear: 20, SupervisionHoursLastYear: 6, SupervisionHoursByQuarter: []float64{2, 1, 2, 1}, FeedbackItemsLast12m: 6, ReflectionItemsLast12m: 6,
			ProfessionalBodyMember: true, EQAProgramme: programme}
		return c.UpdatePortfolio(me, g.now, p)
	})
	for _, action := range []accreditation.Action{accreditation.ActionAddEvidence, accreditation.ActionSubmit} {
		g.must(tb, id, me, func(c *accreditation.Case) ([]aggregate.Change, error) { return g.decide(c, me, action) })
	}
	g.must(tb, id, office, func(c *accreditation.Case) ([]aggregate.Change, error) {
		return c.Screen(office, g.now, accreditation.ScreenInput{Outcome: accreditation.ScreeningAccepted})
	})
	rec, recLevel := accreditation.RecommendNotAward, framework.Level("")
	switch {
	case awarded == level:
		rec, recLevel = accreditation.RecommendAward, level
	case awarded != "":
		rec, recLevel = accreditation.RecommendAwardLower, awarded
	}
	for i, role := range accreditation.AssessorRoles {
		g.must(tb, id, office, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.Assign(office, g.now, accreditation.AssignInput{Role: role, Profile: g.assessors[i]})
		})
	}
	for i := range accreditation.AssessorRoles {
		p := g.assessors[i]
		var rs []accreditation.CategoryRating
		for cat := 1; cat <= framework.NumCategories; cat++ {
			rs = append(rs, accreditation.CategoryRating{Category: cat, Rating: ratings[i]})
		}
		a := domain.Actor{ID: p.UserID, Role: domain.RoleAssessor}
		g.must(tb, id, a, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.SubmitAssessment(a, g.now, accreditation.AssessmentInput{Ratings: rs, Recommendation: rec, Level: recLevel,
				Rationale: g.seal(applicant, "why")})
		})
	}
	g.now = g.now.Add(time.Duration(days) * 24 * time.Hour) // events take the clock's time
	g.must(tb, id, office, func(c *accreditation.Case) ([]aggregate.Change, error) {
		in := accreditation.DecisionInput{Outcome: accreditation.OutcomeNotAwarded, Rationale: g.seal(applicant, "no")}
		if awarded != "" {
			in = accreditation.DecisionInput{Outcome: accreditation.OutcomeAwarded, Level: awarded, Rationale: g.seal(applicant, "yes"),
				AccreditationID: "A-" + id}
		}
		return c.Decide(office, g.now, in)
	})
	return id
}

// Advance moves the generator's clock.
func (g *Generator) Advance(d time.Duration) { g.now = g.now.Add(d) }

// ExpireDue expires what is due (as the system job would).
func (g *Generator) ExpireDue(tb testing.TB) {
	for _, id := range g.cases {
		_, _ = g.repo.Update(context.Background(), id, aggregate.Meta{Actor: domain.System}, func(c *accreditation.Case, _ uint64) ([]aggregate.Change, error) {
			if a := c.Accreditation; a == nil || a.Status != accreditation.StatusActive || g.now.Before(a.ValidUntil) {
				return nil, nil
			}
			return c.Expire(domain.System, g.now)
		})
	}
}

// Queued opens n cases and takes each straight to the assessor queue
// (awaiting assessment); every third is also claimed by an assessor.
func (g *Generator) Queued(tb testing.TB, n int) {
	tb.Helper()
	office := domain.Actor{ID: g.offices[0], Role: domain.RoleOffice}
	for range n {
		g.OpenCases(tb, 1)
		id := g.cases[len(g.cases)-1]
		applicant := domain.Actor{ID: g.applicant[id], Role: domain.RoleApplicant}
		g.now = g.now.Add(time.Minute)
		for _, action := range []accreditation.Action{accreditation.ActionUpdatePortfolio, accreditation.ActionAddEvidence, accreditation.ActionSubmit} {
			g.must(tb, id, applicant, func(c *accreditation.Case) ([]aggregate.Change, error) { return g.decide(c, applicant, action) })
		}
		g.must(tb, id, office, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.Screen(office, g.now, accreditation.ScreenInput{Outcome: accreditation.ScreeningAccepted})
		})
		if len(g.cases)%3 == 0 {
			p := g.assessors[len(g.cases)%len(g.assessors)]
			a := domain.Actor{ID: p.UserID, Role: domain.RoleAssessor}
			g.must(tb, id, a, func(c *accreditation.Case) ([]aggregate.Change, error) {
				return c.Claim(a, g.now, accreditation.ClaimInput{Role: accreditation.RoleAssessor, Profile: p})
			})
		}
	}
}

// Profile returns the profile of generated assessor i.
func (g *Generator) Profile(i int) accreditation.AssessorProfile {
	return g.assessors[i%len(g.assessors)]
}

// Close stops the generator's feed (its memory can then be collected).
func (g *Generator) Close() { g.cancel() }
