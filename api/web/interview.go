package web

import (
	"regexp"
	"strconv"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
)

// The interview at EIA Senior and Master Practitioner: the office (on its
// case page) or the case's assessor or verifier (in the workspace)
// schedules it; each assessor records it in the workspace.

// interviewLayout is how a datetime-local field sends a time; pages show
// and take times in UTC.
const interviewLayout = "2006-01-02T15:04"

// staffCasePage is where the caller works on case c: the office's case page
// or the assessor's workspace.
func (a *app) staffCasePage(x *ctx, c *cases.CaseView, p *page, status int) error {
	if x.user.Role == domain.RoleOffice {
		return a.officeCaseView(x, c, p, status)
	}
	return a.workspaceView(x, c, p, status)
}

// interviewDone answers an interview form: on success back to the page
// with ok, else the page again with the form's errors.
func (a *app) interviewDone(x *ctx, c *cases.CaseView, res aggregate.Result, err error, ok string, rename func(string) string) error {
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		p := x.newPage("workspace.title", nil)
		p.Form = x.form
		status := x.fieldErrors(p, err, rename)
		return a.staffCasePage(x, c, p, status)
	}
	a.settle(x, res.Seq)
	back := "/assess/" + c.ID
	if x.user.Role == domain.RoleOffice {
		back = "/office/cases/" + c.ID
	}
	return x.redirect(back + "?ok=" + ok)
}

func (a *app) scheduleInterview(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	var res aggregate.Result
	at, perr := time.ParseInLocation(interviewLayout, x.fv("interview_at"), time.UTC)
	if perr != nil {
		err = domain.InvalidFields("invalid interview", domain.FieldError{Field: "at", Reason: x.T("interview.field.at")})
	} else {
		res, err = a.d.Cases.ScheduleInterview(x.Request().Context(), x.meta(string(accreditation.ActionScheduleInterview)), c.ID,
			cases.InterviewRequest{At: at, Place: x.fv("interview_place")})
	}
	return a.interviewDone(x, c, res, err, "interview_scheduled", func(f string) string { return "interview_" + f })
}

func (a *app) recordInterview(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	in := cases.InterviewRecordRequest{Notes: x.fv("interview_notes")}
	for n := 1; n <= framework.NumCategories; n++ {
		if o := x.fv("observation_" + itoa(n)); o != "" {
			in.Observations = append(in.Observations, cases.Observation{Category: n, Notes: o})
		}
	}
	res, err := a.d.Cases.RecordInterview(x.Request().Context(), x.meta(string(accreditation.ActionRecordInterview)), c.ID, in)
	return a.interviewDone(x, c, res, err, "interview_recorded", func(f string) string {
		if m := observationField.FindStringSubmatch(f); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(in.Observations) {
				return "observation_" + itoa(in.Observations[i].Category)
			}
		}
		return "interview_" + f
	})
}

var observationField = regexp.MustCompile(`^observations\[(\d+)\]`)
