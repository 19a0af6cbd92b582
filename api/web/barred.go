package web

import (
	"strings"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/projections"
)

// barNotice is a role held on a case in progress by someone whose assessor
// profile no longer meets its conditions (cases.BarredRole): a conflict of
// interest declared since, or a scheme, level or language taken off.
// Anchor is the form that gives the role to someone else, "" when it can
// no longer change hands (what they recorded is in); Reasons are the
// conditions not met, in the reader's language.
type barNotice struct {
	Role, Name, Anchor string
	Conflict           bool
	Reasons            string
}

// barReasons says why b's holder no longer meets the conditions of their
// role on c, as the assignment form says why an assessor is left out.
func (a *app) barReasons(x *ctx, c *cases.CaseView, b cases.BarredRole) string {
	cs := &accreditation.Case{Scheme: c.Scheme, Level: c.Level, Language: c.Language}
	p, err := a.d.Cases.AssessorProfile(b.UserID) // the level they are now qualified up to
	out := make([]string, len(b.Reasons))
	for i, r := range b.Reasons {
		if err != nil && r.Code == accreditation.ExcludedLevel {
			out[i] = r.Text // the domain's words, rather than a level read as none
			continue
		}
		out[i] = a.exclusionText(x, cs, p, accreditation.Exclusion{Code: r.Code, Text: r.Text})
	}
	return strings.Join(out, " ")
}

// ownBar is why the reader, an assessor, no longer meets the conditions
// of their role on c for a reason other than a conflict of interest
// (which has its own notice); "" when they do.
func (a *app) ownBar(x *ctx, c *cases.CaseView) string {
	for _, b := range c.BarredRoles {
		if b.UserID == x.user.ID && !b.Conflicted() {
			return a.barReasons(x, c, b)
		}
	}
	return ""
}

// barredOn is, of the cases ids (a user page's few), those on which
// userID's profile no longer meets the conditions of a role they hold,
// with why: a profile lowered or a conflict recorded on their user page
// shows there at once which of their cases it stops.
func (a *app) barredOn(x *ctx, userID string, ids []string) map[string]string {
	out := map[string]string{}
	for _, id := range ids {
		c, _, err := a.d.Cases.Get(x.Request().Context(), x.actor(), id)
		if err != nil {
			continue // gone from sight meanwhile: the list shows it as the queue does
		}
		for _, b := range c.BarredRoles {
			if b.UserID == userID {
				out[id] = a.barReasons(x, c, b)
				break
			}
		}
	}
	return out
}

// markBarred marks, on the office queue's rows, the roles whose holders'
// profiles no longer meet their conditions (the case page says why). As
// the dashboard counts them: each active holder's profile read once, then
// one look at the read models; a disabled holder has their own tag.
func (a *app) markBarred(rows []officeRow) {
	profiles := map[string]accreditation.AssessorProfile{}
	asked := map[string]bool{}
	var held []string
	for _, r := range rows {
		for _, h := range []holder{r.Assessor, r.Verifier} {
			if h.ID == "" || h.Disabled {
				continue
			}
			if !asked[h.ID] {
				asked[h.ID] = true
				if p, err := a.d.Cases.AssessorProfile(h.ID); err == nil { // unread: left unmarked, as the case view leaves it
					profiles[h.ID] = p
				}
			}
			if len(held) == 0 || held[len(held)-1] != r.CaseID {
				held = append(held, r.CaseID)
			}
		}
	}
	if len(held) == 0 {
		return
	}
	var barred map[string]map[accreditation.AssessorRole]bool
	a.read(func(m *projections.Models) { barred = m.Cases.BarredRoles(held, profiles) })
	for i := range rows {
		for role := range barred[rows[i].CaseID] {
			if rows[i].Barred == nil {
				rows[i].Barred = map[string]bool{}
			}
			rows[i].Barred[string(role)] = true // by the names the template gives
		}
	}
}
