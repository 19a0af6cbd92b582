package pii_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
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

// BenchmarkOpenManyAtOnce opens the names of 30k people, their keys kept,
// from 16 goroutines, as the register's shaping does at a start: what
// the key cache costs readers that share it.
func BenchmarkOpenManyAtOnce(b *testing.B) {
	v, _ := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{1}, 32))
	ctx := context.Background()
	sealed := make([]pii.Sealed, 30_000)
	for i := range sealed {
		sealed[i], _ = v.Seal(ctx, fmt.Sprintf("user-%d", i), "Carla Coach, Amsterdam")
	}
	var next atomic.Int64
	b.SetParallelism(8) // 16 goroutines on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Open(ctx, sealed[next.Add(1)%int64(len(sealed))]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
