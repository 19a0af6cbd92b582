// Package mail tells people when something needs them: it turns the
// store's events into email notifications, keeps them in an outbox and
// delivers them through a Transport (SMTP in production, see smtpmail).
//
// It imports neither nats.go nor echo: the outbox is kept through the Store
// port (natsstore.MailStore on JetStream), the directory and the cases
// through small interfaces the process wires in.
//
// # Design
//
// The Notifier tails the event store in order, as the read side does, from
// a cursor it keeps in the Store, so a restart resumes where it stopped. On
// its first start (no cursor) it begins at the store's end: history is
// never mailed. Each notification gets a deterministic id from its cause
// (the commit's position, the kind and the recipient; for the timed ones
// the accreditation and the reminder, or the day) and is created in the
// Store only if that id is new (a JetStream KV create, which is a publish
// expecting the subject's last sequence to be 0). Two processes following
// one store, or one process going over commits again after a restart that
// lost its last cursor write, therefore create each notification once; the
// cursor need not be exact, only never ahead of what was handled.
//
// Sending is claimed: a sender moves a message from queued to sending with
// the revision it read (a compare-and-set), so of two processes only one
// sends it; then it records sent, or failed with the error and the time of
// the next attempt (exponential backoff, given up after MaxAttempts). A
// process that stops between the claim and the record leaves the message
// "sending"; after ClaimTimeout another sender takes it again, so a crash
// in that window can send twice. The Message-ID header is deterministic,
// so a receiving server sees the same message.
//
// With no Transport (no SMTP configured) every message is created "kept":
// readable by the office in the console, never sent.
//
// Personal data: the recipient's address and the body (which holds their
// name) are sealed with the recipient's key, as their account is. Erasing
// the person shreds their queued and kept mail with the rest of their data;
// a sender that finds a recipient erased cancels the message. Subjects and
// links hold no personal data (case ids only).
package mail
