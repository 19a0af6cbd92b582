// Package accounts is the user directory: who may log in, in which role, and
// what each assessor may assess.
//
// Each user is an aggregate with a stream of its own ("accounts.user.<id>"),
// so a request costs the same with a hundred users or a million:
// authenticating reads one session and one user, and no command waits for
// another user's. Emails stay unique through a reservation per normalised
// email ("accounts.email.<blinded email>"): registering appends to it with
// the store's expected version, so of two registrations of one email, in
// one process or many, exactly one wins; then the user's own stream
// records the registration. The reservation holds for good once the user's
// stream confirms it (see Service.holds), so a crash between the two
// writes, or during an email change, never lets two users share an email
// and frees itself after ReservationGrace.
//
// Before, the whole directory was one aggregate in one stream
// ("accounts.directory"). That stream is upcast on read: each of its events
// goes to the user it names, and its users are found by an email index
// built by opening their sealed emails; it is never written again.
//
// Names, emails and password hashes are personal data: events carry them
// sealed with the user's own key (domain/pii), so erasing a user leaves the
// non-personal record (id, role, dates) and nothing readable of them. A
// reservation is named by a keyed digest of the email (pii.Vault.Blind),
// not the email.
//
// Failed logins are counted in a ThrottleStore that every process shares
// (on JetStream a KV bucket, each count updated at the revision it was
// read at), per client address and, with a higher limit, per account.
// Counted in each process, a cluster of N replicas allowed N times the
// guesses; counted per account at the client's limit, anyone who knew a
// user's email could lock them out (see ClientFailures).
package accounts
