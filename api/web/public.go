package web

import (
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/emcc/accredit/api"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/projections"
)

func (a *app) home(x *ctx) error {
	if x.user != nil {
		return x.redirect(home(x.user))
	}
	return x.render(0, "home", x.newPage("home.title", nil))
}

// static serves the embedded CSS and JavaScript.
func (a *app) static(x *ctx) error {
	name := path.Clean("static/" + x.Param("*"))
	if !strings.HasPrefix(name, "static/") {
		return domain.Errorf(domain.NotFound, "no such file")
	}
	b, err := fs.ReadFile(staticFS, name)
	if err != nil {
		return domain.Errorf(domain.NotFound, "no such file")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	x.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return x.Blob(http.StatusOK, ct, b)
}

func (a *app) setLang(x *ctx) error {
	lang := x.fv("lang")
	if !isLang(lang) {
		lang = langs[0]
	}
	a.setCookie(x.Context, langCookie, lang, 365*24*3600)
	return x.redirect(localPath(x.fv("back"), "/"))
}

func (a *app) loginForm(x *ctx) error {
	if x.user != nil {
		return x.redirect(home(x.user))
	}
	p := x.newPage("login.title", nil)
	p.Form.Set("next", localPath(x.QueryParam("next"), ""))
	if x.QueryParam("expired") == "1" { // a form sent after the session ended (guard)
		p.Form.Set("expired", "1")
	}
	return x.render(0, "login", p)
}

func (a *app) login(x *ctx) error {
	p := x.newPage("login.title", nil)
	email, password := x.fv("email"), x.form.Get("password")
	p.Form.Set("email", email)
	p.Form.Set("next", localPath(x.fv("next"), ""))
	if x.fv("expired") == "1" { // still said when a login is refused
		p.Form.Set("expired", "1")
	}
	if email == "" {
		p.Errors["email"] = x.T("login.email.required")
	}
	if password == "" {
		p.Errors["password"] = x.T("login.password.required")
	}
	if len(p.Errors) > 0 {
		return x.render(http.StatusBadRequest, "login", p)
	}
	l, err := a.d.Accounts.LoginFromDevice(x.Request().Context(), email, password, x.RealIP(), x.device())
	if err != nil {
		var de *domain.Error
		switch {
		case domain.Is(err, domain.TooManyRequests) && errors.As(err, &de):
			x.Response().Header().Set("Retry-After", itoa(de.RetryAfter))
			p.Problems = append(p.Problems, x.T("login.throttled", de.RetryAfter))
		case domain.Is(err, domain.Unauthorized):
			p.Problems = append(p.Problems, x.T("login.wrong"))
		default:
			p.Problems = append(p.Problems, x.problem(err))
		}
		return x.render(statusOf(err), "login", p)
	}
	a.startSession(x, l)
	return x.redirect(localPath(x.fv("next"), home(&l.User)))
}

// startSession keeps a login in the session cookie.
func (a *app) startSession(x *ctx, l accounts.Login) {
	maxAge := int(l.ExpiresAt.Sub(a.d.Now()).Seconds())
	if maxAge <= 0 {
		maxAge = int(accounts.SessionTTL.Seconds())
	}
	if x.token != "" && x.token != l.Token {
		// The session this browser held is replaced: it ends, as a logout
		// would end it, rather than stay valid where nobody sees it.
		if err := a.d.Accounts.Logout(x.Request().Context(), x.token); err != nil {
			a.d.Log.Warn("web: the session replaced by a login did not end", "user_id", x.user.ID, "err", err)
		}
	}
	a.setCookie(x.Context, sessionCookie, l.Token, maxAge)
	if l.Device != "" {
		a.setCookie(x.Context, deviceCookie, l.Device, int(accounts.DeviceTTL.Seconds()))
	}
}

// device is the browser's device token ("" when it has none).
func (x *ctx) device() string {
	if ck, err := x.Cookie(x.a.cookieName(deviceCookie)); err == nil {
		return ck.Value
	}
	return ""
}

func (a *app) logout(x *ctx) error {
	done := "logged_out"
	if x.token != "" {
		if err := a.d.Accounts.Logout(x.Request().Context(), x.token); err != nil {
			// The browser forgets the session all the same: the next
			// person at a shared computer must not find it logged in.
			// The server's copy lapses when it expires.
			a.d.Log.Warn("web: the session could not be ended on the server; the browser's cookie is cleared", "user_id", x.user.ID, "err", err)
			done = "logged_out_here"
		}
	}
	a.clearCookie(x.Context, sessionCookie)
	// What the browser keeps of the user's work (an assessor's unsent
	// drafts, app.js) goes with them: the next person at a shared
	// computer must not read it. app.js clears it too as the form goes:
	// a draft whose save was still waiting is written as the page is left,
	// which may be after this header was applied.
	x.Response().Header().Set("Clear-Site-Data", `"storage"`)
	return x.redirect("/login?ok=" + done)
}

func (a *app) signupForm(x *ctx) error {
	if x.user != nil {
		return x.redirect(home(x.user))
	}
	return x.render(0, "signup", x.newPage("signup.title", nil))
}

func (a *app) signup(x *ctx) error {
	p := x.newPage("signup.title", nil)
	in := accounts.NewUser{Name: x.fv("name"), Email: x.fv("email"), Password: x.form.Get("password"), Role: domain.RoleApplicant}
	p.Form.Set("name", in.Name)
	p.Form.Set("email", in.Email)
	u, _, err := a.d.Accounts.Create(x.Request().Context(), x.metaAs("register", domain.Actor{}), in) // its idem: sent twice, answered as the first
	if err != nil {
		return x.render(x.fieldErrors(p, err, nil), "signup", p)
	}
	a.keepAccountLanguage(x, u.ID, x.lang)
	l, err := a.d.Accounts.LoginFromDevice(x.Request().Context(), in.Email, in.Password, x.RealIP(), x.device())
	if err != nil {
		return x.redirect("/login?ok=registered")
	}
	a.startSession(x, l)
	return x.redirect("/applications?ok=welcome")
}

// keepAccountLanguage records lang as a new user's mail language until
// they choose one or apply: someone who signed up in Dutch was mailed
// their account's notices in English. The account is made either way; a
// failure only leaves those notices in English.
func (a *app) keepAccountLanguage(x *ctx, userID, lang string) {
	if a.d.Mail == nil {
		return
	}
	if err := a.d.Mail.SetAccountLanguage(x.Request().Context(), userID, lang); err != nil {
		a.d.Log.Warn("web: the new account's mail language not kept", "user_id", userID, "err", err)
	}
}

// publicRegister shapes the public register's rows for the pages, as for the API.
func (a *app) publicRegister() api.PublicRegister {
	return api.PublicRegister{Users: a.d.Accounts, Vault: a.d.Reads.Vault, Now: a.d.Now}
}

// registerPage is how many rows a page of the public register shows (50;
// a test pages through a few): the whole register, tens of thousands of
// rows, was one page of many megabytes.
var registerPage = func() *atomic.Int32 {
	var n atomic.Int32
	n.Store(50)
	return &n
}()

func (a *app) registerList(x *ctx) error {
	q := strings.TrimSpace(x.QueryParam("q"))
	if r := []rune(q); len(r) > 200 {
		q = string(r[:200]) // characters, not bytes: a cut letter made the page's form invalid UTF-8
	}
	scheme, level := enumParam(x.QueryParam("scheme"), schemes), enumParam(x.QueryParam("level"), levelIDs())
	f := api.RegisterFilter{Scheme: scheme, Level: level, Text: q}
	cursor := x.QueryParam("cursor")
	var rows []api.RegisterRow
	var total, next int
	spoilt := false
	a.read(func(m *projections.Models) {
		list := a.publicRegister().Listed(x.Request().Context(), m.Register)
		from := 0
		if e, ok := m.Register.Lookup(cursor); ok { // an unknown one: the first page, saying so
			from = list.After(e.AwardedAt, e.AccreditationID)
		} else {
			spoilt, cursor = cursor != "", ""
		}
		total = list.Count(f)
		rows, next = list.Search(f, from, int(registerPage.Load()))
	})
	// The page's links keep the search; the next page starts after its
	// last row, as the API's next_cursor.
	link := func(cursor string) string {
		v := url.Values{}
		for k, val := range map[string]string{"q": q, "scheme": scheme, "level": level, "cursor": cursor} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if len(v) == 0 {
			return "/register"
		}
		return "/register?" + v.Encode()
	}
	d := map[string]any{"Rows": rows, "Total": total, "Searched": x.QueryParams().Has("q")}
	if cursor != "" {
		d["First"] = link("")
	}
	if next >= 0 && len(rows) > 0 {
		d["Next"] = link(rows[len(rows)-1].AccreditationID)
	}
	p := x.newPage("register.title", d)
	if spoilt {
		p.Spoilt = x.T("pager.spoilt")
	}
	p.Form.Set("q", q)
	p.Form.Set("scheme", scheme)
	p.Form.Set("level", level)
	return x.render(0, "register", p)
}

func (a *app) verify(x *ctx) error {
	id := x.Param("acc")
	var e projections.RegisterEntry
	var ok bool
	var replacedBy string
	a.read(func(m *projections.Models) {
		if e, ok = m.Register.Lookup(id); ok {
			replacedBy = m.Register.ReplacedBy(e)
		}
	})
	if !ok {
		return domain.Errorf(domain.NotFound, "no accreditation %s", id)
	}
	row, _, err := a.publicRegister().Row(x.Request().Context(), e)
	if err != nil {
		return err
	}
	row.ReplacedBy = replacedBy
	if row.Status == accreditation.StatusActive && !row.Valid {
		// Past its date, before the expiry job has recorded it: it is
		// expired, not "not valid: Active".
		row.Status = accreditation.StatusExpired
	}
	return x.render(0, "verify", x.newPage("verify.title", row))
}

// evidenceFile serves an evidence file to whoever may see its case: PDFs
// and images inline (?inline=1) for the viewer, anything else as a
// download. An inline file may be framed by this site's pages only.
func (a *app) evidenceFile(x *ctx) error {
	id, err := caseParam(x)
	if err != nil {
		return err
	}
	f, err := a.d.Cases.EvidenceFile(x.Request().Context(), x.actor(), id, x.Param("ev"))
	if err != nil {
		return err
	}
	h := x.Response().Header()
	disposition := "attachment"
	if x.QueryParam("inline") == "1" && cases.InlineType(f.ContentType) {
		disposition = "inline"
		h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'")
		h.Set("X-Frame-Options", "SAMEORIGIN")
	} else {
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}))
	h.Set("Cache-Control", "private, no-store")
	defer f.Body.Close()
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10)) // a file that fails to open midway ends short
	return x.Stream(http.StatusOK, f.ContentType, f.Body)
}
