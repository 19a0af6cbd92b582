package web

import (
	"errors"
	"mime"
	"net/http"
	"regexp"

	"github.com/emcc/accredit/api"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/credential"
)

// The award as a verifiable credential: the holder's downloads (the
// credential and the printable certificate) and the public page that
// verifies an uploaded credential.

func (a *app) awards() api.Awards {
	return api.Awards{Cases: a.d.Cases, Reads: a.d.Reads, Users: a.d.Accounts, Now: a.d.Now}
}

// inForce is the award of :acc for the caller, refused when it is no
// longer in force: neither a credential nor a certificate is made for it.
func (a *app) inForce(x *ctx) (credential.Award, error) {
	aw, status, err := a.awards().Of(x.Request().Context(), x.actor(), x.Param("acc"))
	if err != nil {
		return aw, err
	}
	if status != accreditation.StatusActive {
		e := domain.Wrap(domain.Unprocessable, errNotInForce, "accreditation %s is %s: a credential or certificate is made only for an accreditation in force", aw.AccreditationID, status)
		e.Extra = map[string]any{"accreditation_status": status}
		return aw, e
	}
	return aw, nil
}

// errNotInForce is a credential or certificate asked of an accreditation
// no longer in force (Extra["accreditation_status"] says what it is).
var errNotInForce = errors.New("accreditation not in force")

func attachment(x *ctx, name string) {
	h := x.Response().Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "private, no-store")
}

// credentialFile is the holder's credential to download (as the API's).
func (a *app) credentialFile(x *ctx) error {
	aw, err := a.inForce(x)
	if err != nil {
		return err
	}
	token, _, err := a.d.Credentials.Issue(x.Request().Context(), x.actor(), aw)
	if err != nil {
		return err
	}
	attachment(x, "emcc-"+aw.AccreditationID+".jwt")
	return x.Blob(http.StatusOK, credential.MediaType, []byte(token))
}

// certificatePDF is the printable certificate, its QR code pointing to the
// public verification page.
func (a *app) certificatePDF(x *ctx) error {
	aw, err := a.inForce(x)
	if err != nil {
		return err
	}
	b, err := credential.Certificate(aw, a.d.Credentials.Office.VerifyURL(aw.AccreditationID))
	if err != nil {
		return err
	}
	attachment(x, "emcc-certificate-"+aw.AccreditationID+".pdf")
	return x.Blob(http.StatusOK, "application/pdf", b)
}

// verifyCredentialForm is the public page to verify a credential file.
func (a *app) verifyCredentialForm(x *ctx) error {
	return x.render(0, "credentialverify", x.newPage("credverify.title", nil))
}

// verifyCredential verifies the uploaded credential with the office's
// published keys and status lists, and says why it fails.
func (a *app) verifyCredential(x *ctx) error {
	p := x.newPage("credverify.title", nil)
	if x.file == nil {
		p.Errors["file"] = x.T("credverify.choose")
		return x.render(http.StatusBadRequest, "credentialverify", p)
	}
	rename := func(string) string { return "file" }
	token, err := api.ReadCredential(x.file)
	if err != nil {
		return x.render(x.fieldErrors(p, err, rename), "credentialverify", p)
	}
	v, err := api.VerifyCredential(x.Request().Context(), a.d.Credentials, a.d.Reads, token, a.d.Now())
	if err != nil {
		status := x.fieldErrors(p, err, rename)
		if x.lang != "en" && domain.Is(err, domain.Invalid) {
			p.Errors["file"] = x.T("credverify.malformed") // the reason is a decoder's English
		}
		return x.render(status, "credentialverify", p)
	}
	p.D = verification{Verification: v, StatusText: credentialStatus(x, v.Status), ReasonText: verifyReason(x, v.Result)}
	return x.render(0, "credentialverify", p)
}

// verification is a verified credential as the page shows it: the status
// list's message and why it failed in the reader's words.
type verification struct {
	api.Verification
	StatusText, ReasonText string
}

// statusKeys name the status list's messages (credential.Messages) by
// their value.
var statusKeys = map[int]string{credential.StatusInForce: "credverify.status.in_force", credential.StatusRevoked: "credverify.status.revoked",
	credential.StatusWithdrawn: "credverify.status.withdrawn", credential.StatusExpired: "credverify.status.expired"}

// credentialStatus is a status list's message in the reader's words; as
// the list words it when it is not one the EMCC issues.
func credentialStatus(x *ctx, text string) string {
	for i, m := range credential.Messages {
		if k := statusKeys[i]; m.Message == text && k != "" {
			return x.T(k)
		}
	}
	return text
}

// verifyReasons are the reasons credential.Verify gives, as the page words
// them (with a date, a key or a status list's message).
var verifyReasons = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^expired on (\S+)$`), "credverify.reason.expired_on"},
	{regexp.MustCompile(`^valid from (\S+)$`), "credverify.reason.valid_from"},
	{regexp.MustCompile(`^(?:revoked|withdrawn|expired) \(status list: (.*)\)$`), "credverify.reason.status_list"},
	{regexp.MustCompile(`^issued by (\S+) but signed with a key of (\S+)$`), "credverify.reason.wrong_issuer"},
	{regexp.MustCompile(`^signed with key "(.*)", which the office does not publish$`), "credverify.reason.unknown_key"},
}

// verifyReason says why a credential failed, in the reader's words: the
// reason of credential.Verify on an English page; on another, its
// rewording, or nothing when it has none (the outcome above says why).
func verifyReason(x *ctx, r credential.Result) string {
	if x.lang == "en" || r.Valid {
		return r.Reason
	}
	for _, vr := range verifyReasons {
		m := vr.re.FindStringSubmatch(r.Reason)
		if m == nil {
			continue
		}
		switch vr.key {
		case "credverify.reason.expired_on", "credverify.reason.valid_from":
			return x.T(vr.key, formatDate(x.lang, m[1], false))
		case "credverify.reason.status_list":
			if m[1] == "revoked" { // the revocation list alone
				m[1] = credential.Messages[credential.StatusRevoked].Message
			}
			return x.T(vr.key, credentialStatus(x, m[1]))
		case "credverify.reason.wrong_issuer":
			return x.T(vr.key, m[1], m[2])
		default:
			return x.T(vr.key, m[1])
		}
	}
	return ""
}
