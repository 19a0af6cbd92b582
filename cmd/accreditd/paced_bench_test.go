package main

import (
	"os"
	"strconv"
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
// coordinated omission).
func (d *daemon) loadPaced(path string, tokens []string, readers int, dur time.Duration, rate float64) loadStats {
	var all loadTally
	start := time.Now()
	var wg sync.WaitGroup
	for r := range readers {
		wg.Go(func() {
			var mine readerTally
			for k := r; ; k += readers {
				due := start.Add(time.Duration(float64(k) / rate * float64(time.Second)))
				if due.Sub(start) >= dur {
					break
				}
				time.Sleep(time.Until(due))
				mine.record(d.readOnce(path, tokens[k%len(tokens)]), due)
			}
			all.add(mine)
		})
	}
	wg.Wait()
	return all.stats(dur)
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
