package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/credential"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/mail"
	"github.com/emcc/accredit/domain/recovery"
	"github.com/emcc/accredit/domain/selfcheck"
)

// Readiness is what /readyz reports.
type Readiness struct {
	Ready       bool             `json:"ready"`
	JetStream   string           `json:"jetstream"`
	Position    uint64           `json:"position"`
	StoreSeq    uint64           `json:"store_seq"`
	Lag         uint64           `json:"lag"`
	Projections []ProjectionInfo `json:"projections,omitempty"`
}

// ProjectionInfo is one read model's position.
type ProjectionInfo struct {
	Name     string `json:"name"`
	Position uint64 `json:"position"`
	Lag      uint64 `json:"lag"`
}

// Deps is what the API is built on.
type Deps struct {
	Accounts   *accounts.Service
	Catalogue  *framework.Catalogue
	Log        *slog.Logger
	Ready      func(ctx context.Context) Readiness
	Verify     func(ctx context.Context) (audit.Report, error)
	Checkpoint func(ctx context.Context) (audit.Checkpoint, error)
	Now        func() time.Time
	Metrics    *Metrics
	Cases      *cases.Service
	// SelfChecks keeps logged-in users' development self-checks.
	SelfChecks *selfcheck.Service
	// Credentials issues awards as verifiable credentials and publishes
	// the office's keys and status lists.
	Credentials *credential.Service
	Reads       *ReadSide
	// WaitFor waits until every read model reflects seq (read-your-writes).
	WaitFor func(ctx context.Context, seq uint64) error
	// TrustedProxies may name the client in X-Forwarded-For; with none,
	// the client is the connection's address.
	TrustedProxies []*net.IPNet
	// RequestKey keys the request hashes bound to Idempotency-Keys; every
	// process of a cluster must have the same (accreditd derives it from
	// the master key). Without one, a random key is used: retries then
	// match only on the same process.
	RequestKey []byte
	// HSTS sends Strict-Transport-Security (with secure cookies on: the
	// site is served over HTTPS).
	HSTS bool
	// Mail is the email outbox and the users' choices (nil: no routes).
	Mail *mail.Outbox
	// Recovery issues and redeems one-time links (nil: no routes).
	Recovery *recovery.Service
	// Replays keeps the answers of the commands that record no event by
	// their Idempotency-Key (nil: kept in this process only).
	Replays ReplayStore
}

// Server is the HTTP API.
type Server struct {
	deps        Deps
	Echo        *echo.Echo
	fallbackKey []byte
	replays     ReplayStore
}

// Route is one endpoint and who may call it.
type Route struct {
	Method string
	Path   string
	// Roles that may call it; Public routes need no login, and
	// Authenticated ones any logged-in user.
	Roles  []domain.Role
	Public bool
	// AnyOrigin routes may be read by a page of any site (CORS): the
	// public documents a credential's verifier fetches, often a web page
	// elsewhere. They take no cookie and no login.
	AnyOrigin bool
	// Replay: a command that records no event, whose answer is kept for
	// its Idempotency-Key (replayed).
	Replay  bool
	handler echo.HandlerFunc
}

// routes is the one table of endpoints and their roles.
func (s *Server) routes() []Route {
	anyRole, applicant, assessor, office := domain.UserRoles, domain.ApplicantOnly, domain.AssessorOnly, domain.OfficeOnly
	assessorOrOffice, holderOrOffice := domain.AssessorOrOffice, domain.HolderOrOffice
	routes := []Route{
		{Method: http.MethodGet, Path: "/healthz", Public: true, handler: s.healthz},
		{Method: http.MethodGet, Path: "/readyz", Public: true, handler: s.readyz},
		{Method: http.MethodGet, Path: "/api/v1/framework", Public: true, handler: s.getFramework},
		{Method: http.MethodGet, Path: "/api/v1/framework/indicators/:number", Public: true, handler: s.getIndicator},
		{Method: http.MethodPost, Path: "/api/v1/auth/register", Public: true, handler: s.register},
		{Method: http.MethodPost, Path: "/api/v1/auth/login", Public: true, handler: s.login},
		{Method: http.MethodPost, Path: "/api/v1/auth/logout", Roles: anyRole, handler: s.logout},
		{Method: http.MethodGet, Path: "/api/v1/me", Roles: anyRole, handler: s.me},
		{Method: http.MethodPost, Path: "/api/v1/me/password", Roles: anyRole, handler: s.changePassword},
		{Method: http.MethodGet, Path: "/api/v1/me/sessions", Roles: anyRole, handler: s.mySessions},
		{Method: http.MethodPost, Path: "/api/v1/me/sessions/revocation", Roles: anyRole, handler: s.endMyOtherSessions},
		{Method: http.MethodPost, Path: "/api/v1/users", Roles: office, handler: s.createUser},
		{Method: http.MethodGet, Path: "/api/v1/users", Roles: office, handler: s.listUsers},
		{Method: http.MethodGet, Path: "/api/v1/users/:id", Roles: office, handler: s.getUser},
		{Method: http.MethodPut, Path: "/api/v1/users/:id/assessor-profile", Roles: office, handler: s.setProfile},
		{Method: http.MethodPost, Path: "/api/v1/users/:id/disable", Roles: office, handler: s.disableUser},
		{Method: http.MethodPost, Path: "/api/v1/users/:id/enable", Roles: office, handler: s.enableUser},
		{Method: http.MethodPost, Path: "/api/v1/users/:id/erasure", Roles: office, handler: s.eraseUser},
		{Method: http.MethodPost, Path: "/api/v1/users/:id/sessions/revocation", Roles: office, handler: s.endSessions},
		{Method: http.MethodGet, Path: "/api/v1/audit/verify", Roles: office, handler: s.auditVerify},
		{Method: http.MethodPost, Path: "/api/v1/audit/checkpoints", Roles: office, Replay: true, handler: s.auditCheckpoint},
		{Method: http.MethodGet, Path: "/metrics", Roles: office, handler: s.metrics},
		{Method: http.MethodGet, Path: "/api/v1/openapi.json", Public: true, handler: s.openapiSpec},
		{Method: http.MethodGet, Path: "/api/docs", Public: true, handler: s.openapiDocs},

		// The case commands and reads.
		{Method: http.MethodGet, Path: "/api/v1/evidence/limits", Public: true, handler: s.evidenceLimits},
		{Method: http.MethodGet, Path: "/api/v1/rulesets", Public: true, handler: s.listRuleSets},
		{Method: http.MethodGet, Path: "/api/v1/rulesets/:id", Public: true, handler: s.getRuleSet},
		{Method: http.MethodPost, Path: "/api/v1/rulesets", Roles: office, handler: s.publishRuleSet},
		{Method: http.MethodPost, Path: "/api/v1/cases", Roles: applicant, handler: s.openCase},
		{Method: http.MethodGet, Path: "/api/v1/cases", Roles: office, handler: s.searchCases},
		{Method: http.MethodGet, Path: "/api/v1/cases/:id", Roles: anyRole, handler: s.getCase},
		{Method: http.MethodGet, Path: "/api/v1/cases/:id/history", Roles: anyRole, handler: s.caseHistory},
		{Method: http.MethodGet, Path: "/api/v1/cases/:id/coverage", Roles: anyRole, handler: s.caseCoverage},
		{Method: http.MethodPut, Path: "/api/v1/cases/:id/portfolio", Roles: applicant, handler: s.putPortfolio},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/evidence", Roles: applicant, handler: s.addEvidence},
		{Method: http.MethodDelete, Path: "/api/v1/cases/:id/evidence/:evidence_id", Roles: applicant, handler: s.removeEvidence},
		{Method: http.MethodPut, Path: "/api/v1/cases/:id/evidence/:evidence_id", Roles: applicant, handler: s.editEvidence},
		{Method: http.MethodGet, Path: "/api/v1/cases/:id/evidence/:evidence_id/file", Roles: anyRole, handler: s.evidenceFile},
		{Method: http.MethodPut, Path: "/api/v1/cases/:id/self-assessment", Roles: applicant, handler: s.putSelfAssessment},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/submit", Roles: applicant, handler: s.submitCase},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/payment", Roles: office, handler: s.recordPayment},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/screening", Roles: office, handler: s.screenCase},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/assignments", Roles: office, handler: s.assignCase},
		{Method: http.MethodPut, Path: "/api/v1/cases/:id/assignments/:role", Roles: office, handler: s.reassignCase},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/assignments/:role/unassignment", Roles: office, handler: s.unassignCase},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/claim", Roles: assessor, handler: s.claimCase},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/assessments", Roles: assessor, handler: s.assessCase},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/interview", Roles: assessorOrOffice, handler: s.scheduleInterview},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/interview/record", Roles: assessor, handler: s.recordInterview},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/information-requests", Roles: assessorOrOffice, handler: s.requestInformation},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/information-responses", Roles: applicant, handler: s.provideInformation},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/moderation", Roles: office, handler: s.moderateCase},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/decision", Roles: office, handler: s.decideCase},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/appeal", Roles: applicant, handler: s.appealCase},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/appeal/decision", Roles: office, handler: s.decideAppeal},
		{Method: http.MethodPost, Path: "/api/v1/cases/:id/withdraw", Roles: applicant, handler: s.withdrawCase},
		{Method: http.MethodGet, Path: "/api/v1/accreditations/:id", Roles: anyRole, handler: s.getAccreditation},
		{Method: http.MethodPost, Path: "/api/v1/accreditations/:id/renewal", Roles: applicant, handler: s.renewAccreditation},
		{Method: http.MethodPost, Path: "/api/v1/accreditations/:id/renewal/assignment", Roles: office, handler: s.assignRenewal},
		{Method: http.MethodPost, Path: "/api/v1/accreditations/:id/renewal/assessment", Roles: assessor, handler: s.assessRenewal},
		{Method: http.MethodPost, Path: "/api/v1/accreditations/:id/revocation", Roles: office, handler: s.revokeAccreditation},
		{Method: http.MethodPost, Path: "/api/v1/accreditations/:id/withdrawal", Roles: holderOrOffice, handler: s.withdrawAccreditation},
		{Method: http.MethodGet, Path: "/api/v1/me/export", Roles: anyRole, handler: s.exportMine},
		{Method: http.MethodGet, Path: "/api/v1/users/:id/export", Roles: office, handler: s.exportUser},
		{Method: http.MethodPost, Path: "/api/v1/self-checks/evaluation", Public: true, handler: s.evaluateSelfCheck},
		{Method: http.MethodPost, Path: "/api/v1/me/self-checks", Roles: anyRole, handler: s.saveSelfCheck},
		{Method: http.MethodGet, Path: "/api/v1/me/self-checks", Roles: anyRole, handler: s.listSelfChecks},
		{Method: http.MethodGet, Path: "/api/v1/me/self-checks/:id", Roles: anyRole, handler: s.getSelfCheck},
	}
	if s.deps.Mail != nil {
		routes = append(routes, []Route{
			{Method: http.MethodGet, Path: "/api/v1/outbox", Roles: office, handler: s.outbox},
			{Method: http.MethodGet, Path: "/api/v1/outbox/:id", Roles: office, handler: s.outboxMessage},
			{Method: http.MethodGet, Path: "/api/v1/me/notifications", Roles: anyRole, handler: s.myNotifications},
			{Method: http.MethodPut, Path: "/api/v1/me/notifications", Roles: anyRole, Replay: true, handler: s.setMyNotifications},
		}...)
	}
	if s.deps.Recovery != nil {
		routes = append(routes, []Route{
			{Method: http.MethodPost, Path: "/api/v1/auth/password-reset-requests", Public: true, Replay: true, handler: s.requestPasswordReset},
			{Method: http.MethodPost, Path: "/api/v1/auth/password-resets", Public: true, handler: s.resetPassword},
			{Method: http.MethodPost, Path: "/api/v1/auth/email-confirmations", Public: true, handler: s.confirmEmail},
			{Method: http.MethodPost, Path: "/api/v1/me/email-changes", Roles: anyRole, Replay: true, handler: s.requestEmailChange},
			{Method: http.MethodPost, Path: "/api/v1/users/:id/password-reset-links", Roles: office, handler: s.issueResetLink},
		}...)
	}
	if s.deps.Reads != nil {
		// The read models.
		routes = append(routes, []Route{
			{Method: http.MethodGet, Path: "/api/v1/queue", Roles: assessorOrOffice, handler: s.queue},
			{Method: http.MethodGet, Path: "/api/v1/queue/finished", Roles: assessorOrOffice, handler: s.finishedQueue},
			{Method: http.MethodGet, Path: "/api/v1/decisions", Roles: office, handler: s.decisions},
			{Method: http.MethodGet, Path: "/api/v1/calibration", Roles: assessorOrOffice, handler: s.calibration},
			{Method: http.MethodGet, Path: "/api/v1/audit", Roles: office, handler: s.audit},
			{Method: http.MethodGet, Path: "/api/v1/me/cases", Roles: applicant, handler: s.myCases},
			{Method: http.MethodGet, Path: "/api/v1/register", Public: true, handler: s.registerList},
			{Method: http.MethodGet, Path: "/api/v1/register/:accreditation_id", Public: true, handler: s.verifyAccreditation},
			{Method: http.MethodGet, Path: "/api/v1/stats", Roles: office, handler: s.stats},
			{Method: http.MethodGet, Path: "/api/v1/programmes", Roles: holderOrOffice, handler: s.listProgrammes},
			{Method: http.MethodGet, Path: "/api/v1/programmes/:accreditation_id/effectiveness", Roles: holderOrOffice, handler: s.programmeEffectiveness},
			{Method: http.MethodGet, Path: "/api/v1/projections", Roles: office, handler: s.projectionStatus},
			{Method: http.MethodPost, Path: "/api/v1/projections/rebuild", Roles: office, Replay: true, handler: s.rebuildProjections},
		}...)
	}
	if s.deps.Reads != nil && s.deps.Credentials != nil {
		// Awards as verifiable credentials, the office's keys, the status lists.
		routes = append(routes, []Route{
			{Method: http.MethodGet, Path: "/.well-known/did.json", Public: true, AnyOrigin: true, handler: s.didDocument},
			{Method: http.MethodGet, Path: "/.well-known/jwks.json", Public: true, AnyOrigin: true, handler: s.jwks},
			{Method: http.MethodGet, Path: "/api/v1/accreditations/:id/credential", Roles: holderOrOffice, handler: s.getCredential},
			{Method: http.MethodGet, Path: "/api/v1/accreditations/:id/certificate", Roles: holderOrOffice, handler: s.getCertificate},
			{Method: http.MethodGet, Path: "/api/v1/credentials/status/:purpose", Public: true, AnyOrigin: true, handler: s.statusList},
			{Method: http.MethodPost, Path: "/api/v1/credentials/verification", Public: true, handler: s.verifyCredential},
		}...)
	}
	return routes
}

// waitMinSeq honours ?min_seq=N: it waits until the read models reflect N,
// up to the read-your-writes bound (ReadSide.Wait) for the write side and
// the read models together; past it, Unavailable (503 with Retry-After).
// An N past the store's end is refused at once (pastTheEnd).
func (s *Server) waitMinSeq(c echo.Context) error {
	v := c.QueryParam("min_seq")
	if v == "" {
		return nil
	}
	seq, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return domain.InvalidFields("bad query parameter", domain.FieldError{Field: "min_seq", Reason: "a non-negative integer (the seq a command returned)"})
	}
	if s.deps.WaitFor == nil {
		return nil
	}
	ctx := c.Request().Context()
	if err := s.pastTheEnd(ctx, seq); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, s.deps.Reads.Wait())
	defer cancel()
	return s.deps.WaitFor(wctx, seq)
}

// pastTheEnd refuses a min_seq past the store's last position: no command
// returned it, and asked again it would wait, and be refused, for ever.
// The store is asked (once) only when the read models are not at seq yet;
// when it cannot say, the wait decides.
func (s *Server) pastTheEnd(ctx context.Context, seq uint64) error {
	rs := s.deps.Reads
	if rs == nil || rs.Store == nil || (rs.Runner != nil && rs.Runner.Position() >= seq) {
		return nil
	}
	last, err := rs.Store.LastSeq(ctx)
	if err != nil || seq <= last {
		return nil
	}
	return domain.InvalidFields("bad query parameter", domain.FieldError{Field: "min_seq",
		Reason: fmt.Sprintf("%d is past the store's last position, %d: no command returned it", seq, last)})
}

// Routes lists the route table (for tests and the contract).
func (s *Server) Routes() []Route { return s.routes() }

// New builds the server.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{deps: d, Echo: echo.New(), fallbackKey: randomKey(), replays: d.Replays}
	if s.replays == nil {
		s.replays = &memReplays{m: map[string]memReplay{}}
	}
	e := s.Echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Log)
	e.IPExtractor = ipExtractor(d.TrustedProxies)
	e.Use(requestID)
	e.Use(s.accessLog)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		d.Log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err, "stack", string(stack))
		return err
	}}))
	e.Use(securityHeaders)
	if d.HSTS {
		e.Use(hsts)
	}
	for _, r := range s.routes() {
		chain := []echo.MiddlewareFunc{s.authorize(r), wellFormedQuery, s.idempotency}
		if r.AnyOrigin {
			chain = append(chain, anyOrigin)
		}
		if r.Replay {
			chain = append(chain, s.replayed)
		}
		e.Add(r.Method, r.Path, r.handler, chain...)
		if r.Method == http.MethodGet {
			// HEAD is GET without the body (RFC 9110 9.3.2): probes and
			// link checkers send it; echo routes it nowhere by itself.
			// net/http drops what the handler writes.
			e.Add(http.MethodHead, r.Path, r.handler, chain...)
		}
	}
	return s
}

// wellFormedQuery refuses a query string that cannot be read (a "%" not
// followed by two hex digits, a ";"): echo reads its parameters with
// url.ParseQuery, which drops such a pair unsaid, so a bad cursor or filter
// was answered as if it had not been sent (a first page, every row).
func wellFormedQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if q := c.Request().URL.RawQuery; q != "" {
			if _, err := url.ParseQuery(q); err != nil {
				return domain.InvalidFields("the query string cannot be read", domain.FieldError{Field: "(query)", Reason: err.Error()})
			}
		}
		return next(c)
	}
}

// ipExtractor says who the client is. Headers naming it are believed only
// from the trusted proxies: echo's defaults would also trust every
// loopback, link-local and private address, which a caller on the same
// network could use to pick any address it likes.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// anyOrigin lets a page of any site read the answer (CORS, a simple GET:
// no preflight). Only for public documents: "*" never carries cookies.
func anyOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Access-Control-Allow-Origin", "*")
		return next(c)
	}
}

// hsts tells browsers to use HTTPS only, for a year; set when cookies are
// Secure, i.e. the site is served over HTTPS. No includeSubDomains: other
// hosts of the domain are not ours to decide for.
func hsts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Strict-Transport-Security", "max-age=31536000")
		return next(c)
	}
}

// accessLog writes one structured line per request; never bodies or tokens.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.deps.Metrics.observe(c, time.Since(start))
		uid := ""
		if u, ok := c.Get("user").(accounts.UserView); ok {
			uid = u.ID
		}
		// Typed attributes: one line a request, boxing each value was a
		// few allocations of every command's.
		s.deps.Log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("method", c.Request().Method), slog.String("route", c.Path()), slog.Int("status", c.Response().Status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000), slog.String("user_id", uid))
		return nil
	}
}

// authorize enforces the route table: who is calling, and may they.
func (s *Server) authorize(r Route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if r.Public {
				// A public route still knows its caller when one is given.
				if tok := bearer(c); tok != "" {
					if u, err := s.deps.Accounts.Authenticate(c.Request().Context(), tok); err == nil {
						c.Set("user", u)
					}
				}
				return next(c)
			}
			tok := bearer(c)
			if tok == "" {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="accredit"`)
				return domain.Errorf(domain.Unauthorized, "log in first: Authorization: Bearer <token>")
			}
			u, err := s.deps.Accounts.Authenticate(c.Request().Context(), tok)
			if err != nil {
				if domain.Is(err, domain.Unauthorized) {
					c.Response().Header().Set("WWW-Authenticate", `Bearer realm="accredit", error="invalid_token"`)
				}
				return err
			}
			c.Set("user", u)
			c.Set("token", tok)
			if !slices.Contains(r.Roles, u.Role) {
				return domain.Errorf(domain.Forbidden, "this needs the role %s", joinRoles(r.Roles))
			}
			return next(c)
		}
	}
}

func joinRoles(rs []domain.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}

// bearer is the token of an Authorization header of the Bearer scheme,
// whose name is case-insensitive (RFC 9110 11.1, RFC 6750 2.1): clients
// that send "bearer" are common.
func bearer(c echo.Context) string {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if scheme, t, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(t)
	}
	return ""
}

func caller(c echo.Context) accounts.UserView {
	u, _ := c.Get("user").(accounts.UserView)
	return u
}

func actor(c echo.Context) domain.Actor {
	u := caller(c)
	return domain.Actor{ID: u.ID, Role: u.Role}
}

// meta makes the command metadata of a request: who, the idempotency key
// (scoped to the caller and the endpoint, and bound to the request's hash,
// so that the same key with another request is refused) and If-Match.
func meta(c echo.Context) (aggregate.Meta, error) { return metaAs(c, actor(c)) }

// metaAs is meta for a command made as a: a registration is the
// registrant's own (an empty actor), whoever's token came with it.
func metaAs(c echo.Context, a domain.Actor) (aggregate.Meta, error) {
	m := aggregate.Meta{Actor: a, CorrelationID: c.Response().Header().Get(echo.HeaderXRequestID)}
	if k := c.Request().Header.Get("Idempotency-Key"); k != "" {
		if !validIdempotencyKey(k) {
			return m, badIdempotencyKey()
		}
		sum := sha256.Sum256([]byte(m.Actor.ID + "\x00" + c.Request().Method + "\x00" + c.Request().URL.Path + "\x00" + k))
		m.CommandID = "idem-" + hex.EncodeToString(sum[:16])
		m.RequestHash, _ = c.Get("request_hash").(string)
	}
	// If-Match: * asks that the resource exist: a command's target does
	// (the case, the user, the collection created in) or it is 404 anyway.
	if im := strings.TrimSpace(c.Request().Header.Get("If-Match")); im != "" && im != "*" {
		vs, err := ifMatch(im)
		if err != nil {
			return m, err
		}
		m.IfVersions = vs
	}
	return m, nil
}

// ifMatch parses an If-Match list ("3", "4") into the versions it names.
// It compares strongly (RFC 9110 13.1.1): a weak tag (W/"3") never
// matches, so it is left out; a list of only weak tags gives none (412).
func ifMatch(h string) ([]uint64, error) {
	vs := []uint64{}
	for _, t := range strings.Split(h, ",") {
		t = strings.TrimSpace(t)
		weak := strings.HasPrefix(t, "W/")
		v, err := strconv.ParseUint(strings.Trim(strings.TrimPrefix(t, "W/"), `"`), 10, 64)
		if err != nil {
			return nil, domain.InvalidFields("bad header", domain.FieldError{Field: "If-Match", Reason: `ETags such as "3", or *`})
		}
		if !weak {
			vs = append(vs, v)
		}
	}
	return vs, nil
}

// writeResult sets the headers every command answer carries.
func writeResult(c echo.Context, r aggregate.Result) {
	c.Response().Header().Set("ETag", strconv.Quote(strconv.FormatUint(r.Version, 10)))
	c.Response().Header().Set("X-Accredit-Seq", strconv.FormatUint(r.Seq, 10))
}

// Reads returns the read side the API serves from.
func (s *Server) Reads() *ReadSide { return s.deps.Reads }
