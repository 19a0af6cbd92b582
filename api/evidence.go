package api

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
)

// A case's evidence: the multipart upload, its edit and removal, and the
// file's download.

// maxMultipart bounds a whole evidence upload request: the file limit plus
// room for the other fields.
func (s *Server) maxMultipart() int64 { return s.deps.Cases.MaxUpload() + 1<<20 }

func (s *Server) addEvidence(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = string(accreditation.ActionAddEvidence)
	mt, params, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return domain.InvalidFields("evidence is uploaded as multipart/form-data: the fields kind, title, categories and indicators first, the file last", domain.FieldError{Field: "Content-Type", Reason: "multipart/form-data with a boundary"})
	}
	if cl := c.Request().ContentLength; cl > s.maxMultipart() {
		return &domain.Error{Code: domain.TooLarge, Message: fmt.Sprintf("the upload is over the limit of %d bytes", s.deps.Cases.MaxUpload()),
			Extra: map[string]any{"max_bytes": s.deps.Cases.MaxUpload()}}
	}
	body := http.MaxBytesReader(c.Response(), c.Request().Body, s.maxMultipart())
	mr := multipart.NewReader(body, params["boundary"])
	up := cases.Upload{}
	var fileErr error
	var evID string
	var res aggregate.Result
	fields := map[string]string{}
	// Fields may come in any order; the file is streamed when it comes, so
	// the fields it needs must come before it, as browsers send form order.
	for {
		part, err := mr.NextPart()
		if err != nil {
			if err.Error() != "EOF" {
				var mbe *http.MaxBytesError
				if asMaxBytes(err, &mbe) {
					return &domain.Error{Code: domain.TooLarge, Message: fmt.Sprintf("the upload is over the limit of %d bytes", s.deps.Cases.MaxUpload()), Extra: map[string]any{"max_bytes": s.deps.Cases.MaxUpload()}}
				}
				return domain.Errorf(domain.Invalid, "malformed multipart body: %v", err)
			}
			break
		}
		name := part.FormName()
		if name == "file" {
			if err := fillUpload(&up, fields); err != nil {
				return err
			}
			up.FileName = part.FileName()
			up.File = part
			up.Rest = func() error { return s.afterFile(mr) }
			if m.CommandID != "" {
				fileName := up.FileName
				up.RequestHash = func(sum []byte) string { return s.formHash(c, fields, fileName, sum) }
			}
			evID, res, fileErr = s.deps.Cases.AddEvidence(c.Request().Context(), m, id, up)
			if fileErr != nil {
				var mbe *http.MaxBytesError
				if asMaxBytes(fileErr, &mbe) {
					return &domain.Error{Code: domain.TooLarge, Message: fmt.Sprintf("the upload is over the limit of %d bytes", s.deps.Cases.MaxUpload()), Extra: map[string]any{"max_bytes": s.deps.Cases.MaxUpload()}}
				}
				if domain.Is(fileErr, domain.Invalid) {
					if late := fieldsAfterFile(mr); late != nil {
						return late
					}
				}
				return fileErr
			}
			break // afterFile has read the rest
		}
		if !slices.Contains(uploadFields, name) {
			// Ignored, and not kept: fields of other names were held until
			// the file came, up to the body's limit before the gate of
			// uploads in flight admits the request.
			_, _ = io.Copy(io.Discard, part) // a body that breaks, NextPart says so
			continue
		}
		// Up to 64 KiB of a field, grown as it comes: not a buffer of that
		// size for each of what may be many thousands of small parts.
		b, _ := io.ReadAll(io.LimitReader(part, maxUploadField+1))
		if len(b) > maxUploadField {
			// Cut to the limit it could still read as a value (a list of
			// categories short of its end), not the one sent.
			return domain.InvalidFields("a field over its limit", domain.FieldError{Field: name, Reason: fmt.Sprintf("at most %d bytes", maxUploadField)})
		}
		if _, twice := fields[name]; twice {
			// Categories sent as a form sends checkboxes, one each, would
			// keep the last alone.
			return domain.InvalidFields("a field sent twice", domain.FieldError{Field: name, Reason: "sent twice: send it once (categories and indicators as one comma-separated list)"})
		}
		fields[name] = strings.TrimSpace(string(b))
	}
	if evID == "" {
		if err := fillUpload(&up, fields); err != nil {
			return err
		}
		return domain.InvalidFields("invalid evidence", domain.FieldError{Field: "file", Reason: "required (after kind, title, categories and indicators)"})
	}
	c.Response().Header().Set("Location", "/api/v1/cases/"+id+"/evidence/"+evID+"/file")
	c.Response().Header().Set("X-Evidence-Id", evID)
	return s.answerCase(c, id, res, http.StatusCreated)
}

// maxUploadField is the most of an upload's field before its file that is
// read; a field the upload takes that is longer is refused.
const maxUploadField = 64 << 10

// uploadFields are the fields an upload takes before its file; others are
// ignored.
var uploadFields = []string{"kind", "title", "categories", "indicators"}

// afterFile reads what follows an upload's file, before anything is
// stored (cases.Upload.Rest): another file, or a field the upload takes,
// which would be dropped once the file is recorded, refuses the upload (the
// fields named), as does a body that ends malformed or too large. Other
// fields are ignored, as before the file.
func (s *Server) afterFile(mr *multipart.Reader) error {
	var late []domain.FieldError
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if asMaxBytes(err, &mbe) {
				return &domain.Error{Code: domain.TooLarge, Message: fmt.Sprintf("the upload is over the limit of %d bytes", s.deps.Cases.MaxUpload()), Extra: map[string]any{"max_bytes": s.deps.Cases.MaxUpload()}}
			}
			return domain.Errorf(domain.Invalid, "malformed multipart body: %v", err)
		}
		switch name := part.FormName(); {
		case name == "file":
			return domain.Errorf(domain.Invalid, "one file per upload")
		case slices.Contains(uploadFields, name):
			late = append(late, domain.FieldError{Field: name, Reason: "sent after the file: the fields come before it, as a browser sends a form"})
		}
	}
	if len(late) == 0 {
		return nil
	}
	return domain.InvalidFields("the fields kind, title, categories and indicators come before the file", late...)
}

// fieldsAfterFile reads what is left of an upload whose fields were refused
// at its file, and names those that came after the file: a client that
// sent them there is told where they belong, not that they are missing or
// wrong. nil when none did (the refusal stands as it was).
func fieldsAfterFile(mr *multipart.Reader) error {
	var late []domain.FieldError
	for {
		part, err := mr.NextPart()
		if err != nil {
			break
		}
		switch name := part.FormName(); name {
		case "kind", "title", "categories", "indicators":
			late = append(late, domain.FieldError{Field: name, Reason: "sent after the file: the fields come before it, as a browser sends a form"})
		}
	}
	if len(late) == 0 {
		return nil
	}
	return domain.InvalidFields("the fields kind, title, categories and indicators come before the file", late...)
}

func fillUpload(up *cases.Upload, fields map[string]string) error {
	up.Kind, up.Title = fields["kind"], fields["title"]
	var err error
	if up.Categories, err = intList("categories", fields["categories"]); err != nil {
		return err
	}
	up.Indicators, err = intList("indicators", fields["indicators"])
	return err
}

// intList parses "1,2,3" (or "[1,2,3]").
func intList(field, s string) ([]int, error) {
	s = strings.Trim(strings.TrimSpace(s), "[]")
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, domain.InvalidFields("invalid evidence", domain.FieldError{Field: field, Reason: "comma-separated numbers"})
		}
		out = append(out, n)
	}
	return out, nil
}

func (s *Server) removeEvidence(c echo.Context) error {
	return s.command(accreditation.ActionRemoveEvidence, func(c echo.Context, m aggregate.Meta, id string) (aggregate.Result, error) {
		if err := bindNone(c); err != nil { // a body meant something DELETE does not do
			return aggregate.Result{}, err
		}
		return s.deps.Cases.RemoveEvidence(c.Request().Context(), m, id, c.Param("evidence_id"))
	})(c)
}

// evidenceEditRequest is the new description of an evidence file.
type evidenceEditRequest struct {
	Kind       string `json:"kind"`
	Title      string `json:"title"`
	Categories []int  `json:"categories"`
	Indicators []int  `json:"indicators"`
}

func (s *Server) editEvidence(c echo.Context) error {
	return s.command(accreditation.ActionEditEvidence, withBody(func(ctx context.Context, m aggregate.Meta, id string, req evidenceEditRequest) (aggregate.Result, error) {
		return s.deps.Cases.EditEvidence(ctx, m, id, c.Param("evidence_id"), cases.EvidenceEdit{Kind: req.Kind, Title: req.Title,
			Categories: req.Categories, Indicators: req.Indicators})
	}))(c)
}

func (s *Server) evidenceFile(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	f, err := s.deps.Cases.EvidenceFile(c.Request().Context(), actor(c), id, c.Param("evidence_id"))
	if err != nil {
		return err
	}
	disposition := "attachment"
	if c.QueryParam("inline") == "1" && cases.InlineType(f.ContentType) {
		disposition = "inline"
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; object-src 'self'")
	h.Set("Digest", "sha-256="+f.SHA256)
	// The same digest as RFC 9530 writes it (base64 in a byte sequence):
	// Digest's hex is this API's own, published before; a client that
	// checks by the standard reads this one.
	if sum, err := hex.DecodeString(f.SHA256); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	defer f.Body.Close()
	h.Set(echo.HeaderContentLength, strconv.FormatInt(f.Size, 10)) // a file that fails to open midway ends short
	return c.Stream(http.StatusOK, f.ContentType, f.Body)
}
