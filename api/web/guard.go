package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
)

// The cookies of the web application. All are HttpOnly and SameSite=Lax,
// and Secure unless Deps.Secure is off; with Secure on, all but the
// language are named with the __Host- prefix (cookieName).
const (
	sessionCookie = "accredit_session" // the accounts service's session token
	csrfCookie    = "accredit_csrf"    // a random seed the form tokens derive from
	// deviceCookie is the device token of the browser's last login
	// (accounts.LoginFromDevice): its owner's browser still logs in while
	// many addresses together have the account's logins throttled. It
	// outlives a logout, as it names nobody and opens nothing.
	deviceCookie = "accredit_device"
	langCookie   = "accredit_lang" // "en" or "nl"
)

// maxFormBytes bounds a form without a file.
const maxFormBytes = 2 << 20

// ctx is one request to the web application, as the guard has vetted it.
type ctx struct {
	echo.Context
	a     *app
	user  *accounts.UserView
	token string // the session token, when logged in
	lang  string
	seed  string // the CSRF seed of this browser
	form  url.Values
	// file is the multipart part of an upload's file (the last field of the
	// form), positioned for the handler to stream; nil when none was sent.
	file *multipart.Part
	// unseen is the seq of a change this request saved that the read side
	// had not applied when settle gave up (0: none): the page it answers
	// with, or redirects to, says so (see pendingParam).
	unseen uint64
	// again: this is a merging save's second run (againIfOvertaken).
	again bool
}

// guard is the one middleware of every page and form: it answers in the
// visitor's language, knows the logged-in user from the session cookie,
// sends anonymous visitors of a non-public page to the login page, shows a
// 403 page to a user of another role, and refuses a form (any method but
// GET and HEAD) without a genuine CSRF token. Handlers' errors become pages.
func (a *app) guard(r route) echo.HandlerFunc {
	return func(c echo.Context) error {
		x := a.newCtx(c)
		x.authenticate()
		if !r.Public {
			if x.user == nil {
				if r.Path == "/logout" {
					// Logging out of a session already ended: done. The
					// browser's storage goes as at any logout.
					a.clearCookie(c, sessionCookie)
					c.Response().Header().Set("Clear-Site-Data", `"storage"`)
					return c.Redirect(http.StatusSeeOther, "/login?ok=logged_out")
				}
				if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
					// A form sent after the session ended: the login page
					// says so, and leads back to the form's page (app.js
					// keeps what was typed and puts it back there).
					return c.Redirect(http.StatusSeeOther, "/login?expired=1&next="+url.QueryEscape(x.backPath()))
				}
				return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
			}
			if !slices.Contains(r.Roles, x.user.Role) {
				return x.errorPage(errWrongRole{need: r.Roles})
			}
		}
		if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
			if err := x.readForm(); err != nil {
				return x.errorPage(err)
			}
			if err := x.checkCSRF(r.LogsIn); err != nil {
				return x.errorPage(err)
			}
		}
		if err := r.h(x); err != nil {
			return x.errorPage(err)
		}
		return nil
	}
}

// errWrongRole is a page of another role.
type errWrongRole struct{ need []domain.Role }

func (e errWrongRole) Error() string { return "this page needs another role" }

// errCSRF is a form without a genuine token.
var errCSRF = errors.New("csrf")

// newCtx reads the language and the CSRF seed, setting the seed cookie on
// a browser's first visit.
func (a *app) newCtx(c echo.Context) *ctx {
	x := &ctx{Context: c, a: a, form: url.Values{}}
	x.lang = pickLang(c.Request())
	if ck, err := c.Cookie(a.cookieName(csrfCookie)); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 64 {
		x.seed = ck.Value
	} else {
		x.seed = randomToken(32)
		a.setCookie(c, csrfCookie, x.seed, 0)
	}
	return x
}

// authenticate knows the user of the session cookie, if it is valid; an
// invalid one is cleared.
func (x *ctx) authenticate() {
	ck, err := x.Cookie(x.a.cookieName(sessionCookie))
	if err != nil || ck.Value == "" {
		return
	}
	u, err := x.a.d.Accounts.Authenticate(x.Request().Context(), ck.Value)
	if err != nil {
		if domain.Is(err, domain.Unauthorized) {
			x.a.clearCookie(x.Context, sessionCookie)
		}
		return
	}
	x.user, x.token = &u, ck.Value
	x.Set("user", u) // for the access log
}

// cookieName is the name a cookie is set and read under. With Secure on,
// the session and the CSRF seed take the __Host- prefix: a browser keeps
// such a cookie only when it is set Secure, with Path=/ and no Domain, by
// this host. A sibling subdomain can then not plant one of its choosing (a
// seed whose form tokens it knows, or its own session), as it can plant
// a cookie for the parent domain under the plain name, which is ignored.
func (a *app) cookieName(base string) string {
	if a.d.Secure && base != langCookie {
		return "__Host-" + base
	}
	return base
}

// setCookie sets the cookie base (named by cookieName).
func (a *app) setCookie(c echo.Context, base, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: a.cookieName(base), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: a.d.Secure, SameSite: http.SameSiteLaxMode})
}

func (a *app) clearCookie(c echo.Context, name string) { a.setCookie(c, name, "", -1) }

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfToken is the token every form of this browser and session carries: a
// hash of the browser's secret seed and the session token, so that another
// site can neither read nor compute it, and a new login changes it.
func (x *ctx) csrfToken() string { return formToken(x.seed, x.token) }

// formToken is the form token of CSRF seed seed and session token session
// ("" without a session).
func formToken(seed, session string) string {
	sum := sha256.Sum256([]byte("accredit-csrf\x00" + seed + "\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// checkCSRF refuses a form from another site: a foreign Origin or
// Sec-Fetch-Site, or a token that does not match.
//
// A form that logs in (logsIn: login, sign-up) is also taken with this
// browser's token without a session while it holds one. Its page was made
// before the login it sends (the login and sign-up pages send a logged-in
// browser home), so once the first sending has logged the browser in, the
// same form sent again (Back, then send; a second click once the first's
// answer had set the session) carries the token of no session: it is
// answered as a user expects, the sign-up as the first (its "idem") and
// the login by logging in again, not with the refusal page. This opens
// nothing: that token still proves knowledge of the seed (an HttpOnly
// cookie, __Host- with Secure on, that another site can neither read nor
// set), so a forged login or sign-up is refused as before; it is the token
// such a form carries anyway when the browser has no session, and a login
// or sign-up does nothing with the session it replaces but end it
// (startSession); and no other form takes it, so a page from before a
// login still acts on nothing the session may do.
func (x *ctx) checkCSRF(logsIn bool) error {
	req := x.Request()
	if o := req.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || !(strings.EqualFold(u.Host, req.Host) || x.a.d.PublicHost != "" && strings.EqualFold(u.Host, x.a.d.PublicHost)) {
			return errCSRF
		}
	}
	if req.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return errCSRF
	}
	got := x.form.Get("csrf")
	if got == "" {
		got = req.Header.Get("X-CSRF-Token")
	}
	if _, err := x.Cookie(x.a.cookieName(csrfCookie)); err != nil || got == "" {
		return errCSRF
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(x.csrfToken())) == 1 {
		return nil
	}
	if logsIn && x.token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(formToken(x.seed, ""))) == 1 {
		return nil
	}
	return errCSRF
}

// readForm reads a form's fields. A multipart form (an upload) is read up
// to its file, which is left for the handler to stream: the file is the
// last field of an upload form, as browsers send fields in form order.
func (x *ctx) readForm() error {
	req := x.Request()
	mt, params, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if mt != "multipart/form-data" {
		req.Body = http.MaxBytesReader(x.Response(), req.Body, maxFormBytes)
		if err := req.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return domain.Errorf(domain.TooLarge, "the form is over %d bytes", maxFormBytes)
			}
			return domain.Errorf(domain.Invalid, "unreadable form")
		}
		x.form = req.PostForm
		return notUTF8(x.form)
	}
	limit := x.a.maxUpload() + 1<<20
	if req.ContentLength > limit {
		return &domain.Error{Code: domain.TooLarge, Message: fmt.Sprintf("the upload is over the limit of %d bytes", x.a.maxUpload())}
	}
	req.Body = http.MaxBytesReader(x.Response(), req.Body, limit)
	mr := multipart.NewReader(req.Body, params["boundary"])
	held := 0 // bytes of the fields before the file, all kept in x.form
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return &domain.Error{Code: domain.TooLarge, Message: fmt.Sprintf("the upload is over the limit of %d bytes", x.a.maxUpload())}
			}
			return domain.Errorf(domain.Invalid, "unreadable form")
		}
		if p.FormName() == "file" {
			if p.FileName() == "" { // no file chosen
				_, _ = io.Copy(io.Discard, p)
				continue
			}
			x.file = p
			return nil
		}
		b, _ := io.ReadAll(io.LimitReader(p, maxFormField+1))
		if len(b) > maxFormField {
			// Cut to the limit it could still read as a value, not the one
			// sent: refused instead, naming it.
			return domain.InvalidFields("a field over its limit", domain.FieldError{Field: p.FormName(), Reason: fmt.Sprintf("at most %d bytes", maxFormField)})
		}
		if held += len(b); held > maxFormBytes {
			// As a form without a file is bounded: the fields are held
			// until the file comes, before the gate of uploads in flight.
			return domain.Errorf(domain.TooLarge, "the form's fields before its file are over %d bytes", maxFormBytes)
		}
		if err := notUTF8(url.Values{p.FormName(): {string(b)}}); err != nil {
			return err
		}
		x.form.Add(p.FormName(), string(b))
	}
}

// notUTF8 refuses a form with a name or value that is not valid UTF-8,
// naming the field, as the API refuses such a JSON body: a browser sends
// the pages' forms in UTF-8, and a byte that is none would be stored as
// U+FFFD, or shown as it came, not as typed.
func notUTF8(form url.Values) error {
	for _, k := range slices.Sorted(maps.Keys(form)) {
		field := k
		if !utf8.ValidString(k) {
			field = "(form)"
		}
		if field == "(form)" || slices.ContainsFunc(form[k], func(v string) bool { return !utf8.ValidString(v) }) {
			return domain.InvalidFields("the form is not valid UTF-8", domain.FieldError{Field: field, Reason: "not valid UTF-8"})
		}
	}
	return nil
}

// maxFormField is the most of a field of a multipart form (the evidence
// upload's, before its file) that is read; a longer one is refused.
const maxFormField = 64 << 10

func (a *app) maxUpload() int64 {
	if a.d.Cases == nil {
		return 0
	}
	return a.d.Cases.MaxUpload()
}

// actor is who the caller is for the domain.
func (x *ctx) actor() domain.Actor {
	if x.user == nil {
		return domain.Actor{}
	}
	return domain.Actor{ID: x.user.ID, Role: x.user.Role}
}

// meta is a command's metadata. A form's "idem" field (a random value
// rendered into the form) makes a double submission write once; it is
// bound to what the form says (formHash), so that the form sent again
// with other values (back, edit, save) is refused, the page saying so and
// keeping what was typed, rather than answered as the first with the
// change dropped. A form
// that replaces what it shows (a portfolio, a self-assessment, an evidence
// item, an assessor's profile) carries the "version" it was shown at
// (template "version"): a save over a change made since to what it
// replaces, in another tab or by someone else, is refused rather than
// undoing that change unseen (fieldErrors says so, and the page keeps what
// was typed); a change to another field, or another part of a case, is not
// (merge).
func (x *ctx) meta(command string) aggregate.Meta { return x.metaAs(command, x.actor()) }

// metaAs is meta for a command made as actor: a sign-up is the
// registrant's own (an empty actor) whoever is logged in in the browser,
// as its first sending may have logged it in.
func (x *ctx) metaAs(command string, actor domain.Actor) aggregate.Meta {
	m := aggregate.Meta{Command: command, Actor: actor, CorrelationID: x.Response().Header().Get(echo.HeaderXRequestID)}
	if k := x.form.Get("idem"); k != "" && len(k) <= 100 {
		sum := sha256.Sum256([]byte("web\x00" + m.Actor.ID + "\x00" + x.Request().URL.Path + "\x00" + k))
		m.CommandID = "web-" + hex.EncodeToString(sum[:16])
		m.RequestHash = x.formHash()
	}
	if v, err := strconv.ParseUint(x.form.Get("version"), 10, 64); err == nil {
		m.IfVersion = &v
	}
	return m
}

// formHash is a keyed digest of the form as sent: its method, path and
// fields, sorted by name, but the CSRF token and "idem" (see meta). Keyed,
// as it is stored beside the command's events for good and a form may
// hold a password. An upload's file is not in it (it is read after the
// command's metadata is made): fileHash adds it.
func (x *ctx) formHash() string {
	mac := hmac.New(sha256.New, x.a.d.RequestKey)
	write := func(s string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		mac.Write(n[:]) // length-prefixed: no two forms hash alike by shifting bytes
		mac.Write([]byte(s))
	}
	write(x.Request().Method)
	write(x.Request().URL.Path)
	for _, k := range slices.Sorted(maps.Keys(x.form)) {
		if k == "csrf" || k == "idem" {
			continue
		}
		write(k)
		write(strconv.Itoa(len(x.form[k])))
		for _, v := range x.form[k] {
			write(v)
		}
	}
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// fileHash is the request hash of an upload form: its fields' (formHash),
// the file's name and the SHA-256 of its content, known once the file is
// read; the form sent again with another file is another request.
func (x *ctx) fileHash(fields, fileName string, fileSHA256 []byte) string {
	mac := hmac.New(sha256.New, x.a.d.RequestKey)
	for _, p := range [][]byte{[]byte(fields), []byte(fileName), fileSHA256} {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
		mac.Write(n[:])
		mac.Write(p)
	}
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// randomKey is a key for formHash when none is configured.
func randomKey() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// merge lets a form that replaces what it shows (its fields, which values
// renders from a case) be saved over the changes made to case c since it
// was shown (its "version", see meta), field by field: a field left as the
// form showed it takes c's value now, one changed in the form keeps the
// form's. Then x.form holds the merged values and m is at c's version. A
// field changed both in the form and since, to another value, leaves both
// as they are: the save is refused and the page keeps what was typed (as
// when the shown version cannot be read: never let through unchecked).
func (a *app) merge(x *ctx, m aggregate.Meta, c *cases.CaseView, fields []string, values func(*cases.CaseView) url.Values) aggregate.Meta {
	if m.IfVersion == nil || *m.IfVersion >= c.Version {
		return m
	}
	shown, err := a.d.Cases.AtVersion(x.Request().Context(), x.actor(), c.ID, *m.IfVersion)
	if err != nil {
		return m
	}
	was, now := values(shown), values(c)
	merged := url.Values{}
	for k, v := range x.form {
		merged[k] = v
	}
	for _, f := range fields {
		cur := formText(now[f])
		v, ok := mergeField(formText(was[f]), formText(x.form[f]), cur)
		if !ok {
			return m // changed here and since
		}
		if v == cur {
			merged[f] = now[f] // as shown here: the change made since stands
		}
	}
	x.form = merged
	v := c.Version
	m.IfVersion = &v
	return m
}

// mergeField is a field's value after a form that showed shown saves mine
// over now: now where the form left it as shown, mine where it changed it
// and now did not (or to the same); false where both changed it apart.
func mergeField[T comparable](shown, mine, now T) (T, bool) {
	switch {
	case mine == shown:
		return now, true
	case now == shown || now == mine:
		return mine, true
	}
	return mine, false
}

// mergeSet is a set's members after a form that showed shown saves mine
// over now: now, with what the form added and without what it took off.
func mergeSet(shown, mine, now []string) []string {
	out := []string{}
	for _, v := range now {
		if !slices.Contains(shown, v) || slices.Contains(mine, v) { // not taken off here
			out = append(out, v)
		}
	}
	for _, v := range mine {
		if !slices.Contains(shown, v) && !slices.Contains(out, v) { // added here
			out = append(out, v)
		}
	}
	return out
}

// formText is a field's values as a form compares them: trimmed, none the
// same as one empty.
func formText(vs []string) string {
	t := make([]string, len(vs))
	for i, v := range vs {
		t[i] = strings.TrimSpace(v)
	}
	return strings.Join(t, "\x00")
}

// fv is a form value, trimmed.
func (x *ctx) fv(name string) string { return strings.TrimSpace(x.form.Get(name)) }

// redirect answers a form with 303 See Other; after a change the read side
// has not applied yet (settle), the page redirected to is told which
// (pendingParam), to say it may not show it.
func (x *ctx) redirect(to string) error {
	if x.unseen > 0 {
		if u, err := url.Parse(to); err == nil {
			q := u.Query()
			q.Set(pendingParam, strconv.FormatUint(x.unseen, 10))
			u.RawQuery = q.Encode()
			to = u.String()
		}
	}
	return x.Redirect(http.StatusSeeOther, to)
}

// localPath returns p if it is a path on this site, else def: never an
// open redirect.
func localPath(p, def string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return def
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return def
	}
	return p
}

// home is where a user of each role starts.
func home(u *accounts.UserView) string {
	if u == nil {
		return "/"
	}
	switch u.Role {
	case domain.RoleApplicant:
		return "/applications"
	case domain.RoleAssessor:
		return "/queue"
	case domain.RoleOffice:
		return "/office"
	}
	return "/"
}
