package main

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/natsstore"
)

// A store that grew to a million events over years holds only the last
// day's commits inside JetStream's duplicate window (24 hours). One seeded
// for a benchmark holds every commit inside it, and nats-server reads every
// one of them as it recovers the stream, to rebuild its map of message ids
// (stream.rebuildDedupe): it loads every block and builds each one's index
// of subjects, which it keeps for two minutes (the file store's
// SubjectStateExpire). At 1.02M events that cost a restart from both
// snapshots 0.9 s and 109 MiB of its peak RSS (make bench, 2026-12-07
// 11:27 UTC).
// So before each measured start the benchmarks put the seeded commits
// outside the window, as years would: the stream's window is set to
// agedWindow while no accreditd runs, and the start recovers the stream
// with it; accreditd sets it back to its own (24 hours) as it opens the
// store, so the process measured runs with the window it always has.
// BenchmarkStartAtMillionEvents also measures one restart as seeded, to
// show what this leaves out.
const agedWindow = time.Second

// outsideDuplicateWindow makes the commits of the store in dir older than
// the events stream's duplicate window (see agedWindow). No accreditd may
// hold dir.
func outsideDuplicateWindow(b *testing.B, dir string) {
	b.Helper()
	e, err := natsstore.StartEmbedded(natsstore.EmbeddedConfig{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Shutdown()
	nc, err := e.Connect()
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st, err := js.Stream(ctx, natsstore.EventsStream)
	if err != nil {
		b.Fatalf("the events stream of %s: %v", dir, err)
	}
	cfg := st.CachedInfo().Config
	cfg.Duplicates = agedWindow
	if _, err := js.UpdateStream(ctx, cfg); err != nil {
		b.Fatalf("shorten the duplicate window of %s: %v", dir, err)
	}
	time.Sleep(agedWindow + 100*time.Millisecond) // the last commit is now outside it
}
