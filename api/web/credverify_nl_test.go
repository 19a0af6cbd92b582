package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheVerificationPageIsDutch: the public page verifying a credential
// says in Dutch, on a Dutch page, what it found: the status the status
// list gives (not "in force"), the period in Dutch dates (not
// 2026-03-02T09:00:00Z), why a revoked one fails (herroepen, as the pages
// call a revocation: ingetrokken is a withdrawal), and why a file that is
// no credential, or is empty, is refused.
func TestTheVerificationPageIsDutch(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, acc := w.awardedCase(t, carla)
	holder := w.client(t)
	holder.login(carla.Email, carla.Password)
	cred := holder.get("/accreditations/" + acc + "/credential.jwt")
	if cred.Status != http.StatusOK {
		t.Fatalf("credential download: %d", cred.Status)
	}
	anyone := w.client(t)
	anyone.setLang("nl")
	tags := regexp.MustCompile(`<[^>]*>`)
	text := func(a answer) string {
		return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(a.Body, " "))), " ")
	}
	has := func(what string, a answer, want []string, notWant []string) {
		t.Helper()
		body := text(a)
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: no %q in %s", what, s, body)
			}
		}
		for _, s := range notWant {
			if strings.Contains(body, s) {
				t.Errorf("%s: %q, in English, in %s", what, s, body)
			}
		}
	}
	has("a valid credential", anyone.upload("/verify", "carla.jwt", []byte(cred.Body)),
		[]string{"Deze credential is geldig", "Status van kracht", "Geldig 2 maart 2026 – 2 maart 2031"}, []string{"in force", "T09:00"})
	has("no credential", anyone.upload("/verify", "x.jwt", []byte("hello")), []string{"Dit bestand is geen credential"}, []string{"not a JWS"})
	has("an empty file", anyone.upload("/verify", "x.jwt", nil), []string{"leeg: kies het credentialbestand (.jwt) dat u downloadde"}, []string{"empty: send"})
	has("JSON without the credential", anyone.upload("/verify", "x.json", []byte(`{"a": 1}`)), []string{"JSON zonder"}, []string{"JSON without"})

	rv := Expect(t, w.in.Post(t, "/api/v1/accreditations/"+acc+"/revocation", w.admin, map[string]string{"reason": "Code of ethics."}), 200).Map(t)
	Expect(t, Retry(t, func(map[string]string) Response {
		return w.in.Get(t, fmt.Sprintf("/api/v1/register/%s?min_seq=%d", acc, int64(rv["seq"].(float64))), "")
	}), 200)
	has("a revoked credential", anyone.upload("/verify", "carla.jwt", []byte(cred.Body)),
		[]string{"de EMCC heeft de accreditatie herroepen", "herroepen door de EMCC"}, []string{"revoked (status list", "revoked by the EMCC", "ingetrokken"})
}

// TestACredentialOfAnEndedAccreditationIsRefusedInDutch: the holder's
// credential or certificate of an accreditation the EMCC revoked is
// refused, on a Dutch page, saying why in Dutch.
func TestACredentialOfAnEndedAccreditationIsRefusedInDutch(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, acc := w.awardedCase(t, carla)
	rv := Expect(t, w.in.Post(t, "/api/v1/accreditations/"+acc+"/revocation", w.admin, map[string]string{"reason": "Code of ethics."}), 200).Map(t)
	Expect(t, Retry(t, func(map[string]string) Response {
		return w.in.Get(t, fmt.Sprintf("/api/v1/register/%s?min_seq=%d", acc, int64(rv["seq"].(float64))), "")
	}), 200)
	holder := w.client(t)
	holder.login(carla.Email, carla.Password)
	holder.setLang("nl")
	for _, file := range []string{"credential.jwt", "certificate.pdf"} {
		a := holder.get("/accreditations/" + acc + "/" + file)
		if want := "Een credential of certificaat wordt alleen gemaakt voor een accreditatie die van kracht is; deze is “Herroepen”."; a.Status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(a.Body), want) {
			t.Errorf("%s of a revoked accreditation: got %d, want 422 saying %q", file, a.Status, want)
		}
	}
}
