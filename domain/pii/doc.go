// Package pii keeps personal data out of the event stream in clear text:
// crypto-shredding. Every person (a user id) has a data key; personal fields
// are sealed with it (AES-256-GCM, the person's id as associated data) before
// they go into an event, and opened when a view needs them. Erasing a person
// deletes their key: every sealed field of theirs, in every event, backup and
// replay, becomes unreadable, while the events themselves, and so the audit
// chain computed over the ciphertext, stay intact.
//
// Data keys live in a KeyStore (a JetStream KV bucket in production), never
// in the events, wrapped with a master key that is kept outside the store.
package pii
