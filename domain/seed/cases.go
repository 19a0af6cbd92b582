package seed

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// plan is one case's course, decided when it is made up, and how far it is.
type plan struct {
	id         string
	applicant  int
	scheme     accreditation.Scheme
	level      framework.Level
	lang       string
	opens      time.Time
	target     accreditation.State
	stopAt     accreditation.State // in progress at the end: stop on reaching it
	further    bool                // and take one more step in it first
	withdrawAt accreditation.State
	returnOnce bool // screening returns it once
	info       bool // the assessor asks the applicant for more
	disagree   bool // the two assessments differ: moderation
	first      accreditation.Recommendation
	appeal     bool // the applicant appeals the first decision
	upheld     bool
	revoke     bool
	evidence   int

	c                                        *accreditation.Case
	portfolio, selfAssessed, fixed, returned bool
	asked, appealed                          bool
	added                                    int
	covered                                  map[int]bool
}

// courses are the states cases end in and how common each is, per mille.
var courses = []struct {
	state accreditation.State
	share int
}{
	{accreditation.StateAwarded, 600}, {accreditation.StateNotAwarded, 130}, {accreditation.StateWithdrawn, 50},
	{accreditation.StateDraft, 50}, {accreditation.StateSubmitted, 20}, {accreditation.StateReturned, 15},
	{accreditation.StateAwaitingAssessment, 35}, {accreditation.StateInAssessment, 45},
	{accreditation.StateInformationRequested, 15}, {accreditation.StateModeration, 10},
	{accreditation.StateAwaitingDecision, 25}, {accreditation.StateAppealed, 5},
}

func final(s accreditation.State) bool {
	return s == accreditation.StateAwarded || s == accreditation.StateNotAwarded || s == accreditation.StateWithdrawn
}

// course decides case n's course. The first cases end in each state in
// turn, so that even a small data set has every state.
func (g *gen) course(n int) *plan {
	p := &plan{scheme: accreditation.SchemeEIA, lang: g.language(), covered: map[int]bool{}}
	if g.rnd.IntN(6) == 0 {
		p.scheme = accreditation.SchemeEQA
	}
	p.level = framework.Levels[[]int{0, 1, 1, 1, 2, 2, 3}[g.rnd.IntN(7)]]
	if n < len(accreditation.States) {
		p.target = accreditation.States[n]
	} else {
		k := g.rnd.IntN(1000)
		for _, c := range courses {
			if k < c.share {
				p.target = c.state
				break
			}
			k -= c.share
		}
	}
	if !final(p.target) {
		p.stopAt = p.target
		p.further = g.rnd.IntN(2) == 0
	}
	p.returnOnce = p.target == accreditation.StateReturned || g.rnd.IntN(100) < 8
	p.info = p.target == accreditation.StateInformationRequested || p.target != accreditation.StateInAssessment && g.rnd.IntN(100) < 12
	p.disagree = p.target == accreditation.StateModeration || g.rnd.IntN(100) < 8
	p.first = accreditation.RecommendAward
	lowerOK := p.level != framework.Foundation
	switch p.target {
	case accreditation.StateAwarded:
		switch k := g.rnd.IntN(100); {
		case k < 5 && lowerOK:
			p.first, p.appeal, p.upheld = accreditation.RecommendAwardLower, g.rnd.IntN(10) < 6, g.rnd.IntN(2) == 0
		case k < 10:
			p.first, p.appeal, p.upheld = accreditation.RecommendNotAward, true, true
		}
		p.revoke = g.rnd.IntN(100) == 0
	case accreditation.StateNotAwarded:
		p.first, p.appeal = accreditation.RecommendNotAward, g.rnd.IntN(4) == 0
	case accreditation.StateAppealed:
		p.first, p.appeal = accreditation.RecommendNotAward, true
		if lowerOK && g.rnd.IntN(10) < 3 {
			p.first = accreditation.RecommendAwardLower
		}
	case accreditation.StateWithdrawn:
		p.withdrawAt = []accreditation.State{accreditation.StateDraft, accreditation.StateDraft, accreditation.StateDraft,
			accreditation.StateSubmitted, accreditation.StateAwaitingAssessment, accreditation.StateInAssessment}[g.rnd.IntN(6)]
	}
	if p.disagree && p.first == accreditation.RecommendAwardLower {
		p.disagree = false // keep the recommendations simple: the lower award is agreed
	}
	p.evidence = 3 + g.rnd.IntN(4)
	if p.scheme == accreditation.SchemeEQA {
		p.evidence = 2 + g.rnd.IntN(3)
	}
	until, from := g.cfg.Until, g.cfg.From
	if p.stopAt != "" {
		// Recent: a case in progress was opened in the last months.
		lo := 10 + 15*stageOf(p.target)
		p.opens = until.Add(-g.days(lo, lo+30))
		if p.opens.Before(from) {
			p.opens = g.between(from, until)
		}
	} else {
		end := until.AddDate(0, 0, -150)
		if end.Before(from) {
			end = until
		}
		p.opens = g.between(from, end)
	}
	return p
}

// stageOf is roughly how many months into the process state s is.
func stageOf(s accreditation.State) int {
	switch s {
	case accreditation.StateDraft:
		return 0
	case accreditation.StateSubmitted, accreditation.StateReturned:
		return 1
	case accreditation.StateAwaitingAssessment, accreditation.StateInAssessment, accreditation.StateInformationRequested:
		return 2
	}
	return 3
}

func (g *job) applicantActor(p *plan) domain.Actor {
	return domain.Actor{ID: g.users[p.applicant].ID, Role: domain.RoleApplicant}
}

// do decides a command on the case and records what it decided.
func (g *job) do(ctx context.Context, p *plan, actor domain.Actor, at time.Time, decide func(c *accreditation.Case) ([]aggregate.Change, error)) error {
	changes, err := decide(p.c)
	if err != nil {
		return err
	}
	if len(changes) == 0 {
		return fmt.Errorf("the command decided nothing")
	}
	events, err := g.commit(accreditation.StreamPrefix+"."+p.id, actor, at, changes)
	if err != nil {
		return err
	}
	for i, e := range events {
		if err := p.c.ApplyDecided(e, changes[i].Data); err != nil {
			return err
		}
	}
	return nil
}

// text seals a text of the case with the applicant's key, as the service does.
func (g *job) text(ctx context.Context, p *plan, s string) (pii.Sealed, error) {
	return g.seal(ctx, g.users[p.applicant].ID, s)
}

// step takes the case's next step at now and says how long until the one
// after (0: the case is done).
func (g *job) step(ctx context.Context, p *plan, now time.Time) (time.Duration, error) {
	if p.c == nil {
		return g.open(ctx, p, now)
	}
	c := p.c
	if p.stopAt != "" && c.State == p.stopAt && !g.oneMore(p) {
		return 0, nil
	}
	if p.withdrawAt != "" && c.State == p.withdrawAt && (c.State != accreditation.StateDraft || p.added > 0) {
		reason, err := g.text(ctx, p, pick(g.rnd, withdrawReasons))
		if err != nil {
			return 0, err
		}
		return 0, g.do(ctx, p, g.applicantActor(p), now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.Withdraw(g.applicantActor(p), now, accreditation.WithdrawInput{Reason: reason})
		})
	}
	switch c.State {
	case accreditation.StateDraft:
		return g.draft(ctx, p, now)
	case accreditation.StateReturned:
		if !p.fixed {
			p.fixed = true
			return g.days(1, 10), g.addEvidence(ctx, p, now, fixKind[p.scheme])
		}
		return g.days(1, 10), g.submit(p, ctx, now)
	case accreditation.StateSubmitted:
		return g.days(1, 14), g.screen(ctx, p, now)
	case accreditation.StateAwaitingAssessment:
		return g.days(1, 12), g.fill(ctx, p, now)
	case accreditation.StateInAssessment:
		return g.assess(ctx, p, now)
	case accreditation.StateInformationRequested:
		answer, err := g.text(ctx, p, pick(g.rnd, answers))
		if err != nil {
			return 0, err
		}
		a := g.applicantActor(p)
		return g.days(2, 12), g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.ProvideInformation(a, now, accreditation.InformationResponseInput{Answer: answer})
		})
	case accreditation.StateModeration:
		rec, level := g.recommend(p, accreditation.RoleAssessor)
		why, err := g.text(ctx, p, pick(g.rnd, rationales[rec != accreditation.RecommendNotAward]))
		if err != nil {
			return 0, err
		}
		o := g.officeActor()
		g.sum.Moderations++
		return g.days(2, 10), g.do(ctx, p, o, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.Moderate(o, now, accreditation.ModerationInput{Recommendation: rec, Level: level, Rationale: why})
		})
	case accreditation.StateAwaitingDecision:
		return g.decide(ctx, p, now)
	case accreditation.StateAppealed:
		return g.decideAppeal(ctx, p, now)
	case accreditation.StateAwarded, accreditation.StateNotAwarded:
		return g.afterDecision(ctx, p, now)
	}
	return 0, nil
}

// oneMore reports whether a case that reached the state it is to end in
// takes one more step in it (some progress within the state).
func (g *job) oneMore(p *plan) bool {
	c := p.c
	switch c.State {
	case accreditation.StateDraft:
		return !p.portfolio || p.further && p.added < (p.evidence+1)/2
	case accreditation.StateAwaitingAssessment:
		return p.further && c.Assignments.Len() == 0
	case accreditation.StateInAssessment:
		return p.further && c.Assessments.Len() == 0 && !p.info
	}
	return false
}

func (g *job) open(ctx context.Context, p *plan, now time.Time) (time.Duration, error) {
	p.c = g.fresh(p.id)
	a := g.applicantActor(p)
	in := accreditation.OpenInput{CaseID: p.id, Scheme: p.scheme, Level: p.level, Language: p.lang}
	if p.scheme == accreditation.SchemeEQA {
		var err error
		if in.ProgrammeName, err = g.text(ctx, p, pick(g.rnd, programmes)); err != nil {
			return 0, err
		}
		if in.ProgrammeProvider, err = g.text(ctx, p, pick(g.rnd, cities)+" "+pick(g.rnd, providers)); err != nil {
			return 0, err
		}
	}
	return g.days(0, 10), g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) { return c.Open(a, now, in) })
}

func (g *job) draft(ctx context.Context, p *plan, now time.Time) (time.Duration, error) {
	a := g.applicantActor(p)
	switch {
	case !p.portfolio:
		p.portfolio = true
		pf, err := g.portfolio(ctx, p, now)
		if err != nil {
			return 0, err
		}
		return g.days(0, 6), g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) { return c.UpdatePortfolio(a, now, pf) })
	case p.added < p.evidence:
		kinds := seededKinds[p.scheme]
		return g.days(0, 4), g.addEvidence(ctx, p, now, kinds[p.added%len(kinds)])
	case !p.selfAssessed:
		p.selfAssessed = true
		var inputs []accreditation.SelfAssessmentInput
		for cat := 1; cat <= framework.NumCategories; cat++ {
			if p.covered[cat] && g.rnd.IntN(2) == 0 {
				continue
			}
			st, err := g.text(ctx, p, pick(g.rnd, statements))
			if err != nil {
				return 0, err
			}
			inputs = append(inputs, accreditation.SelfAssessmentInput{Category: cat, Statement: st})
		}
		if len(inputs) == 0 {
			return g.days(0, 3), nil
		}
		// All categories in one append, as the service writes them.
		return g.days(1, 7), g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			var all []aggregate.Change
			for _, in := range inputs {
				ch, err := c.UpdateSelfAssessment(a, now, in)
				if err != nil {
					return nil, err
				}
				all = append(all, ch...)
			}
			return all, nil
		})
	}
	return g.days(1, 14), g.submit(p, ctx, now)
}

// confirmAll is an applicant confirming every declaration the rules ask.
var confirmAll = accreditation.SubmitInput{Declarations: accreditation.Declarations}

func (g *job) submit(p *plan, ctx context.Context, now time.Time) error {
	a := g.applicantActor(p)
	return g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
		return c.Submit(a, now, g.cfg.RuleSets, confirmAll)
	})
}

// portfolio is one that meets the rules of the case's level with some to
// spare, as an applicant who read them would declare.
func (g *job) portfolio(ctx context.Context, p *plan, now time.Time) (accreditation.Portfolio, error) {
	rs := g.cfg.RuleSets.InForce(p.scheme, now)
	// at is the rule's minimum at the case's level, or, where the rule set
	// leaves it unset, typical of what applicants declare.
	at := func(rule string, typical float64) float64 {
		if v, ok := rs.Value(rule, p.level); ok {
			return v
		}
		return typical
	}
	if p.scheme == accreditation.SchemeEQA {
		pf := accreditation.Portfolio{ContactHours: float64(int(at(accreditation.RuleContactHours, 40) * (1 + g.rnd.Float64()))),
			CompletedCycles: int(at(accreditation.RuleCompletedCycles, 1)) + g.rnd.IntN(6)}
		for cat := 1; cat <= framework.NumCategories; cat++ {
			d, err := g.text(ctx, p, pick(g.rnd, curriculum))
			if err != nil {
				return pf, err
			}
			item := accreditation.CurriculumItem{Category: cat, Description: d}
			if ind := g.ind[p.level][cat]; len(ind) > 0 && g.rnd.IntN(2) == 0 {
				item.Indicators = []int{pick(g.rnd, ind)}
			}
			pf.Curriculum = append(pf.Curriculum, item)
		}
		return pf, nil
	}
	years := int(at(accreditation.RuleYearsPractising, 1))
	clients := int(at(accreditation.RuleClientCount, 5))
	began := now.AddDate(-(years + 1 + g.rnd.IntN(8)), -g.rnd.IntN(12), 0)
	pf := accreditation.Portfolio{
		FirstPracticeDate:        accreditation.DateOf(began),
		ClientHours:              float64(int(at(accreditation.RuleClientHours, 50) * (1 + 2*g.rnd.Float64()))),
		ClientCount:              clients + g.rnd.IntN(clients+1),
		CPDHoursLastYear:         float64(int(at(accreditation.RuleCPDHours, 16)) + g.rnd.IntN(40)),
		SupervisionHoursLastYear: float64(int(at(accreditation.RuleSupervisionHours, 4)) + g.rnd.IntN(16)),
		FeedbackItemsLast12m:     int(at(accreditation.RuleFeedbackItems, 5)) + g.rnd.IntN(8),
		ReflectionItemsLast12m:   int(at(accreditation.RuleReflectionItems, 5)) + g.rnd.IntN(8),
		ProfessionalBodyMember:   true,
	}
	pf.SupervisionHoursByQuarter = quarters(pf.SupervisionHoursLastYear, at(accreditation.RuleSupervisionQuarters, 1))
	pf.SupervisionHoursLastYear = 0
	for _, h := range pf.SupervisionHoursByQuarter {
		pf.SupervisionHoursLastYear += h // the year's, as the rules before the quarters count it
	}
	return pf, nil
}

// quarters spreads a year's supervision hours over its four quarters,
// oldest first, the later ones taking what does not divide, each at least
// least (the rule's minimum a quarter): an applicant supervised through the
// year, not in one quarter. It draws nothing from the seed's random
// source, so that the rest of what it makes stays as it was.
func quarters(year, least float64) []float64 {
	out := make([]float64, accreditation.Quarters)
	whole := int(year)
	for i := range out {
		out[i] = max(float64(whole/accreditation.Quarters), least)
		if accreditation.Quarters-1-i < whole%accreditation.Quarters {
			out[i]++
		}
	}
	return out
}

// seededKinds are the kinds of evidence a seeded case uploads, in turn:
// each scheme's written portfolio first.
var seededKinds = map[accreditation.Scheme][]accreditation.EvidenceKind{
	accreditation.SchemeEIA: {accreditation.KindCaseStudy, accreditation.KindLearningJournal, accreditation.KindClientFeedback,
		accreditation.KindCPDRecord, accreditation.KindSupervisionRecord, accreditation.KindLearningJournal, accreditation.KindCertificate},
	accreditation.SchemeEQA: {accreditation.KindCurriculum, accreditation.KindProgrammeHandbook, accreditation.KindAssessmentMethods,
		accreditation.KindQualityManual},
}

// fixKind is what a returned case adds before it is submitted again.
var fixKind = map[accreditation.Scheme]accreditation.EvidenceKind{
	accreditation.SchemeEIA: accreditation.KindSupervisorReference, accreditation.SchemeEQA: accreditation.KindProgrammeDocument}

var fileNames = map[accreditation.EvidenceKind]string{
	accreditation.KindCaseStudy: "case-study.pdf", accreditation.KindLearningJournal: "learning-journal.pdf",
	accreditation.KindSupervisionRecord: "supervision-record.pdf", accreditation.KindCurriculum: "curriculum.pdf",
	accreditation.KindAssessmentMethods: "assessment-methods.pdf", accreditation.KindQualityManual: "quality-manual.pdf",
	accreditation.KindProgrammeHandbook: "programme-handbook.pdf",
	accreditation.KindCertificate:       "certificate.pdf", accreditation.KindReflectiveStatement: "reflective-statement.pdf",
	accreditation.KindClientFeedback: "client-feedback.pdf", accreditation.KindSupervisorReference: "supervisor-reference.pdf",
	accreditation.KindSessionTranscript: "session-transcript.pdf", accreditation.KindCPDRecord: "cpd-log.pdf",
	accreditation.KindProgrammeDocument: "programme-handbook.pdf",
}

func (g *job) addEvidence(ctx context.Context, p *plan, now time.Time, kind accreditation.EvidenceKind) error {
	plainTitle := pick(g.rnd, evidenceTitles[string(kind)])
	title, err := g.text(ctx, p, plainTitle)
	if err != nil {
		return err
	}
	file, err := g.text(ctx, p, fileNames[kind])
	if err != nil {
		return err
	}
	// Two to four categories each; the self-assessment covers the rest.
	cats := g.rnd.Perm(framework.NumCategories)[:2+g.rnd.IntN(3)]
	for i := range cats {
		cats[i]++
		p.covered[cats[i]] = true
	}
	slices.Sort(cats)
	id := g.id(now)
	in := accreditation.EvidenceInput{ID: id, Kind: kind, Title: title, FileName: file, ContentType: "application/pdf",
		Size: int64(40_000 + g.rnd.IntN(6_000_000)), SHA256: g.hex64(), Object: p.id + "/" + id, Categories: cats}
	if ind := g.ind[p.level][cats[0]]; len(ind) > 0 && g.rnd.IntN(3) == 0 {
		in.Indicators = []int{pick(g.rnd, ind)}
	}
	if g.cfg.Files != nil {
		// After every draw above, so that the data set is the same with
		// files or without (but for the items' sizes and hashes).
		if in.Size, in.SHA256, err = g.storeFile(ctx, p, in.Object, g.fileOf(plainTitle, kind, cats)); err != nil {
			return err
		}
	}
	p.added++
	a := g.applicantActor(p)
	return g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) { return c.AddEvidence(a, now, in) })
}

func (g *job) screen(ctx context.Context, p *plan, now time.Time) error {
	in := accreditation.ScreenInput{Outcome: accreditation.ScreeningAccepted}
	if p.returnOnce && !p.returned {
		p.returned = true
		r, err := g.text(ctx, p, pick(g.rnd, screeningReturns))
		if err != nil {
			return err
		}
		in = accreditation.ScreenInput{Outcome: accreditation.ScreeningReturned, Reason: r}
	}
	o := g.officeActor()
	return g.do(ctx, p, o, now, func(c *accreditation.Case) ([]aggregate.Change, error) { return c.Screen(o, now, in) })
}

// fill puts a qualified assessor in the first open role: claimed from the
// queue by the assessor, or assigned by the office.
func (g *job) fill(ctx context.Context, p *plan, now time.Time) error {
	role := accreditation.RoleAssessor
	if p.c.Assignments.Holds(role) {
		role = accreditation.RoleVerifier
	}
	var prof accreditation.AssessorProfile
	found := false
	for try := 0; try < 40 && !found; try++ {
		prof = g.users[g.assessors[g.rnd.IntN(len(g.assessors))]].profile
		found = p.c.CanClaim(prof, role) == nil
	}
	for _, i := range g.assessors {
		if found {
			break
		}
		prof = g.users[i].profile
		found = p.c.CanClaim(prof, role) == nil
	}
	if !found {
		return fmt.Errorf("no assessor qualified for %s %s in %q", p.scheme, p.level, p.lang)
	}
	if g.rnd.IntN(10) < 6 {
		a := domain.Actor{ID: prof.UserID, Role: domain.RoleAssessor}
		return g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.Claim(a, now, accreditation.ClaimInput{Role: role, Profile: prof})
		})
	}
	o := g.officeActor()
	return g.do(ctx, p, o, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
		return c.Assign(o, now, accreditation.AssignInput{Role: role, Profile: prof})
	})
}

// recommend is what the holder of role recommends in the case's course.
func (g *job) recommend(p *plan, role accreditation.AssessorRole) (accreditation.Recommendation, framework.Level) {
	rec := p.first
	if len(p.c.PastDecisions) > 0 {
		rec = accreditation.RecommendAward // an appeal was upheld
	}
	if p.disagree && role == accreditation.RoleVerifier && p.c.State == accreditation.StateInAssessment {
		if rec == accreditation.RecommendAward {
			rec = accreditation.RecommendNotAward
		} else {
			rec = accreditation.RecommendAward
		}
	}
	if rec == accreditation.RecommendAwardLower {
		return rec, framework.Levels[p.level.Rank()-2]
	}
	return rec, ""
}

// interviewPlaces are where the seed's interviews take place.
var interviewPlaces = []string{"EMCC office, meeting room 2", "https://meet.example.org/emcc-interview", "By video call (link sent by email)"}

func (g *job) assess(ctx context.Context, p *plan, now time.Time) (time.Duration, error) {
	c := p.c
	if p.info && !p.asked {
		p.asked = true
		q, err := g.text(ctx, p, pick(g.rnd, questions))
		if err != nil {
			return 0, err
		}
		a := domain.Actor{ID: c.Assignments.Holder(accreditation.RoleAssessor), Role: domain.RoleAssessor}
		g.sum.InformationRequests++
		return g.days(3, 20), g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
			return c.RequestInformation(a, now, accreditation.InformationRequestInput{Questions: q})
		})
	}
	role := accreditation.RoleAssessor
	if c.Assessments.Done(role) {
		role = accreditation.RoleVerifier
	}
	if c.NeedsInterview() {
		if c.Interview == nil {
			o := g.officeActor()
			// Soon enough that a case hurried to its state by Until
			// (half the time left) comes after the interview.
			at := now.Add(max(min(g.days(3, 14), g.cfg.Until.Sub(now)/4), time.Minute))
			place, err := g.text(ctx, p, pick(g.rnd, interviewPlaces))
			if err != nil {
				return 0, err
			}
			return at.Sub(now) + time.Hour, g.do(ctx, p, o, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
				return c.ScheduleInterview(o, now, accreditation.InterviewInput{At: at, Place: place})
			})
		}
		if _, recorded := c.Interview.Records.Get(role); !recorded {
			if now.Before(c.Interview.At) {
				// Hurried to Until past the time the interview could
				// wait for: the case stays in assessment, its
				// interview ahead, as a real one is found.
				return 0, nil
			}
			notes, err := g.text(ctx, p, "The interview confirmed the practice the portfolio describes.")
			if err != nil {
				return 0, err
			}
			a := domain.Actor{ID: c.Assignments.Holder(role), Role: domain.RoleAssessor}
			return g.days(0, 2), g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
				return c.RecordInterview(a, now, accreditation.InterviewRecordInput{Notes: notes})
			})
		}
	}
	rec, level := g.recommend(p, role)
	positive := rec != accreditation.RecommendNotAward
	var ratings []accreditation.CategoryRating
	for cat := 1; cat <= framework.NumCategories; cat++ {
		r := accreditation.RatingEvidenced
		switch k := g.rnd.IntN(10); {
		case !positive && k < 4:
			r = accreditation.RatingNotEvidenced
		case !positive && k < 8, positive && k < 2:
			r = accreditation.RatingPartiallyEvidenced
		}
		notes, err := g.text(ctx, p, fmt.Sprintf("Category %d: %s in the evidence and the self-assessment.", cat, map[accreditation.Rating]string{
			accreditation.RatingEvidenced: "clearly shown", accreditation.RatingPartiallyEvidenced: "partly shown", accreditation.RatingNotEvidenced: "not shown"}[r]))
		if err != nil {
			return 0, err
		}
		cr := accreditation.CategoryRating{Category: cat, Rating: r, Notes: notes}
		if ind := g.ind[p.level][cat]; len(ind) > 0 && r != accreditation.RatingNotEvidenced {
			cr.Indicators = []int{pick(g.rnd, ind)}
		}
		ratings = append(ratings, cr)
	}
	var areas []accreditation.AreaRating
	if p.scheme == accreditation.SchemeEQA {
		for _, area := range accreditation.ReviewAreas {
			r := accreditation.RatingEvidenced
			if k := g.rnd.IntN(10); !positive && k < 5 || positive && k < 2 {
				r = accreditation.RatingPartiallyEvidenced
			}
			notes, err := g.text(ctx, p, fmt.Sprintf("%s: %s in the programme's documents.", strings.ReplaceAll(string(area), "_", " "), map[accreditation.Rating]string{
				accreditation.RatingEvidenced: "clearly shown", accreditation.RatingPartiallyEvidenced: "partly shown"}[r]))
			if err != nil {
				return 0, err
			}
			areas = append(areas, accreditation.AreaRating{Area: area, Rating: r, Notes: notes})
		}
	}
	why, err := g.text(ctx, p, pick(g.rnd, rationales[positive]))
	if err != nil {
		return 0, err
	}
	a := domain.Actor{ID: c.Assignments.Holder(role), Role: domain.RoleAssessor}
	return g.days(5, 30), g.do(ctx, p, a, now, func(c *accreditation.Case) ([]aggregate.Change, error) {
		return c.SubmitAssessment(a, now, accreditation.AssessmentInput{Ratings: ratings, Areas: areas, Recommendation: rec, Level: level, Rationale: why})
	})
}

func (g *job) decide(ctx context.Context, p *plan, now time.Time) (time.Duration, error) {
	rec, level := g.recommend(p, accreditation.RoleAssessor)
	in := accreditation.DecisionInput{Outcome: accreditation.OutcomeNotAwarded}
	if rec != accreditation.RecommendNotAward {
		if level == "" {
			level = p.level
		}
		in = accreditation.DecisionInput{Outcome: accreditation.OutcomeAwarded, Level: level, AccreditationID: g.id(now)}
	}
	var err error
	if in.Rationale, err = g.text(ctx, p, pick(g.rnd, rationales[in.Outcome == accreditation.OutcomeAwarded])); err != nil {
		return 0, err
	}
	o := g.officeActor()
	if err := g.do(ctx, p, o, now, func(c *accreditation.Case) ([]aggregate.Change, error) { return c.Decide(o, now, in) }); err != nil {
		return 0, err
	}
	g.sum.Decisions++
	if p.appeal && !p.appealed && !(in.Outcome == accreditation.OutcomeAwarded && level == p.level) {
		return g.days(2, 25), nil // the appeal, within the appeal period
	}
	return g.nextAfterAward(p, now), nil
}

// nextAfterAward is when an active accreditation is next acted on: revoked
// some months in, renewed in the months before it ends, or expired.
func (g *job) nextAfterAward(p *plan, now time.Time) time.Duration {
	a := p.c.Accreditation
	if a == nil || a.Status != accreditation.StatusActive {
		return 0
	}
	if p.revoke {
		return g.days(90, 540)
	}
	if g.rnd.IntN(100) < 85 {
		// In the months before it ends, within the renewal window where
		// the rule set sets one.
		window := 6
		if v, ok := g.cfg.RuleSets.InForce(p.scheme, now).Value(accreditation.RuleRenewalWindow, a.Level); ok && int(v) < window {
			window = int(v)
		}
		return a.ValidUntil.AddDate(0, -window, 0).Sub(now) + g.days(1, 30*window-20)
	}
	return a.ValidUntil.Sub(now) + time.Hour
}
