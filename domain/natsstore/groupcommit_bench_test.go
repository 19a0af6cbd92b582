package natsstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
	"github.com/emcc/accredit/domain/natsstore"
)

// gcReq is one writer's message for the committer: its subject's expected
// last sequence, and where to answer.
type gcReq struct {
	w      int
	expect uint64
	done   chan gcRes
}
type gcRes struct {
	seq uint64
	err error
}

// BenchmarkGroupCommitExperiment measures what group commit could give the
// store (issue 14 item 2), on raw JetStream, before the store does it: 32
// writers, each on its own subject with the expected last-subject sequence,
// fsync always, 10 s each way: "single" publishes each message; "batch"
// hands them to one committer that publishes whatever is queued (up to
// 1000) as one atomic batch (Nats-Batch-Id, -Sequence, -Commit; the stream
// allows atomic publish); "batch-stale" is batch with one message in fifty
// of writer 0 carrying a stale expectation, as when another process wrote
// first: the batch is refused whole and its messages are published one by
// one, so that only the stale one fails. Each run checks that every
// subject's last message is at the sequence its writer was answered. Run
// with -benchtime 1x; it logs the rates, batch sizes and fallbacks.
func BenchmarkGroupCommitExperiment(b *testing.B) {
	const writers = 32
	d := 10 * time.Second
	for _, mode := range []string{"single", "batch", "batch-stale"} {
		e, err := natsstore.StartEmbedded(natsstore.EmbeddedConfig{DataDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		nc, _ := e.Connect()
		js, _ := jetstream.New(nc)
		ctx := context.Background()
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "RAW", Subjects: []string{"raw.>"}, Storage: jetstream.FileStorage, AllowAtomicPublish: true}); err != nil {
			b.Fatal(err)
		}
		payload := bytes.Repeat([]byte("x"), 712)
		reqs := make(chan gcReq, writers)
		var batches, batched, fallbacks atomic.Int64
		stop := make(chan struct{})
		if mode != "single" {
			go func() {
				id := 0
				for {
					var first gcReq
					select {
					case first = <-reqs:
					case <-stop:
						return
					}
					batch := []gcReq{first}
				more:
					for len(batch) < 1000 {
						select {
						case r := <-reqs:
							batch = append(batch, r)
						default:
							break more
						}
					}
					id++
					bid := fmt.Sprintf("b%d", id)
					var ack *jetstream.PubAck
					var err error
					for i, r := range batch {
						m := nats.NewMsg("raw." + strconv.Itoa(r.w))
						m.Data = payload
						m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(r.expect, 10))
						m.Header.Set("Nats-Batch-Id", bid)
						m.Header.Set("Nats-Batch-Sequence", strconv.Itoa(i+1))
						if i == len(batch)-1 {
							m.Header.Set("Nats-Batch-Commit", "1")
							ack, err = js.PublishMsg(ctx, m)
						} else if perr := nc.PublishMsg(m); perr != nil {
							err = perr
						}
					}
					batches.Add(1)
					batched.Add(int64(len(batch)))
					if err == nil {
						for i, r := range batch {
							r.done <- gcRes{seq: ack.Sequence - uint64(len(batch)-1-i)}
						}
						continue
					}
					fallbacks.Add(1)
					for _, r := range batch { // one by one: each gets its own answer
						a, err := js.Publish(ctx, "raw."+strconv.Itoa(r.w), payload, jetstream.WithExpectLastSequencePerSubject(r.expect))
						if err != nil {
							r.done <- gcRes{err: err}
						} else {
							r.done <- gcRes{seq: a.Sequence}
						}
					}
				}
			}()
		}
		last := make([]uint64, writers)
		var n, failed atomic.Int64
		start := time.Now()
		deadline := start.Add(d)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				done := make(chan gcRes, 1)
				for time.Now().Before(deadline) {
					var seq uint64
					var err error
					if mode == "single" {
						var a *jetstream.PubAck
						a, err = js.Publish(ctx, "raw."+strconv.Itoa(w), payload, jetstream.WithExpectLastSequencePerSubject(last[w]))
						if err == nil {
							seq = a.Sequence
						}
					} else {
						expect := last[w]
						stale := mode == "batch-stale" && w == 0 && n.Load()%50 == 0 && expect > 0
						if stale {
							expect-- // another process wrote first: this one must fail alone
						}
						reqs <- gcReq{w: w, expect: expect, done: done}
						r := <-done
						seq, err = r.seq, r.err
					}
					if err != nil {
						if failed.Add(1) < 2 {
							b.Log(err)
						}
						continue
					}
					last[w] = seq
					n.Add(1)
				}
			})
		}
		wg.Wait()
		close(stop)
		el := time.Since(start)
		// Check: every subject's last message is at the sequence its writer saw.
		st, _ := js.Stream(ctx, "RAW")
		bad := 0
		for w := range writers {
			m, err := st.GetLastMsgForSubject(ctx, "raw."+strconv.Itoa(w))
			if err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) || err == nil && m.Sequence != last[w] {
				bad++
			}
		}
		if bad > 0 {
			b.Errorf("%s: %d subjects' last message is not where their writer was told", mode, bad)
		}
		b.ReportMetric(float64(n.Load())/el.Seconds(), "msg/s_"+mode)
		b.Logf("%s: %d msgs in %v = %.0f msg/s; failed %d; batches %d (mean %.1f msgs), fallbacks %d; subjects whose last seq differs from the writer's: %d; load %s",
			mode, n.Load(), el.Round(time.Millisecond), float64(n.Load())/el.Seconds(), failed.Load(), batches.Load(), float64(batched.Load())/max(1, float64(batches.Load())), fallbacks.Load(), bad, loadavg())
		nc.Close()
		e.Shutdown()
	}
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return string(bytes.Fields(b)[0])
}

// BenchmarkGroupCommitAppend measures the store's group commit against
// appends published alone, through EventStore.Append: 32 writers, each on
// its own stream with its expected head, a commit of about 700 bytes, for
// fsync always and every second, ACCREDIT_BENCH_SECONDS each (default 5),
// each on a fresh embedded server. Run with -benchtime 1x; it logs the
// rates, the batches and the load average.
func BenchmarkGroupCommitAppend(b *testing.B) {
	const writers = 32
	d := 5 * time.Second
	if s, err := strconv.Atoi(os.Getenv("ACCREDIT_BENCH_SECONDS")); err == nil && s > 0 {
		d = time.Duration(s) * time.Second
	}
	payload := map[string]string{"pad": string(bytes.Repeat([]byte("x"), 450))}
	for _, fsync := range []struct {
		name     string
		interval time.Duration
	}{{"always", 0}, {"1s", time.Second}} {
		for _, mode := range []string{"alone", "group"} {
			e, err := natsstore.StartEmbedded(natsstore.EmbeddedConfig{DataDir: b.TempDir(), SyncInterval: fsync.interval})
			if err != nil {
				b.Fatal(err)
			}
			nc, _ := e.Connect()
			s, err := natsstore.OpenEventStore(context.Background(), nc, natsstore.Config{GroupCommit: mode == "group"})
			if err != nil {
				b.Fatal(err)
			}
			var n, failed atomic.Int64
			start := time.Now()
			deadline := start.Add(d)
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					var head eventstore.Head
					for time.Now().Before(deadline) {
						r, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: fmt.Sprintf("bench.%d", w), Expected: head,
							CommandID: "cmd-" + nuid.Next(), Events: []eventstore.Event{eventstoretest.NewEvent("t.bench", payload)}})
						if err != nil {
							if failed.Add(1) < 2 {
								b.Log(err)
							}
							continue
						}
						head = r.Head
						n.Add(1)
					}
				})
			}
			wg.Wait()
			el := time.Since(start)
			rate := float64(n.Load()) / el.Seconds()
			b.ReportMetric(rate, "appends/s_"+fsync.name+"_"+mode)
			msg := ""
			if mode == "group" {
				batches, batched, refused := natsstore.GroupCommitStats(b, s)
				msg = fmt.Sprintf("; %d batches carried %d commits (mean %.1f), %d refused", batches, batched, float64(batched)/max(1, float64(batches)), refused)
			}
			b.Logf("fsync %s, %s: %d appends in %v = %.0f/s, %d failed%s; load %s", fsync.name, mode, n.Load(), el.Round(time.Millisecond), rate, failed.Load(), msg, loadavg())
			nc.Close()
			e.Shutdown()
		}
	}
}
