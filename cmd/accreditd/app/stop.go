package app

import (
	"context"
	"sync"
	"time"
)

// Close stops the process within cfg.ShutdownTimeout (8 s by default, so
// that a stop fits a 10 s budget with NATS drained): the listener closes
// at once, so a new connection (a probe's) is refused and a /readyz already
// under way answers 503: no new traffic is sent here; in-flight requests
// get half the budget to finish, then the connections still open are
// closed (a long export ends early, marked incomplete); the jobs and the
// feed stop; the read models', the aggregates' and the search index's
// snapshots are written if
// the rest of the budget allows, else the last ones stay and the next start
// replays a longer tail (the read models' is written ahead, every few
// thousand commits, so that tail stays short).
func (a *App) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	a.stopping.Store(true)
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	drain, cancelDrain := context.WithTimeout(ctx, a.cfg.ShutdownTimeout/2)
	defer cancelDrain()
	var err error
	if a.http != nil {
		if err = a.http.Shutdown(drain); err != nil {
			a.log.Warn("requests still running at the end of the drain: their connections are closed", "err", err)
			_ = a.http.Close()
		}
	}
	if a.metricsSrv != nil {
		if a.metricsSrv.Shutdown(drain) != nil {
			_ = a.metricsSrv.Close()
		}
	}
	if a.cancel != nil {
		a.cancel()
	}
	a.wg.Wait()
	a.releaseLeases(ctx)
	// The snapshots at once, each within what is left of the budget.
	var snaps sync.WaitGroup
	snaps.Go(func() { a.saveAggregates(ctx, "on stop") })
	if a.Search != nil {
		snaps.Go(func() { a.saveSearch(ctx, "on stop") })
	}
	if a.Reads != nil {
		if serr := a.Reads.Shutdown(ctx); serr != nil {
			a.log.Warn("read-model snapshot on stop", "err", serr)
		}
	}
	snaps.Wait()
	a.shutdownStores()
	a.log.Info("accreditd stopped", "took_ms", time.Since(began).Milliseconds())
	return err
}

func (a *App) shutdownStores() {
	if a.conn != nil {
		a.conn.Close(time.Second) // drains NATS, then stops the embedded server
	}
}
