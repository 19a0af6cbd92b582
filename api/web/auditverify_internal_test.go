package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/framework"
)

// TestAuditIntegrityPageShowsAMismatch: a report that is not intact shows
// as such, with each broken stream's first mismatch and each failing
// checkpoint's problems (a real store cannot be tampered with from here).
func TestAuditIntegrityPageShowsAMismatch(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	rep := audit.Report{Intact: false, Commits: 12, Streams: []audit.StreamReport{
		{Stream: "accreditation.case.01JGOOD", Events: 5, Intact: true},
		{Stream: "accreditation.case.01JBAD", Events: 7, Intact: false, Problem: &audit.Problem{Version: 3, Seq: 9, EventID: "ev-3", Reason: "hash does not match"}},
	}, Checkpoints: []audit.CheckpointReport{
		{Seq: 4, CreatedAt: at, Intact: true},
		{Seq: 10, CreatedAt: at.Add(time.Hour), Intact: false, Problems: []string{"stream accreditation.case.01JBAD: head differs"}},
	}}
	a := &app{d: Deps{Now: func() time.Time { return at }, Catalogue: framework.Default(),
		Verify: func(context.Context) (audit.Report, error) { return rep, nil }}, views: mustViews(framework.Default())}
	for lang, want := range map[string][]string{
		"en": {"<h2>Not intact</h2>", "Streams with a mismatch: 1. Checkpoints that do not match: 1.", "accreditation.case.01JBAD", "event 3", "hash does not match", "head differs"},
		"nl": {"<h2>Niet intact</h2>", "Stromen met een afwijking: 1. Controlepunten die niet kloppen: 1.", "gebeurtenis 3"},
	} {
		rec := httptest.NewRecorder()
		c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/office/audit/verify", nil), rec)
		x := &ctx{Context: c, a: a, lang: lang, form: url.Values{}, user: &accounts.UserView{ID: "01JOFFICE", Name: "Office", Role: domain.RoleOffice}}
		if err := a.auditVerify(x); err != nil {
			t.Fatal(err)
		}
		body := rec.Body.String()
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the page lacks %q", lang, s)
			}
		}
		if strings.Contains(body, "⟦") || strings.Contains(body, "%!") {
			t.Errorf("%s: a message is missing or malformed", lang)
		}
		if strings.Contains(body, "Record a signed checkpoint now") {
			t.Errorf("%s: the checkpoint button without a Checkpoint function", lang)
		}
	}
}
