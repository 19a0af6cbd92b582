// Package natsstore is the JetStream adapter: the event store, the key store
// for per-person keys, the evidence object store, the session store and the
// embedded nats-server. It is the one package under domain/ that imports
// nats.go and nats-server.
//
// Streams and buckets are created or updated on Open, with the configured
// replica count, so the same code runs on the embedded server and on a cluster.
// Every event commit is one message on "accredit.ev.<stream id>", published
// with the stream's expected last subject sequence (optimistic concurrency) and
// the command id as Nats-Msg-Id (idempotency within the duplicate window).
// The event stream denies deletes and purges: history is append-only.
package natsstore
