// Package projections is the read side: read models built from the event
// stream alone, each a pure Apply(event) plus its queries, driven by one
// Runner that tracks its position.
//
// Read models live in memory in each accreditd process. They hold personal
// fields sealed, as the events do, and open them only when a query answers
// (through domain/pii), so neither a read model nor its snapshot on disk ever
// holds clear-text personal data, and an erasure takes effect in every view
// at once.
//
// A Runner applies every commit, in order, to every read model of its
// generation. It records its position in a snapshot file, written ahead of
// a stop (every SnapshotAfter commits once caught up, paced to a tenth of
// the time, and every few minutes in which the models moved) and on stop
// when the budget allows, so a restart resumes from there and replays only
// the tail, even after a stop that had no time to encode the models;
// a rebuild builds a new generation from zero in the background while the
// old one keeps serving, then swaps. Reads wait (boundedly) until the
// position a command returned has been applied: read-your-writes.
package projections
