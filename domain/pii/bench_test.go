package pii_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/emcc/accredit/domain/pii"
)

// BenchmarkSeal and BenchmarkOpen measure one personal field (a name) with a
// warm key cache: the per-field cost of crypto-shredding.
func BenchmarkSeal(b *testing.B) {
	v, _ := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{1}, 32))
	ctx := context.Background()
	_, _ = v.Seal(ctx, "user-1", "warm")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Seal(ctx, "user-1", "Carla Coach, Amsterdam"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	v, _ := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{1}, 32))
	ctx := context.Background()
	s, _ := v.Seal(ctx, "user-1", "Carla Coach, Amsterdam")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Open(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}
