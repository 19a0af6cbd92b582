// Package natsstore is the JetStream adapter: the connection (Conn, to an
// external server or cluster or to the embedded nats-server), the event store,
// the key store for per-person keys, the evidence object store, the session
// store, the checkpoint store, the leases, and the backup and restore of the
// streams (Backup, CheckBackup, Restore; backup.go describes the file). It
// imports the domain packages it stores for, never echo or net/http.
//
// It is the one package of the module (with its natstest) that imports
// nats.go, nats-server or any other github.com/nats-io module: cmd/accreditd
// wires it through Conn, and cmd/accredit's backup and restore are thin
// commands over Backup and Restore. Tests elsewhere may use nats.go and
// nats-server to build fixtures. TestOnlyNatsstoreImportsNATS fails on any
// other import.
//
// Streams and buckets are created or updated on Open, with the configured
// replica count, so the same code runs on the embedded server and on a cluster.
// Every event commit is one message on "accredit.ev.<stream id>", published
// with the stream's expected last subject sequence (optimistic concurrency) and
// the command id as Nats-Msg-Id (idempotency within the duplicate window).
// On an embedded server that fsyncs every write, appends that arrive while
// one is in flight go out together as one JetStream atomic batch, one fsync
// for all (group commit, groupcommit.go); a batch the server refuses (a
// stale expectation, a known command id) is published again one by one, so
// each append gets the answer it would have got alone.
// The event stream denies deletes and purges: history is append-only.
// A process's subscribers (the feed, the read models, the search index,
// the mail notifier) share one ordered consumer at the stream's end: its
// messages go into a ring they all read (tail.go). One behind the ring
// catches up on an ordered consumer of its own and then joins it.
package natsstore
