package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/framework"
)

// renderedPage is what run renders for an applicant reading in lang, its
// entities unescaped: the pages' own templates, with no server behind
// them, for a refusal no running server can be brought to make.
func renderedPage(t *testing.T, lang string, run func(x *ctx) error) string {
	t.Helper()
	cat := framework.Default()
	a := &app{d: Deps{Now: func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }, Catalogue: cat}, views: mustViews(cat)}
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodPost, "/applications", nil), rec)
	x := &ctx{Context: c, a: a, lang: lang, form: url.Values{}, user: &accounts.UserView{ID: "01JAPPLICANT", Name: "Carla", Role: domain.RoleApplicant}}
	if err := run(x); err != nil {
		t.Fatal(err)
	}
	return html.UnescapeString(rec.Body.String())
}

// formPageWith is the new application's form page in lang refused with err.
func formPageWith(t *testing.T, lang string, err error) string {
	t.Helper()
	return renderedPage(t, lang, func(x *ctx) error {
		p := x.newPage("new.title", map[string]any{"Scheme": "EIA"})
		return x.render(x.fieldErrors(p, err, nil), "new", p)
	})
}
