package seed

import (
	"context"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/pii"
)

// A case to be found in progress is hurried so that it gets there by
// Until, halving the time left at each step. However little time is left,
// each step must still be one the service accepts: here every such case is
// opened three minutes before Until. An interview scheduled then lies
// past the time left, and the assessor used to record it before it was
// held (the 100k-case seed failed so: "cannot record the interview: it
// is on ...").
func TestACaseOpenedMinutesBeforeUntilStillGetsThere(t *testing.T) {
	vault, err := pii.NewVault(pii.NewMemoryKeys(), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	hash, err := accounts.SeedPasswordHash("a long seeding password")
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 12, 3, 11, 53, 0, 0, time.UTC)
	g, err := newGen(Config{Cases: 3000, Users: 1000, Seed: 7, Until: until, Vault: vault, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	hurried, interviews := 0, 0
	for i, p := range g.cases {
		if p.stopAt == "" {
			continue
		}
		q := *p
		q.opens = until.Add(-3 * time.Minute)
		j := g.newJob(len(g.users) + i)
		if err := j.runCase(context.Background(), &q); err != nil {
			t.Fatalf("case %s (to be found %s) opened at %s: %v", q.id, q.target, q.opens.Format(time.RFC3339), err)
		}
		for _, m := range j.commits {
			if m.at.After(until) {
				t.Fatalf("case %s: a commit at %s, after Until %s", q.id, m.at.Format(time.RFC3339Nano), until.Format(time.RFC3339))
			}
			for _, e := range m.events {
				if accreditation.EventType(e.Type) == accreditation.EventInterviewScheduled {
					interviews++
				}
			}
		}
		hurried++
	}
	if hurried == 0 || interviews == 0 {
		t.Fatalf("%d cases hurried, %d interviews scheduled: the test does not reach what it is about", hurried, interviews)
	}
	t.Logf("%d cases hurried into 3 minutes, %d interviews scheduled", hurried, interviews)
}
