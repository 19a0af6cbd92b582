package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/credential"
)

// TestCatalogueIsCompleteInBothLanguages checks the one message catalogue:
// every message in English and Dutch with the same placeholders, every key
// the templates and the code name present, and every value of the domain
// that pages name (states, events, rules, kinds...) has its words.
func TestCatalogueIsCompleteInBothLanguages(t *testing.T) {
	verb := regexp.MustCompile(`%[a-z]`)
	for k, m := range messages {
		if strings.TrimSpace(m.en) == "" || strings.TrimSpace(m.nl) == "" {
			t.Errorf("%s: missing a language: %q / %q", k, m.en, m.nl)
		}
		if a, b := verb.FindAllString(m.en, -1), verb.FindAllString(m.nl, -1); strings.Join(a, "") != strings.Join(b, "") {
			t.Errorf("%s: placeholders differ: en %v, nl %v", k, a, b)
		}
	}
	used := map[string]bool{}
	tmplKey := regexp.MustCompile(`\bt(?:n|count)? "([a-zA-Z0-9_.]+)"`)
	_ = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := templateFS.ReadFile(p)
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		return nil
	})
	goKey := regexp.MustCompile(`(?:\bT|newPage|tr\(lang,)\(?\s*"([a-z][a-zA-Z0-9_]*\.[a-zA-Z0-9_.]+)"`)
	navKey := regexp.MustCompile(`Nav: "([a-z.]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "messages") { // the catalogue itself
			continue
		}
		b, _ := os.ReadFile(f)
		for _, re := range []*regexp.Regexp{goKey, navKey} {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		}
	}
	if len(used) < 300 {
		t.Fatalf("found only %d message keys in use", len(used))
	}
	dynamic := func(prefix string, values ...string) {
		for _, v := range values {
			used[prefix+v] = true
		}
	}
	for _, s := range accreditation.States {
		dynamic("state.", string(s))
		dynamic("you.state.", string(s))
	}
	for _, k := range nextKeys {
		dynamic("next.", k)
		dynamic("you.next.", k)
	}
	dynamic("you.screening.", "accepted", "returned")
	dynamic("you.history.", "hidden")
	for _, e := range eventTypes() {
		_, short, _ := strings.Cut(e, ".")
		dynamic("event.", short)
	}
	dynamic("kind.", stringsOf(accreditation.EvidenceKinds)...)
	dynamic("rule.", accreditation.RuleYearsPractising, accreditation.RuleClientHours, accreditation.RuleClientCount,
		accreditation.RuleFeedbackItems, accreditation.RuleReflectionItems, accreditation.RuleCPDHours, accreditation.RuleSupervisionHours,
		accreditation.RuleProfessionalBody, accreditation.RuleCompletedCycles, accreditation.RuleContactHours)
	for _, aim := range accreditation.RenewalAims {
		dynamic("rule.", accreditation.RuleRenewalAim(aim))
	}
	dynamic("rstate.", "submitted", "in_assessment", "returned", "refused")
	dynamic("routcome.", "renew", "return", "refuse")
	for _, sc := range []accreditation.Scheme{accreditation.SchemeEIA, accreditation.SchemeEQA} {
		for _, d := range accreditation.RuleDefs(sc) {
			dynamic("rule.", d.Name)
			dynamic("unit.name.", string(d.Unit))
			if d.Unit != accreditation.UnitRequired {
				dynamic("unit.", string(d.Unit))
			}
		}
	}
	dynamic("unit.required.", "0", "1")
	dynamic("rstatus.", "in_force", "scheduled", "superseded", "replaced")
	dynamic("role.", "applicant", "assessor", "office")
	dynamic("actor.", "applicant", "assessor", "office", "system")
	dynamic("arole.", "assessor", "verifier")
	dynamic("queue.claim.", "assessor", "verifier")
	dynamic("error.role_taken.", "assessor", "verifier")
	dynamic("error.already_recorded.", "assessment", "interview")
	for _, by := range accreditation.Blockers {
		dynamic("error.blocked.", string(by))
	}
	dynamic("error.blocked.appeal_period_ended.", "on")
	dynamic("error.not_qualified.", "you")
	dynamic("refused.excluded.", stringsOf([]accreditation.ExclusionCode{accreditation.ExcludedInactive, accreditation.ExcludedApplicant, accreditation.ExcludedOtherRole,
		accreditation.ExcludedScheme, accreditation.ExcludedLevel, accreditation.ExcludedLanguage, accreditation.ExcludedConflict, accreditation.ExcludedTakenOff})...)
	for _, by := range []accreditation.Blocker{accreditation.BlockedByRoleUnheld, accreditation.BlockedByHolderAssessed, accreditation.BlockedByHolderInterviewed} {
		dynamic("error.blocked."+string(by)+".", "assessor", "verifier")
	}
	dynamic("scheme.", "EIA", "EQA")
	dynamic("rating.", "evidenced", "partially_evidenced", "not_evidenced")
	dynamic("area.", stringsOf(accreditation.ReviewAreas)...)
	dynamic("recommendation.", "award", "award_lower", "not_award")
	dynamic("outcome.", "awarded", "not_awarded")
	dynamic("vote.", "for", "against", "abstain")
	dynamic("appeal.", "upheld", "dismissed")
	dynamic("screening.", "accepted", "returned")
	dynamic("payment.", "due", "paid", "waived")
	dynamic("officecase.payment.", "paid", "waived")
	dynamic("astatus.", "active", "expired", "withdrawn", "revoked")
	dynamic("effect.value.", slices.Concat(ratingScale, outcomeScale, timeScale)...)
	dynamic("how.", accreditation.HowAssigned, accreditation.HowClaimed)
	dynamic("ok.", "welcome", "registered", "logged_out", "opened", "saved", "unchanged", "uploaded", "removed", "submitted",
		"answered", "appealed", "withdrawn", "renewal_submitted", "renewal_assigned", "renewal_assessed", "claimed", "assessed", "requested", "screened", "assigned", "moderated",
		"decided", "appeal_decided", "revoked", "user_created", "profile_saved", "user_disabled", "sessions_ended", "rules_published", "payment",
		"interview_scheduled", "interview_recorded")
	for _, e := range []string{"forbidden", "csrf", "not_found", "too_large", "internal", "other"} {
		dynamic("error."+e+".", "title", "body")
	}
	for k := range used {
		if _, ok := messages[k]; !ok {
			t.Errorf("message %q is used but not in the catalogue", k)
		}
	}
}

// The domain's reasons that carry figures read in Dutch with their figures.
func TestReasonsWithFiguresReadInDutch(t *testing.T) {
	for reason, want := range map[string]string{
		"the panel has 1 member; the quorum is 2":  "de commissie heeft 1 lid; het quorum is 2",
		"the panel has 0 members; the quorum is 2": "de commissie heeft 0 leden; het quorum is 2",
		"the panel has 2 members; the quorum is 3": "de commissie heeft 2 leden; het quorum is 3",
		"at most 300 characters":                   "hoogstens 300 tekens",
		"must be after now (2026-03-02T09:00:00Z)": "moet na nu liggen (2026-03-02T09:00:00Z)",
		// The values allowed, said as the domain lists them.
		"must be one of identity, governance, delivery": "kies een van: identity, governance, delivery",
		"one of agreement, consent":                     "kies een van: agreement, consent",
	} {
		if got := translateReason("nl", reason); got != want {
			t.Errorf("%q in Dutch: got %q, want %q", reason, got, want)
		}
		if got := translateReason("en", reason); got != reason {
			t.Errorf("%q in English: got %q, want it as the domain wrote it", reason, got)
		}
	}
}

func TestBackPathOfAFormIsAPage(t *testing.T) {
	for p, want := range map[string]bool{"/assess/X": true, "/assess/X/request-information": false, "/office/cases/X/screen": false, "/office": true, "/register/A": true} {
		got := false
		for _, r := range (&app{}).routes() {
			if r.Method == "GET" && matchPath(r.Path, p) {
				got = true
			}
		}
		if got != want {
			t.Errorf("%s is a page: got %v, want %v", p, got, want)
		}
	}
}

// nextKeys are the message keys of the next steps (after "next." or
// "you.next."): the domain's step keys the web renders, and the variants it
// picks among.
var nextKeys = []string{"draft", "awaiting_payment", "submitted", "returned", "awaiting_assessment", "awaiting_one", "in_assessment",
	"interview", "interview_at", "information_requested", "moderation", "awaiting_decision", "awarded", "awarded_lower", "accreditation_ended",
	"not_awarded", "appealed", "withdrawn", "none", "renewal_submitted", "renewal_in_assessment", "renewal_returned", "renewal_refused"}

// TestApplicantReadsWordsWrittenToThem (issue 13 item 10): every next step
// and state a page names has words addressed to the applicant beside the
// staff's third person, and those words never speak of the applicant or
// the holder as someone else.
func TestApplicantReadsWordsWrittenToThem(t *testing.T) {
	third := regexp.MustCompile(`(?i)\b(the applicant|the holder|de aanvrager|de houder)\b`)
	you, u := regexp.MustCompile(`(?i)\byour?\b`), regexp.MustCompile(`(?i)\b(u|uw)\b`)
	for k, m := range messages {
		if !strings.HasPrefix(k, "you.") {
			continue
		}
		if third.MatchString(m.en) || third.MatchString(m.nl) {
			t.Errorf("%s speaks of the reader in the third person: %q / %q", k, m.en, m.nl)
		}
		if strings.HasPrefix(k, "you.next.") && (!you.MatchString(m.en) || !u.MatchString(m.nl)) {
			t.Errorf("%s is not addressed to the reader: %q / %q", k, m.en, m.nl)
		}
	}
	for k := range messages {
		if rest, ok := strings.CutPrefix(k, "next."); ok {
			if _, ok := messages["you.next."+rest]; !ok {
				t.Errorf("%s has no words for the applicant (you.next.%s)", k, rest)
			}
		}
	}
	for _, s := range accreditation.States {
		if _, ok := messages["you.state."+string(s)]; !ok {
			t.Errorf("state %s has no words for the applicant", s)
		}
	}
}

// TestNoDutchMessageCallsTheAssessorBeoordelaar: the Dutch pages name the
// role assessor (and its plural assessoren), as the role's own label does;
// the calibration page and two confirmations said beoordelaar, a second
// word for the same person. Beoordeling (an assessment) is not the role.
func TestNoDutchMessageCallsTheAssessorBeoordelaar(t *testing.T) {
	for k, m := range messages {
		if strings.Contains(strings.ToLower(m.nl), "beoordelaar") {
			t.Errorf("%s: %q: want assessor", k, m.nl)
		}
	}
}

// TestTheAuditNamesEveryEventItHolds: the user directory's address
// reservations and changes and the credentials' status list places are in
// the audit history too; the page showed their stored type as their name
// ("accounts.email_reserved"), in Dutch as in English, and the filter did
// not offer them.
func TestTheAuditNamesEveryEventItHolds(t *testing.T) {
	for _, e := range []string{accounts.EventEmailChanged, accounts.EventEmailReserved, accounts.EventEmailReleased, credential.EventIndexAllocated} {
		for _, lang := range []string{"en", "nl"} {
			if got := eventLabel(lang, e); got == e {
				t.Errorf("%s in %s: named %q", e, lang, got)
			}
		}
		if !slices.Contains(eventTypes(), e) {
			t.Errorf("%s: the audit's filter does not offer it", e)
		}
	}
}

// TestDutchSpeaksOfOnePersonAsOne: the English speaks of one person as
// "they" and "their"; Dutch "hun" and "zij ... beoordelen" read as many
// ("Het profiel van Anna voldoet niet meer aan hun rol"). A Dutch message
// names the one person (de assessor, deze gebruiker) or says diens; hun
// is left to the plurals.
func TestDutchSpeaksOfOnePersonAsOne(t *testing.T) {
	plural := map[string]bool{"framework.intro": true, "programmes.intro": true} // categories, graduates
	theirs := regexp.MustCompile(`(?i)\b(hun|hen|die van hen)\b|\bzij (beoordelen|mogen|schreven|vastlegden)\b`)
	for k, m := range messages {
		if theirs.MatchString(m.nl) && !plural[k] {
			t.Errorf("%s: %q", k, m.nl)
		}
	}
}

// TestDutchNamesTheFrameworkAsItsEditionDoes: the framework's Dutch
// edition and its pages here call it the EMCC Competence Framework (its
// competentieraamwerk); the new application's hints named it an EMCC
// Competentiekader, a name it has nowhere else.
func TestDutchNamesTheFrameworkAsItsEditionDoes(t *testing.T) {
	for k, m := range messages {
		if strings.Contains(m.en, "Competence Framework") && !strings.Contains(m.nl, "Competence Framework") {
			t.Errorf("%s: %q", k, m.nl)
		}
	}
}
