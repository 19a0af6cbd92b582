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
// The evidence of one applicant is bounded on all their cases together
// (Quota.ApplicantBytes), ended ones too, by bytes rather than by the
// cases not ended: nothing limits how many cases an applicant opens, and
// the files of a withdrawn or decided case stay stored until the retention
// policy erases the applicant, so a bound on open cases would let one
// account open, fill, withdraw and open again without end. The bytes the
// cases record are what the object store holds for them (a removed file is
// deleted with its event). On one process the bound holds exactly: an
// applicant's uploads check and record one at a time, each once the feed
// has applied everything stored before it began. Two processes may each let
// one upload of the same applicant past the check at the same moment, not
// seeing the other's: the total passes the bound by at most one file per
// other process, (processes - 1) times the upload size limit.
//
// A case a caller may not see does not exist for them: NotFound, never a
// Forbidden that would confirm it.
package cases
