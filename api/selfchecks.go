package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/selfcheck"
)

// The development self-check (issue 16 item 2). Anyone may have ratings
// evaluated, which stores nothing; a logged-in user may keep their
// self-checks, dated, and read them back. Only the user reads their own:
// the routes are under /me, and no role, the office included, reads
// another's (a self-check is a coach's own development record, not part of
// any accreditation decision).

// selfCheckRequest is a self-check's ratings.
type selfCheckRequest struct {
	Ratings []selfcheck.Input `json:"ratings"`
}

// bindSelfCheck reads a self-check's body: ratings is required (an empty
// list is a self-check with nothing rated yet).
func bindSelfCheck(c echo.Context) (selfCheckRequest, error) {
	var req selfCheckRequest
	if err := bind(c, &req); err != nil {
		return req, err
	}
	if req.Ratings == nil {
		return req, domain.InvalidFields("invalid self-check", domain.FieldError{Field: "ratings", Reason: "required: a list of {indicator, rating}"})
	}
	return req, nil
}

// selfCheckSummary is one saved self-check in a list.
type selfCheckSummary struct {
	ID         string              `json:"id"`
	TakenAt    time.Time           `json:"taken_at"`
	Level      string              `json:"level,omitempty"`
	Categories []selfCheckCatLevel `json:"categories"`
}

type selfCheckCatLevel struct {
	Category int    `json:"category"`
	Level    string `json:"level,omitempty"`
}

func (s *Server) evaluateSelfCheck(c echo.Context) error {
	req, err := bindSelfCheck(c)
	if err != nil {
		return err
	}
	rs, err := selfcheck.Parse(s.deps.Catalogue, req.Ratings)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, selfcheck.Evaluate(s.deps.Catalogue, rs))
}

func (s *Server) saveSelfCheck(c echo.Context) error {
	req, err := bindSelfCheck(c)
	if err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = "save_self_check"
	saved, res, err := s.deps.SelfChecks.Save(c.Request().Context(), m, req.Ratings)
	if err != nil {
		return err
	}
	writeResult(c, res)
	c.Response().Header().Set("Location", "/api/v1/me/self-checks/"+saved.ID)
	return c.JSON(http.StatusCreated, saved)
}

func (s *Server) listSelfChecks(c echo.Context) error {
	list, err := s.deps.SelfChecks.List(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	out := make([]selfCheckSummary, 0, len(list))
	for _, sv := range list {
		sum := selfCheckSummary{ID: sv.ID, TakenAt: sv.TakenAt, Level: string(sv.Level)}
		for _, cr := range sv.Categories {
			sum.Categories = append(sum.Categories, selfCheckCatLevel{Category: cr.Category, Level: string(cr.Level)})
		}
		out = append(out, sum)
	}
	return c.JSON(http.StatusOK, map[string]any{"self_checks": out})
}

func (s *Server) getSelfCheck(c echo.Context) error {
	id := c.Param("id")
	if !domain.ValidULID(id) {
		return domain.Errorf(domain.NotFound, "no self-check %s of yours", id)
	}
	sv, _, _, err := s.deps.SelfChecks.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sv)
}
