package natsstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// throttleStores opens the login failures bucket with ttl through n
// connections to one server: n processes, as far as JetStream can tell.
func throttleStores(t *testing.T, n int, ttl time.Duration) []*natsstore.ThrottleStore {
	t.Helper()
	srv := natstest.Start(t)
	var out []*natsstore.ThrottleStore
	for range n {
		nc, err := srv.Embedded.Connect()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		s, err := natsstore.OpenThrottleStore(context.Background(), js, natsstore.Config{}, ttl)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func addOne(f accounts.Failures) accounts.Failures { f.Count++; return f }

func count(t *testing.T, s *natsstore.ThrottleStore, key string) int {
	t.Helper()
	f, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return f.Count
}

func TestThrottleStoreCountsFromEveryProcess(t *testing.T) {
	ctx := context.Background()
	s := throttleStores(t, 2, accounts.FailWindow)
	a, b := s[0], s[1]
	if n := count(t, a, "account.x"); n != 0 {
		t.Fatalf("a key never written: got %d, want 0", n)
	}
	for i := range 4 {
		if err := s[i%2].Update(ctx, "account.x", addOne); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, b, "account.x"); n != 4 {
		t.Fatalf("after two failures through each process: got %d, want 4", n)
	}

	// An update that reads while another process writes: its first write
	// loses (its revision is old), and it adds to what the other wrote.
	calls := 0
	err := a.Update(ctx, "account.x", func(f accounts.Failures) accounts.Failures {
		calls++
		if calls == 1 {
			if err := b.Update(ctx, "account.x", addOne); err != nil {
				t.Fatal(err)
			}
		}
		return addOne(f)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, a, "account.x"); n != 6 {
		t.Fatalf("two failures counted at once: got %d, want 6 (one was lost)", n)
	}
	if calls != 2 {
		t.Fatalf("the losing update was applied %d times, want 2", calls)
	}

	// Forgotten in every process, and counted again from nothing.
	if err := b.Delete(ctx, "account.x"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, a, "account.x"); n != 0 {
		t.Fatalf("after Delete: got %d, want 0", n)
	}
	if err := a.Update(ctx, "account.x", addOne); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b, "account.x"); n != 1 {
		t.Fatalf("a failure after Delete: got %d, want 1", n)
	}
	if err := a.Delete(ctx, "client.never-failed"); err != nil {
		t.Fatalf("delete of a key without failures: %v", err)
	}
}

// TestThrottleStoreForgetsAfterItsTTL: a counter not written for the
// bucket's TTL is gone, and a failure after it is counted again. The TTL
// is short here; the wait for its expiry is long, never the assertion.
func TestThrottleStoreForgetsAfterItsTTL(t *testing.T) {
	ctx := context.Background()
	s := throttleStores(t, 1, time.Second)[0]
	for range 3 {
		if err := s.Update(ctx, "client.y", addOne); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for count(t, s, "client.y") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the counter is still there a minute after its 1 s TTL")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := s.Update(ctx, "client.y", addOne); err != nil {
		t.Fatalf("a failure after the TTL: %v", err)
	}
}
