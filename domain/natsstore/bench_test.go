package natsstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// payload300 makes a payload of about 300 bytes, as in DESIGN.md's figures.
func payload300(i int) []byte {
	b, _ := json.Marshal(map[string]any{"i": i, "note": string(make([]byte, 0)) + fmt.Sprintf("%0250d", i)})
	return b
}

func benchEvent(i int) eventstore.Event {
	return eventstore.Event{ID: ulid.Make().String(), Type: "bench.happened", SchemaVersion: 1, OccurredAt: time.Now(),
		Actor: domain.Actor{ID: "bench", Role: domain.RoleSystem}, Data: payload300(i)}
}

// rawStream creates a stream with the events stream's settings on another subject space.
func rawStream(b *testing.B, nc *nats.Conn) jetstream.JetStream {
	js, _ := jetstream.New(nc)
	_, err := js.CreateOrUpdateStream(context.Background(), jetstream.StreamConfig{
		Name: "RAW", Subjects: []string{"raw.>"}, Storage: jetstream.FileStorage, Replicas: 1,
		Duplicates: 24 * time.Hour, AllowDirect: true, DenyDelete: true, DenyPurge: true, Discard: jetstream.DiscardNew,
	})
	if err != nil {
		b.Fatal(err)
	}
	return js
}

// runWriters runs perWriter operations on each of writers goroutines and
// returns the elapsed time.
func runWriters(writers, perWriter int, op func(w, i int) error) (time.Duration, error) {
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				if err := op(w, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return time.Since(start), <-errs
}

// BenchmarkAppendVsRawJetStream measures appends through the event store
// (expected sequence, command id, hash chain, one commit per append) against
// raw JetStream publishes of the same events with the same stream settings
// and durability (fsync on every write), in the same run. Run with -benchtime 1x.
func BenchmarkAppendVsRawJetStream(b *testing.B) {
	const total = 1600 // appends per configuration
	for _, cfg := range []struct {
		writers, events int
	}{{1, 1}, {16, 1}, {1, 3}, {16, 3}} {
		name := fmt.Sprintf("writers=%d/events_per_append=%d", cfg.writers, cfg.events)
		b.Run(name, func(b *testing.B) {
			srv := natstest.Start(b)
			es := srv.EventStore(b)
			js := rawStream(b, srv.Conn)
			per := total / cfg.writers
			ctx := context.Background()
			// raw: each event its own publish, as a store without atomic commits would write
			rawTime, err := runWriters(cfg.writers, per, func(w, i int) error {
				for k := range cfg.events {
					if _, err := js.Publish(ctx, "raw."+strconv.Itoa(w)+"."+strconv.Itoa(i%50), payload300(i*10+k)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			heads := make([]map[string]eventstore.Head, cfg.writers)
			for w := range heads {
				heads[w] = map[string]eventstore.Head{}
			}
			storeTime, err := runWriters(cfg.writers, per, func(w, i int) error {
				stream := fmt.Sprintf("case.w%d-%d", w, i%50)
				evs := make([]eventstore.Event, cfg.events)
				for k := range evs {
					evs[k] = benchEvent(i*10 + k)
				}
				r, err := es.Append(ctx, eventstore.AppendRequest{Stream: stream, Expected: heads[w][stream], CommandID: ulid.Make().String(), Events: evs})
				heads[w][stream] = r.Head
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			events := float64(total * cfg.events)
			rawRate, storeRate := events/rawTime.Seconds(), events/storeTime.Seconds()
			b.ReportMetric(rawRate, "raw_events/s")
			b.ReportMetric(storeRate, "store_events/s")
			b.ReportMetric(storeRate/rawRate, "ratio")
			b.Logf("%s: raw %.0f events/s, store %.0f events/s, store/raw %.2f", name, rawRate, storeRate, storeRate/rawRate)
		})
	}
}

// countingCase is the smallest aggregate: enough to measure the command path.
type countingCase struct{ n int }

func (c *countingCase) Apply(eventstore.Event) error { c.n++; return nil }
func (c *countingCase) Clone() *countingCase         { cp := *c; return &cp }

// BenchmarkCommandLoad measures what a command pays to get its case's state
// with 10k and 200k events in the store: the in-memory state kept by the feed
// (what commands use) against loading the case's stream from JetStream (what
// they avoid), plus the feed's start-up replay rate. Run with -benchtime 1x.
func BenchmarkCommandLoad(b *testing.B) {
	for _, size := range []int{10_000, 200_000} {
		b.Run(fmt.Sprintf("store_events=%d", size), func(b *testing.B) {
			ctx := context.Background()
			e, err := natsstore.StartEmbedded(natsstore.EmbeddedConfig{DataDir: b.TempDir(), SyncInterval: time.Minute})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Shutdown()
			nc, _ := e.Connect()
			defer nc.Close()
			es, err := natsstore.OpenEventStore(ctx, nc, natsstore.Config{})
			if err != nil {
				b.Fatal(err)
			}
			fill(b, nc, size)
			target := "case.target"
			var loads []time.Duration
			for range 20 {
				start := time.Now()
				evs, err := es.Load(ctx, target)
				loads = append(loads, time.Since(start))
				if err != nil || len(evs) != 100 {
					b.Fatalf("load: %d events, %v", len(evs), err)
				}
			}
			feed := aggregate.NewFeed(es, nil)
			repo := aggregate.NewRepository("case", es, feed, time.Now, func(string) *countingCase { return &countingCase{} })
			fctx, cancel := context.WithCancel(ctx)
			defer cancel()
			start := time.Now()
			go func() { _ = feed.Run(fctx) }()
			if err := feed.CatchUp(ctx); err != nil {
				b.Fatal(err)
			}
			replay := time.Since(start)
			var mem []time.Duration
			for range 1000 {
				start := time.Now()
				c, _, ok, _ := repo.Find(context.Background(), "target")
				mem = append(mem, time.Since(start))
				if !ok || c.n != 100 {
					b.Fatalf("in-memory case has %v events", c)
				}
			}
			jsMed, memMed := median(loads), median(mem)
			b.ReportMetric(float64(jsMed.Microseconds()), "jetstream_load_us")
			b.ReportMetric(float64(memMed.Nanoseconds()), "in_memory_ns")
			b.ReportMetric(float64(size)/replay.Seconds(), "startup_replay_events/s")
			b.Logf("%d events in store: load 100-event case from JetStream %v (median of 20), from memory %v (median of 1000); start-up replay %.0f events/s",
				size, jsMed, memMed, float64(size)/replay.Seconds())
		})
	}
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// fill writes size events: 100 on case.target spread through the store, the
// rest on 2000 other cases, as valid chained commits, published async.
func fill(b *testing.B, nc *nats.Conn, size int) {
	b.Helper()
	js, _ := jetstream.New(nc)
	heads := map[string]eventstore.Head{}
	every := size / 100
	var futures []jetstream.PubAckFuture
	for i := range size {
		stream := fmt.Sprintf("case.c%d", i%2000)
		if i%every == 0 {
			stream = "case.target"
		}
		evs, _ := eventstore.Chain(stream, heads[stream], []eventstore.Event{benchEvent(i)})
		body, _ := json.Marshal(evs)
		msg := nats.NewMsg(natsstore.Subject(stream))
		msg.Data = body
		msg.Header.Set("Accredit-Version", strconv.FormatUint(evs[0].Version, 10))
		msg.Header.Set("Accredit-Hash", evs[0].Hash)
		f, err := js.PublishMsgAsync(msg)
		if err != nil {
			b.Fatal(err)
		}
		futures = append(futures, f)
		heads[stream] = eventstore.Head{Version: evs[0].Version, Hash: evs[0].Hash}
		if len(futures) >= 2000 {
			<-js.PublishAsyncComplete()
			futures = futures[:0]
		}
	}
	<-js.PublishAsyncComplete()
}

// BenchmarkSealedVsClearAppend measures the cost of crypto-shredding on the
// write path: appends whose payload carries three personal fields sealed
// with the person's key (sealing included, keys in the JetStream KV bucket)
// against the same payload in clear text, fsync on every write, same run.
// Run with -benchtime 1x.
func BenchmarkSealedVsClearAppend(b *testing.B) {
	const n, rounds = 400, 4
	srv := natstest.Start(b)
	es := srv.EventStore(b)
	ctx := context.Background()
	keys, err := natsstore.OpenKeyStore(ctx, es.JetStream(), natsstore.Config{})
	if err != nil {
		b.Fatal(err)
	}
	vault, _ := pii.NewVault(keys, make([]byte, 32))
	fields := []string{"Carla Coach", "carla@example.org", "Reflections on my practice with executive clients in 2025"}
	heads := map[string]eventstore.Head{}
	run := func(sealed bool) time.Duration {
		start := time.Now()
		for i := range n {
			subject := fmt.Sprintf("user-%d", i%100)
			payload := map[string]any{"i": i}
			for k, f := range fields {
				if sealed {
					s, err := vault.Seal(ctx, subject, f)
					if err != nil {
						b.Fatal(err)
					}
					payload[fmt.Sprint("f", k)] = s
				} else {
					payload[fmt.Sprint("f", k)] = f
				}
			}
			data, _ := json.Marshal(payload)
			ev := benchEvent(i)
			ev.Data = data
			stream := fmt.Sprintf("case.%v-%d", sealed, i%100)
			r, err := es.Append(ctx, eventstore.AppendRequest{Stream: stream, Expected: heads[stream], Events: []eventstore.Event{ev}})
			if err != nil {
				b.Fatal(err)
			}
			heads[stream] = r.Head
		}
		return time.Since(start)
	}
	for i := range 100 { // create the keys first: key creation is once per person
		_, _ = vault.Seal(ctx, fmt.Sprintf("user-%d", i), "warm")
	}
	// Alternate the two, so that the disk and the machine treat them alike.
	var clear, sealed time.Duration
	for range rounds {
		clear += run(false)
		sealed += run(true)
	}
	cr, sr := float64(n*rounds)/clear.Seconds(), float64(n*rounds)/sealed.Seconds()
	b.ReportMetric(cr, "clear_appends/s")
	b.ReportMetric(sr, "sealed_appends/s")
	b.ReportMetric(sr/cr, "ratio")
	b.Logf("3 personal fields per event, fsync always: clear %.0f appends/s, sealed %.0f appends/s, sealed/clear %.2f", cr, sr, sr/cr)
}
