package seed_test

import (
	"context"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/seed"
)

// discard is a Writer that stores nothing: the generator's cost alone.
type discard struct{}

func (discard) Prepare(string, []eventstore.Event) (struct{}, error) { return struct{}{}, nil }
func (discard) Append(context.Context, struct{}) error               { return nil }
func (discard) Flush(context.Context) error                          { return nil }

// BenchmarkGenerate is the generator's cost per case, writing nowhere.
func BenchmarkGenerate(b *testing.B) {
	vault, err := pii.NewVault(pii.NewMemoryKeys(), make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	const cases = 2000
	for b.Loop() {
		if _, err := seed.Run(context.Background(), seed.Config{Cases: cases, Users: cases, Seed: 1, Vault: vault, PasswordHash: hash,
			Until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}, discard{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*cases), "µs/case")
}
