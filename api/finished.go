package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/projections"
)

// finishedQueue is an assessor's finished cases (GET /api/v1/queue/finished):
// their own for an assessor, any assessor's (assessor_id) for the office,
// newest submission first, paged by cursor.
func (s *Server) finishedQueue(c echo.Context) error {
	u := caller(c)
	who := c.QueryParam("assessor_id")
	switch {
	case u.Role == domain.RoleAssessor && who == "":
		who = u.ID
	case u.Role == domain.RoleAssessor && who != u.ID:
		return domain.Errorf(domain.Forbidden, "an assessor sees only their own finished cases")
	case u.Role != domain.RoleAssessor && who == "":
		return badQuery("assessor_id", "required: the assessor whose finished cases to list")
	case u.Role != domain.RoleAssessor:
		// Any assessor's, a disabled one's too: their work stays theirs.
		if v, err := s.deps.Accounts.User(c.Request().Context(), who); err != nil {
			return err // not found: 404
		} else if v.Role != domain.RoleAssessor {
			return badQuery("assessor_id", "the id of an assessor, not of "+string(v.Role))
		}
	}
	var after projections.FinishedCursor
	if v := c.QueryParam("cursor"); v != "" {
		var ok bool
		if after, ok = projections.ParseFinishedCursor(v); !ok {
			return badQuery("cursor", "the next_cursor of the previous page")
		}
	}
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		var err error
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			return badQuery("limit", "1 to 500")
		}
	}
	return s.read(c, func(m *projections.Models, pos uint64) error {
		page := m.Cases.Finished(who, after, limit)
		out := map[string]any{"cases": page.Items, "seq": pos}
		if page.Next != nil {
			out["next_cursor"] = page.Next.String()
		}
		return c.JSON(http.StatusOK, out)
	})
}
