package api_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestMailIsInTheReadersLanguageWithDatesInWords: someone who chose no
// language is written to in the case's: the applicant of a Dutch case, of
// the case and of their account (a changed password), and the verifier the
// office assigns to it, and a link they ask for through the API (no page
// gives a language); a language the user chose comes first, and one with
// neither reads English. Dates read as words in the mail's language, with
// the time of day in UTC where the mail gives a time, as the pages write
// them: never "2026-03-04" or an RFC 3339 timestamp.
func TestMailIsInTheReadersLanguageWithDatesInWords(t *testing.T) {
	tm := newTeam(t) // no SMTP: mail is kept in the outbox, where it is read
	id := tm.openSeniorIn(t, "nl")
	tm.toAssessment(t, id) // the office assigns the verifier
	var assigned map[string]any
	for deadline := time.Now().Add(time.Minute); assigned == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, m := range tm.ofKind(t, "assigned") {
			if m["recipient_id"] == tm.verifier.ID {
				assigned = m
			}
		}
	}
	if assigned == nil || assigned["language"] != "nl" || !strings.Contains(assigned["body"].(string), "is aan u toegewezen") {
		t.Fatalf("the verifier, who chose no language, is not told of the Dutch case in Dutch: %v", assigned)
	}

	at := time.Date(2026, 3, 4, 14, 30, 0, 0, time.UTC)
	tm.post(t, "/api/v1/cases/"+id+"/interview", tm.admin, map[string]any{"at": at.Format(time.RFC3339), "place": "Utrecht"}, 200)
	if m := tm.waitMail(t, "interview", toUser(tm.applicant.ID)); m["language"] != "nl" || !strings.Contains(m["body"].(string), "vastgesteld op 4 maart 2026 om 14:30 UTC.") {
		t.Fatalf("the interview's email: got %v, want it in Dutch, at 4 maart 2026 om 14:30 UTC", m)
	}

	// The applicant changes their password: told in their case's language.
	tm.setClock(t, time.Date(2026, 3, 3, 10, 15, 0, 0, time.UTC))
	password := func(u *User, next string) {
		t.Helper()
		Expect(t, tm.in.Post(t, "/api/v1/me/password", u.Token, map[string]string{"current_password": u.Password, "new_password": next}), 204)
		u.Password = next
	}
	noticeTo := func(who string, n int) map[string]any {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			var theirs []map[string]any
			for _, m := range tm.ofKind(t, "password_changed") {
				if m["recipient_id"] == who {
					theirs = append(theirs, m)
				}
			}
			if len(theirs) >= n {
				return theirs[0] // newest first
			}
		}
		t.Fatalf("no notice %d of a changed password to %s", n, who)
		return nil
	}
	password(&tm.applicant, "Carla's fresh long passphrase")
	if m := noticeTo(tm.applicant.ID, 1); m["language"] != "nl" || !strings.Contains(m["body"].(string), "gewijzigd op 3 maart 2026 om 10:15 UTC,") {
		t.Fatalf("the notice to the applicant of a Dutch case, who chose no language: got %v, want it in Dutch, on 3 maart 2026 om 10:15 UTC", m)
	}

	// A link asked for through the API, where no page gives a language:
	// in their case's too.
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, map[string]string{"email": "carla.nieuw@example.org", "current_password": tm.applicant.Password}), 202)
	if m := tm.waitKind(t, "email_verification", 1)[0]; m["language"] != "nl" || m["subject"] != "Bevestig uw nieuwe e-mailadres voor EMCC Accredit" {
		t.Fatalf("the confirmation link asked through the API by the applicant of a Dutch case: got %v, want it in Dutch", m)
	}

	// Their own choice comes first.
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"receive": []string{}, "language": "en"}), 200)
	password(&tm.applicant, "Carla's second long passphrase")
	if m := noticeTo(tm.applicant.ID, 2); m["language"] != "en" || !strings.Contains(m["body"].(string), "changed on 3 March 2026 10:15 UTC,") {
		t.Fatalf("the notice to an applicant who chose English: got %v, want it in English, on 3 March 2026 10:15 UTC", m)
	}

	// No choice and no case of their own: English.
	password(&tm.verifier, "Victor's fresh long passphrase")
	if m := noticeTo(tm.verifier.ID, 1); m["language"] != "en" || !strings.Contains(m["body"].(string), "changed on 3 March 2026 10:15 UTC,") {
		t.Fatalf("the notice to a user with no language and no case: got %v, want it in English", m)
	}
}
