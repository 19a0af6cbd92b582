package natsstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/natsstore"
)

// TestALeaseReleasedIsTakenAtOnce: a stopping process gives its leases up,
// so the next takes the jobs without waiting out the TTL; a release by a
// process that does not hold the lease changes nothing.
func TestALeaseReleasedIsTakenAtOnce(t *testing.T) {
	ctx := context.Background()
	leases, err := natsstore.OpenLeases(ctx, jetStream(t), natsstore.Config{}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	take := func(holder string, want bool) {
		t.Helper()
		if ok, err := leases.Acquire(ctx, "mail", holder); err != nil || ok != want {
			t.Fatalf("%s takes the lease: %v, %v; want %v", holder, ok, err, want)
		}
	}
	take("a", true)
	take("b", false)
	if err := leases.Release(ctx, "mail", "b"); err != nil {
		t.Fatal(err)
	}
	take("b", false) // b's release of a's lease let nothing go
	if err := leases.Release(ctx, "mail", "a"); err != nil {
		t.Fatal(err)
	}
	take("b", true)
	take("a", false)
	if err := leases.Release(ctx, "checkpoint", "a"); err != nil {
		t.Fatalf("releasing a lease nobody holds: %v", err)
	}
}
