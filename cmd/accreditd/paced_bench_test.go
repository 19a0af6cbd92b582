package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The reads at scale are a closed load: each of the 50 readers sends its
// next request as soon as its last is answered. Such a load keeps the
// machine busy whatever the server's speed, and its mean latency is fixed
// by Little's law at readers / rate: on 2 cores shared by the readers,
// accreditd and nats-server, the latency it measures is the length of the
// queue for a core as much as the time to answer. loadPaced is the load
// that says what a request costs a reader when the machine is not
// saturated: the same readers, paced together at a fixed rate.

// loadPaced has readers read path (tokens taken in turn) at rate requests
// a second in all for dur: reader r sends the whole load's k-th request,
// k = n*readers + r, at k/rate after the start. A request's latency runs
// from the time it was due, not from when it was sent: a reader held up
// by a slow answer sends its next one late, and that wait counts (no
// coordinated omission). The tail it returns says when the requests over
// 5 ms were due, and when accreditd's collector ended a cycle (polled from
// its /metrics every 100 ms), so that a run shows whether the two meet.
func (d *daemon) loadPaced(path string, tokens []string, readers int, dur time.Duration, rate float64) (loadStats, pacedTail) {
	var all loadTally
	var tail pacedTail
	var mu sync.Mutex
	start := time.Now()
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() { // the collector's cycles ended, polled from /metrics
		defer close(watched)
		last := d.gc()
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if now := d.gc(); now.known && last.known && now.cycles > last.cycles {
				tail.cycles = append(tail.cycles, time.Since(start))
				last = now
			}
		}
	}()
	var wg sync.WaitGroup
	for r := range readers {
		wg.Go(func() {
			var mine readerTally
			var over []time.Duration // when the requests over 5 ms were due
			for k := r; ; k += readers {
				at := time.Duration(float64(k) / rate * float64(time.Second))
				if at >= dur {
					break
				}
				due := start.Add(at)
				time.Sleep(time.Until(due))
				mine.record(d.readOnce(path, tokens[k%len(tokens)]), due)
				if time.Since(due) > 5*time.Millisecond {
					over = append(over, at)
				}
			}
			all.add(mine)
			mu.Lock()
			tail.addOver(over)
			mu.Unlock()
		})
	}
	wg.Wait()
	close(stop)
	<-watched
	return all.stats(dur), tail
}

// pacedTail is where a paced load's slow requests fell: how many were
// over 5 ms in each second of the load (by their due times), and when
// accreditd's collector ended a cycle within the load.
type pacedTail struct {
	over   []int // by second
	cycles []time.Duration
}

func (t *pacedTail) addOver(at []time.Duration) {
	for _, a := range at {
		i := int(a / time.Second)
		for len(t.over) <= i {
			t.over = append(t.over, 0)
		}
		t.over[i]++
	}
}

func (t pacedTail) String() string {
	secs := make([]string, len(t.over))
	n := 0
	for i, c := range t.over {
		secs[i], n = strconv.Itoa(c), n+c
	}
	s := "none over 5 ms"
	if n > 0 {
		s = fmt.Sprintf("%d over 5 ms, by second of the load [%s]", n, strings.Join(secs, " "))
	}
	if len(t.cycles) == 0 {
		return s + "; no cycle of the collector ended within it"
	}
	ends := make([]string, len(t.cycles))
	for i, c := range t.cycles {
		ends[i] = "+" + c.Round(100*time.Millisecond).String()
	}
	return s + "; the collector ended a cycle at " + strings.Join(ends, ", ")
}

// pacedUnit starts the metrics of the paced loads (paced_p99_ms/me, ...).
const pacedUnit = "paced_"

// pacedShare is the share of the closed load's rate the paced load reads
// at: ACCREDIT_BENCH_PACED (a number above 0 and at most 1), else a half.
func pacedShare() float64 {
	if v, err := strconv.ParseFloat(os.Getenv("ACCREDIT_BENCH_PACED"), 64); err == nil && v > 0 && v <= 1 {
		return v
	}
	return 0.5
}
