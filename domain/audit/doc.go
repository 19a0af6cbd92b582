// Package audit makes the history tamper-evident and proves it: it verifies
// every stream's hash chain, and records and checks signed checkpoints of
// every stream's head.
//
// A chain alone shows an event altered, removed from the middle or moved;
// it cannot show the newest events of a stream cut off, or a whole stream
// rewritten with fresh hashes. Checkpoints close that gap: each records the
// version and hash of every stream's head at a moment, signed with an
// Ed25519 key kept outside the event store (a file, 0600), so a history that
// no longer contains a checkpointed head, or whose signature fails, is caught.
package audit
