// Package cases is the application service of accreditation cases: it takes
// a command from the API with clear text in it, seals the personal fields
// with the applicant's key, looks up what the aggregate needs (assessor
// profiles, the rule sets, the clock), runs the command on the case kept in
// memory and shapes the case for the caller, opening only what they may see.
//
// Evidence files are checked (type by content, size) before anything is
// stored, encrypted with the applicant's key and kept in the blob store; the
// event records their SHA-256 and size.
//
// A case a caller may not see does not exist for them: NotFound, never a
// Forbidden that would confirm it.
package cases
