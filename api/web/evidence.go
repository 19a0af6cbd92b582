package web

// The applicant's evidence page: its limits, the upload and removal.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/framework"
)

func (a *app) evidenceView(x *ctx, c *cases.CaseView, p *page, status int) error {
	ac := a.appCase(x, c, "evidence")
	var types []string
	for _, t := range evidence.Types {
		types = append(types, strings.TrimPrefix(t.Extension, "."))
	}
	ac.Extra["MaxBytes"] = a.maxUpload()
	if a.d.Cases != nil {
		q := a.d.Cases.Quota()
		var used int64
		for _, e := range c.Evidence {
			used += e.Size
		}
		ac.Extra["Quota"] = x.T("evidence.limits.quota", q.Files, formatBytes(x.lang, q.Bytes), len(c.Evidence), formatBytes(x.lang, used))
		// The applicant's own quota, over all their applications: shown to
		// them (the office reads the case's alone); a store that cannot say
		// now leaves the line out rather than the page.
		if x.isApplicant() {
			if all, err := a.d.Cases.ApplicantEvidenceBytes(x.Request().Context(), c.ApplicantID); err == nil {
				ac.Extra["ApplicantQuota"] = x.T("evidence.limits.applicant", formatBytes(x.lang, q.ApplicantBytes), formatBytes(x.lang, all))
			}
		}
		_, perUser := a.d.Cases.UploadLimits()
		ac.Extra["InFlight"] = x.T("evidence.limits.inflight", perUser)
	}
	ac.Extra["Types"] = strings.ToUpper(strings.Join(types, ", "))
	ac.Extra["Accept"] = ".pdf,.docx,.odt,.txt,.md,.markdown,.png,.jpg,.jpeg"
	ac.Extra["Kinds"] = stringsOf(accreditation.EvidenceKindsOf(c.Scheme))
	ac.Extra["Indicators"] = a.indicatorsByCategory(framework.Level(c.Level))
	if !c.EQA() {
		ac.Extra["Programmes"] = a.eqaProgrammes(x)
	}
	p.D = ac
	return x.render(status, "evidence", p)
}

func (a *app) evidencePage(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	return a.evidenceView(x, c, x.newPage("evidence.title", nil), 0)
}

var listField = regexp.MustCompile(`^(categories|indicators)\[\d+\]$`)

func (a *app) uploadEvidence(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	p := x.newPage("evidence.title", nil)
	p.Form = x.form
	up := cases.Upload{Kind: x.fv("kind"), Title: x.fv("title"), Categories: formInts(x, "categories"), Indicators: formInts(x, "indicators")}
	if x.file != nil {
		up.FileName, up.File = x.file.FileName(), x.file
	}
	if up.Kind == "" {
		p.Errors["kind"] = x.T("evidence.kind.required")
	}
	if up.Title == "" {
		p.Errors["title"] = x.fillIn("title")
	}
	if x.file == nil {
		p.Errors["file"] = x.T("evidence.file.required")
	}
	if len(p.Errors) > 0 {
		return a.evidenceView(x, c, p, http.StatusBadRequest)
	}
	m := x.meta(string(accreditation.ActionAddEvidence))
	if m.CommandID != "" { // its idem is bound to the file's content too
		fields, name := m.RequestHash, up.FileName
		up.RequestHash = func(sum []byte) string { return x.fileHash(fields, name, sum) }
	}
	_, res, err := a.d.Cases.AddEvidence(x.Request().Context(), m, c.ID, up)
	if err != nil {
		status := x.fieldErrors(p, err, func(f string) string {
			if m := listField.FindStringSubmatch(f); m != nil {
				return m[1]
			}
			return f
		})
		var de *domain.Error
		errors.As(err, &de)
		switch {
		case domain.Is(err, domain.TooLarge):
			p.Problems = nil
			p.Errors["file"] = x.T("evidence.too_large", formatBytes(x.lang, a.maxUpload()))
		case domain.Is(err, domain.TooManyRequests):
			p.Problems = nil
			p.Errors["file"] = x.T("evidence.busy")
			x.Response().Header().Set("Retry-After", strconv.Itoa(de.RetryAfter))
		case de != nil && de.Extra["quota"] == "files":
			p.Errors["file"] = x.T("evidence.quota_files", de.Extra["max_case_files"])
		case de != nil && de.Extra["quota"] == "bytes":
			p.Errors["file"] = x.T("evidence.quota_bytes", formatBytes(x.lang, a.d.Cases.Quota().Bytes))
		case de != nil && de.Extra["quota"] == "applicant_bytes":
			p.Errors["file"] = x.T("evidence.quota_applicant_bytes", formatBytes(x.lang, a.d.Cases.Quota().ApplicantBytes))
		case de != nil && de.Extra["detected_type"] != nil:
			p.Errors["file"] = x.T("evidence.name_mismatch", strings.ToUpper(fmt.Sprint(de.Extra["detected_type"])), strings.ToLower(path.Ext(up.FileName)))
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(x.Request().Body, 1<<20))
		return a.evidenceView(x, c, p, status)
	}
	a.settle(x, res.Seq)
	return x.redirect("/applications/" + c.ID + "/evidence?ok=uploaded")
}

func (a *app) removeEvidence(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	if x.editing() { // back from the confirmation: nothing was typed
		return a.evidenceView(x, c, x.typedPage("evidence.title"), 0)
	}
	if !x.confirmed() {
		for _, ev := range c.Evidence {
			if ev.ID == x.Param("ev") {
				return a.askToConfirm(x, removalConfirmation(x, c, ev))
			}
		}
	}
	res, err := a.d.Cases.RemoveEvidence(x.Request().Context(), x.meta(string(accreditation.ActionRemoveEvidence)), c.ID, x.Param("ev"))
	if err != nil {
		p := x.newPage("evidence.title", nil)
		return a.evidenceView(x, c, p, x.fieldErrors(p, err, nil))
	}
	a.settle(x, res.Seq)
	return x.redirect("/applications/" + c.ID + "/evidence?ok=removed")
}
