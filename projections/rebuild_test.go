package projections_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

var errInjected = errors.New("injected: subscription lost")

// flaky passes everything to the real store until armed: then its
// subscriptions fail after delivering `after` commits (the first `skip`
// subscriptions pass), and LastSeq may answer `behind` commits short.
type flaky struct {
	eventstore.Store
	mu     sync.Mutex
	armed  bool
	skip   int
	after  int
	behind uint64
}

func (f *flaky) arm(skip, after int, behind uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed, f.skip, f.after, f.behind = true, skip, after, behind
}

func (f *flaky) disarm() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed = false
}

func (f *flaky) LastSeq(ctx context.Context) (uint64, error) {
	n, err := f.Store.LastSeq(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.armed && n > f.behind {
		n -= f.behind
	}
	return n, err
}

func (f *flaky) Subscribe(ctx context.Context, from uint64, fn func(eventstore.Commit) error) error {
	f.mu.Lock()
	fail := f.armed && f.skip == 0
	if f.armed && f.skip > 0 {
		f.skip--
	}
	after := f.after
	f.mu.Unlock()
	if !fail {
		return f.Store.Subscribe(ctx, from, fn)
	}
	delivered := 0
	err := f.Store.Subscribe(ctx, from, func(c eventstore.Commit) error {
		if delivered == after {
			return errInjected
		}
		delivered++
		return fn(c)
	})
	return err
}

// TestAFailedRebuildKeepsTheCurrentModels injects a store failure in each
// part of a rebuild (the replay, and the catch-up with what arrived during
// it): the rebuild fails, the read models and their position are those of
// before, and the failure is reported; then a clean rebuild succeeds.
func TestAFailedRebuildKeepsTheCurrentModels(t *testing.T) {
	srv := natstest.Start(t)
	es := srv.EventStore(t)
	g := historygen.New(t, es, 5)
	g.OpenCases(t, 5)
	g.Steps(t, 60)
	store := &flaky{Store: es}
	r := projections.NewRunner(store, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	last := lastSeq(t, es)
	waitAt(t, r, last)
	before := snapshots(t, r)

	cases := []struct {
		name   string
		skip   int
		after  int
		behind uint64
	}{
		{"the replay fails part way", 0, 10, 0},
		// The replay stops 5 short (as if 5 commits arrived meanwhile); the
		// catch-up that must bring them fails.
		{"the catch-up fails", 1, 2, 5},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store.arm(tc.skip, tc.after, tc.behind)
			defer store.disarm()
			_, err := r.Rebuild(context.Background(), nil)
			if !errors.Is(err, errInjected) {
				t.Fatalf("rebuild: got %v, want the injected failure", err)
			}
			if got := r.Position(); got != last {
				t.Fatalf("position after a failed rebuild: got %d, want %d (the current models')", got, last)
			}
			for name, b := range snapshots(t, r) {
				if !bytes.Equal(b, before[name]) {
					t.Fatalf("%s changed after a failed rebuild, want the current model kept", name)
				}
			}
			st, ok := r.LastRebuild()
			if !ok || st.Error == "" || st.At.IsZero() {
				t.Fatalf("last rebuild: got %+v, %v, want the failure reported", st, ok)
			}
			if got := r.RebuildFailures(); got != int64(i+1) {
				t.Fatalf("failures: got %d, want %d", got, i+1)
			}
		})
	}

	if _, err := r.Rebuild(context.Background(), nil); err != nil {
		t.Fatalf("clean rebuild: %v", err)
	}
	if st, _ := r.LastRebuild(); st.Error != "" || st.Position != last {
		t.Fatalf("last rebuild after a clean one: got %+v, want no error at %d", st, last)
	}
	for name, b := range snapshots(t, r) {
		if !bytes.Equal(b, before[name]) {
			t.Fatalf("%s differs after a clean rebuild", name)
		}
	}
}
