// Package accreditation is the accreditation case: the aggregate that carries
// one application for an EMCC award, EIA (an individual coach or mentor) or
// EQA (a training programme), from the draft through screening, the two
// independent assessments, moderation, the decision and an appeal, to the
// accreditation it may award and that accreditation's renewal, expiry,
// withdrawal or revocation. It also holds the versioned eligibility rule sets.
//
// The package is pure: it imports the standard library and the module's own
// domain packages only, never echo, net/http or nats.go. Time, ids and the
// acting user come in as arguments.
//
// # Decide, then record
//
// Every exported command method (Open, Submit, Decide, ...) takes the acting
// [domain.Actor], the time and a typed input, checks it against the current
// state and returns either a *domain.Error or the events to record as
// [aggregate.Change] values. A command never changes the receiver: state
// changes only in [Case.Apply], one applier per event type, so the state this
// process decides from is always the state that the stored events produce.
// Appliers never fail; Apply fails only on a payload it cannot decode.
//
// Event types are the [EventType] constants in events.go; they are stable and
// never renamed. Each is registered once, in the events table, with its
// schema version ([SchemaVersion]), its payload type and its applier: a
// command records a payload with emit, which finds the type from the
// payload's Go type, and Apply finds the payload and applier from the type.
// Apply runs older versions through the upcasters registered in events.go
// first.
//
// # Errors
//
// Commands return *domain.Error with these codes:
//   - NotFound: the case has not been opened;
//   - Forbidden: the actor may not do this (wrong role, not the case's
//     applicant, not the assigned assessor, involved before). The API turns
//     an applicant's Forbidden on someone else's case into a 404;
//   - Conflict: the case (or its accreditation) is not in a state that allows
//     the command. The message names the state and the actions allowed in it,
//     and Extra holds "state" and "allowed";
//   - Invalid: the input is wrong; Fields names each wrong field;
//   - Unprocessable: a rule of the process is not met (eligibility, an
//     unqualified assessor, a time window). Extra["unmet"] lists the unmet
//     rules ([]Unmet) for submission and renewal, Extra["reasons"] the reasons
//     an assessor is not eligible for a case.
//
// # Decisions that shaped the design
//
// Personal data is sealed ([pii.Sealed]) by the service before a command sees
// it, and stays sealed in events and state: every free text (reasons,
// statements, notes, rationales, questions, answers, grounds, titles, file
// names, the programme's name and provider). Commands only check that a
// required sealed value is present.
//
// Ids come from the caller: the case id (New or OpenInput), the evidence id
// (the service names the stored object by it) and the accreditation id (in
// DecisionInput), so that commands are deterministic and retries decide the
// same thing. Information requests are numbered "1", "2", ... within a case.
//
// A case is pinned to the eligibility rule set in force when it is first
// submitted (RuleSetVersion); a resubmission after a return is checked against
// the same version, so a later rule set never changes an in-flight case.
// Renewal, years later, is a short case of its own on the accreditation
// (renewal.go): it is pinned to the rule set in force when the holder first
// submits it, and assessed by one assessor.
//
// The equivalence principle: a submission must address each of the eight
// competence categories, by evidence mapped to it or by a self-assessment
// statement, but need not cite every indicator. Evidence may list categories,
// indicators or both; an indicator adds its own category implicitly, and the
// recorded evidence lists the union.
//
// Who is "involved" (see Case.Involved) is recorded as the case goes: the
// applicant, the screener, the assessor and the verifier, an office user who
// asked for information, the moderator, every decider and appeal reviewer. An
// appeal is reviewed only by an office user not involved before.
package accreditation
