// Package rulesets keeps the versions of the rules that the EMCC office
// publishes. Each scheme's rules are one aggregate, its stream
// "rulesets.<scheme>" (rulesets.eia, rulesets.eqa), written through the same
// event store and repository as the cases: a version is one published
// event, a publish edited from a version that is no longer the latest is
// refused (Conflict), two processes publishing at once are kept apart by
// the expected-sequence check, and a retried publish with its
// Idempotency-Key is answered once.
//
// The shipped versions (accreditation.DefaultRuleSets) are not events: they
// are where each scheme's history starts. A version shipped after the first
// (eia-2027-1, supervision by quarter) is part of a scheme's history only
// where the office's versions were edited from it, or none were published
// (Service, shippedHistory): the office's rules are never overtaken by one
// it did not see. A case is pinned to the version in
// force when it is submitted (accreditation.Case.Submit); a later version
// never changes it.
//
// It imports the domain packages only; nothing of HTTP or NATS.
package rulesets
