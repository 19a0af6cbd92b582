package api

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
)

// The interview at EIA Senior and Master Practitioner (issue 13 item 6):
// scheduled by the office or the case's assessor or verifier, recorded by
// each of them once it has taken place.

// interviewRequest takes the time as a string: a time.Time field refuses
// one it cannot read with an error that does not say which field it was.
type interviewRequest struct {
	At    string `json:"at"`
	Place string `json:"place"`
}

func (s *Server) scheduleInterview(c echo.Context) error {
	return s.command(accreditation.ActionScheduleInterview, withBody(func(ctx context.Context, m aggregate.Meta, id string, req interviewRequest) (aggregate.Result, error) {
		at, err := time.Parse(time.RFC3339, req.At)
		if err != nil {
			return aggregate.Result{}, domain.InvalidFields("invalid interview", domain.FieldError{Field: "at",
				Reason: "required: a date and time with its offset, such as 2026-03-31T14:00:00+02:00"})
		}
		return s.deps.Cases.ScheduleInterview(ctx, m, id, cases.InterviewRequest{At: at, Place: req.Place})
	}))(c)
}

type interviewRecordRequest struct {
	Notes        string `json:"notes"`
	Observations []struct {
		Category int    `json:"category"`
		Notes    string `json:"notes"`
	} `json:"observations"`
}

func (s *Server) recordInterview(c echo.Context) error {
	return s.command(accreditation.ActionRecordInterview, withBody(func(ctx context.Context, m aggregate.Meta, id string, req interviewRecordRequest) (aggregate.Result, error) {
		in := cases.InterviewRecordRequest{Notes: req.Notes}
		for _, o := range req.Observations {
			in.Observations = append(in.Observations, cases.Observation(o))
		}
		return s.deps.Cases.RecordInterview(ctx, m, id, in)
	}))(c)
}
