package mail

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
)

// renderBoth renders kind k in English and in Dutch.
func renderBoth(t *testing.T, k Kind, d Data) (en, enBody, nl, nlBody string) {
	t.Helper()
	var err error
	if en, enBody, err = Render(k, "en", d); err != nil {
		t.Fatalf("%s en: %v", k, err)
	}
	if nl, nlBody, err = Render(k, "nl", d); err != nil {
		t.Fatalf("%s nl: %v", k, err)
	}
	return en, enBody, nl, nlBody
}

// Every kind a role receives has an English and a Dutch template that
// name the recipient and carry the link, and the two differ.
func TestEveryKindRendersInEnglishAndDutch(t *testing.T) {
	d := Data{Name: "Carla Coach", CaseID: "01CASE", Link: "https://accredit.test/x", Outcome: "awarded", Days: 30, Until: time.Date(2031, 3, 2, 0, 0, 0, 0, time.UTC),
		Submitted: []CaseLink{{ID: "01NEW", Link: "https://accredit.test/new"}}}
	for _, role := range domain.UserRoles {
		for _, k := range KindsFor(role) {
			en, enBody, nl, nlBody := renderBoth(t, k, d)
			if en == nl || enBody == nlBody {
				t.Errorf("%s: the Dutch template is the English one", k)
			}
			for _, b := range []string{enBody, nlBody} {
				if !strings.Contains(b, "Carla Coach") || !strings.Contains(b, d.Link) {
					t.Errorf("%s: body without the name or the link:\n%s", k, b)
				}
			}
			if strings.Contains(en, "Carla") || strings.Contains(nl, "Carla") {
				t.Errorf("%s: a subject holds the name (subjects are not sealed)", k)
			}
			if !ValidKind(k) {
				t.Errorf("%s is not a valid kind", k)
			}
		}
	}
	if s, _, _ := Render(KindDecision, "de", d); s != "A decision on your application 01CASE" {
		t.Errorf("a language without templates: got %q, want English", s)
	}
}

// The account notices, always sent, render in both languages, name the
// recipient, and say when; the notice to the address left names the new
// one as given (masked by the notifier).
func TestAccountNoticesRenderInEnglishAndDutch(t *testing.T) {
	d := Data{Name: "Carla Coach", At: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC), Link: "https://accredit.test/forgot-password", Address: MaskAddress("carla.new@example.org")}
	for _, k := range []Kind{KindPasswordChanged, KindEmailChanged} {
		en, enBody, nl, nlBody := renderBoth(t, k, d)
		if en == nl || enBody == nlBody || !ValidKind(k) {
			t.Errorf("%s: the Dutch template is the English one, or the kind is not valid", k)
		}
		for b, at := range map[string]string{enBody: "6 December 2026 09:00 UTC", nlBody: "6 december 2026 om 09:00 UTC"} {
			if !strings.Contains(b, "Carla Coach") || !strings.Contains(b, at) {
				t.Errorf("%s: body without the name or the time %q:\n%s", k, at, b)
			}
			if k == KindEmailChanged && !strings.Contains(b, "c***@example.org") {
				t.Errorf("%s: body without the new address, masked:\n%s", k, b)
			}
			if k == KindPasswordChanged && !strings.Contains(b, d.Link) {
				t.Errorf("%s: body without the link to set a new password:\n%s", k, b)
			}
		}
	}
	for in, want := range map[string]string{"carla@example.org": "c***@example.org", "émile@x.nl": "é***@x.nl", "@x.nl": "***", "none": "***"} {
		if got := MaskAddress(in); got != want {
			t.Errorf("MaskAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

// The notices of the office disabling an account and enabling it again
// render in both languages, name the recipient and say when; the first
// says that they cannot log in, that their applications and records are
// kept and whom to ask, the second that they can log in again, and where.
// The notice that the office ended every session says so, where to log in
// again and what to do if the user does not know why. All are always
// sent: no role's choices list them.
func TestTheOfficesAccountNoticesRenderInEnglishAndDutch(t *testing.T) {
	d := Data{Name: "Carla Coach", At: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC), Link: "https://accredit.test/login"}
	for _, c := range []struct {
		kind           Kind
		enSubject      string
		nlSubject      string
		enSays, nlSays []string
	}{
		{KindAccountDisabled, "Your EMCC Accredit account is disabled", "Uw EMCC Accredit-account is geblokkeerd",
			[]string{"The EMCC office disabled your EMCC Accredit account on 6 December 2026 09:00 UTC.", "you cannot log in",
				"Your applications and records are kept", "If you think this is a mistake, contact the EMCC office."},
			[]string{"Het EMCC-bureau heeft uw EMCC Accredit-account geblokkeerd op 6 december 2026 om 09:00 UTC.", "kunt u niet inloggen",
				"Uw aanvragen en gegevens blijven bewaard", "Denkt u dat dit een vergissing is, neem dan contact op met het EMCC-bureau."}},
		{KindAccountEnabled, "Your EMCC Accredit account is enabled again", "Uw EMCC Accredit-account is gedeblokkeerd",
			[]string{"The EMCC office enabled your EMCC Accredit account again on 6 December 2026 09:00 UTC.", "You can log in again", d.Link},
			[]string{"Het EMCC-bureau heeft uw EMCC Accredit-account gedeblokkeerd op 6 december 2026 om 09:00 UTC.", "U kunt weer inloggen", d.Link}},
		{KindSessionsEnded, "You were logged out of EMCC Accredit", "U bent uitgelogd uit EMCC Accredit",
			[]string{"The EMCC office ended every session of your EMCC Accredit account on 6 December 2026 09:00 UTC:", "Log in again", d.Link,
				"If you do not know why, contact the EMCC office"},
			[]string{"Het EMCC-bureau heeft alle sessies van uw EMCC Accredit-account beëindigd op 6 december 2026 om 09:00 UTC:", "Log opnieuw in", d.Link,
				"Weet u niet waarom, neem dan contact op met het EMCC-bureau"}},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			en, enBody, nl, nlBody := renderBoth(t, c.kind, d)
			if en != c.enSubject || nl != c.nlSubject {
				t.Errorf("subjects: got %q and %q, want %q and %q", en, nl, c.enSubject, c.nlSubject)
			}
			for _, b := range []struct {
				body, greeting, footer string
				says                   []string
			}{{enBody, "Dear Carla Coach,", noticeFooterEN, c.enSays}, {nlBody, "Beste Carla Coach,", noticeFooterNL, c.nlSays}} {
				if !strings.HasPrefix(b.body, b.greeting) || !strings.HasSuffix(b.body, b.footer) {
					t.Errorf("got body:\n%s\nwant it to start %q and end with the notices' footer", b.body, b.greeting)
				}
				for _, want := range b.says {
					if !strings.Contains(b.body, want) {
						t.Errorf("got body:\n%s\nwant it to say %q", b.body, want)
					}
				}
			}
			if !ValidKind(c.kind) || !slices.Contains(alwaysSent, c.kind) {
				t.Errorf("%s: not a valid kind, or not always sent", c.kind)
			}
			for _, role := range domain.UserRoles {
				if slices.Contains(KindsFor(role), c.kind) {
					t.Errorf("%s is among the choices of a %s: it is always sent", c.kind, role)
				}
			}
		})
	}
}

// Every date a template writes reads as words in the mail's language, as
// the web pages write it, with the time of day (in UTC) where the mail
// gives one; never as an ISO date.
func TestDatesInMailReadAsWordsInTheMailsLanguage(t *testing.T) {
	d := Data{Name: "Carla Coach", CaseID: "01CASE", Link: "https://accredit.test/x", Outcome: "renew", Days: 30,
		Until: time.Date(2031, 3, 2, 0, 0, 0, 0, time.UTC), At: time.Date(2026, 12, 6, 14, 30, 0, 0, time.UTC), Place: "Utrecht"}
	for _, c := range []struct {
		kind   Kind
		en, nl string
	}{
		{KindRenewalReminder, "valid until 2 March 2031", "geldig tot 2 maart 2031"},
		{KindRenewalOutcome, "valid until 2 March 2031", "geldig tot 2 maart 2031"},
		{KindInterview, "set for 6 December 2026 14:30 UTC", "vastgesteld op 6 december 2026 om 14:30 UTC"},
		{KindPasswordChanged, "changed on 6 December 2026 14:30 UTC", "gewijzigd op 6 december 2026 om 14:30 UTC"},
		{KindEmailChanged, "changed on 6 December 2026 14:30 UTC", "gewijzigd op 6 december 2026 om 14:30 UTC"},
		{KindAccountDisabled, "account on 6 December 2026 14:30 UTC.", "geblokkeerd op 6 december 2026 om 14:30 UTC."},
		{KindAccountEnabled, "again on 6 December 2026 14:30 UTC.", "gedeblokkeerd op 6 december 2026 om 14:30 UTC."},
		{KindSessionsEnded, "account on 6 December 2026 14:30 UTC:", "beëindigd op 6 december 2026 om 14:30 UTC:"},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			_, en, _, nl := renderBoth(t, c.kind, d)
			for _, b := range []struct{ body, want string }{{en, c.en}, {nl, c.nl}} {
				if !strings.Contains(b.body, b.want) {
					t.Errorf("got body:\n%s\nwant it to say %q", b.body, b.want)
				}
				if strings.Contains(b.body, "2031-03-02") || strings.Contains(b.body, "2026-12-06") {
					t.Errorf("an ISO date in the body:\n%s", b.body)
				}
			}
		})
	}
}

func TestBackoffDoublesUpToSixHours(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 4: 8 * time.Minute, 9: 256 * time.Minute, 10: 6 * time.Hour, 40: 6 * time.Hour} {
		if got := Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

// The mails of an accreditation named the case it was awarded on, which
// its holder never sees: they name the certificate number, as the
// certificate page and the assessor's renewals queue do, in either
// language.
func TestAnAccreditationsMailsNameItsCertificate(t *testing.T) {
	d := Data{Name: "Carla Coach", CaseID: "01CASE", Certificate: "01ACC", Link: "https://accredit.test/x", Until: time.Date(2031, 3, 2, 0, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		kind    Kind
		outcome string
	}{
		{KindRenewalOutcome, "renew"}, {KindRenewalOutcome, "refuse"}, {KindAccreditationEnded, "revoked"}, {KindAssigned, "renewal"},
	} {
		t.Run(string(c.kind)+"/"+c.outcome, func(t *testing.T) {
			d.Outcome = c.outcome
			en, enBody, nl, nlBody := renderBoth(t, c.kind, d)
			for _, s := range []string{en, nl} {
				if !strings.Contains(s, "01ACC") || strings.Contains(s, "01CASE") {
					t.Errorf("got subject %q, want it to name the certificate 01ACC, not the case", s)
				}
			}
			for _, b := range []string{enBody, nlBody} {
				if strings.Contains(b, "01CASE") {
					t.Errorf("the body names the case:\n%s", b)
				}
			}
		})
	}
}

// The digest says since when it lists the submissions, in words in the
// reader's language: the digest before it may be days ago (one turned off
// over a weekend looks back to the last it sent), and "since yesterday"
// then told the office a three-day window was one day.
func TestTheDigestSaysSinceWhen(t *testing.T) {
	d := Data{Name: "Olga Office", Link: "https://accredit.test/office/cases", Since: time.Date(2026, 12, 4, 9, 15, 0, 0, time.UTC),
		Submitted: []CaseLink{{ID: "01NEW", Link: "https://accredit.test/office/cases/01NEW"}}}
	_, en, _, nl := renderBoth(t, KindDigest, d)
	if want := "New submissions since 4 December 2026 09:15 UTC: 1\n- 01NEW: "; !strings.Contains(en, want) {
		t.Errorf("the English digest does not say since when (%q):\n%s", want, en)
	}
	if want := "Nieuwe aanvragen sinds 4 december 2026 om 09:15 UTC: 1\n- 01NEW: "; !strings.Contains(nl, want) {
		t.Errorf("the Dutch digest does not say since when (%q):\n%s", want, nl)
	}
}

// An award's mail names the level awarded, in the reader's language: a
// decision may award a lower level than the one applied for, which the
// mail's "accreditation awarded" alone left to be found on the page.
func TestTheDecisionNamesTheLevelAwarded(t *testing.T) {
	d := Data{Name: "Carla Coach", CaseID: "01CASE", Link: "https://accredit.test/applications/01CASE", Outcome: "awarded", Level: "senior_practitioner"}
	_, en, _, nl := renderBoth(t, KindDecision, d)
	if want := "accreditation awarded at the Senior Practitioner level."; !strings.Contains(en, want) {
		t.Errorf("the English decision: want %q in\n%s", want, en)
	}
	if want := "accreditatie toegekend op het niveau Senior Practitioner."; !strings.Contains(nl, want) {
		t.Errorf("the Dutch decision: want %q in\n%s", want, nl)
	}
	d.Outcome, d.Level = "not_awarded", ""
	if _, en, _, nl := renderBoth(t, KindDecision, d); !strings.Contains(en, "01CASE: not awarded.") || !strings.Contains(nl, "01CASE: niet toegekend.") {
		t.Errorf("a refusal:\n%s\n%s", en, nl)
	}
}

// An assignment's mail says in which role: the assessor and the verifier
// of a case do different work, and the mail said only "assigned to you".
func TestTheAssignmentSaysInWhichRole(t *testing.T) {
	for role, want := range map[string][2]string{
		"assessor": {"Case 01CASE is assigned to you as its assessor.", "Dossier 01CASE is aan u toegewezen als assessor."},
		"verifier": {"Case 01CASE is assigned to you as its verifier.", "Dossier 01CASE is aan u toegewezen als verificateur."},
	} {
		_, en, _, nl := renderBoth(t, KindAssigned, Data{Name: "Vera Verifier", CaseID: "01CASE", Link: "https://accredit.test/assess/01CASE", Role: role})
		if !strings.Contains(en, want[0]) || !strings.Contains(nl, want[1]) {
			t.Errorf("%s: want %q and %q in\n%s\n%s", role, want[0], want[1], en, nl)
		}
	}
}

// A mail to an applicant names the application as its page heads it
// (scheme, level applied for, an EQA programme's name), not only by its id:
// a provider with several programmes could not tell which was returned.
func TestApplicantMailsNameTheApplication(t *testing.T) {
	d := Data{Name: "Nora Provider", CaseID: "01CASE", Link: "https://accredit.test/applications/01CASE", Outcome: "awarded",
		Scheme: "EQA", AppLevel: "senior_practitioner", Programme: "Coaching Plus", At: time.Date(2026, 3, 4, 14, 30, 0, 0, time.UTC)}
	for _, k := range []Kind{KindReturned, KindInformationRequested, KindDecision, KindAppealOutcome, KindInterview} {
		_, en, _, nl := renderBoth(t, k, d)
		for _, b := range []string{en, nl} {
			if !strings.Contains(b, "01CASE (EQA · Senior Practitioner · Coaching Plus)") {
				t.Errorf("%s: the body does not name the application:\n%s", k, b)
			}
		}
	}
	d.Scheme, d.AppLevel, d.Programme = "EIA", "practitioner", ""
	if _, en, _, _ := renderBoth(t, KindReturned, d); !strings.Contains(en, "your application 01CASE (EIA · Practitioner).") {
		t.Errorf("an EIA case:\n%s", en)
	}
	d.Scheme = "" // no title known: the id alone, no empty brackets
	if _, en, _, _ := renderBoth(t, KindReturned, d); !strings.Contains(en, "your application 01CASE.") {
		t.Errorf("no title:\n%s", en)
	}
}

// TestOnlyAMailOneCanTurnOffSaysSo: the footer "You can choose which
// emails you receive" went on the password reset and the new address's
// confirmation too, which no choice turns off (the latter to an address
// not yet the user's). Each kind's footer says what is true of it.
func TestOnlyAMailOneCanTurnOffSaysSo(t *testing.T) {
	d := Data{Name: "Carla Coach", Link: "https://accredit.test/x", Minutes: 30, At: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	var kinds []Kind
	for _, r := range domain.UserRoles {
		kinds = append(kinds, KindsFor(r)...)
	}
	kinds = append(kinds, alwaysSent...)
	for _, k := range kinds {
		_, en, _, nl := renderBoth(t, k, d)
		choice := !slices.Contains(alwaysSent, k)
		for body, says := range map[string]string{en: "You can choose which emails you receive", nl: "kiest u welke e-mails u ontvangt"} {
			if got := strings.Contains(body, says); got != choice {
				t.Errorf("%s: the footer says one can turn it off: %v; want %v:\n%s", k, got, choice, body)
			}
		}
	}
}

// The interview's mail to an assessor on the case is written for them, not
// for the applicant: the case as their workspace heads it, their role on
// it, when and where, the time it was set for when it moved, the link to
// their workspace; and, like their other mail, it may be turned off.
func TestTheInterviewsMailToAnAssessorIsTheirs(t *testing.T) {
	d := Data{Name: "Vera Verifier", CaseID: "01CASE", Link: "https://accredit.test/assess/01CASE", Role: "verifier",
		Scheme: "EIA", AppLevel: "senior_practitioner", At: time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC), Place: "Room 3, EMCC House",
		Was: time.Date(2026, 3, 4, 14, 30, 0, 0, time.UTC)}
	en, enBody, nl, nlBody := renderBoth(t, KindInterview, d)
	if en != "The interview on case 01CASE is moved" || nl != "Het interview bij dossier 01CASE is verplaatst" {
		t.Errorf("the subjects: %q, %q", en, nl)
	}
	for _, w := range []string{"Dear Vera Verifier,", "case 01CASE (EIA · Senior Practitioner), which you take part in as its verifier, is moved.",
		"It was set for 4 March 2026 14:30 UTC; it is now set for 6 March 2026 10:00 UTC.", "Where: Room 3, EMCC House", d.Link, "You can choose which emails you receive"} {
		if !strings.Contains(enBody, w) {
			t.Errorf("no %q in\n%s", w, enBody)
		}
	}
	for _, w := range []string{"Beste Vera Verifier,", "dossier 01CASE (EIA · Senior Practitioner), waaraan u deelneemt als verificateur, is verplaatst.",
		"Het was vastgesteld op 4 maart 2026 om 14:30 UTC; het is nu vastgesteld op 6 maart 2026 om 10:00 UTC.", "Waar: Room 3, EMCC House", d.Link, "kiest u welke e-mails u ontvangt"} {
		if !strings.Contains(nlBody, w) {
			t.Errorf("no %q in\n%s", w, nlBody)
		}
	}
	if strings.Contains(enBody+nlBody, "Your interview") || strings.Contains(enBody+nlBody, "Uw interview") {
		t.Errorf("the assessor's mail reads as the applicant's:\n%s\n%s", enBody, nlBody)
	}
	d.Was, d.Role = time.Time{}, "assessor"
	if en, b, _, nb := renderBoth(t, KindInterview, d); en != "The interview on case 01CASE is set" ||
		!strings.Contains(b, "as its assessor, is set for 6 March 2026 10:00 UTC.") || !strings.Contains(nb, "als assessor, is vastgesteld op 6 maart 2026 om 10:00 UTC.") {
		t.Errorf("the first interview to the assessor:\n%s\n%s\n%s", en, b, nb)
	}
	if !slices.Contains(KindsFor(domain.RoleAssessor), KindInterview) {
		t.Error("an assessor cannot turn the interview's mail off")
	}
}
