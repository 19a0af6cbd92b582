package web

import (
	"reflect"
	"slices"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/projections"
)

// A second application can start from the figures of the applicant's
// previous one (issue 15 item 5): the portfolio page offers the earlier
// applications of the same scheme, and ?from=ID fills the form with that
// one's figures, to check and save; nothing is saved until then.

// previousOffered is how many earlier applications the page offers.
const previousOffered = 3

// earlierApplication is one the portfolio page offers to start from.
type earlierApplication struct {
	ID       string
	Level    string
	OpenedAt time.Time
}

// previousApplications are the applicant's other applications of c's
// scheme with figures in their portfolio, newest first; none once c can
// no longer be changed.
func (a *app) previousApplications(x *ctx, c *cases.CaseView) []earlierApplication {
	if x.user == nil || x.user.ID != c.ApplicantID || !c.Can(accreditation.ActionUpdatePortfolio) {
		return nil
	}
	var out []earlierApplication
	a.read(func(m *projections.Models) {
		for _, o := range m.Cases.OfApplicant(c.ApplicantID) {
			if o.ID != c.ID && o.Scheme == c.Scheme && !reflect.ValueOf(o.Portfolio).IsZero() {
				out = append(out, earlierApplication{ID: o.ID, Level: string(o.Level), OpenedAt: o.OpenedAt})
			}
		}
	})
	slices.SortFunc(out, func(p, q earlierApplication) int { return q.OpenedAt.Compare(p.OpenedAt) })
	if len(out) > previousOffered {
		out = out[:previousOffered]
	}
	return out
}

// previousApplication loads the earlier application from, which must be
// another of the applicant's, of the same scheme; anything else is a 404.
func (a *app) previousApplication(x *ctx, c *cases.CaseView, from string) (*cases.CaseView, error) {
	if !domain.ValidULID(from) || from == c.ID {
		return nil, domain.Errorf(domain.NotFound, "no earlier application %s", from)
	}
	o, err := a.loadCaseOpened(x, from) // its texts fill the form
	if err != nil {
		return nil, err
	}
	if o.ApplicantID != c.ApplicantID || o.Scheme != c.Scheme {
		return nil, domain.Errorf(domain.NotFound, "no earlier application %s", from)
	}
	return o, nil
}
