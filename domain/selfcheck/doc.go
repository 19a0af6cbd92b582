// Package selfcheck is the development self-check: a coach or mentor rates
// themself on the framework's capability indicators, level by level, on a
// three-point scale (not yet, partly, consistently), and the rule of this
// package turns the ratings into an indicative level, a per-category
// profile and the indicators to develop next.
//
// The rule (Evaluate) follows the framework's own framing texts. The
// equivalence principle says an application need not show every indicator,
// so a category meets a level on half of its indicators at that level, not
// all of them; the level_progression paragraph says each level adds breadth
// and depth to the ones below, so a category holds a level only when it
// also meets every level below it, and the indicative level asks it of all
// eight categories. In full:
//
//   - A rating counts "consistently" as 2 half-points, "partly" as 1, "not
//     yet" as 0; an indicator left unrated is "not yet".
//   - A category meets a level when its indicators at that level earn at
//     least as many half-points as there are indicators (half the full
//     score: breadth), and at least one of them is rated "consistently"
//     (depth: "partly" everywhere is not yet the level). A category with no
//     indicator at a level meets it (the framework asks nothing more of it
//     there).
//   - A category's level is the highest level it meets together with every
//     level below it.
//   - The indicative level is the lowest of the eight categories' levels:
//     every category at that level (breadth across the framework); none
//     when a category does not meet Foundation.
//   - To reach the next level, the indicators to develop are, in each
//     category below it, those of the levels between the category's level
//     and the next level not yet rated "consistently".
//
// Saved self-checks. A logged-in user's self-checks are an aggregate of its
// own per user ("selfcheck.<user id>"), each recorded with its date; the
// ratings are personal data, sealed with the user's key (domain/pii), so
// erasing the user leaves only the dates. The result is not stored: it is
// computed from the ratings with the rule in force when read, so that a
// history of self-checks compares like with like. Anonymous use goes
// through Evaluate only and stores nothing.
//
// The package imports the domain's own packages and the standard library;
// no HTTP and no NATS.
package selfcheck
