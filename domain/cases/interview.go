package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// InterviewRequest schedules (or moves) the applicant's interview: when,
// and an address or a link to a video call.
type InterviewRequest struct {
	At    time.Time
	Place string
}

// ScheduleInterview sets the applicant's interview, by the office or the
// case's assessor or verifier. The place, an address (perhaps the
// applicant's home) or a link, is sealed under the applicant's key, as the
// interview's records are.
func (s *Service) ScheduleInterview(ctx context.Context, m aggregate.Meta, id string, in InterviewRequest) (aggregate.Result, error) {
	if err := checkProse("place", in.Place, limits.Short); err != nil {
		return aggregate.Result{}, err
	}
	place, err := s.sealFor(ctx, m, id, in.Place)
	if err != nil {
		return aggregate.Result{}, err
	}
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.ScheduleInterview(m.Actor, now, accreditation.InterviewInput{At: in.At, Place: place})
	})
}

// Observation is an assessor's note on one competence category, as seen at
// the interview.
type Observation struct {
	Category int
	Notes    string
}

// InterviewRecordRequest is an assessor's record of the interview.
type InterviewRecordRequest struct {
	Notes        string
	Observations []Observation
}

// RecordInterview is the acting assessor's or verifier's record of the
// interview, once it has taken place.
func (s *Service) RecordInterview(ctx context.Context, m aggregate.Meta, id string, in InterviewRecordRequest) (aggregate.Result, error) {
	if err := s.mustSee(m.Actor, id); err != nil {
		return aggregate.Result{}, err
	}
	if err := limits.Check("invalid interview record", limits.Long.Prose("notes", in.Notes),
		limits.Categories.List("observations", len(in.Observations)),
		repeated("observations[%d].category", len(in.Observations), func(i int) int { return in.Observations[i].Category })); err != nil {
		return aggregate.Result{}, err
	}
	subject, err := s.applicantOf(ctx, id)
	if err != nil {
		return aggregate.Result{}, err
	}
	notes, err := s.seal(ctx, subject, in.Notes)
	if err != nil {
		return aggregate.Result{}, err
	}
	ri := accreditation.InterviewRecordInput{Notes: notes}
	for i, o := range in.Observations {
		if err := checkProse(fmt.Sprintf("observations[%d].notes", i), o.Notes, limits.Long); err != nil {
			return aggregate.Result{}, err
		}
		sealed, err := s.seal(ctx, subject, o.Notes)
		if err != nil {
			return aggregate.Result{}, err
		}
		ri.Observations = append(ri.Observations, accreditation.CategoryNote{Category: o.Category, Notes: sealed})
	}
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.RecordInterview(m.Actor, now, ri)
	})
}

// InterviewView is the applicant's interview. The applicant sees when and
// where; Records are the assessors' records the caller may read (never the
// applicant), assessor first.
type InterviewView struct {
	At          time.Time             `json:"at,omitzero"`
	Place       string                `json:"place,omitempty"`
	ScheduledBy string                `json:"scheduled_by,omitempty"`
	ScheduledAt time.Time             `json:"scheduled_at,omitzero"`
	Recorded    bool                  `json:"recorded"`
	Records     []InterviewRecordView `json:"records,omitempty"`
}

// InterviewRecordView is one assessor's record of the interview.
type InterviewRecordView struct {
	Role         accreditation.AssessorRole `json:"role"`
	Notes        string                     `json:"notes"`
	Observations []ObservationView          `json:"observations,omitempty"`
	RecordedAt   time.Time                  `json:"recorded_at"`
}

// ObservationView is a note on one competence category.
type ObservationView struct {
	Category int    `json:"category"`
	Notes    string `json:"notes"`
}

// RecordOf returns the visible record of role, nil for none.
func (v *InterviewView) RecordOf(role string) *InterviewRecordView {
	if v == nil {
		return nil
	}
	for i := range v.Records {
		if string(v.Records[i].Role) == role {
			return &v.Records[i]
		}
	}
	return nil
}

// interviewView shapes the case's interview for actor: nil when there is
// none yet (and the level has none).
func interviewView(c *accreditation.Case, actor domain.Actor, open func(pii.Sealed) string) *InterviewView {
	i := c.Interview
	if i == nil {
		return nil
	}
	v := &InterviewView{At: i.At, Place: i.Place.Open(open), Recorded: i.Recorded()}
	if actor.Role == domain.RoleApplicant {
		return v
	}
	v.ScheduledBy, v.ScheduledAt = i.ScheduledBy, i.ScheduledAt
	for _, role := range accreditation.AssessorRoles {
		r, ok := i.Records.Get(role)
		if !ok || !c.SeesInterviewRecord(actor, role) {
			continue
		}
		rv := InterviewRecordView{Role: role, Notes: open(r.Notes), RecordedAt: r.RecordedAt}
		for _, o := range r.Observations {
			rv.Observations = append(rv.Observations, ObservationView{Category: o.Category, Notes: open(o.Notes)})
		}
		v.Records = append(v.Records, rv)
	}
	return v
}
