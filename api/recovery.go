package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/limits"
)

// Account recovery (issue 15 item 2): a forgotten password's one-time link
// by email, one the office issues, and a new email address confirmed by a
// link sent to it. See domain/recovery.

type resetRequest struct {
	Email string `json:"email"`
}

// requestPasswordReset answers 202 for every well-formed address: whether
// one is registered is never told, and the mail is written afterwards.
func (s *Server) requestPasswordReset(c echo.Context) error {
	var req resetRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := accounts.CheckEmail(req.Email); err != nil {
		return domain.InvalidFields("invalid email", domain.FieldError{Field: "email", Reason: err.Error()})
	}
	if err := limits.Check("invalid email", limits.Email.Text("email", req.Email)); err != nil {
		return err
	}
	if err := s.deps.Recovery.RequestReset(c.Request().Context(), req.Email, c.RealIP(), ""); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "if the address is registered, a link valid 30 minutes has been sent to it"})
}

type passwordResetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (s *Server) resetPassword(c echo.Context) error {
	var req passwordResetRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = "reset_password"
	res, err := s.deps.Recovery.Reset(c.Request().Context(), m, req.Token, req.Password)
	if err != nil {
		return err
	}
	writeResult(c, res)
	return c.JSON(http.StatusOK, map[string]any{"status": "password set; log in with it", "seq": res.Seq})
}

type resetLinkAnswer struct {
	Link      string    `json:"link"`
	ExpiresAt time.Time `json:"expires_at"`
}

// issueResetLink makes a reset link for the office to hand over, recorded
// in the user's history with who made it (accounts.reset_link_issued).
func (s *Server) issueResetLink(c echo.Context) error {
	if err := bindNone(c); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = "issue_reset_link"
	in, err := s.deps.Recovery.IssueReset(c.Request().Context(), m, c.Param("id"))
	if err != nil {
		return err
	}
	writeResult(c, in.Result)
	return c.JSON(http.StatusCreated, resetLinkAnswer{Link: in.Link, ExpiresAt: in.ExpiresAt})
}

// emailChangeRequest is a new address and the password that allows it.
type emailChangeRequest struct {
	Email           string `json:"email"`
	CurrentPassword string `json:"current_password"`
}

func (s *Server) requestEmailChange(c echo.Context) error {
	var req emailChangeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := limits.Check("invalid email", limits.Email.Text("email", req.Email)); err != nil {
		return err
	}
	if err := s.deps.Recovery.RequestEmailChange(c.Request().Context(), caller(c).ID, req.Email, req.CurrentPassword, ""); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "a link valid 30 minutes has been sent to the new address; it counts once the link is followed"})
}

type tokenRequest struct {
	Token string `json:"token"`
}

func (s *Server) confirmEmail(c echo.Context) error {
	var req tokenRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = "confirm_email"
	res, err := s.deps.Recovery.ConfirmEmail(c.Request().Context(), m, req.Token)
	if err != nil {
		return err
	}
	writeResult(c, res)
	return c.JSON(http.StatusOK, map[string]any{"status": "the new email address counts", "seq": res.Seq})
}
