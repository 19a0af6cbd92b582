package aggregate

import "time"

// WatchCatchUp makes f's CatchUp fail after stall without progress, counted
// on the times the test sends on ticks instead of a ticker's.
func WatchCatchUp(f *Feed, stall time.Duration, ticks <-chan time.Time) {
	f.watch = Watch{Stall: stall, Report: stall / 2, ticks: ticks}
}
