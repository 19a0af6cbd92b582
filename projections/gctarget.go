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

var gcTarget struct {
	sync.Mutex
	holders int
	prev    int
}

// tightenGC sets the collector's target to snapshotGCPercent, unless it is
// lower already or off (GOGC=off, a memory limit governing), until the
// func it returns is called. Overlapping snapshots give the target back
// once, the last of them.
func tightenGC() (restore func()) {
	gcTarget.Lock()
	defer gcTarget.Unlock()
	if gcTarget.holders == 0 {
		gcTarget.prev = debug.SetGCPercent(snapshotGCPercent)
		if gcTarget.prev < snapshotGCPercent {
			debug.SetGCPercent(gcTarget.prev)
		}
	}
	gcTarget.holders++
	return sync.OnceFunc(func() {
		gcTarget.Lock()
		defer gcTarget.Unlock()
		if gcTarget.holders--; gcTarget.holders == 0 {
			debug.SetGCPercent(gcTarget.prev)
		}
	})
}
