package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/framework"
)

// TestAFormPagesSummarySaysADomainMessageAsASentence: a refusal that names
// no field and that the pages have no words of their own for is shown in
// a form page's error summary as the domain wrote it (in lower case, to
// follow "cannot ...: "), with a capital first letter and no other change.
func TestAFormPagesSummarySaysADomainMessageAsASentence(t *testing.T) {
	cat := framework.Default()
	a := &app{d: Deps{Now: func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }, Catalogue: cat}, views: mustViews(cat)}
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodPost, "/applications", nil), rec)
	x := &ctx{Context: c, a: a, lang: "en", form: url.Values{}, user: &accounts.UserView{ID: "01JAPPLICANT", Name: "Carla", Role: domain.RoleApplicant}}
	const msg = "cannot open: an application of this kind waits for the office's word"
	p := x.newPage("new.title", map[string]any{"Scheme": "EIA"})
	if err := x.render(x.fieldErrors(p, domain.Errorf(domain.Unprocessable, msg), nil), "new", p); err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(rec.Body.String())
	if want := "C" + msg[1:]; !strings.Contains(body, want) {
		t.Errorf("the summary does not say %q:\n%s", want, body)
	}
	if strings.Contains(body, msg) {
		t.Errorf("the summary still says the message in lower case: %q", msg)
	}
}
