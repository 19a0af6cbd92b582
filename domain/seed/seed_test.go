package seed_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/seed"
)

var hash = func() string {
	h, err := accounts.SeedPasswordHash("a long seeding password")
	if err != nil {
		panic(err)
	}
	return h
}()

func run(t *testing.T, cfg seed.Config) (seed.Summary, *eventstore.Memory) {
	t.Helper()
	vault, err := pii.NewVault(pii.NewMemoryKeys(), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Vault, cfg.PasswordHash = vault, hash
	store := eventstore.NewMemory()
	sum, err := seed.Run(context.Background(), cfg, &seed.StoreWriter{Store: store})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return sum, store
}

// replay rebuilds every case from the store, as accreditd does on start.
func replay(t *testing.T, store *eventstore.Memory) map[string]*accreditation.Case {
	t.Helper()
	cases := map[string]*accreditation.Case{}
	fresh := accreditation.Factory(framework.Default())
	var last time.Time
	end, err := store.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = store.Read(context.Background(), 0, end, func(c eventstore.Commit) error {
		for _, e := range c.Events {
			if e.OccurredAt.Before(last) {
				t.Errorf("commit %d at %s is stored after one at %s: the store is not in time order", c.Seq, e.OccurredAt, last)
			}
			last = e.OccurredAt
		}
		id, ok := cutCase(c.Stream)
		if !ok {
			return nil
		}
		if cases[id] == nil {
			cases[id] = fresh(id)
		}
		for _, e := range c.Events {
			if err := cases[id].Apply(e); err != nil {
				t.Errorf("apply %s to case %s: %v", e.Type, id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

func cutCase(stream string) (string, bool) {
	p := accreditation.StreamPrefix + "."
	if len(stream) > len(p) && stream[:len(p)] == p {
		return stream[len(p):], true
	}
	return "", false
}

func TestSeedMakesEveryStateAndEveryRole(t *testing.T) {
	sum, store := run(t, seed.Config{Cases: 150, Users: 120, Seed: 3, Until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	for _, s := range accreditation.States {
		// The seed submits under the shipped rules, which set no fee, so
		// no case waits for payment (see TestNoFeeSetChangesNothing).
		if s == accreditation.StateAwaitingPayment {
			if sum.States[s] != 0 {
				t.Errorf("%d cases await a payment the shipped rules do not ask", sum.States[s])
			}
			continue
		}
		if sum.States[s] == 0 {
			t.Errorf("no case in state %s: %v", s, sum.States)
		}
	}
	for _, r := range []domain.Role{domain.RoleOffice, domain.RoleAssessor, domain.RoleApplicant} {
		if sum.Users[r] == 0 {
			t.Errorf("no %s user: %v", r, sum.Users)
		}
	}
	if sum.Decisions == 0 || sum.Appeals == 0 || sum.InformationRequests == 0 || sum.Moderations == 0 {
		t.Errorf("a part of the process never happened: %+v", sum)
	}
	cases := replay(t, store)
	if len(cases) != sum.Cases {
		t.Fatalf("replayed %d cases, seeded %d", len(cases), sum.Cases)
	}
	got := map[accreditation.State]int{}
	for _, c := range cases {
		got[c.State]++
		if c.State == accreditation.StateAwarded && (c.Accreditation == nil || c.Decision == nil) {
			t.Errorf("case %s awarded without a decision and an accreditation", c.ID)
		}
	}
	for _, s := range accreditation.States {
		if got[s] != sum.States[s] {
			t.Errorf("state %s: replayed %d, summary says %d", s, got[s], sum.States[s])
		}
	}
}

func TestSeedIsTheSameForTheSameSeed(t *testing.T) {
	until := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	a, sa := run(t, seed.Config{Cases: 40, Users: 60, Seed: 11, Until: until})
	b, sb := run(t, seed.Config{Cases: 40, Users: 60, Seed: 11, Until: until})
	c, _ := run(t, seed.Config{Cases: 40, Users: 60, Seed: 12, Until: until})
	ca, cb := replay(t, sa), replay(t, sb)
	if len(ca) != len(cb) {
		t.Fatalf("seed 11 made %d and %d cases", len(ca), len(cb))
	}
	for id, x := range ca {
		y := cb[id]
		if y == nil || x.State != y.State || x.ApplicantID != y.ApplicantID || x.Level != y.Level {
			t.Fatalf("case %s differs between two runs of seed 11", id)
		}
	}
	if a.Office != b.Office || a.Commits != b.Commits {
		t.Fatalf("two runs of seed 11 differ: %+v and %+v", a, b)
	}
	if a.Office == c.Office && a.Commits == c.Commits {
		t.Fatalf("seeds 11 and 12 made the same data set")
	}
}

// Renewals and expiries come 4.5 and 5 years after an award: a data set
// reaching that far has them, decided by the rules like any other step.
func TestSeedRenewsAndExpiresWhenThePeriodIsLongEnough(t *testing.T) {
	sum, store := run(t, seed.Config{Cases: 400, Users: 200, Seed: 5, // 15 % of awards expire: enough awards that some do
		From: time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC), Until: time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)})
	if sum.Renewals == 0 || sum.Expiries == 0 {
		t.Fatalf("renewals %d, expiries %d over six years", sum.Renewals, sum.Expiries)
	}
	renewed := 0
	for _, c := range replay(t, store) {
		if c.Accreditation != nil && c.Accreditation.ValidUntil.Sub(c.Accreditation.AwardedAt) > 6*365*24*time.Hour {
			renewed++
		}
	}
	if renewed == 0 {
		t.Fatalf("no accreditation runs past its first five years after %d renewals", sum.Renewals)
	}
}

func TestSeedRefusesTooFewUsers(t *testing.T) {
	vault, _ := pii.NewVault(pii.NewMemoryKeys(), make([]byte, 32))
	_, err := seed.Run(context.Background(), seed.Config{Cases: 1, Users: seed.MinUsers() - 1, Vault: vault, PasswordHash: hash},
		&seed.StoreWriter{Store: eventstore.NewMemory()})
	if err == nil {
		t.Fatal("seeded with too few users")
	}
}

// The data set is the seed's, whatever the number of workers making it up:
// the same events (ids, types, times, actors) in the same store order.
func TestSeedDoesNotDependOnTheWorkers(t *testing.T) {
	until := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	list := func(workers int) []string {
		_, store := run(t, seed.Config{Cases: 120, Users: 90, Seed: 4, Until: until, Workers: workers})
		var out []string
		end, _ := store.LastSeq(context.Background())
		err := store.Read(context.Background(), 0, end, func(c eventstore.Commit) error {
			for _, e := range c.Events {
				out = append(out, fmt.Sprintf("%d %s %s v%d %s %s %s", c.Seq, e.ID, e.Stream, e.Version, e.Type, e.OccurredAt.Format(time.RFC3339Nano), e.Actor.ID))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	one, many := list(1), list(5)
	if len(one) != len(many) {
		t.Fatalf("1 worker wrote %d events, 5 workers %d", len(one), len(many))
	}
	for i := range one {
		if one[i] != many[i] {
			t.Fatalf("event %d: 1 worker wrote %q, 5 workers %q", i, one[i], many[i])
		}
	}
}

// failing is a Writer that refuses the append (or the preparing) after
// the first ok ones.
type failing struct {
	ok       int
	prepared atomic.Int64
	appended int
	prepare  bool
}

var errRefused = errors.New("refused by the test's writer")

func (w *failing) Prepare(string, []eventstore.Event) (struct{}, error) {
	if w.prepare && w.prepared.Add(1) > int64(w.ok) {
		return struct{}{}, errRefused
	}
	return struct{}{}, nil
}

func (w *failing) Append(context.Context, struct{}) error {
	if w.appended++; !w.prepare && w.appended > w.ok {
		return errRefused
	}
	return nil
}

func (w *failing) Flush(context.Context) error { return nil }

// A run whose writer fails says so and returns, whichever side fails:
// the workers making up jobs far ahead of the writing (a job's error) or
// the writing itself. It used to wait forever for the workers it had not
// told to stop (the 100k-case benchmark hung so).
func TestSeedReturnsTheWritersError(t *testing.T) {
	vault, _ := pii.NewVault(pii.NewMemoryKeys(), make([]byte, 32))
	until := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, w := range []*failing{{ok: 50}, {ok: 50, prepare: true}} {
		done := make(chan error, 1)
		go func() {
			_, err := seed.Run(context.Background(), seed.Config{Cases: 600, Users: 200, Seed: 2, Until: until, Workers: 2,
				Vault: vault, PasswordHash: hash}, w)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, errRefused) {
				t.Errorf("prepare fails %v: the run ended with %v, not the writer's error", w.prepare, err)
			}
		case <-time.After(5 * time.Minute):
			t.Fatalf("prepare fails %v: the run has not returned 5 minutes after its writer failed", w.prepare)
		}
	}
}

// A case to be found in progress that goes past that state (to an award)
// is no longer hurried towards Until: it was, and an accreditation awarded
// days before Until was renewed 59 times in those days (valid until 2321).
// A renewal comes in the months before the end, so none runs past Until by
// more than five years and a half.
func TestSeedRenewsOnlyNearTheEnd(t *testing.T) {
	for _, s := range []uint64{7, 11, 23} {
		until := time.Date(2026, 12, 6, 0, 30, 0, 0, time.UTC)
		sum, store := run(t, seed.Config{Cases: 60, Users: 40, Seed: s, Until: until})
		limit := until.AddDate(5, 6, 0)
		for id, c := range replay(t, store) {
			if a := c.Accreditation; a != nil && a.ValidUntil.After(limit) {
				t.Errorf("seed %d: case %s (%s) is valid until %s, awarded %s", s, id, c.State, a.ValidUntil.Format(time.DateOnly), a.AwardedAt.Format(time.DateOnly))
			}
		}
		if sum.Renewals != 0 {
			t.Errorf("seed %d: %d renewals before any award is 4½ years old", s, sum.Renewals)
		}
	}
}

// TestSeededSupervisionIsSpreadOverTheQuarters: a seeded EIA portfolio
// gives the supervision hours of each of the last four quarters, each at
// least the published 1 h, and the year's hours as their sum, so that it
// meets the supervision rule of whichever version its case is pinned to.
func TestSeededSupervisionIsSpreadOverTheQuarters(t *testing.T) {
	_, store := run(t, seed.Config{Cases: 60, Users: 60, Seed: 5, Until: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)})
	n, quarterly := 0, 0
	for _, c := range replay(t, store) {
		if c.RuleSetVersion == accreditation.SupervisionRuleSetID {
			quarterly++
		}
		p := c.Portfolio
		if c.Scheme != accreditation.SchemeEIA || p.FirstPracticeDate.IsZero() {
			continue
		}
		n++
		sum := 0.0
		for _, h := range p.SupervisionHoursByQuarter {
			sum += h
			if h < 1 {
				t.Errorf("case %s: %v h in a quarter (%v), want at least 1 in each", c.ID, h, p.SupervisionHoursByQuarter)
			}
		}
		if len(p.SupervisionHoursByQuarter) != accreditation.Quarters || sum != p.SupervisionHoursLastYear {
			t.Errorf("case %s: quarters %v and %v h in the year, want four quarters adding up to the year", c.ID, p.SupervisionHoursByQuarter, p.SupervisionHoursLastYear)
		}
	}
	if n == 0 || quarterly == 0 {
		t.Fatalf("%d EIA cases with a portfolio seeded, %d submitted under %s: want some of each", n, quarterly, accreditation.SupervisionRuleSetID)
	}
}

// TestSeedGivesNoHolderTheSameAccreditationTwice: a coach who holds an
// accreditation renews it rather than applies for it again, so no one
// holds two active accreditations of one scheme and level. With make
// seed's two cases an applicant, the applicants taken in turn gave 79.
func TestSeedGivesNoHolderTheSameAccreditationTwice(t *testing.T) {
	_, store := run(t, seed.Config{Cases: 2000, Users: 1000, Seed: 1, Until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	type held struct {
		holder string
		scheme accreditation.Scheme
		level  framework.Level
	}
	seen, holders := map[held]string{}, map[string]bool{}
	for _, c := range replay(t, store) {
		if a := c.Accreditation; a != nil && a.Status == accreditation.StatusActive {
			k := held{c.ApplicantID, c.Scheme, a.Level}
			if other, ok := seen[k]; ok {
				t.Errorf("applicant %s holds two active %s %s accreditations (cases %s and %s)", k.holder, k.scheme, k.level, other, c.ID)
			}
			seen[k], holders[c.ApplicantID] = c.ID, true
		}
	}
	if len(holders) < 500 {
		t.Errorf("only %d holders of an active accreditation: the data set is not the one this test means", len(holders))
	}
}
