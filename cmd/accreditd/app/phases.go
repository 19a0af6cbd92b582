package app

import "time"

// phase logs how long one step of the start took, so that an operator (and
// whoever profiles a slow start) sees where the time went without a
// profiler: opening NATS and its streams, the write side's and the read
// side's catch-up, the mail index.
func (a *App) phase(name string, began time.Time) {
	a.log.Info("start phase done", "phase", name, "took_ms", time.Since(began).Milliseconds())
}
