// Package eventstore is the port of the event store: the event envelope, its
// hash chain, the Store interface every adapter implements, and an in-memory
// Store for unit tests. The conformance suite in eventstoretest proves each
// implementation, the JetStream one included, behaves the same.
//
// # Design
//
// A stream is the history of one aggregate ("case.<id>", "accounts"). One
// append is one commit: its events are written as a single JetStream message
// on the stream's subject, so they become visible together or not at all
// without depending on a separate batch protocol, and a commit is the unit of
// optimistic concurrency (the expected last sequence of that subject) and of
// idempotency (its command id is the message id).
//
// Every event carries the hash of its canonical content and the hash of the
// previous event of its stream: a per-stream chain that makes alteration,
// removal and reordering detectable (see domain/audit). Personal data never
// sits in clear text in an event: payloads hold it sealed with the person's
// key (see domain/pii), so erasing the key erases the data while the chain,
// computed over the ciphertext, still verifies.
//
// This package imports neither nats.go nor echo.
package eventstore
