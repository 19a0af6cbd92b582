package rulesets_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/rulesets"
)

var (
	today  = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	office = domain.Actor{ID: "office-1", Role: domain.RoleOffice}
)

// process is one accreditd's rule sets on a shared store.
// publishedEarlier writes old to store as the office's publication of it
// (based on eia-2024-1) made at, as an earlier version of the code did.
func publishedEarlier(t *testing.T, store eventstore.Store, old accreditation.RuleSet, at time.Time) {
	t.Helper()
	data, err := json.Marshal(rulesets.Published{RuleSet: old, BasedOn: accreditation.DefaultEIAID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Append(context.Background(), eventstore.AppendRequest{Stream: rulesets.StreamPrefix + ".eia", Events: []eventstore.Event{{
		ID: "old-publish", Type: rulesets.EventPublished, SchemaVersion: 1, OccurredAt: at, Actor: office, Data: data,
	}}}); err != nil {
		t.Fatal(err)
	}
}

func process(t *testing.T, store eventstore.Store) (*rulesets.Service, *aggregate.Feed) {
	t.Helper()
	feed := aggregate.NewFeed(store, nil)
	clock := func() time.Time { return today }
	// The feed ages command ids by the clock the commands are stamped with,
	// as in accreditd: on the real clock it forgot them a day after today
	// and a retry was decided again (this test failed from 2026-12-03 10:00).
	feed.Retain(0, clock)
	s := rulesets.NewService(store, feed, clock, accreditation.DefaultRuleSets())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = feed.Run(ctx) }()
	return s, feed
}

// Two processes publishing from the same version at once: one version is
// published, the other is refused as edited from a version no longer the
// latest; both processes then know the one published.
func TestConcurrentPublishesOneWins(t *testing.T) {
	store := natstest.Start(t).EventStore(t)
	a, _ := process(t, store)
	b, feedB := process(t, store)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []*rulesets.Service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := float64(20 + i)
			_, _, errs[i] = s.Publish(context.Background(), aggregate.Meta{Actor: office}, rulesets.PublishRequest{
				Scheme: "EQA", BasedOn: accreditation.DefaultEQAID, EffectiveFrom: "2027-01-01",
				Rules: []rulesets.RuleChange{{Name: accreditation.RuleContactHours, Values: map[framework.Level]*float64{"foundation": &v}}}})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !domain.Is(err, domain.Conflict):
			t.Fatalf("the losing publish: got %v, want Conflict", err)
		}
	}
	if won != 1 {
		t.Fatalf("publishes accepted: got %d (%v), want 1", won, errs)
	}
	if err := feedB.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*rulesets.Service{"a": a, "b": b} {
		if got := s.All().Of(accreditation.SchemeEQA); len(got) != 2 || got[1].ID != "eqa-2027-1" {
			t.Fatalf("process %s: EQA versions %d, want the shipped one and eqa-2027-1", name, len(got))
		}
	}
}

// A publish retried with its idempotency key answers the first version and
// writes nothing more.
func TestPublishRetriedIsAnsweredOnce(t *testing.T) {
	store := natstest.Start(t).EventStore(t)
	s, _ := process(t, store)
	v := 30.0
	req := rulesets.PublishRequest{Scheme: "EQA", BasedOn: accreditation.DefaultEQAID, EffectiveFrom: "2026-12-02",
		Rules: []rulesets.RuleChange{{Name: accreditation.RuleContactHours, Values: map[framework.Level]*float64{"practitioner": &v}}}}
	m := aggregate.Meta{Actor: office, CommandID: "idem-publish-1", RequestHash: "h1"}
	first, res1, err := s.Publish(context.Background(), m, req)
	if err != nil {
		t.Fatal(err)
	}
	again, res2, err := s.Publish(context.Background(), m, req)
	if err != nil {
		t.Fatalf("retry: got %v, want the first answer", err)
	}
	if again.ID != first.ID || res2.Seq != res1.Seq || !res2.Duplicate {
		t.Fatalf("retry: got %s at seq %d (duplicate %v), want %s at seq %d", again.ID, res2.Seq, res2.Duplicate, first.ID, res1.Seq)
	}
	if got := len(s.All().Of(accreditation.SchemeEQA)); got != 2 {
		t.Fatalf("EQA versions: got %d, want 2", got)
	}
	if in := s.All().InForce(accreditation.SchemeEQA, today); in.ID != first.ID {
		t.Fatalf("in force today: got %s, want %s (effective today)", in.ID, first.ID)
	}
}

// A version published before the code learnt the interview rule is read
// with the levels interviewed at the time (Senior and Master Practitioner),
// not as "interview nobody": a rule the store does not hold is completed on
// reading, in the one list every case is checked against.
func TestAVersionPublishedBeforeTheInterviewRuleKeepsItsLevels(t *testing.T) {
	store := natstest.Start(t).EventStore(t)
	old := accreditation.DefaultRuleSets().InForce(accreditation.SchemeEIA, today)
	var kept []accreditation.Rule
	for _, r := range old.Rules {
		if r.Name != accreditation.RuleInterview && r.Name != accreditation.RulePanelQuorum {
			kept = append(kept, r)
		}
	}
	old.ID, old.EffectiveFrom, old.Rules = "eia-2026-1", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), kept
	publishedEarlier(t, store, old, today.AddDate(0, -7, 0))
	s, feed := process(t, store)
	if err := feed.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := s.All().InForce(accreditation.SchemeEIA, today)
	if got.ID != "eia-2026-1" {
		t.Fatalf("in force: %s, want the old version", got.ID)
	}
	for _, l := range framework.Levels {
		want := l == framework.SeniorPractitioner || l == framework.MasterPractitioner
		if got.Interviews(accreditation.SchemeEIA, l) != want {
			t.Errorf("%s: interviews %v, want %v", l, got.Interviews(accreditation.SchemeEIA, l), want)
		}
	}
	if q := got.PanelQuorum(framework.Practitioner); q != 1 {
		t.Errorf("quorum: %d, want 1 (unset)", q)
	}
}

// A version replaced before it took effect never does: the cases' rule
// sets leave it out (in force at its old date is its replacement), the
// history keeps it as replaced, and another process reading the store
// agrees.
func TestAReplacedVersionNeverTakesEffect(t *testing.T) {
	store := natstest.Start(t).EventStore(t)
	s, _ := process(t, store)
	ctx := context.Background()
	v := float64(75)
	mistyped, _, err := s.Publish(ctx, aggregate.Meta{Actor: office}, rulesets.PublishRequest{Scheme: "EIA", BasedOn: accreditation.SupervisionRuleSetID,
		EffectiveFrom: "2030-01-01", Rules: []rulesets.RuleChange{{Name: accreditation.RuleClientHours, Values: map[framework.Level]*float64{"foundation": &v}}}})
	if err != nil {
		t.Fatal(err)
	}
	fixed, _, err := s.Publish(ctx, aggregate.Meta{Actor: office}, rulesets.PublishRequest{Scheme: "EIA", BasedOn: mistyped.ID, EffectiveFrom: "2027-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	later := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	fresh, _ := process(t, store)
	for name, p := range map[string]*rulesets.Service{"the publishing process": s, "another process": fresh} {
		for _, r := range p.All() {
			if r.ID == mistyped.ID {
				t.Errorf("%s: the replaced %s is among the rule sets cases are checked against", name, r.ID)
			}
		}
		if got := p.All().InForce(accreditation.SchemeEIA, later).ID; got != fixed.ID {
			t.Errorf("%s: in force on %s: %s, want %s", name, later.Format(time.DateOnly), got, fixed.ID)
		}
		if got := p.Latest(accreditation.SchemeEIA).ID; got != fixed.ID {
			t.Errorf("%s: latest %s, want %s", name, got, fixed.ID)
		}
		old, ok := p.Version(mistyped.ID)
		if !ok || old.ReplacedBy != fixed.ID || p.StatusOf(old, today) != rulesets.StatusReplaced {
			t.Errorf("%s: the replaced version in the history: %v %+v", name, ok, old)
		}
		if view := p.View(old, today); view.Status != rulesets.StatusReplaced || view.ReplacedBy != fixed.ID {
			t.Errorf("%s: its view: %s replaced by %q", name, view.Status, view.ReplacedBy)
		}
		if got, _ := p.All().InForce(accreditation.SchemeEIA, later).Value(accreditation.RuleClientHours, framework.Foundation); got != 75 {
			t.Errorf("%s: the replacement's foundation client hours %v, want 75", name, got)
		}
	}
}

// The shipped version with supervision by quarter (eia-2027-1) is part of
// a scheme's history only where the office's versions were edited from it:
// with none published, it takes effect on its day; where the office had
// published from eia-2024-1 before it shipped, the office's rules hold
// (the office sets the quarterly rule in a version of its own); where the
// office's first version, edited from it, takes effect before it, it was
// replaced. Either way no case is checked against rules its office never
// saw, and no published version takes its id.
func TestTheQuarterlyVersionJoinsTheHistoryOnlyWhereTheOfficeEditedFromIt(t *testing.T) {
	quarters := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	publishedBefore := func(t *testing.T, store eventstore.Store) {
		old := accreditation.DefaultRuleSets().InForce(accreditation.SchemeEIA, today)
		old.ID, old.EffectiveFrom = "eia-2026-1", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		publishedEarlier(t, store, old, today.AddDate(0, -7, 0))
	}
	versions := func(s *rulesets.Service) (ids []string) {
		for _, v := range s.Versions() {
			if v.Scheme == accreditation.SchemeEIA {
				ids = append(ids, v.ID)
			}
		}
		return ids
	}

	t.Run("none published: it takes effect on its day", func(t *testing.T) {
		s, _ := process(t, natstest.Start(t).EventStore(t))
		if got := s.All().InForce(accreditation.SchemeEIA, accreditation.SupervisionRuleFrom.Add(-time.Second)).ID; got != accreditation.DefaultEIAID {
			t.Errorf("in force the moment before: %s, want %s", got, accreditation.DefaultEIAID)
		}
		if got := s.All().InForce(accreditation.SchemeEIA, accreditation.SupervisionRuleFrom).ID; got != accreditation.SupervisionRuleSetID {
			t.Errorf("in force on its day: %s, want %s", got, accreditation.SupervisionRuleSetID)
		}
		if got := s.Latest(accreditation.SchemeEIA).ID; got != accreditation.SupervisionRuleSetID {
			t.Errorf("latest, edited from: %s, want %s", got, accreditation.SupervisionRuleSetID)
		}
	})
	t.Run("the office published from eia-2024-1 before: its rules hold", func(t *testing.T) {
		store := natstest.Start(t).EventStore(t)
		publishedBefore(t, store)
		s, feed := process(t, store)
		if err := feed.CatchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got, want := versions(s), []string{accreditation.DefaultEIAID, "eia-2026-1"}; !slices.Equal(got, want) {
			t.Errorf("EIA versions: %v, want %v", got, want)
		}
		if got := s.All().InForce(accreditation.SchemeEIA, quarters).ID; got != "eia-2026-1" {
			t.Errorf("in force in 2027: %s, want the office's eia-2026-1", got)
		}
		// The office then publishes the rule, from its own latest version.
		one := 1.0
		v, _, err := s.Publish(context.Background(), aggregate.Meta{Actor: office}, rulesets.PublishRequest{Scheme: "EIA", BasedOn: "eia-2026-1", EffectiveFrom: "2027-01-01",
			Rules: []rulesets.RuleChange{{Name: accreditation.RuleSupervisionQuarters, Values: map[framework.Level]*float64{framework.Foundation: &one}}}})
		if err != nil {
			t.Fatal(err)
		}
		if v.ID != "eia-2027-2" {
			t.Errorf("published as %s, want eia-2027-2: eia-2027-1 is the shipped version's id", v.ID)
		}
	})
	t.Run("the office's first version, edited from it, takes effect before it: replaced", func(t *testing.T) {
		s, _ := process(t, natstest.Start(t).EventStore(t))
		fee := 450.0
		v, _, err := s.Publish(context.Background(), aggregate.Meta{Actor: office}, rulesets.PublishRequest{Scheme: "EIA", BasedOn: accreditation.SupervisionRuleSetID,
			EffectiveFrom: "2026-12-10", Rules: []rulesets.RuleChange{{Name: accreditation.RuleFee, Values: map[framework.Level]*float64{framework.Foundation: &fee}}}})
		if err != nil {
			t.Fatal(err)
		}
		shipped, ok := s.Version(accreditation.SupervisionRuleSetID)
		if !ok || shipped.ReplacedBy != v.ID || s.StatusOf(shipped, today) != rulesets.StatusReplaced {
			t.Errorf("the shipped version: %v, replaced by %q, want replaced by %s", ok, shipped.ReplacedBy, v.ID)
		}
		got := s.All().InForce(accreditation.SchemeEIA, quarters)
		if got.ID != v.ID {
			t.Fatalf("in force in 2027: %s, want the office's %s", got.ID, v.ID)
		}
		if q, ok := got.Value(accreditation.RuleSupervisionQuarters, framework.Practitioner); !ok || q != 1 {
			t.Errorf("the office's version edited from it: %s %v (set %v), want 1 h a quarter", accreditation.RuleSupervisionQuarters, q, ok)
		}
	})
}

// A scheduled version is mended to an earlier day no earlier than the
// version it followed takes effect; where that is a shipped version, it is
// the one of the scheme's history the office's first version followed:
// eia-2024-1 where that version was edited from it before eia-2027-1
// shipped (eia-2027-1 is then not in the history) or edited from
// eia-2027-1 and replaced it. Neither takes effect on 2027-01-01, so a day
// before that is no reason to refuse.
func TestAScheduledVersionIsMendedAfterTheShippedVersionItFollowed(t *testing.T) {
	mend := func(t *testing.T, s *rulesets.Service, basedOn, from string) {
		t.Helper()
		v, _, err := s.Publish(context.Background(), aggregate.Meta{Actor: office}, rulesets.PublishRequest{Scheme: "EIA", BasedOn: basedOn, EffectiveFrom: from})
		if err != nil {
			t.Fatalf("mending %s to %s: %v", basedOn, from, err)
		}
		was, _ := s.Version(basedOn)
		if was.ReplacedBy != v.ID || !v.EffectiveFrom.Equal(time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("mended: %s from %s, %s replaced by %q; want %s replaced by it, from 2026-12-20", v.ID, v.EffectiveFrom, basedOn, was.ReplacedBy, basedOn)
		}
	}
	t.Run("edited from eia-2024-1 before eia-2027-1 shipped", func(t *testing.T) {
		store := natstest.Start(t).EventStore(t)
		old := accreditation.DefaultRuleSets().InForce(accreditation.SchemeEIA, today)
		// Its id, then free, is the one eia-2027-1 shipped with since.
		old.ID, old.EffectiveFrom = "eia-2027-1", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
		publishedEarlier(t, store, old, today.AddDate(0, -1, 0))
		s, feed := process(t, store)
		if err := feed.CatchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		mend(t, s, "eia-2027-1", "2026-12-20")
	})
	t.Run("edited from eia-2027-1, which it replaced", func(t *testing.T) {
		s, _ := process(t, natstest.Start(t).EventStore(t))
		fee := 450.0
		v, _, err := s.Publish(context.Background(), aggregate.Meta{Actor: office}, rulesets.PublishRequest{Scheme: "EIA", BasedOn: accreditation.SupervisionRuleSetID,
			EffectiveFrom: "2026-12-28", Rules: []rulesets.RuleChange{{Name: accreditation.RuleFee, Values: map[framework.Level]*float64{framework.Foundation: &fee}}}})
		if err != nil {
			t.Fatal(err)
		}
		mend(t, s, v.ID, "2026-12-20")
	})
}
