package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/credential"
	"github.com/emcc/accredit/domain/credential/credentialtest"
)

// upload posts a file to the public credential verification form.
func (c *client) upload(path, name string, content []byte) answer {
	c.t.Helper()
	return c.postFile(path, nil, name, content)
}

// The holder's certificate page offers the credential and the PDF; both
// download, the credential verifies with jwx against the published keys;
// the public page verifies an upload in English and Dutch, names a
// tampered one and refuses what is no credential, too large, or missing.
func TestCredentialDownloadAndPublicVerificationPage(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, acc := w.awardedCase(t, carla)
	holder := w.client(t)
	holder.login(carla.Email, carla.Password)
	page := holder.get("/accreditations/" + acc)
	for _, link := range []string{`href="/accreditations/` + acc + `/credential.jwt"`, `href="/accreditations/` + acc + `/certificate.pdf"`} {
		if !strings.Contains(page.Body, link) {
			t.Errorf("the certificate page lacks %s", link)
		}
	}
	cred := holder.get("/accreditations/" + acc + "/credential.jwt")
	if cred.Status != http.StatusOK || cred.Header.Get("Content-Type") != "application/vc+jwt" || !strings.Contains(cred.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("credential download: %d %v", cred.Status, cred.Header)
	}
	did := holder.get("/.well-known/did.json")
	c, _ := credentialtest.MustVerify(t, []byte(did.Body), cred.Body)
	if c["issuer"].(map[string]any)["id"] == "" {
		t.Errorf("credential without issuer: %v", c)
	}
	pdf := holder.get("/accreditations/" + acc + "/certificate.pdf")
	if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") || !strings.Contains(pdf.Body, w.in.URL+"/register/"+acc) {
		t.Errorf("certificate PDF: %d, %.20q", pdf.Status, pdf.Body)
	}

	anyone := w.client(t)
	if a := anyone.get("/verify"); a.Status != http.StatusOK || !strings.Contains(a.Body, `type="file"`) {
		t.Fatalf("verify page: %d", a.Status)
	}
	a := anyone.upload("/verify", "carla.jwt", []byte(cred.Body))
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "This credential is valid") || !strings.Contains(a.Body, "Carla Coach") {
		t.Errorf("valid upload: %d\n%s", a.Status, a.Body)
	}
	parts := strings.Split(cred.Body, ".")
	tampered := parts[0] + "." + parts[1][:20] + "A" + parts[1][21:] + "." + parts[2]
	if parts[1][20] == 'A' {
		tampered = parts[0] + "." + parts[1][:20] + "B" + parts[1][21:] + "." + parts[2]
	}
	if a := anyone.upload("/verify", "carla.jwt", []byte(tampered)); a.Status != http.StatusOK || !strings.Contains(a.Body, "This credential is not valid") {
		t.Errorf("tampered upload: %d\n%s", a.Status, a.Body)
	}
	for name, up := range map[string]struct {
		body   []byte
		status int
	}{"not a credential": {[]byte("hello"), 400}, "too large": {bytes.Repeat([]byte("a"), 70<<10), 413}, "empty": {nil, 400}} {
		a := anyone.upload("/verify", "x.jwt", up.body)
		if a.Status != up.status || !strings.Contains(a.Body, `id="f-file-error"`) || strings.Contains(a.Body, `id="f-file-error" hidden`) {
			t.Errorf("%s: %d, want %d with the error at the file field", name, a.Status, up.status)
		}
	}
	anyone.setLang("nl")
	if a := anyone.upload("/verify", "carla.jwt", []byte(cred.Body)); !strings.Contains(a.Body, "Deze credential is geldig") {
		t.Errorf("Dutch verification page:\n%s", a.Body)
	}

	// Revoked: no new credential or certificate; the old one fails with
	// the reason.
	rv := Expect(t, w.in.Post(t, "/api/v1/accreditations/"+acc+"/revocation", w.in.AdminToken(t), map[string]string{"reason": "Code of ethics."}), 200).Map(t)
	if a := holder.get("/accreditations/" + acc + "/credential.jwt"); a.Status != http.StatusUnprocessableEntity {
		t.Errorf("credential of a revoked award: %d", a.Status)
	}
	anyone.setLang("en")
	// The page reads the register: wait until it holds the revocation.
	Expect(t, Retry(t, func(map[string]string) Response {
		return w.in.Get(t, fmt.Sprintf("/api/v1/register/%s?min_seq=%d", acc, int64(rv["seq"].(float64))), "")
	}), 200)
	if a := anyone.upload("/verify", "carla.jwt", []byte(cred.Body)); !strings.Contains(a.Body, "the EMCC revoked the accreditation") || !strings.Contains(a.Body, "revoked by the EMCC") {
		t.Errorf("revoked upload:\n%s", a.Body)
	}
}

// In Chromium: the holder fetches their credential from the certificate
// page's link in the browser, saves it, and anyone uploads it on the
// public verification page, which says it is valid.
func TestCredentialUploadInTheBrowser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, acc := w.awardedCase(t, carla)
	b := browser(t)
	b.base = w.in.URL
	b.login(carla.Email, carla.Password)
	b.open("/accreditations/" + acc)
	b.see("Your accreditation as a verifiable credential")
	// The link's target, fetched by the page with the holder's session.
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	token, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("#credential-download").href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	cancel()
	if err != nil {
		t.Fatalf("fetch the credential in the browser: %v", err)
	}
	if strings.Count(token, ".") != 2 {
		t.Fatalf("the credential link gave %.80q", token)
	}
	file := filepath.Join(t.TempDir(), "carla.jwt")
	if err := os.WriteFile(file, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	v := browser(t)
	v.base = w.in.URL
	v.open("/register/" + acc)
	v.submit(`a[href="/verify"]`)
	v.do("choose the file", setFiles("#f-file", file))
	v.submit("main form button[type=submit]")
	v.see("This credential is valid", "Carla Coach", "EMCC Individual Accreditation (EIA), Practitioner")
	if got := v.text("#credential-holder"); got != "Carla Coach" {
		t.Errorf("holder shown: %q", got)
	}
	v.submit("main form button[type=submit]") // nothing chosen
	v.see("Choose the credential file to verify.")
}

// A file signed with the office's key that is no OpenBadgeCredential is
// refused at the file field, its types listed as the pages list values
// ("a, b", not Go's "[a b]"), or "no type" when it names none.
func TestANonBadgeCredentialNamesItsTypesAsAList(t *testing.T) {
	w := newWorld(t)
	svc := w.in.App.Credentials
	k, err := svc.Keys.Current()
	if err != nil {
		t.Fatal(err)
	}
	anyone := w.client(t)
	for typ, want := range map[string]string{
		"VerifiableCredential AchievementCredential": "not an OpenBadgeCredential (type VerifiableCredential, AchievementCredential)",
		"": "not an OpenBadgeCredential (no type)",
	} {
		c := svc.Office.Build(credential.Award{AccreditationID: "ACC1", SchemeName: "EMCC Individual Accreditation (EIA)", LevelName: "Senior Practitioner",
			HolderName: "Carla Coach", AwardedAt: start, ValidUntil: start.AddDate(5, 0, 0)}, 0)
		c.Type = strings.Fields(typ)
		token, err := svc.Office.Sign(k, c)
		if err != nil {
			t.Fatal(err)
		}
		a := anyone.upload("/verify", "x.jwt", []byte(token))
		if a.Status != http.StatusBadRequest || !strings.Contains(a.Body, want) {
			t.Errorf("type %q: %d, want 400 saying %q:\n%s", typ, a.Status, want, a.Body)
		}
	}
}
