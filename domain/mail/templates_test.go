package mail

import (
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
	d := Data{Name: "Carla Coach", CaseID: "01CASE", Link: "https://accredit.test/x", Outcome: "awarded", Days: 30, Until: "2031-03-02",
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
	d := Data{Name: "Carla Coach", At: "2026-12-06 09:00 UTC", Link: "https://accredit.test/forgot-password", Address: MaskAddress("carla.new@example.org")}
	for _, k := range []Kind{KindPasswordChanged, KindEmailChanged} {
		en, enBody, nl, nlBody := renderBoth(t, k, d)
		if en == nl || enBody == nlBody || !ValidKind(k) {
			t.Errorf("%s: the Dutch template is the English one, or the kind is not valid", k)
		}
		for _, b := range []string{enBody, nlBody} {
			if !strings.Contains(b, "Carla Coach") || !strings.Contains(b, d.At) {
				t.Errorf("%s: body without the name or the time:\n%s", k, b)
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

func TestBackoffDoublesUpToSixHours(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 4: 8 * time.Minute, 9: 256 * time.Minute, 10: 6 * time.Hour, 40: 6 * time.Hour} {
		if got := Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}
