// Package aggregate runs commands against aggregates kept in memory.
//
// A Feed follows the whole event store from the start and hands each commit
// to the repositories (and any other follower). A Repository keeps the
// aggregates of one kind used last in memory, at most its cache size
// (DefaultCacheSize, or Feed.CacheSize), current from that feed, so a
// command on a busy aggregate decides from state already in memory instead
// of replaying its stream from JetStream, whose cost grows with the whole
// store. Any other aggregate is read from its own stream when needed
// (store.Load: its subject only), and kept. The feed applies a commit to an
// aggregate only while it is in memory; a commit that comes while the
// aggregate is being read waits and is applied after, so none falls
// between the read and the feed. Nothing needs every aggregate: what jobs
// look at across all of them (the cases due to expire, inactive
// applicants, the list of users) is kept in small indexes by followers.
// The store's expected-version check is the safety net: when another
// process wrote first, the append is rejected, the repository drops what
// it had of the aggregate, waits for the feed to bring the newer events and
// decides again from the stream.
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
// million events, so the feed saves every Snapshotter's state (the indexes:
// the audit heads, the cases' and the users' indexes, the upcast index of
// a repository), its position and the command ids of the duplicate window
// to one file, and a start loads it and replays only what came after
// (SaveSnapshot, LoadSnapshot). No aggregate is in it: they are read from
// their streams when needed, so the file and a start from it grow with
// the indexes only. Saving does not stop the feed: the position is read
// first, and a part saved past it is unchanged when the feed hands those
// commits over again. A snapshot is used only whole, of the same schema
// and shapes (ShapeOf: any change to a saved part's fields), and when the
// store holds the very commit it was taken at; otherwise the start
// replays, as it always could. Parts hold personal data only sealed
// (pii.Sealed), so the file holds ciphertexts; an index of emails in the
// clear is rebuilt after loading, never saved.
//
// Read your writes. A command waits, within CommandTimeout, until this
// process's feed has applied its own commit before answering, so the caller
// can read it back; when the feed is late the command answers Unavailable
// with Retry-After (ErrNotCaughtUp), never a later "not found".
package aggregate
