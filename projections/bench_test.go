package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

// copyToJetStream publishes every commit of a memory store, as is, into
// the JetStream events stream (async, for speed).
func copyToJetStream(b testing.TB, mem *eventstore.Memory, nc *nats.Conn) (commits, events int) {
	b.Helper()
	js, _ := jetstream.New(nc)
	last, _ := mem.LastSeq(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pending := 0
	err := mem.Subscribe(ctx, 0, func(c eventstore.Commit) error {
		body, _ := json.Marshal(c.Events)
		msg := nats.NewMsg(natsstore.Subject(c.Stream))
		msg.Data = body
		lastEv := c.Events[len(c.Events)-1]
		msg.Header.Set("Accredit-Version", strconv.FormatUint(lastEv.Version, 10))
		msg.Header.Set("Accredit-Hash", lastEv.Hash)
		if _, err := js.PublishMsgAsync(msg); err != nil {
			return err
		}
		commits++
		events += len(c.Events)
		if pending++; pending >= 2000 {
			<-js.PublishAsyncComplete()
			pending = 0
		}
		if c.Seq >= last {
			cancel()
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		b.Fatal(err)
	}
	<-js.PublishAsyncComplete()
	return commits, events
}

// BenchmarkReadSide writes 100,000 cases to JetStream (each taken to the
// assessor queue), then measures: the raw ordered-consumer replay of the
// stream, a full rebuild of every read model from it, and the queue query
// under 50 concurrent readers. Run with -benchtime 1x.
func BenchmarkReadSide(b *testing.B) {
	cases := 100_000
	if n, err := strconv.Atoi(os.Getenv("ACCREDIT_BENCH_CASES")); err == nil && n > 0 {
		cases = n // a quicker run while working on it
	}
	mem := eventstore.NewMemory()
	start := time.Now()
	g := historygen.New(b, mem, 42)
	g.Queued(b, cases)
	now, profiles := g.Now(), []accreditation.AssessorProfile{}
	for i := range 6 {
		profiles = append(profiles, g.Profile(i))
	}
	g.Close()
	b.Logf("generated %d cases through the aggregate in %v", cases, time.Since(start).Round(time.Millisecond))

	e, err := natsstore.StartEmbedded(natsstore.EmbeddedConfig{DataDir: b.TempDir(), SyncInterval: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Shutdown()
	nc, _ := e.Connect()
	defer nc.Close()
	es, err := natsstore.OpenEventStore(context.Background(), nc, natsstore.Config{})
	if err != nil {
		b.Fatal(err)
	}
	commits, events := copyToJetStream(b, mem, nc)
	b.Logf("stream: %d commits, %d events", commits, events)
	mem, g = nil, nil // the generator's copy is not part of what is measured
	runtime.GC()

	// Raw: an ordered consumer reading every message, decoding nothing.
	js, _ := jetstream.New(nc)
	start, cpu := time.Now(), cpuTime()
	cons, err := js.OrderedConsumer(context.Background(), natsstore.EventsStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	it, _ := cons.Messages(jetstream.PullMaxMessages(1024))
	for n := 0; n < commits; n++ {
		if _, err := it.Next(); err != nil {
			b.Fatal(err)
		}
	}
	it.Stop()
	raw, rawCPU := time.Since(start), cpuTime()-cpu

	snapDir := b.TempDir()
	runner := projections.NewRunner(es, projections.NewSet, projections.Options{SnapshotDir: snapDir, Schema: projections.Schema})
	if path := os.Getenv("ACCREDIT_REBUILD_PROFILE"); path != "" {
		f, _ := os.Create(path)
		_ = pprof.StartCPUProfile(f)
		defer f.Close()
	}
	runtime.GC()
	allocated, rebuildPeak := allocatedBytes(), watchPeak()
	start, cpu = time.Now(), cpuTime()
	if _, err := runner.Rebuild(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	rebuild, rebuildCPU := time.Since(start), cpuTime()-cpu
	allocated = allocatedBytes() - allocated
	pprof.StopCPUProfile()
	b.Logf("rebuild: %.0f bytes allocated per event; memory held from the system at most %d MiB (soft memory limit %s: the GC target is loosened while replaying only under one)",
		float64(allocated)/float64(events), rebuildPeak()>>20, memoryLimit())
	rawRate, rebuildRate := float64(events)/raw.Seconds(), float64(events)/rebuild.Seconds()
	b.ReportMetric(rawRate, "raw_replay_events/s")
	b.ReportMetric(rebuildRate, "rebuild_events/s")
	b.ReportMetric(rebuildRate/rawRate, "rebuild/raw")
	b.Logf("replay of %d events: raw ordered consumer %.0f events/s, full rebuild of the read models %.0f events/s, ratio %.2f",
		events, rawRate, rebuildRate, rebuildRate/rawRate)
	// CPU time of the process (server included), which a busy machine
	// changes less than the wall time: the cost the ratio comes from.
	b.Logf("CPU: raw %v (%.1f us/event), rebuild %v (%.1f us/event)", rawCPU.Round(time.Millisecond),
		float64(rawCPU.Microseconds())/float64(events), rebuildCPU.Round(time.Millisecond), float64(rebuildCPU.Microseconds())/float64(events))

	// The snapshot: written as on stop, then read as at a start.
	runtime.GC()
	debug.FreeOSMemory()
	before := heldMemory()
	peak := watchPeak()
	start = time.Now()
	if err := runner.SaveSnapshot(); err != nil {
		b.Fatal(err)
	}
	saved := time.Since(start)
	top := peak()
	b.Logf("memory held from the system (heap and runtime, less what was returned): %d MiB before the snapshot, %d MiB at most while it was written",
		before>>20, top>>20)
	st, err := os.Stat(filepath.Join(snapDir, "read-models.json"))
	if err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	resumed := projections.NewRunner(es, projections.NewSet, projections.Options{SnapshotDir: snapDir, Schema: projections.Schema})
	resumed.Start()
	loaded := time.Since(start)
	if got := resumed.Position(); got != runner.Position() {
		b.Fatalf("resumed at %d, want %d from the snapshot", got, runner.Position())
	}
	_ = resumed.Shutdown(canceled())
	b.ReportMetric(saved.Seconds(), "snapshot_write_s")
	b.ReportMetric(loaded.Seconds(), "snapshot_load_s")
	b.ReportMetric(float64(st.Size())/(1<<20), "snapshot_MiB")
	b.Logf("read-model snapshot of %d cases: %.1f MiB, written in %v, loaded in %v", cases, float64(st.Size())/(1<<20),
		saved.Round(time.Millisecond), loaded.Round(time.Millisecond))

	// Queue queries under 50 concurrent readers: half assessors, half office.
	const readers, perReader = 50, 20
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.Logf("heap with the read models of %d cases: %d MiB", cases, ms.HeapAlloc>>20)
	sla := 56 * 24 * time.Hour
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start = time.Now()
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := profiles[r%len(profiles)]
			for range perReader {
				t0 := time.Now()
				var n int
				runner.Read(func(s *projections.Set) {
					if r%2 == 0 {
						avail, mine := s.Typed().Cases.AssessorQueue(p, now, sla, 50)
						n = len(avail.Items) + len(mine.Items)
					} else {
						n = len(s.Typed().Cases.OfficeQueue(projections.QueueFilter{Level: "foundation"}, now, sla, 0, 50).Items)
					}
				})
				d := time.Since(t0)
				if n == 0 {
					panic("empty queue")
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	total := time.Since(start)
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	b.ReportMetric(float64(p50.Microseconds())/1000, "queue_p50_ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "queue_p99_ms")
	b.Logf("queue over %d cases, %d readers x %d queries: p50 %v, p99 %v, %.0f queries/s",
		cases, readers, perReader, p50, p99, float64(len(lat))/total.Seconds())
}

// heldMemory is what the Go runtime holds from the system: all it mapped
// less what it returned (about the RSS, less the binary and stacks).
func heldMemory() uint64 {
	m := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(m)
	return m[0].Value.Uint64() - m[1].Value.Uint64()
}

// allocatedBytes is what the heap has allocated since the process began.
func allocatedBytes() uint64 {
	m := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(m)
	return m[0].Value.Uint64()
}

// watchPeak samples heldMemory every millisecond until the returned func
// is called, which returns the highest sample.
func watchPeak() func() uint64 {
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() {
		top := heldMemory()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				peak <- max(top, heldMemory())
				return
			case <-t.C:
				top = max(top, heldMemory())
			}
		}
	}()
	return func() uint64 { close(stop); return <-peak }
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// canceled is a context already ended: a Shutdown that writes nothing.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// memoryLimit names the process's soft memory limit.
func memoryLimit() string {
	if l := debug.SetMemoryLimit(-1); l < math.MaxInt64 {
		return fmt.Sprintf("%d MiB", l>>20)
	}
	return "none"
}
