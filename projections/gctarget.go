package projections

import (
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
// built from zero (a rebuild, a start with no snapshot). A replay's garbage
// is its decoded commits and payloads, a few kilobytes an event, and at the
// default target (100) marking the growing models over and over was about
// a fifth of its CPU: a collection every time the heap doubled. At 300 it
// collects a third as often; the heap may grow to four times what the
// models hold before a collection instead of twice, for the seconds the
// replay takes, and a soft memory limit (GOMEMLIMIT, which deploy/ sets)
// still bounds it.
const ReplayGCPercent = 300

// gcTarget arbitrates the collector's target between snapshots, which want
// it tight, and replays, which want it loose: while any snapshot is written
// it is tight; else while any replay runs it is loose; else it is what it
// was found to be. A target found lower than the default (an operator's
// GOGC) or off is never loosened, and one found lower than tight, or off,
// is never tightened.
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
	case gcTarget.loose > 0 && found >= 100:
		want = max(found, ReplayGCPercent)
	}
	debug.SetGCPercent(want)
}
