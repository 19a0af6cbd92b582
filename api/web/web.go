// Package web is the browser application on accreditd: the applicant portal,
// the assessor workbench and the office console, server-rendered with
// html/template from files embedded in the binary, on the same domain
// services and role rules as the JSON API.
//
// Every page and form is one row of the route table (routes.go) with the
// roles that may use it; one middleware (guard) enforces it: who is calling
// (the session cookie), may they (the roles), is a form genuine (CSRF), and
// in which language to answer. Handlers never check roles themselves; the
// domain services still check who may do what to which case, as for the API.
//
// Sessions are the accounts service's own tokens, kept in an HttpOnly,
// SameSite=Lax cookie (Secure unless Deps.Secure is off); logging out
// revokes the token in the session store. Every form carries a CSRF token:
// the SHA-256 of a random per-browser seed (its own HttpOnly cookie) and the
// session token. Another site can neither read nor compute it, a new login
// changes it, and it needs no server secret, so any accreditd of a cluster
// checks it. The login and sign-up forms also take the token without a
// session, which their pages carry, so that one sent again after it logged
// the browser in is answered rather than refused (checkCSRF). The guard
// also refuses a foreign Origin or a cross-site Sec-Fetch-Site. An upload's
// multipart body is read up to its file (the last field) to find the token,
// and the file is then streamed to the case service as the API does.
//
// The pages have no inline script or style, so the API's
// Content-Security-Policy (default-src 'self') holds for them unchanged;
// static/app.js only enhances: upload progress (XMLHttpRequest posting the
// same form, the plain post without it) with the size checked before the
// upload starts, and the assessor's draft, kept in the browser's
// localStorage (nothing half-written is stored on the server; it is never
// sent until submitted, and leaving or reloading the page keeps it). Its key
// ends with the assessor's user id; a logout removes every draft, and a
// logged-in page (its <body data-user>) removes every draft that is not its
// user's, or was last saved over a week ago, so that a session that ended
// without a logout leaves its draft for the same assessor only.
//
// All words are in one catalogue (messages.go), English and Dutch; the
// framework's texts come from the framework in the chosen language. The
// language is a cookie set by the switch on every page, or the browser's
// preference. The domain's own error reasons are translated where common and
// otherwise shown as the domain wrote them.
//
// It imports echo (it is part of the HTTP side) but not the api package's
// handlers: it calls the domain services and read models directly. It must
// not import nats.go or the stores' adapters.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/api"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/credential"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/mail"
	"github.com/emcc/accredit/domain/recovery"
	"github.com/emcc/accredit/domain/selfcheck"
	"github.com/emcc/accredit/projections"
)

// Deps is what the web application is built on.
type Deps struct {
	Accounts *accounts.Service
	Cases    *cases.Service
	// SelfChecks keeps logged-in users' self-checks; anonymous ones are
	// evaluated and stored nowhere.
	SelfChecks *selfcheck.Service
	// Credentials issues the holder's credential and certificate.
	Credentials *credential.Service
	Reads       *api.ReadSide
	Catalogue   *framework.Catalogue
	Log         *slog.Logger
	Now         func() time.Time
	// Verify checks the audit trail's hash chains and signed checkpoints;
	// Checkpoint signs and records one now (as api.Deps.Verify and
	// Checkpoint). The audit integrity page needs them.
	Verify     func(ctx context.Context) (audit.Report, error)
	Checkpoint func(ctx context.Context) (audit.Checkpoint, error)
	// Secure marks cookies Secure; off only for plain-HTTP development.
	Secure bool
	// Mail is the email outbox and the users' choices (nil: no email pages).
	Mail *mail.Outbox
	// Recovery issues and redeems one-time links (nil: no recovery pages).
	Recovery *recovery.Service
	// RequestKey keys the hashes that bind a form's "idem" to what the
	// form says (as api.Deps.RequestKey, and the same one): every process
	// of a cluster must have the same. Without one, a random key is used:
	// a form sent again then matches only on the same process.
	RequestKey []byte
	// PublicHost is the host (and port, if any) of the site's public
	// address (ACCREDIT_PUBLIC_URL): a form's Origin may name it as well as
	// the request's Host, which a proxy in front may have rewritten.
	PublicHost string
}

// app is the running web application.
type app struct {
	d     Deps
	views *views
}

// Register adds the web application's routes to e. It also has echo's
// error handler answer the browser with a page (not a problem document)
// for paths outside the API, such as an unknown page.
func Register(e *echo.Echo, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Catalogue == nil {
		d.Catalogue = framework.Default()
	}
	if len(d.RequestKey) == 0 {
		d.RequestKey = randomKey()
	}
	a := &app{d: d, views: mustViews(d.Catalogue)}
	for _, r := range a.routes() {
		e.Add(r.Method, r.Path, a.guard(r))
		if r.Method == http.MethodGet {
			e.Add(http.MethodHead, r.Path, a.guard(r)) // as the API's GETs (api.New)
		}
	}
	apiErrors := e.HTTPErrorHandler
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if c.Response().Committed || !isWebPath(c.Request().URL.Path) {
			apiErrors(err, c)
			return
		}
		x := a.newCtx(c)
		x.authenticate()
		_ = x.errorPage(err)
	}
}

// isWebPath tells the browser application's paths from the API's. The
// two well-known documents (the office's DID and keys) are the API's: a
// resolver asking for one is answered with a problem document, not a page;
// any other /.well-known/ path (a browser's change-password) is the web's.
func isWebPath(p string) bool {
	for _, prefix := range []string{"/api/", "/healthz", "/readyz", "/metrics", "/.well-known/did.json", "/.well-known/jwks.json"} {
		if strings.HasPrefix(p, prefix) {
			return false
		}
	}
	return true
}

// RouteInfo is one page or form of the route table, for tests.
type RouteInfo struct {
	Method string
	Path   string
	Roles  []domain.Role
	Public bool
}

// Routes lists the route table (for tests).
func Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range (&app{}).routes() {
		out = append(out, RouteInfo{Method: r.Method, Path: r.Path, Roles: r.Roles, Public: r.Public})
	}
	return out
}

// read runs fn on the read models.
func (a *app) read(fn func(m *projections.Models)) {
	a.d.Reads.Runner.Read(func(s *projections.Set) { fn(s.Typed()) })
}

// settle waits, up to the read-your-writes bound (ACCREDIT_READ_WAIT),
// until the read models reflect seq, so that the page a command redirects
// to shows it (read-your-writes). So does the search index once it is
// built (while it builds, it shows that it does). Past the bound the page
// says that the change is saved but may not show yet (ctx.unseen).
func (a *app) settle(x *ctx, seq uint64) {
	if a.d.Reads == nil || a.d.Reads.Runner == nil || seq == 0 {
		return
	}
	wctx, cancel := context.WithTimeout(x.Request().Context(), a.d.Reads.Wait())
	defer cancel()
	err := a.d.Reads.Runner.WaitFor(wctx, seq)
	if idx := a.d.Reads.Search; err == nil && idx != nil && idx.Status().Built {
		err = idx.WaitFor(wctx, seq)
	}
	if err != nil {
		x.unseen = max(x.unseen, seq)
	}
}

// pendingParam is the query parameter of a page redirected to after a
// change the read side had not applied yet: its seq.
const pendingParam = "pending"

// shows reports whether the read side has applied seq: the read models,
// and the search index once it is built (as settle waits for them).
func (a *app) shows(seq uint64) bool {
	if a.d.Reads == nil || a.d.Reads.Runner == nil {
		return true
	}
	if a.d.Reads.Runner.Position() < seq {
		return false
	}
	idx := a.d.Reads.Search
	return idx == nil || !idx.Status().Built || idx.Position() >= seq
}

// sla is the service level from submission to decision: the cases
// service's, the one a case's expected decision date is computed with.
func (a *app) sla() time.Duration { return a.d.Cases.SLA() }

// stringsOf lists typed names (states, kinds) as the strings that forms and
// templates take.
func stringsOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// statusOf is the status of an error page: the API's one mapping, so that a
// page and a problem document answer an error alike.
var statusOf = api.ErrorStatus
