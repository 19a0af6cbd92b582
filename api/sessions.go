package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// sessionsEnded is the answer to the office ending a user's sessions.
type sessionsEnded struct {
	UserID        string `json:"user_id"`
	SessionsEnded int    `json:"sessions_ended"`
}

// endSessions logs a user out everywhere (office only): every token of
// theirs stops working at once. The password stays as it is.
func (s *Server) endSessions(c echo.Context) error {
	id := c.Param("id")
	if err := validUserID(id); err != nil {
		return err
	}
	if err := bindNone(c); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = "end_sessions"
	res, n, err := s.deps.Accounts.EndSessions(c.Request().Context(), m, id)
	if err != nil {
		return err
	}
	writeResult(c, res)
	return c.JSON(http.StatusOK, sessionsEnded{UserID: id, SessionsEnded: n})
}

// otherSessions is the answer to a user asking where else they are logged in.
type otherSessions struct {
	OtherSessions int `json:"other_sessions"`
}

// mySessions counts the caller's sessions other than the one asking.
func (s *Server) mySessions(c echo.Context) error {
	tok, _ := c.Get("token").(string)
	n, err := s.deps.Accounts.OtherSessions(c.Request().Context(), caller(c).ID, tok)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, otherSessions{OtherSessions: n})
}

// endMyOtherSessions logs the caller out everywhere but the session asking.
func (s *Server) endMyOtherSessions(c echo.Context) error {
	if err := bindNone(c); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = "end_other_sessions"
	me := caller(c).ID
	tok, _ := c.Get("token").(string) // this session goes on
	res, n, err := s.deps.Accounts.EndOtherSessions(c.Request().Context(), m, me, tok)
	if err != nil {
		return err
	}
	writeResult(c, res)
	return c.JSON(http.StatusOK, sessionsEnded{UserID: me, SessionsEnded: n})
}
