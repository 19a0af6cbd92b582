package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/credential"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections"
)

// Awards makes the credential.Award of an accreditation for whoever may
// see it (its holder, the office): the API and the web's certificate page
// share it.
type Awards struct {
	Cases *cases.Service
	Reads *ReadSide
	Users *accounts.Service
	Now   func() time.Time
}

// Of is accreditation accID as its credential says it. Errors: NotFound
// (none the actor may see), Unprocessable (its holder's personal data was
// erased), Unavailable (the register has not caught up with the award
// within the read-your-writes bound, ACCREDIT_READ_WAIT).
func (w Awards) Of(ctx context.Context, actor domain.Actor, accID string) (credential.Award, accreditation.AccreditationStatus, error) {
	id, err := w.Cases.CaseOfAccreditation(actor, accID)
	if err != nil {
		return credential.Award{}, "", err
	}
	v, _, err := w.Cases.Get(ctx, actor, id)
	if err != nil {
		return credential.Award{}, "", err
	}
	if err := cases.IsCurrent(v.AccreditationID(), accID); err != nil {
		return credential.Award{}, "", err
	}
	e, ok := w.registered(accID)
	if !ok {
		// The case holds the award, the register has not applied it yet:
		// the holder who downloads their credential as soon as they are
		// told of it waits for it, as a read given min_seq would.
		if st := w.Reads.Store; st != nil {
			if last, err := st.LastSeq(ctx); err == nil && w.Reads.Runner.WaitFor(ctx, last) == nil {
				e, ok = w.registered(accID)
			}
		}
	}
	if !ok {
		err := domain.Errorf(domain.Unavailable, "the register has not caught up with accreditation %s yet", accID)
		err.RetryAfter = 1
		return credential.Award{}, "", err
	}
	row, _, err := PublicRegister{Users: w.Users, Vault: w.Reads.Vault, Now: w.Now}.Row(ctx, e)
	if err != nil {
		return credential.Award{}, "", err
	}
	if row.Holder == "[erased]" {
		return credential.Award{}, "", domain.Errorf(domain.Unprocessable, "the holder's personal data was erased: no credential can name them")
	}
	a := v.Accreditation
	level, _ := framework.Default().Level(a.Level)
	scheme := "EMCC Individual Accreditation (EIA)"
	if v.Scheme == accreditation.SchemeEQA {
		scheme = "EMCC Quality Award (EQA)"
	}
	return credential.Award{AccreditationID: a.ID, Scheme: strings.ToLower(string(v.Scheme)), SchemeName: scheme,
		Level: string(a.Level), LevelName: level.Name.EN, HolderID: v.ApplicantID, HolderName: row.Holder,
		Programme: row.Programme, AwardedAt: a.AwardedAt, ValidUntil: a.ValidUntil}, a.Status, nil
}

// StatusValue is an award's value in the message status list.
func StatusValue(s accreditation.AccreditationStatus) int {
	switch s {
	case accreditation.StatusRevoked:
		return credential.StatusRevoked
	case accreditation.StatusWithdrawn:
		return credential.StatusWithdrawn
	case accreditation.StatusExpired:
		return credential.StatusExpired
	}
	return credential.StatusInForce
}

// Statuses is every award's status value now, from the register.
func (rs *ReadSide) Statuses() credential.StatusOf {
	out := map[string]int{}
	rs.Runner.Read(func(set *projections.Set) {
		for id, e := range set.Typed().Register.Entries {
			out[id] = StatusValue(e.Status)
		}
	})
	return func(acc string) (int, bool) { v, ok := out[acc]; return v, ok }
}

// LocalStatusLists serves the office's own status lists to its verifier.
func LocalStatusLists(ctx context.Context, svc *credential.Service, rs *ReadSide) credential.StatusLists {
	status := rs.Statuses()
	return func(url string) (string, bool, error) {
		for _, p := range []string{credential.PurposeRevocation, credential.PurposeMessage} {
			if url == svc.Office.StatusListURL(p) {
				tok, err := svc.StatusList(ctx, p, status)
				return tok, err == nil, err
			}
		}
		return "", false, nil
	}
}

// registered is the register's entry of accreditation accID.
func (w Awards) registered(accID string) (e projections.RegisterEntry, ok bool) {
	w.Reads.Runner.Read(func(set *projections.Set) { e, ok = set.Typed().Register.Lookup(accID) })
	return e, ok
}

func (s *Server) awards() Awards {
	return Awards{Cases: s.deps.Cases, Reads: s.deps.Reads, Users: s.deps.Accounts, Now: s.deps.Now}
}

// didDocument serves the office's DID document: every credential key.
func (s *Server) didDocument(c echo.Context) error {
	keys, err := s.deps.Credentials.Published()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.deps.Credentials.Office.Document(keys))
}

// jwks serves the office's credential keys as a JWKS.
func (s *Server) jwks(c echo.Context) error {
	keys, err := s.deps.Credentials.Published()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.deps.Credentials.Office.KeySet(keys))
}

// getCredential issues the accreditation's credential to its holder or
// the office: the JWS (application/vc+jwt) to download, or with
// ?format=json the credential's JSON beside it.
func (s *Server) getCredential(c echo.Context) error {
	format, err := queryEnum(c, "format", []string{"jwt", "json"})
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, status, err := s.awards().Of(ctx, actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	if status != accreditation.StatusActive {
		return domain.Errorf(domain.Unprocessable, "accreditation %s is %s: a credential is issued only for an accreditation in force", a.AccreditationID, status)
	}
	token, cred, err := s.deps.Credentials.Issue(ctx, actor(c), a)
	if err != nil {
		return err
	}
	if format == "json" {
		return c.JSON(http.StatusOK, map[string]any{"credential": cred, "jwt": token})
	}
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "emcc-" + a.AccreditationID + ".jwt"}))
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, credential.MediaType, []byte(token))
}

// getCertificate is the accreditation's printable certificate (PDF) for
// its holder or the office, its QR code pointing to the public
// verification page.
func (s *Server) getCertificate(c echo.Context) error {
	a, status, err := s.awards().Of(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	if status != accreditation.StatusActive {
		return domain.Errorf(domain.Unprocessable, "accreditation %s is %s: a certificate is made only for an accreditation in force", a.AccreditationID, status)
	}
	b, err := credential.Certificate(a, s.deps.Credentials.Office.VerifyURL(a.AccreditationID))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "emcc-certificate-" + a.AccreditationID + ".pdf"}))
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "application/pdf", b)
}

// statusList serves a status list credential to anyone.
func (s *Server) statusList(c echo.Context) error {
	if err := s.waitMinSeq(c); err != nil {
		return err
	}
	tok, err := s.deps.Credentials.StatusList(c.Request().Context(), c.Param("purpose"), s.deps.Reads.Statuses())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, credential.MediaType, []byte(tok))
}

// ReadCredential reads a credential sent to be verified: the JWS itself,
// or a JSON object whose "jwt" holds it (as ?format=json answers), at most
// credential.MaxCredentialBytes. Errors: Invalid, TooLarge.
func ReadCredential(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, credential.MaxCredentialBytes+1))
	if err != nil {
		return "", domain.Errorf(domain.Invalid, "could not read the credential")
	}
	if len(b) > credential.MaxCredentialBytes {
		return "", &domain.Error{Code: domain.TooLarge, Message: "a credential is at most 64 KiB; this is not one",
			Fields: []domain.FieldError{{Field: "credential", Reason: "over 64 KiB"}}}
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", domain.InvalidFields("no credential", domain.FieldError{Field: "credential", Reason: "empty: send the credential file (.jwt) you downloaded"})
	}
	if b[0] == '{' {
		var wrapped struct {
			JWT string `json:"jwt"`
		}
		if err := json.Unmarshal(b, &wrapped); err != nil || wrapped.JWT == "" {
			return "", domain.InvalidFields("not a credential", domain.FieldError{Field: "credential", Reason: "JSON without a \"jwt\" member: send the .jwt file, or the JSON the credential download answers"})
		}
		return wrapped.JWT, nil
	}
	return string(b), nil
}

// Verification is what the verification endpoint answers.
type Verification struct {
	credential.Result
	Holder      string `json:"holder,omitempty"`
	Achievement string `json:"achievement,omitempty"`
}

// VerifyCredential checks token with the office's published keys and its
// status lists now. Errors: Invalid (not a credential at all).
func VerifyCredential(ctx context.Context, svc *credential.Service, rs *ReadSide, token string, now time.Time) (Verification, error) {
	keys, err := svc.PublicKeys()
	if err != nil {
		return Verification{}, err
	}
	r := credential.Verify(token, keys, LocalStatusLists(ctx, svc, rs), now)
	if r.Outcome == credential.Malformed {
		return Verification{}, domain.InvalidFields("not a credential", domain.FieldError{Field: "credential", Reason: r.Reason})
	}
	v := Verification{Result: r}
	if r.Credential != nil {
		v.Holder, v.Achievement = r.Credential.Holder(), r.Credential.CredentialSubject.Achievement.Name
	}
	return v, nil
}

// verifyCredential checks an uploaded credential for anyone: 200 with
// valid false and the reason when it fails.
func (s *Server) verifyCredential(c echo.Context) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != credential.MediaType && mt != "text/plain" && mt != "application/json" && mt != "application/jwt") {
			return domain.InvalidFields("Content-Type must be application/vc+jwt, application/jwt, text/plain or application/json", domain.FieldError{Field: "Content-Type", Reason: "application/vc+jwt, application/jwt, text/plain or application/json"})
		}
	}
	if err := s.waitMinSeq(c); err != nil {
		return err
	}
	token, err := ReadCredential(c.Request().Body)
	if err != nil {
		return err
	}
	v, err := VerifyCredential(c.Request().Context(), s.deps.Credentials, s.deps.Reads, token, s.deps.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}
