package api

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
)

// The office reassigns or unassigns an assessor or a verifier, with a
// reason (issue 15 item 5): PUT .../assignments/{role} gives the role to
// someone else in one commit, POST .../assignments/{role}/unassignment
// empties it. An unknown role is a 400 naming "role".

type unassignRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) unassignCase(c echo.Context) error {
	role := accreditation.AssessorRole(c.Param("role"))
	return s.command(accreditation.ActionUnassign, withBody(func(ctx context.Context, m aggregate.Meta, id string, req unassignRequest) (aggregate.Result, error) {
		return s.deps.Cases.Unassign(ctx, m, id, cases.UnassignRequest{Role: role, Reason: req.Reason})
	}))(c)
}

type reassignRequest struct {
	AssessorID string `json:"assessor_id"`
	Reason     string `json:"reason"`
}

func (s *Server) reassignCase(c echo.Context) error {
	role := accreditation.AssessorRole(c.Param("role"))
	return s.command(accreditation.ActionReassign, withBody(func(ctx context.Context, m aggregate.Meta, id string, req reassignRequest) (aggregate.Result, error) {
		return s.deps.Cases.Reassign(ctx, m, id, cases.ReassignRequest{Role: role, AssessorID: req.AssessorID, Reason: req.Reason})
	}))(c)
}
