package web

import (
	"strings"
	"testing"
)

// TestEveryRefusalHasDutch walks the source for every text of a refusal
// (refusalwalk_internal_test.go) and fails on one a Dutch page would show
// in English, or only as the general sentence of its kind: a message that
// names no field must be one problemTexts knows, a field's reason one
// translateReason words in Dutch. What cannot reach a page is skipped, by
// its code or cause below, or listed, with why, in refusalsNotOnAPage.
func TestEveryRefusalHasDutch(t *testing.T) {
	texts := walkRefusals(t, "../..")
	if len(texts) < 300 {
		t.Fatalf("the walk found %d texts: it no longer reads the source", len(texts))
	}
	seen := map[string]bool{}
	for _, r := range texts {
		seen[r.place()] = true
		if why := refusalsNotOnAPage[r.place()]; why != "" {
			continue
		}
		switch {
		case r.kind == "message" && r.code == "Internal":
			continue // never shown in detail
		case r.kind == "message" && refusalCauses[strings.TrimPrefix(r.cause, "accreditation.")]:
			continue // ctx.refusal words it by its cause
		case r.kind == "fieldmessage":
			continue // a form shows its fields, each by its reason
		case strings.HasPrefix(r.source, "x T "):
			continue // the web's own words (x.T)
		case r.kind == "reason" && (r.text == "%s" || r.text == "%v"):
			continue // another's reason handed on (a limit's): walked where it is made
		case len(handedOn[r.place()]) > 0:
			for _, s := range handedOn[r.place()] {
				if !problemKnown(s) {
					t.Errorf("%s: %s %q has no Dutch in problemTexts or problemsNL", r.at, r.code, s)
				}
			}
		case r.text == "":
			t.Errorf("%s: a %s the walk cannot read as text (%s): list it in refusalsNotOnAPage as %q with where its texts are", r.at, r.kind, r.source, r.place())
		case r.kind == "reason":
			if s := sampleOf(r.text); translateReason("nl", s) == s {
				t.Errorf("%s: reason %q has no Dutch in translateReason", r.at, r.text)
			}
		default:
			if !problemKnown(sampleOf(r.text)) {
				t.Errorf("%s: %s %q has no Dutch in problemTexts or problemsNL", r.at, r.code, r.text)
			}
		}
	}
	for place := range refusalsNotOnAPage {
		if !seen[place] {
			t.Errorf("refusalsNotOnAPage lists %q, which the walk no longer finds: remove it", place)
		}
	}
}

// problemKnown reports whether problemKeys, problemTexts or problemsNL
// words msg.
func problemKnown(msg string) bool {
	if _, ok := problemKeys[msg]; ok {
		return true
	}
	for _, pt := range problemTexts {
		if pt.re.MatchString(msg) {
			return true
		}
	}
	return dutchProblem(&ctx{lang: "nl"}, msg) != ""
}

// refusalCauses are the causes ctx.refusal words by themselves, whatever
// the message.
var refusalCauses = map[string]bool{"ErrRoleTaken": true, "ErrAlreadyRecorded": true, "ErrBlocked": true, "ErrNotQualified": true,
	"ErrVotesDoNotCarry": true, "ErrSuperseded": true, "ErrWrongState": true, "cases.ErrBarred": true, "ErrBarred": true,
	"cases.ErrConflicted": true, "ErrConflicted": true, "aggregate.ErrKeyReused": true, "ErrKeyReused": true, "errNotInForce": true}

// place names a text by its function and its text (or source), not its
// line: the lists below must not fail when an edit elsewhere in a file
// moves the lines.
func (r refusalText) place() string {
	if r.text != "" {
		return r.in + " " + r.text
	}
	return r.in + " " + r.source
}

// handedOn are the messages the walk reads only as "%s", with the texts
// that are handed in there.
var handedOn = map[string][]string{
	// setPassword's ended, for a change (ChangePassword's constant) and a reset (resetEnded).
	"domain/accounts/service.go:Service.passwordRecorded %s": {"the password is changed, but other sessions could not be ended; change it again", "the password is set, but other sessions could not be ended"},
	"domain/accounts/reset.go:Service.setPassword %s":        {"the password is changed, but other sessions could not be ended; change it again", "the password is set, but other sessions could not be ended"},
}

// refusalsNotOnAPage are the texts a Dutch page never shows as they are,
// by place (see refusalText.place), with why.
var refusalsNotOnAPage = map[string]string{
	// Too large: the error page (413) and the upload form word it by its
	// code, with the limit, in either language.
	"api/web/guard.go:ctx.readForm the form is over %d bytes":                             "413: error.too_large",
	"api/web/guard.go:ctx.readForm the upload is over the limit of %d bytes":              "413: error.too_large",
	"api/web/guard.go:ctx.readForm the form's fields before its file are over %d bytes":   "413: error.too_large",
	"domain/cases/evidence.go:Service.AddEvidence the file is over the limit of %d bytes": "413: error.too_large, and evidence.too_large on the upload form",
	// accounts.Import, which only tests and benchmarks call.
	"domain/accounts/import.go:importOne invalid user":                                         "accounts.Import: no page calls it",
	"domain/accounts/import.go:importOne err Error":                                            "accounts.Import: no page calls it",
	"domain/accounts/import.go:importOne import %s: role, name and password hash are required": "accounts.Import: no page calls it",
	// A reason handed on from a check whose returns the walk reads (reasonSources).
	"domain/accounts/reset.go:Service.ResetPassword why":               "CheckNewPassword's why",
	"domain/accounts/service.go:validateNewUser why":                   "CheckNewPassword's why",
	"domain/accounts/service.go:Service.ChangePassword why":            "CheckNewPassword's why",
	"domain/recovery/recovery.go:Service.Reset why":                    "CheckNewPassword's why",
	"domain/accounts/service.go:validateNewUser err Error":             "CheckEmail's error",
	"domain/accounts/service.go:Service.changeEmail err Error":         "CheckEmail's error",
	"domain/recovery/recovery.go:Service.RequestEmailChange err Error": "CheckEmail's error",
	// A recovery link's command refused because the user's credentials
	// changed since the link was issued: recovery answers it as the bad
	// link (its reason is translated).
	"domain/accounts/reset.go:unchangedSince the credentials of user %s changed since the link was issued": "recovery's badLink",
	// forbidden itself: the whys are read at its calls.
	"domain/accreditation/actions.go:forbidden cannot %s: %s": "forbidden's format",
	// Steps no page takes as anyone who could be refused them: the system
	// expires an accreditation (the expiry sweep), and ends the cases of an
	// erased account as the office (accounts erasure).
	"domain/accreditation/actions.go:Case.guard cannot %s: only the system expires an accreditation":          "the system's expiry",
	"domain/accreditation/actions.go:Case.guard cannot expire: accreditation %s is valid until %s":            "the system's expiry",
	"domain/accreditation/application.go:Case.EndOnErasure cannot %s: only the office ends a case on erasure": "the erasure's, as the office",
	// A form sent again with other content: ctx.refusal words the error by
	// its cause (ErrKeyReused, form.resent) before any of its fields.
	"domain/aggregate/repository.go:keyReused already used with another method, path or body": "form.resent",
}

// TestDutchProblemsOfMessagesAsMade: messages as the domain makes them,
// whose parts the walk's samples cannot stand for (a phrase, a time), read
// in Dutch with them.
func TestDutchProblemsOfMessagesAsMade(t *testing.T) {
	x := &ctx{lang: "nl"}
	for _, tc := range []struct{ msg, want string }{
		{"too many password reset requests from this client; try again in 30 seconds", "Te veel verzoeken vanaf dit apparaat. Probeer het over 30 seconden opnieuw."},
		{"case c-1 had not been opened at version 3", "Dossier c-1 was bij versie 3 nog niet geopend."},
		{"case c-1 had not been opened at 2026-03-02T10:00:00Z", "Dossier c-1 was op " + problemTime(x, "2026-03-02T10:00:00Z") + " nog niet geopend."},
		{"cannot record assessment: you are the verifier of this case", "U mag deze stap niet zetten: u bent de verificateur van dit dossier."},
		{"no accreditation a-1 in force: the case's accreditation is now withdrawn", "Accreditatie a-1 is niet van kracht: de accreditatie van het dossier is nu ingetrokken."},
	} {
		if got := dutchProblem(x, tc.msg); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.msg, got, tc.want)
		}
	}
	if got := problemTime(x, "2026-03-02T10:00:00Z"); strings.Contains(got, "T10") {
		t.Errorf("the time as a page writes it: got %q", got)
	}
}
