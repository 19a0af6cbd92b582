package web

import (
	"mime"
	"net/http"

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
		return aw, domain.Errorf(domain.Unprocessable, "accreditation %s is %s: a credential or certificate is made only for an accreditation in force", aw.AccreditationID, status)
	}
	return aw, nil
}

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
		return x.render(x.fieldErrors(p, err, rename), "credentialverify", p)
	}
	p.D = v
	return x.render(0, "credentialverify", p)
}
