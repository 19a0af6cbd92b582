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
//
// Idempotency. A command may carry a command id (the API derives it from the
// caller, the endpoint and the Idempotency-Key) and a request hash. The id is
// the JetStream message id, so the store writes a command once however many
// processes send it, and a duplicate is answered with the first attempt's
// stream and position, even when the retry chose a new aggregate id. The
// feed remembers each applied command id, with its request hash, for the
// store's duplicate window only (24 hours by default), in a map and a list in
// time order so that forgetting costs O(1) per id: memory is bounded by the
// commands of one window, and a retry after the window is a new command, for
// JetStream and for this process alike. The same id with another request
// hash is refused (Unprocessable), so a key cannot fetch another request's
// answer.
//
// Catching up. A process starts by replaying the store into its
// repositories; CatchUp waits for that as long as the feed advances, and
// fails only when it has not moved for CatchUpStall: a fixed limit made a
// large store on a slow machine unable to start at all.
//
// Snapshot. Replaying the whole store at every start costs minutes at a
// million events, so the feed saves every Snapshotter's state (the
// repositories, the audit heads, the cases' and the users' indexes), its position
// and the command ids of the duplicate window to one file, and a start loads
// it and replays only what came after (SaveSnapshot, LoadSnapshot). Saving
// does not stop the feed: the position is read first, the aggregates are
// encoded a few hundred at a time under the repository's read lock, and a
// repository skips a commit its aggregate's head already has, so a state
// saved past the position is not applied twice. A snapshot is used only
// whole, of the same schema and shapes (ShapeOf: any change to a state's
// fields), and when the store holds the very commit it was taken at;
// otherwise the start replays, as it always could. States hold personal
// data only sealed (pii.Sealed), so the file holds ciphertexts; an index of
// emails in the clear is a Reindexer, rebuilt after loading, never saved.
// Loading every aggregate keeps memory as large as the store's aggregates:
// loading them on demand is the step after this one.
//
// Read your writes. A command waits, within CommandTimeout, until this
// process's feed has applied its own commit before answering, so the caller
// can read it back; when the feed is late the command answers Unavailable
// with Retry-After (ErrNotCaughtUp), never a later "not found".
package aggregate
