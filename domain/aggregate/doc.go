// Package aggregate runs commands against aggregates kept in memory.
//
// A Feed follows the whole event store from the start and hands each commit
// to the repositories (and any other follower). A Repository keeps every
// aggregate of one kind current from that feed, so a command decides from
// state already in memory instead of replaying its stream from JetStream,
// whose cost grows with the whole store. The store's expected-version check
// is the safety net: when another process wrote first, the append is
// rejected, the repository waits for the feed to bring the newer events and
// decides again.
//
// Commands decide without changing state: they return Changes; state changes
// only when the feed applies the stored events (one path, for this process's
// writes and everyone else's).
package aggregate
