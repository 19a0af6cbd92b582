package projections

import (
	"math"
	"runtime/debug"
	"sync"
)

// snapshotGCPercent is the collector's target while a snapshot is written.
// Its garbage (each folded case's JSON, the compressors, the chunks) let
// the heap grow to twice what the models hold (GOGC=100) before the next
// collection: a snapshot took the memory the process held from the system
// to 2.5 times what it held before. Collecting sooner costs some CPU, for
// the seconds a snapshot takes.
const snapshotGCPercent = 25

// ReplayGCPercent is the collector's target while the read models are
// rebuilt from zero (Rebuild), when the process has a soft memory limit
// (GOMEMLIMIT, or the 90 % of its cgroup's limit that accreditd sets). A
// replay's garbage is its decoded commits and payloads, about 6 KB an
// event, and at the default target (100) marking the growing models at
// every doubling of the heap was about a fifth of its CPU: at 300, under
// GOMEMLIMIT=8GiB, BenchmarkReadSide's rebuild took 15.4 and 16.7 µs of
// CPU an event against 19.3 and 19.6 with no limit. The heap may grow to
// four times what is live instead of twice; the limit bounds it. With no
// limit the target is left as it is: loosened there, a start with no
// snapshot of 204k events peaked at 1,162 MiB rather than 651. A start's
// replay is not loosened either: at 1.02M events under the deploy's
// limit, starts with it loosened took 31.1 and 32.4 s against 29.8 and
// 34.3 without, no gain beyond the runs' spread.
const ReplayGCPercent = 300

// gcTarget arbitrates the collector's target between snapshots, which want
// it tight, and rebuilds, which want it loose: while any snapshot is
// written it is tight; else while any rebuild replays under a soft memory
// limit it is loose; else it is what it was found to be. A target found
// lower than the default (an operator's GOGC) or off is never loosened,
// and one found lower than tight, or off, is never tightened.
var gcTarget struct {
	sync.Mutex
	tight, loose int
	found        int
}

// tightenGC holds the collector's target at snapshotGCPercent (see
// gcTarget) until the func it returns is called.
func tightenGC() (restore func()) { return holdGC(&gcTarget.tight) }

// loosenGC holds the collector's target at ReplayGCPercent (see gcTarget)
// until the func it returns is called.
func loosenGC() (restore func()) { return holdGC(&gcTarget.loose) }

func holdGC(holders *int) func() {
	gcTarget.Lock()
	defer gcTarget.Unlock()
	if gcTarget.tight+gcTarget.loose == 0 {
		gcTarget.found = debug.SetGCPercent(100)
	}
	*holders++
	setGCTarget()
	return sync.OnceFunc(func() {
		gcTarget.Lock()
		defer gcTarget.Unlock()
		*holders--
		setGCTarget()
	})
}

// setGCTarget sets the target the holders call for; gcTarget is locked.
func setGCTarget() {
	found, want := gcTarget.found, gcTarget.found
	switch {
	case found < 0: // off: a memory limit governs
	case gcTarget.tight > 0:
		want = min(found, snapshotGCPercent)
	case gcTarget.loose > 0 && found >= 100 && debug.SetMemoryLimit(-1) < math.MaxInt64:
		want = max(found, ReplayGCPercent)
	}
	debug.SetGCPercent(want)
}
