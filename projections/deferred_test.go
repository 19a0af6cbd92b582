package projections_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

// TestARebuildDecodingOnEveryCoreEqualsOneOfDecodedCommits: JetStream
// hands the replay its commits undecoded, and workers decode them on every
// core, out of order, before they are applied in order; the memory store
// hands them over decoded. The same commits in both stores give the same
// read models, byte for byte, through a rebuild and through a follower.
func TestARebuildDecodingOnEveryCoreEqualsOneOfDecodedCommits(t *testing.T) {
	for _, seed := range []uint64{7, 8} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			mem := eventstore.NewMemory()
			g := historygen.New(t, mem, seed)
			g.Lifetimes(t, 30, 600, 6, 0)
			g.Close()
			srv := natstest.Start(t)
			es := srv.EventStore(t)
			commits, _ := copyToJetStream(t, mem, srv.Conn)
			if commits < 3*128 {
				t.Fatalf("%d commits: the test needs several batches", commits)
			}
			if _, ok := eventstore.Store(es).(eventstore.DeferredSubscriber); !ok {
				t.Fatal("the JetStream store does not hand commits over undecoded: the test would not test that path")
			}

			want := projections.NewRunner(mem, projections.NewSet, projections.Options{})
			if _, err := want.Rebuild(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			rebuilt := projections.NewRunner(es, projections.NewSet, projections.Options{})
			if n, err := rebuilt.Rebuild(context.Background(), nil); err != nil || n != uint64(commits) {
				t.Fatalf("rebuild: %d commits, %v; want %d", n, err, commits)
			}
			followed := projections.NewRunner(es, projections.NewSet, projections.Options{})
			followed.Start()
			defer followed.Stop()
			waitAt(t, followed, uint64(commits))
			wantModels := snapshots(t, want)
			for what, r := range map[string]*projections.Runner{"rebuild": rebuilt, "follower": followed} {
				if r.DecodeErrors() != 0 {
					t.Fatalf("%s: %d decode errors", what, r.DecodeErrors())
				}
				for name, b := range snapshots(t, r) {
					if !bytes.Equal(b, wantModels[name]) {
						t.Fatalf("%s on JetStream, read model %s: %d bytes, want the memory store's %d", what, name, len(b), len(wantModels[name]))
					}
				}
			}
			t.Logf("%d commits, the same read models", commits)
		})
	}
}
