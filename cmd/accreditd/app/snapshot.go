package app

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/emcc/accredit/domain/aggregate"
)

// snapshotEvery is how often the aggregates' snapshot is rewritten while
// the store moves: as often as the read models'.
const snapshotEvery = 5 * time.Minute

// aggregatesFile is the write side's snapshot: the feed's position, the
// command ids of the duplicate window and the write side's indexes (the
// aggregates themselves are read from their streams when needed).
func (a *App) aggregatesFile() string {
	return filepath.Join(a.cfg.DataDir, "aggregates", "aggregates.json")
}

// resumeAggregates loads the aggregates' snapshot, if a usable one is
// there, so that the feed replays only what came after it.
func (a *App) resumeAggregates(ctx context.Context) {
	start := time.Now()
	pos, err := a.Feed.LoadSnapshot(ctx, a.aggregatesFile())
	switch {
	case errors.Is(err, aggregate.ErrNoSnapshot):
		a.log.Info("no aggregates snapshot; replaying the store")
	case err != nil:
		a.log.Warn("aggregates snapshot not used; replaying the store", "err", err)
	default:
		a.log.Info("aggregates loaded from their snapshot", "position", pos, "took_ms", time.Since(start).Milliseconds())
	}
	a.savedPos.Store(pos)
}

// replayedMuch is how many commits a start may replay before the snapshot
// is saved at once rather than at the first tick: a stop before that tick
// may find no time for it, and the next start would replay them again.
const replayedMuch = 100_000

// snapshotLoop saves the aggregates every snapshotEvery in which the feed
// moved, also after a replay with nothing after it; at once after a long
// replay.
func (a *App) snapshotLoop(ctx context.Context) {
	if a.Feed.Position() > a.savedPos.Load()+replayedMuch {
		a.saveAggregates(ctx, "after a long replay")
	}
	everySnapshot(ctx, func() { a.saveAggregates(ctx, "periodic") })
}

// everySnapshot calls save every snapshotEvery until ctx ends.
func everySnapshot(ctx context.Context, save func()) {
	t := time.NewTicker(snapshotEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			save()
		}
	}
}

// saveAggregates writes the aggregates' snapshot unless the feed has not
// moved since the last one; a failure is logged and the last one stays.
func (a *App) saveAggregates(ctx context.Context, why string) {
	if a.Feed == nil || a.Feed.Position() == a.savedPos.Load() {
		return
	}
	start := time.Now()
	pos, err := a.Feed.SaveSnapshot(ctx, a.aggregatesFile())
	if err != nil {
		a.log.Warn("aggregates snapshot not written", "when", why, "err", err)
		return
	}
	a.savedPos.Store(pos)
	a.log.Info("aggregates snapshot written", "when", why, "position", pos, "took_ms", time.Since(start).Milliseconds())
}

// searchFile is the search index's snapshot: its words' sources, each
// sealed again under its person's key, so that a restart does not read the
// whole store to build it.
func (a *App) searchFile() string {
	return filepath.Join(a.cfg.DataDir, "search", "index.json")
}

// searchSnapshotLoop saves the search index once it is built, then every
// snapshotEvery in which it moved.
func (a *App) searchSnapshotLoop(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-a.Search.Built():
		a.saveSearch(ctx, "after its build")
	}
	everySnapshot(ctx, func() { a.saveSearch(ctx, "periodic") })
}

// saveSearch writes the search index's snapshot unless it has not moved
// since the last; a failure is logged and the last one stays.
func (a *App) saveSearch(ctx context.Context, why string) {
	start := time.Now()
	pos, written, err := a.Search.SaveSnapshot(ctx)
	switch {
	case err != nil:
		a.log.Warn("search index snapshot not written", "when", why, "err", err)
	case written:
		a.log.Info("search index snapshot written", "when", why, "position", pos, "took_ms", time.Since(start).Milliseconds())
	}
}
