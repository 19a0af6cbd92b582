package accreditation

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// The cast of the tests.
var (
	t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

	applicant    = domain.Actor{ID: "app-1", Role: domain.RoleApplicant}
	stranger     = domain.Actor{ID: "app-2", Role: domain.RoleApplicant}
	officeScreen = domain.Actor{ID: "office-1", Role: domain.RoleOffice} // screens and assigns
	officeDecide = domain.Actor{ID: "office-2", Role: domain.RoleOffice} // moderates and decides
	officeReview = domain.Actor{ID: "office-3", Role: domain.RoleOffice} // reviews appeals
	assessorA    = domain.Actor{ID: "ass-1", Role: domain.RoleAssessor}
	assessorB    = domain.Actor{ID: "ass-2", Role: domain.RoleAssessor}
	assessorC    = domain.Actor{ID: "ass-3", Role: domain.RoleAssessor}
)

// seal stands in for the vault: the tests never open a sealed value.
func seal(text string) pii.Sealed { return pii.Sealed{Subject: applicant.ID, Data: []byte(text)} }

// unseal is seal's opener, as a view's vault opens what the service seals.
func unseal(s pii.Sealed) string { return string(s.Data) }

// command is a command bound to its input, waiting for the actor and time.
type command func(c *Case, actor domain.Actor, now time.Time) ([]aggregate.Change, error)

// with binds a command method (a method expression such as (*Case).Screen) to
// its input.
func with[I any](method func(*Case, domain.Actor, time.Time, I) ([]aggregate.Change, error), in I) command {
	return func(c *Case, a domain.Actor, now time.Time) ([]aggregate.Change, error) { return method(c, a, now, in) }
}

// submitCmd submits, confirming every declaration there is.
func submitCmd(rs RuleSets) command { return submitWith(rs, SubmitInput{Declarations: Declarations}) }

func submitWith(rs RuleSets, in SubmitInput) command {
	return func(c *Case, a domain.Actor, now time.Time) ([]aggregate.Change, error) {
		return c.Submit(a, now, rs, in)
	}
}

func renewCmd(rs RuleSets, in RenewalInput) command {
	return func(c *Case, a domain.Actor, now time.Time) ([]aggregate.Change, error) {
		return c.Renew(a, now, rs, in)
	}
}

func expireCmd() command {
	return func(c *Case, a domain.Actor, now time.Time) ([]aggregate.Change, error) { return c.Expire(a, now) }
}

// harness holds a case and the clock; it applies what commands decide by
// turning each change into a stored event (JSON and all) and calling Apply.
type harness struct {
	tb    testing.TB
	c     *Case
	now   time.Time
	n     int
	rules RuleSets
	log   []eventstore.Event
}

func newHarness(tb testing.TB) *harness {
	tb.Helper()
	return &harness{tb: tb, c: Factory(framework.Default())("case-1"), now: t0, rules: DefaultRuleSets()}
}

// later moves the clock on.
func (h *harness) later(d time.Duration) *harness {
	h.now = h.now.Add(d)
	return h
}

// run runs cmd as actor and fails the test if the command changed the case.
func (h *harness) run(actor domain.Actor, cmd command) ([]aggregate.Change, error) {
	h.tb.Helper()
	before := h.c.Clone()
	changes, err := cmd(h.c, actor, h.now)
	if !reflect.DeepEqual(before, h.c) {
		h.tb.Fatalf("the command changed the case it decided from (state %q)", h.c.State)
	}
	return changes, err
}

// do runs cmd as actor, which must succeed, applies its events and returns
// their types.
func (h *harness) do(actor domain.Actor, cmd command) []EventType {
	h.tb.Helper()
	changes, err := h.run(actor, cmd)
	if err != nil {
		h.tb.Fatalf("in state %q as %s %s: got error %v, want none", h.c.State, actor.Role, actor.ID, err)
	}
	h.apply(actor, changes)
	return typesOf(changes)
}

// fails runs cmd as actor, which must fail with a domain error, and returns
// the error. Nothing is applied.
func (h *harness) fails(actor domain.Actor, cmd command) *domain.Error {
	h.tb.Helper()
	changes, err := h.run(actor, cmd)
	if err == nil {
		h.tb.Fatalf("in state %q as %s %s: got events %v, want an error", h.c.State, actor.Role, actor.ID, typesOf(changes))
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		h.tb.Fatalf("got %T %v, want a *domain.Error", err, err)
	}
	return de
}

// apply turns changes into events recorded by actor now and applies them.
func (h *harness) apply(actor domain.Actor, changes []aggregate.Change) {
	h.tb.Helper()
	for _, ch := range changes {
		data, err := json.Marshal(ch.Data)
		if err != nil {
			h.tb.Fatalf("marshal %s: %v", ch.Type, err)
		}
		h.n++
		e := eventstore.Event{
			ID: fmt.Sprintf("ev-%d", h.n), Stream: StreamPrefix + "." + h.c.ID, Version: uint64(h.n),
			Type: ch.Type, SchemaVersion: ch.SchemaVersion, OccurredAt: h.now, Actor: actor, Data: data,
		}
		if ch.SchemaVersion != SchemaVersion(EventType(ch.Type)) || ch.SchemaVersion < 1 {
			h.tb.Fatalf("%s: schema version %d, want %d", ch.Type, ch.SchemaVersion, SchemaVersion(EventType(ch.Type)))
		}
		if err := h.c.Apply(e); err != nil {
			h.tb.Fatalf("apply %s: %v", ch.Type, err)
		}
		h.log = append(h.log, e)
	}
}

func typesOf(changes []aggregate.Change) []EventType {
	out := make([]EventType, len(changes))
	for i, c := range changes {
		out[i] = EventType(c.Type)
	}
	return out
}

// wantState fails unless the case is in state s.
func (h *harness) wantState(s State) {
	h.tb.Helper()
	if h.c.State != s {
		h.tb.Fatalf("state: got %q, want %q", h.c.State, s)
	}
}

func wantTypes(tb testing.TB, got []EventType, want ...EventType) {
	tb.Helper()
	if !slices.Equal(got, want) {
		tb.Fatalf("events: got %v, want %v", got, want)
	}
}

// wantErr fails unless err has code and its message holds every part.
func wantErr(tb testing.TB, err *domain.Error, code domain.Code, parts ...string) {
	tb.Helper()
	if err.Code != code {
		tb.Fatalf("error code: got %q (%v), want %q", err.Code, err, code)
	}
	for _, p := range parts {
		if !strings.Contains(err.Message, p) {
			tb.Fatalf("error message: got %q, want it to contain %q", err.Message, p)
		}
	}
}

// wantWrongState fails unless err is a Conflict that is an ErrWrongState
// with what stands in the way, Extra[key], at value.
func wantWrongState(tb testing.TB, err *domain.Error, key string, value any) {
	tb.Helper()
	wantErr(tb, err, domain.Conflict)
	if !errors.Is(err, ErrWrongState) || err.Extra[key] != value {
		tb.Fatalf("got %v (Extra %v), want an ErrWrongState with %s %v, which readers word themselves", err, err.Extra, key, value)
	}
}

// wantAlreadyRecorded fails unless err is an ErrAlreadyRecorded of what.
func wantAlreadyRecorded(tb testing.TB, err *domain.Error, what string) {
	tb.Helper()
	if !errors.Is(err, ErrAlreadyRecorded) || err.Extra["recorded"] != what {
		tb.Fatalf("got %v (Extra %v), want an ErrAlreadyRecorded of the %s, which readers word themselves", err, err.Extra, what)
	}
}

// wantField fails unless err is Invalid and names field.
func wantField(tb testing.TB, err *domain.Error, field string) {
	tb.Helper()
	wantErr(tb, err, domain.Invalid)
	var names []string
	for _, f := range err.Fields {
		names = append(names, f.Field)
		if f.Field == field {
			return
		}
	}
	tb.Fatalf("invalid fields: got %v, want %q among them", names, field)
}

// Inputs.

func openInput(scheme Scheme) OpenInput {
	in := OpenInput{Scheme: scheme, Level: framework.Practitioner, Language: "en"}
	if scheme == SchemeEQA {
		in.ProgrammeName = seal("Coaching Essentials")
		in.ProgrammeProvider = seal("Academy")
	}
	return in
}

// eligibleEIA meets every practitioner rule as of t0.
func eligibleEIA() Portfolio {
	return Portfolio{
		FirstPracticeDate: NewDate(2020, 1, 15), ClientHours: 150, ClientCount: 12,
		CPDHoursLastYear: 20, SupervisionHoursLastYear: 6, FeedbackItemsLast12m: 6,
		ReflectionItemsLast12m: 6, ProfessionalBodyMember: true,
	}
}

// eligibleEQA meets every practitioner rule; its curriculum covers all eight
// categories.
func eligibleEQA() Portfolio {
	p := Portfolio{ContactHours: 80, CompletedCycles: 2}
	for n := 1; n <= 8; n++ {
		p.Curriculum = append(p.Curriculum, CurriculumItem{Category: n, Description: seal(fmt.Sprintf("module %d", n))})
	}
	p.Curriculum[0].Indicators = []int{31, 1}
	return p
}

func evidence(id string, cats, inds []int) EvidenceInput {
	return EvidenceInput{
		ID: id, Kind: KindCertificate, Title: seal("title " + id), FileName: seal(id + ".pdf"),
		ContentType: "application/pdf", Size: 1234, SHA256: strings.Repeat("ab", 32), Object: "obj-" + id,
		Categories: cats, Indicators: inds,
	}
}

// firstIndicator is a foundation indicator of each category.
var firstIndicator = map[int]int{1: 1, 2: 5, 3: 6, 4: 10, 5: 15, 6: 21, 7: 27, 8: 28}

func ratings(r Rating) []CategoryRating {
	var out []CategoryRating
	for n := 1; n <= 8; n++ {
		out = append(out, CategoryRating{Category: n, Rating: r, Indicators: []int{firstIndicator[n]}, Notes: seal("notes")})
	}
	return out
}

func assessment(rec Recommendation, level framework.Level) AssessmentInput {
	return AssessmentInput{Ratings: ratings(RatingEvidenced), Recommendation: rec, Level: level, Rationale: seal("because")}
}

// areaRatings rates every EQA review area r.
func areaRatings(r Rating) []AreaRating {
	var out []AreaRating
	for _, a := range ReviewAreas {
		out = append(out, AreaRating{Area: a, Rating: r, Notes: seal("area notes")})
	}
	return out
}

// assess submits assessment(rec, level), rating the review areas too when
// the case is an EQA one.
func assess(rec Recommendation, level framework.Level) command {
	return func(c *Case, actor domain.Actor, now time.Time) ([]aggregate.Change, error) {
		in := assessment(rec, level)
		if c.Scheme == SchemeEQA {
			in.Areas = areaRatings(RatingEvidenced)
		}
		return c.SubmitAssessment(actor, now, in)
	}
}

// interview schedules the interview an hour ahead, and both assessors
// record it once it has taken place.
func (h *harness) interview() {
	h.tb.Helper()
	h.do(officeScreen, with((*Case).ScheduleInterview, InterviewInput{At: h.now.Add(time.Hour), Place: seal("EMCC office, room 2")}))
	h.later(2 * time.Hour)
	for _, a := range []domain.Actor{assessorA, assessorB} {
		h.do(a, with((*Case).RecordInterview, InterviewRecordInput{Notes: seal("interview notes"),
			Observations: []CategoryNote{{Category: 4, Notes: seal("builds rapport quickly")}}}))
	}
}

func profile(a domain.Actor) AssessorProfile {
	return AssessorProfile{
		UserID: a.ID, Schemes: []string{"EIA", "EQA"}, MaxLevel: framework.MasterPractitioner,
		Languages: []string{"en", "nl"}, Active: true,
	}
}

func award(level framework.Level, id string) DecisionInput {
	return DecisionInput{Outcome: OutcomeAwarded, Level: level, Rationale: seal("well evidenced"), AccreditationID: id}
}

// Stages of a case, each one after the other.
type stage int

const (
	opened           stage = iota
	ready                  // portfolio, evidence and self-assessment complete
	submitted              // awaiting screening
	accepted               // awaiting assessment
	inAssessment           // assessor A and verifier B assigned
	awaitingDecision       // both recommended an award
	awarded                // awarded at the level applied for
)

// given returns a practitioner case of scheme, with an eligible portfolio,
// brought up to stage s, one hour between steps.
func given(tb testing.TB, scheme Scheme, s stage) *harness {
	tb.Helper()
	p := map[Scheme]Portfolio{SchemeEIA: eligibleEIA(), SchemeEQA: eligibleEQA()}[scheme]
	return givenCase(tb, openInput(scheme), p, s)
}

// givenCase returns the case opened with in, with portfolio p, brought up to
// stage s.
func givenCase(tb testing.TB, in OpenInput, p Portfolio, s stage) *harness {
	tb.Helper()
	return givenUnder(tb, DefaultRuleSets(), in, p, s)
}

// givenUnder is givenCase under the rule sets rs.
func givenUnder(tb testing.TB, rs RuleSets, in OpenInput, p Portfolio, s stage) *harness {
	tb.Helper()
	h := newHarness(tb)
	h.rules = rs
	h.do(applicant, with((*Case).Open, in))
	steps := []struct {
		stage stage
		actor domain.Actor
		cmd   command
	}{
		{ready, applicant, with((*Case).UpdatePortfolio, p)},
		{ready, applicant, with((*Case).AddEvidence, evidence("ev-1", []int{1, 2, 3, 4}, nil))},
		{ready, applicant, with((*Case).AddEvidence, evidence("ev-2", nil, []int{15, 21, 27}))},
		{ready, applicant, with((*Case).UpdateSelfAssessment, SelfAssessmentInput{Category: 8, Statement: seal("I evaluate")})},
		{submitted, applicant, submitCmd(h.rules)},
		{accepted, officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningAccepted})},
		{inAssessment, officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: profile(assessorA)})},
		{inAssessment, officeScreen, with((*Case).Assign, AssignInput{Role: RoleVerifier, Profile: profile(assessorB)})},
		{awaitingDecision, assessorA, assess(RecommendAward, "")},
		{awaitingDecision, assessorB, assess(RecommendAward, "")},
		{awarded, officeDecide, with((*Case).Decide, award(in.Level, "acc-1"))},
	}
	for _, st := range steps {
		if st.stage > s {
			break
		}
		if st.stage == awaitingDecision && h.c.NeedsInterview() && !h.c.Interview.Recorded() {
			h.interview()
		}
		h.later(time.Hour)
		h.do(st.actor, st.cmd)
	}
	h.later(time.Hour)
	return h
}

func mustUnmarshal(tb testing.TB, data []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatalf("unmarshal %s: %v", data, err)
	}
}
