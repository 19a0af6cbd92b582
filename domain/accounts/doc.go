// Package accounts is the user directory: who may log in, in which role, and
// what each assessor may assess. It is event-sourced like the cases, in one
// stream ("accounts.directory"), so that a unique email is a check on one
// aggregate guarded by the store's expected version, across processes.
//
// Names, emails and password hashes are personal data: events carry them
// sealed with the user's own key (domain/pii), so erasing a user leaves the
// directory's non-personal record (id, role, dates) and nothing readable of
// them. The service keeps an in-memory email index built by opening the
// sealed emails as events arrive.
package accounts
