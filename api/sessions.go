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
