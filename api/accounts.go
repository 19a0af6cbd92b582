package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/api/openapi"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/mail"
)

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	r := s.deps.Ready(c.Request().Context())
	status := http.StatusOK
	if !r.Ready {
		status = http.StatusServiceUnavailable
	}
	return c.JSON(status, r)
}

func (s *Server) getFramework(c echo.Context) error {
	return c.JSON(http.StatusOK, s.deps.Catalogue)
}

type indicatorView struct {
	framework.Indicator
	CategoryName framework.Text `json:"category_name"`
	LevelName    framework.Text `json:"level_name"`
}

func (s *Server) getIndicator(c echo.Context) error {
	n, err := pathInt(c, "number")
	if err != nil {
		return err
	}
	ind, ok := s.deps.Catalogue.Indicator(n)
	if !ok {
		return domain.Errorf(domain.NotFound, "no capability indicator %d", n)
	}
	cat, _ := s.deps.Catalogue.Category(ind.Category)
	lvl, _ := s.deps.Catalogue.Level(ind.Level)
	return c.JSON(http.StatusOK, indicatorView{Indicator: ind, CategoryName: cat.Name, LevelName: lvl.Name})
}

type registerRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Language string `json:"language"` // the mail's, until one is chosen or a case gives one
}

func (s *Server) register(c echo.Context) error {
	var req registerRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := mail.CheckAccountLanguage(req.Language); err != nil {
		return err
	}
	// A public route knows a caller who sends a token; the account made
	// is still its registrant's own, recorded as self-service (as the
	// web's sign-up makes it), not the token holder's act.
	m, err := metaAs(c, domain.Actor{})
	if err != nil {
		return err
	}
	u, res, err := s.deps.Accounts.Create(c.Request().Context(), m, accounts.NewUser{Email: req.Email, Password: req.Password, Name: req.Name, Role: domain.RoleApplicant})
	if err != nil {
		return err
	}
	s.keepAccountLanguage(c, u.ID, req.Language)
	writeResult(c, res)
	return c.JSON(http.StatusCreated, u)
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Device   string `json:"device"` // an earlier login's device token, if the client kept one
}

// loginAnswer is a login with the device token the client keeps for its
// next (accounts.LoginFromDevice).
type loginAnswer struct {
	accounts.Login
	Device string `json:"device"`
}

func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Email == "" || req.Password == "" {
		return domain.InvalidFields("email and password are required",
			domain.FieldError{Field: "email", Reason: "required"}, domain.FieldError{Field: "password", Reason: "required"})
	}
	l, err := s.deps.Accounts.LoginFromDevice(c.Request().Context(), req.Email, req.Password, c.RealIP(), req.Device)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginAnswer{Login: l, Device: l.Device})
}

func (s *Server) logout(c echo.Context) error {
	if err := bindNone(c); err != nil {
		return err
	}
	tok, _ := c.Get("token").(string)
	if err := s.deps.Accounts.Logout(c.Request().Context(), tok); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) me(c echo.Context) error { return c.JSON(http.StatusOK, caller(c)) }

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) changePassword(c echo.Context) error {
	var req passwordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = "change_password"
	tok, _ := c.Get("token").(string) // this session goes on; the others end
	res, err := s.deps.Accounts.ChangePassword(c.Request().Context(), m, caller(c).ID, req.CurrentPassword, req.NewPassword, tok)
	if err != nil {
		return err
	}
	writeResult(c, res)
	return c.NoContent(http.StatusNoContent)
}

type createUserRequest struct {
	Email    string      `json:"email"`
	Name     string      `json:"name"`
	Role     domain.Role `json:"role"`
	Password string      `json:"password"`
	Language string      `json:"language"` // the mail's, until one is chosen or a case gives one
}

// keepAccountLanguage records the language a new account was made in
// for its mail (mail.Preferences.MadeIn). The account is made: a failure
// here leaves its notices in English and is logged, not answered as the
// command's.
func (s *Server) keepAccountLanguage(c echo.Context, userID, language string) {
	if s.deps.Mail == nil {
		return
	}
	if err := s.deps.Mail.SetAccountLanguage(c.Request().Context(), userID, language); err != nil {
		s.deps.Log.Warn("api: the new account's mail language not kept", "user_id", userID, "err", err)
	}
}

func (s *Server) createUser(c echo.Context) error {
	var req createUserRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := mail.CheckAccountLanguage(req.Language); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	u, res, err := s.deps.Accounts.Create(c.Request().Context(), m, accounts.NewUser{Email: req.Email, Password: req.Password, Name: req.Name, Role: req.Role})
	if err != nil {
		return err
	}
	s.keepAccountLanguage(c, u.ID, req.Language)
	writeResult(c, res)
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) listUsers(c echo.Context) error {
	limit := 0 // every user, as before pages
	if v := c.QueryParam("limit"); v != "" {
		var err error
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			return badQuery("limit", "1 to 1000")
		}
	}
	cursor := c.QueryParam("cursor")
	if cursor != "" && !domain.ValidULID(cursor) { // past every id, it read as an empty last page
		return badQuery("cursor", "the next_cursor of the page before")
	}
	role := domain.Role(c.QueryParam("role"))
	if role != "" && !role.Valid() {
		return badQuery("role", "applicant, assessor or office")
	}
	if c.QueryParams().Has("q") {
		q, err := searchText(c)
		if err != nil {
			return err
		}
		return s.searchUsers(c, q, role, cursor, limit)
	}
	// The list is the write side's index of users: min_seq waits for it
	// (and is refused when it is no seq), as the document says it does.
	if err := s.waitMinSeq(c); err != nil {
		return err
	}
	users, next, err := s.deps.Accounts.UsersPage(c.Request().Context(), role, cursor, limit)
	if err != nil {
		return err
	}
	if users == nil {
		users = []accounts.UserView{}
	}
	out := map[string]any{"users": users}
	if next != "" {
		out["next_cursor"] = next
	}
	return c.JSON(http.StatusOK, out)
}

func validUserID(id string) error {
	if !domain.ValidULID(id) {
		return domain.Errorf(domain.NotFound, "no user %s", id)
	}
	return nil
}

func (s *Server) getUser(c echo.Context) error {
	id := c.Param("id")
	if err := validUserID(id); err != nil {
		return err
	}
	u, version, err := s.deps.Accounts.UserAt(c.Request().Context(), id)
	if err != nil {
		return err
	}
	// The version to send in If-Match with a change to the user.
	c.Response().Header().Set("ETag", strconv.Quote(strconv.FormatUint(version, 10)))
	return c.JSON(http.StatusOK, u)
}

type profileRequest struct {
	Schemes   []string `json:"schemes"`
	MaxLevel  string   `json:"max_level"`
	Languages []string `json:"languages"`
	Conflicts []string `json:"conflicts"`
}

// userCommand runs an office command on user :id with a JSON body decoded
// into req, and answers with the user as they now are.
func (s *Server) userCommand(c echo.Context, req any, run func(ctx context.Context, m aggregate.Meta, id string) (aggregate.Result, error)) error {
	id := c.Param("id")
	if err := validUserID(id); err != nil {
		return err
	}
	if err := bind(c, req); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	res, err := run(c.Request().Context(), m, id)
	if err != nil {
		return err
	}
	writeResult(c, res)
	u, err := s.deps.Accounts.User(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) setProfile(c echo.Context) error {
	var req profileRequest
	return s.userCommand(c, &req, func(ctx context.Context, m aggregate.Meta, id string) (aggregate.Result, error) {
		return s.deps.Accounts.SetProfile(ctx, m, id, accounts.Profile{
			Schemes: req.Schemes, MaxLevel: framework.Level(req.MaxLevel), Languages: req.Languages, Conflicts: req.Conflicts})
	})
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) disableUser(c echo.Context) error {
	var req reasonRequest
	return s.userCommand(c, &req, func(ctx context.Context, m aggregate.Meta, id string) (aggregate.Result, error) {
		return s.deps.Accounts.Disable(ctx, m, id, req.Reason)
	})
}

func (s *Server) enableUser(c echo.Context) error {
	var req reasonRequest
	return s.userCommand(c, &req, func(ctx context.Context, m aggregate.Meta, id string) (aggregate.Result, error) {
		return s.deps.Accounts.Enable(ctx, m, id, req.Reason)
	})
}

// erasureRequest is an erasure's legal ground (the person's own request
// when left out) and the office's note, which is erased with the person.
type erasureRequest struct {
	Ground string `json:"ground"`
	Reason string `json:"reason"`
}

func (s *Server) eraseUser(c echo.Context) error {
	id := c.Param("id")
	if err := validUserID(id); err != nil {
		return err
	}
	var req erasureRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	if req.Ground == "" {
		req.Ground = accounts.GroundRequest
	}
	res, err := s.deps.Accounts.Erase(c.Request().Context(), m, id, req.Ground, req.Reason)
	if domain.Is(err, domain.Conflict) && s.deps.Cases != nil {
		// Already erased: still a 409, but what the first erasure left
		// undone (a store away then) is finished first.
		if ferr := s.deps.Cases.AfterErasure(c.Request().Context(), m, id); ferr != nil {
			return domain.Wrap(domain.Unavailable, ferr, "the user is erased; ending their cases in progress and deleting their evidence did not finish: send the erasure again")
		}
	}
	if err != nil {
		return err
	}
	if s.deps.Cases != nil {
		if err := s.deps.Cases.AfterErasure(c.Request().Context(), m, id); err != nil {
			return domain.Wrap(domain.Unavailable, err, "erasure recorded and key deleted; ending the cases in progress and deleting the evidence did not finish: send the erasure again")
		}
	}
	writeResult(c, res)
	return c.JSON(http.StatusOK, map[string]any{"user_id": id, "erased": true, "version": res.Version, "seq": res.Seq})
}

func (s *Server) auditVerify(c echo.Context) error {
	rep, err := s.deps.Verify(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func (s *Server) auditCheckpoint(c echo.Context) error {
	if err := bindNone(c); err != nil {
		return err
	}
	cp, err := s.deps.Checkpoint(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"seq": cp.Seq, "created_at": cp.CreatedAt, "streams": len(cp.Streams), "key_id": cp.KeyID})
}

func (s *Server) metrics(c echo.Context) error {
	if s.deps.Metrics == nil {
		return domain.Errorf(domain.NotFound, "metrics are off")
	}
	return s.deps.Metrics.Handler()(c)
}

func (s *Server) openapiSpec(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", openapi.Spec())
}

func (s *Server) openapiDocs(c echo.Context) error {
	return c.HTMLBlob(http.StatusOK, openapi.DocsHTML())
}
