// Package seed makes up a realistic data set and writes it to the event
// store directly, not through the API (accredit seed, make seed, make
// bench): users of every role, and cases in every state with portfolios,
// evidence metadata, self-assessments, assessments, information requests,
// moderation, decisions, appeals, renewals, expiries and revocations,
// spread over the years from the rules' start to now.
//
// Every event is decided by the domain's own commands (the case aggregate,
// and accounts.Seeder for the users), so each is one the system could have
// recorded; only the clock is the generator's. Each user and each case is
// made up on its own by one of several workers, with a random source of its
// own derived from the seed, so the same Seed gives the same people, cases,
// ids, dates and outcomes however many workers run; ciphertexts differ
// (fresh keys and nonces). The commits are written in the order of their
// time, one per command, as the service would have appended them (Run
// says how); the Writer may pipeline the appends. Evidence files are stored
// when Config.Files is set, else only their metadata is.
//
// It imports no store: the writer and the vault are given (natsstore's
// BulkWriter and BulkKeys in accredit seed).
package seed

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// Writer stores commits: events already chained after their stream's
// head. Prepare readies one commit for Append (encodes it) and is called
// from many goroutines at once; Append stores prepared commits in the order
// given, perhaps later than it returns; Flush waits until all are stored.
type Writer[C any] interface {
	Prepare(stream string, events []eventstore.Event) (C, error)
	Append(ctx context.Context, c C) error
	Flush(ctx context.Context) error
}

// Config is what to make up.
type Config struct {
	Cases int
	Users int // every role; at least MinUsers
	Seed  uint64
	// From and Until bound the time of the data set; From defaults to the
	// week after the first rule set came in force, Until to now.
	From, Until time.Time
	// Replicas is the keys bucket's replica count for IntoJetStream, which
	// creates it or updates it to this (0: 1).
	Replicas int
	// PasswordHash is every user's (accounts.SeedPasswordHash).
	PasswordHash string
	Vault        *pii.Vault
	// Files, when set, stores each evidence item's file, sealed with its
	// applicant's key (a one-page PDF saying what it is), so that every
	// evidence link opens; nil stores the metadata only, as make bench
	// does (a file costs an object store write).
	Files     evidence.Blobs
	Catalogue *framework.Catalogue   // framework.Default() when nil
	RuleSets  accreditation.RuleSets // accreditation.DefaultRuleSets() when nil
	// Progress, when set, hears how far the run is about once a second.
	Progress func(Progress)
	// Workers make up cases at once (runtime.GOMAXPROCS when 0); the data
	// set does not depend on how many.
	Workers int
}

// Progress is how far a run is.
type Progress struct {
	Users, Cases     int // registered, opened
	Commits, Events  int
	DataTime         time.Time // the clock of the data set
	Elapsed          time.Duration
	UsersTotal, Open int
}

// Summary is what a run wrote.
type Summary struct {
	Users   map[domain.Role]int         `json:"users"`
	Cases   int                         `json:"cases"`
	States  map[accreditation.State]int `json:"states"`
	Commits int                         `json:"commits"`
	Events  int                         `json:"events"`
	// Emails of one user of each role, for logging in to a demo.
	Office    string `json:"office_email"`
	Assessor  string `json:"assessor_email"`
	Applicant string `json:"applicant_email"`
	// Counts of what happened, beside the states.
	Decisions           int `json:"decisions"`
	Appeals             int `json:"appeals"`
	Renewals            int `json:"renewals"`
	Expiries            int `json:"expiries"`
	Revocations         int `json:"revocations"`
	InformationRequests int `json:"information_requests"`
	Moderations         int `json:"moderations"`
}

// MinUsers is the fewest users a data set can have: the office, enough
// assessors for every language and scheme, and an applicant.
func MinUsers() int { return minOffice + minAssessors + 1 }

const (
	minOffice    = 5 // an appeal is decided by one who had no part: up to four had
	minAssessors = 12
)

// languages of the cases and assessors, and how common each is.
var (
	languages = []string{"en", "nl", "de", "fr", "es", "it"}
	langShare = []int{45, 15, 12, 12, 9, 7}
)

// gen is a run's plan: the people and each case's course, made up from the
// run's seed before any case runs, and read-only while they run.
type gen struct {
	dice
	cfg   Config
	acc   *accounts.Seeder
	fresh func(string) *accreditation.Case
	ind   map[framework.Level]map[int][]int // level -> category -> indicators at or below it

	users      []user
	offices    []int // indices into users
	assessors  []int
	applicants []int
	cases      []*plan
}

type user struct {
	accounts.SeedUser
	profile accreditation.AssessorProfile
}

// Run makes up the data set of cfg and writes it to w.
//
// Each user's registration and each case's whole course is a job, made up
// by one of cfg.Workers with a random source of its own, derived from the
// seed and the job's number: a job depends only on the plan, never on
// another job, so the data set is the same whatever the number of workers
// and the order they finish in. The jobs' commits are then merged and
// appended in the order of their time (equal times in the order of the
// jobs' starts), so the store reads as the service would have written it:
// each stream's commits in order, every user registered before their
// first case, and the store as a whole in time order.
func Run[C any](ctx context.Context, cfg Config, w Writer[C]) (Summary, error) {
	g, err := newGen(cfg)
	if err != nil {
		return Summary{}, err
	}
	sum, err := write(ctx, g, w)
	if err != nil {
		return sum, err
	}
	if err := w.Flush(ctx); err != nil {
		return sum, err
	}
	sum.Cases = len(g.cases)
	sum.Office, sum.Assessor = g.users[g.offices[0]].Email, g.users[g.assessors[0]].Email
	sum.Applicant = g.users[g.applicants[0]].Email
	return sum, nil
}

// newGen checks cfg, fills in its defaults and plans every user and case.
func newGen(cfg Config) (*gen, error) {
	if cfg.Users < MinUsers() {
		return nil, fmt.Errorf("seed: at least %d users (office, assessors for every language, an applicant), not %d", MinUsers(), cfg.Users)
	}
	if cfg.Cases < 0 || cfg.Vault == nil || cfg.PasswordHash == "" {
		return nil, errors.New("seed: cases >= 0, a vault and a password hash are needed")
	}
	if cfg.Catalogue == nil {
		cfg.Catalogue = framework.Default()
	}
	if cfg.RuleSets == nil {
		cfg.RuleSets = accreditation.DefaultRuleSets()
	}
	if cfg.From.IsZero() {
		// A week after both schemes have rules in force.
		var first time.Time
		for _, sc := range []accreditation.Scheme{accreditation.SchemeEIA, accreditation.SchemeEQA} {
			from := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
			for _, r := range cfg.RuleSets.Of(sc) {
				if r.EffectiveFrom.Before(from) {
					from = r.EffectiveFrom
				}
			}
			if from.After(first) {
				first = from
			}
		}
		cfg.From = first.AddDate(0, 0, 7)
	}
	if cfg.Until.IsZero() {
		cfg.Until = time.Now()
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	cfg.From, cfg.Until = cfg.From.UTC(), cfg.Until.UTC()
	if !cfg.Until.After(cfg.From.AddDate(0, 0, 30)) {
		return nil, fmt.Errorf("seed: the period %s to %s is shorter than 30 days", cfg.From.Format(time.DateOnly), cfg.Until.Format(time.DateOnly))
	}
	g := &gen{cfg: cfg, dice: newDice(cfg.Seed, cfg.Seed^0x5eed5eed5eed5eed),
		acc: accounts.NewSeeder(cfg.Vault, cfg.PasswordHash), fresh: accreditation.Factory(cfg.Catalogue)}
	g.ind = map[framework.Level]map[int][]int{}
	for _, l := range framework.Levels {
		g.ind[l] = map[int][]int{}
		for _, in := range cfg.Catalogue.IndicatorsAtOrBelow(l) {
			g.ind[l][in.Category] = append(g.ind[l][in.Category], in.Number)
		}
	}
	g.plan()
	return g, nil
}

// dice is a random source: the plan's, or one job's.
type dice struct {
	rnd *rand.Rand
	ent *entropy
}

func newDice(seed1, seed2 uint64) dice {
	r := rand.New(rand.NewPCG(seed1, seed2))
	return dice{rnd: r, ent: &entropy{rnd: r}}
}

// entropy feeds ULIDs from the seeded generator, so ids repeat with the seed.
type entropy struct{ rnd *rand.Rand }

func (e *entropy) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e.rnd.Uint32())
	}
	return len(p), nil
}

func (d dice) id(at time.Time) string {
	return ulid.MustNew(ulid.Timestamp(at), d.ent).String()
}

// between is a random time in [from, to).
func (d dice) between(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(d.rnd.Int64N(int64(to.Sub(from)))))
}

// days is a random duration of lo to hi days and up to a working day more
// (never none).
func (d dice) days(lo, hi int) time.Duration {
	n := lo
	if hi > lo {
		n += d.rnd.IntN(hi - lo + 1)
	}
	return time.Duration(n)*24*time.Hour + time.Duration(1+d.rnd.IntN(8*60))*time.Minute
}

func (d dice) language() string {
	n := d.rnd.IntN(100)
	for i, s := range langShare {
		if n < s {
			return languages[i]
		}
		n -= s
	}
	return "en"
}

// hex64 is a made-up SHA-256 of a file.
func (d dice) hex64() string {
	b := make([]byte, 32)
	_, _ = d.ent.Read(b)
	return hex.EncodeToString(b)
}

// plan makes up the people and decides each case's course and start.
func (g *gen) plan() {
	cfg := g.cfg
	nOffice := max(minOffice, min(20, cfg.Users/2000))
	nAssessors := max(minAssessors, cfg.Users/200)
	start := cfg.From.AddDate(0, 0, -60)
	for i := range cfg.Users {
		name, email := person(g.rnd, i+1)
		u := user{SeedUser: accounts.SeedUser{Email: email, Name: name}}
		switch {
		case i < nOffice:
			u.Role = domain.RoleOffice
			u.At = start.Add(time.Duration(i) * time.Hour)
			if i == 0 {
				u.By = domain.System // the first office user, as accreditd's first start makes it
			}
			g.offices = append(g.offices, i)
		case i < nOffice+nAssessors:
			u.Role = domain.RoleAssessor
			u.At = g.between(start.AddDate(0, 0, 1), cfg.From)
			g.assessors = append(g.assessors, i)
		default:
			u.Role = domain.RoleApplicant
			g.applicants = append(g.applicants, i)
		}
		g.users = append(g.users, u)
	}
	for n, i := range g.assessors {
		g.users[i].profile = g.profile(n)
	}
	// Cases: a course each, then a start that leaves it time to run.
	firstCase := map[int]time.Time{}
	applied := map[applicantSlot]bool{}
	for n := range cfg.Cases {
		p := g.course(n)
		p.applicant = g.applicantFor(n, p, applied)
		if t, ok := firstCase[p.applicant]; !ok || p.opens.Before(t) {
			firstCase[p.applicant] = p.opens
		}
		g.cases = append(g.cases, p)
	}
	for _, i := range g.applicants {
		u := &g.users[i]
		if t, ok := firstCase[i]; ok {
			u.At = t.Add(-time.Duration(10+g.rnd.IntN(30*24*60)) * time.Minute)
		} else {
			u.At = g.between(cfg.From, cfg.Until)
		}
	}
	// Ids are ULIDs of the registration time, as the service makes them.
	for i := range g.users {
		g.users[i].ID = g.id(g.users[i].At)
		g.users[i].profile.UserID = g.users[i].ID
	}
	for _, i := range g.offices[1:] {
		g.users[i].By = domain.Actor{ID: g.users[g.offices[0]].ID, Role: domain.RoleOffice}
	}
	for _, i := range g.assessors {
		g.users[i].By = domain.Actor{ID: g.users[g.offices[g.rnd.IntN(len(g.offices))]].ID, Role: domain.RoleOffice}
		p := g.users[i].profile
		g.users[i].Profile = &accounts.Profile{Schemes: p.Schemes, MaxLevel: p.MaxLevel, Languages: p.Languages}
	}
	for _, p := range g.cases {
		p.id = g.id(p.opens)
	}
}

// applicantSlot is one scheme and level an applicant applies for.
type applicantSlot struct {
	applicant int
	scheme    accreditation.Scheme
	level     framework.Level
}

// applicantFor is who opens case n: the applicants in turn, each applying
// once for a scheme and level. A coach who holds an accreditation renews
// it rather than applies again for it, so, taken in turn, an applicant
// ended holding two or three active EIA practitioner accreditations when
// cases outnumbered applicants. The next applicant who has not applied for
// p's scheme and level (nor been awarded it: a case whose first
// recommendation is the level below may end there) opens it. When every
// one has, the one whose turn it is: the EIA practitioner level, over a
// third of the cases, runs out at about 2.7 cases an applicant (make seed
// makes 2, make bench 1).
func (g *gen) applicantFor(n int, p *plan, applied map[applicantSlot]bool) int {
	levels := []framework.Level{p.level}
	if p.first == accreditation.RecommendAwardLower {
		levels = append(levels, framework.Levels[p.level.Rank()-2])
	}
	free := func(a int) bool {
		for _, l := range levels {
			if applied[applicantSlot{a, p.scheme, l}] {
				return false
			}
		}
		return true
	}
	a := g.applicants[n%len(g.applicants)]
	for k := range len(g.applicants) {
		if c := g.applicants[(n+k)%len(g.applicants)]; free(c) {
			a = c
			break
		}
	}
	for _, l := range levels {
		applied[applicantSlot{a, p.scheme, l}] = true
	}
	return a
}

// profile is assessor n's: the first two of each language assess
// everything in it, so every case finds an assessor and a verifier.
func (g *gen) profile(n int) accreditation.AssessorProfile {
	if n < 2*len(languages) {
		lang := languages[n%len(languages)]
		langs := []string{lang}
		if lang != "en" {
			langs = []string{"en", lang}
		}
		return accreditation.AssessorProfile{Schemes: []string{"EIA", "EQA"}, MaxLevel: framework.MasterPractitioner, Languages: langs, Active: true}
	}
	schemes := []string{"EIA"}
	switch g.rnd.IntN(5) {
	case 0:
		schemes = []string{"EIA", "EQA"}
	case 1:
		schemes = []string{"EQA"}
	}
	langs := []string{"en"}
	if l := g.language(); l != "en" {
		langs = append(langs, l)
	}
	level := framework.Levels[1+g.rnd.IntN(3)]
	return accreditation.AssessorProfile{Schemes: schemes, MaxLevel: level, Languages: langs, Active: true}
}

// job is one user's registration or one case's whole course, made up with
// a random source of its own; it collects its commits instead of writing
// them.
type job struct {
	dice
	*gen
	heads   map[string]eventstore.Head
	commits []made
	sum     Summary // what it did: counts only
}

// made is one commit a job decided, chained, not yet prepared.
type made struct {
	at     time.Time
	stream string
	events []eventstore.Event
}

// newJob starts job n (users first, then cases, in plan order).
func (g *gen) newJob(n int) *job {
	return &job{dice: newDice(g.cfg.Seed, 0x9e3779b97f4a7c15*uint64(n+1)), gen: g, heads: map[string]eventstore.Head{},
		sum: Summary{Users: map[domain.Role]int{}, States: map[accreditation.State]int{}}}
}

func (g *job) officeActor() domain.Actor {
	i := g.offices[g.rnd.IntN(len(g.offices))]
	return domain.Actor{ID: g.users[i].ID, Role: domain.RoleOffice}
}

// runCase takes the case's steps, each when the one before says, until it
// is done.
func (g *job) runCase(ctx context.Context, p *plan) error {
	at := p.opens
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		delay, err := g.step(ctx, p, at)
		if err != nil {
			return fmt.Errorf("seed case %s (%s, state %q): %w", p.id, p.target, p.c.State, err)
		}
		next, ok := g.nextTime(p, at, delay)
		if !ok {
			break
		}
		at = next
	}
	g.sum.States[p.c.State]++
	p.c = nil // the job is done with it: let it go
	return nil
}

// nextTime is when a case's next step happens, if it does: after delay
// (none when 0), by Until; a case that is to be found in progress is
// hurried so that it gets there by Until.
func (g *job) nextTime(p *plan, now time.Time, delay time.Duration) (time.Time, bool) {
	if delay <= 0 {
		return time.Time{}, false
	}
	at := now.Add(delay)
	if at.Before(g.cfg.Until) {
		return at, true
	}
	if p.stopAt != "" && onTheWay(p) {
		return now.Add(g.cfg.Until.Sub(now) / 2), true
	}
	return time.Time{}, false
}

// onTheWay reports whether case p can still come to the state it is to be
// found in. One that went past it (awaiting_payment, when its rules set no
// fee) and was decided cannot: hurried on, it renewed its award every few
// hours until Until (valid until 2321). A decided case is still on its way
// to an appeal it has not filed.
func onTheWay(p *plan) bool {
	switch p.c.State {
	case accreditation.StateAwarded, accreditation.StateNotAwarded:
		return p.stopAt == accreditation.StateAppealed && len(p.c.Appeals) == 0
	case accreditation.StateWithdrawn:
		return false
	}
	return true
}

func (g *job) register(ctx context.Context, i int) error {
	u := g.users[i]
	commits, err := g.acc.Register(ctx, u.SeedUser)
	if err != nil {
		return err
	}
	for _, c := range commits {
		if _, err := g.commit(c.Stream, c.Actor, c.At, c.Changes); err != nil {
			return err
		}
	}
	g.sum.Users[u.Role]++
	return nil
}

// commit turns what a command decided into events and chains them after
// the stream's head; it returns them, as they will be stored.
func (g *job) commit(stream string, actor domain.Actor, at time.Time, changes []aggregate.Change) ([]eventstore.Event, error) {
	at = at.UTC()
	events := make([]eventstore.Event, len(changes))
	correlation := g.id(at)
	for i, c := range changes {
		data, err := json.Marshal(c.Data)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", c.Type, err)
		}
		sv := c.SchemaVersion
		if sv == 0 {
			sv = 1
		}
		events[i] = eventstore.Event{ID: g.id(at), Type: c.Type, SchemaVersion: sv, OccurredAt: at, Actor: actor,
			CorrelationID: correlation, Data: data}
	}
	if err := eventstore.CheckRequest(eventstore.AppendRequest{Stream: stream, Events: events}); err != nil {
		return nil, err
	}
	chained, err := eventstore.Chain(stream, g.heads[stream], events)
	if err != nil {
		return nil, err
	}
	last := chained[len(chained)-1]
	g.heads[stream] = eventstore.Head{Version: last.Version, Hash: last.Hash}
	g.commits = append(g.commits, made{at: at, stream: stream, events: chained})
	g.sum.Commits++
	g.sum.Events += len(chained)
	return chained, nil
}

func (g *job) seal(ctx context.Context, subject, text string) (pii.Sealed, error) {
	return g.cfg.Vault.Seal(ctx, subject, strings.TrimSpace(text))
}

func (s *Summary) add(o Summary) {
	for r, n := range o.Users {
		s.Users[r] += n
	}
	for st, n := range o.States {
		s.States[st] += n
	}
	s.Commits += o.Commits
	s.Events += o.Events
	s.Decisions += o.Decisions
	s.Appeals += o.Appeals
	s.Renewals += o.Renewals
	s.Expiries += o.Expiries
	s.Revocations += o.Revocations
	s.InformationRequests += o.InformationRequests
	s.Moderations += o.Moderations
}

// StoreWriter writes to any eventstore.Store, one append at a time with
// the expected head, as the services do: slower than a pipelined writer,
// and a check that every commit chains onto the one before.
type StoreWriter struct {
	Store eventstore.Store
	heads map[string]eventstore.Head
}

// StoreCommit is a commit ready for a StoreWriter.
type StoreCommit struct {
	Stream string
	Events []eventstore.Event
}

// Prepare implements Writer.
func (w *StoreWriter) Prepare(stream string, events []eventstore.Event) (StoreCommit, error) {
	return StoreCommit{Stream: stream, Events: events}, nil
}

// Append implements Writer.
func (w *StoreWriter) Append(ctx context.Context, c StoreCommit) error {
	if w.heads == nil {
		w.heads = map[string]eventstore.Head{}
	}
	res, err := w.Store.Append(ctx, eventstore.AppendRequest{Stream: c.Stream, Expected: w.heads[c.Stream], Events: c.Events})
	if err != nil {
		return err
	}
	if last := c.Events[len(c.Events)-1]; res.Head.Hash != last.Hash {
		return fmt.Errorf("append %s: stored hash %s, the seeder chained %s", c.Stream, res.Head.Hash, last.Hash)
	}
	w.heads[c.Stream] = res.Head
	return nil
}

// Flush implements Writer; every append is already stored.
func (w *StoreWriter) Flush(context.Context) error { return nil }
