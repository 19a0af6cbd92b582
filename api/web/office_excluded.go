package web

import (
	"strings"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
)

// excludedShown bounds the assessors listed as left out of one role: the
// assessors are few, but a page must not grow without end; the page says
// how many more there are.
const excludedShown = 200

// excludedAssessor is an active assessor left out of a role on a case, and
// why, in the reader's language; the page links to their profile.
type excludedAssessor struct {
	ID, Name, Email string
	Reasons         []string
}

// excludedList is the assessors left out of one open role.
type excludedList struct {
	Items   []excludedAssessor
	Omitted int // left out but not listed, past excludedShown
}

func (l *excludedList) add(e excludedAssessor) {
	if len(l.Items) < excludedShown {
		l.Items = append(l.Items, e)
		return
	}
	l.Omitted++
}

// leftOut says why the assessor u, with profile p, may not take role on c.
func (a *app) leftOut(x *ctx, c *accreditation.Case, u accounts.UserView, p accreditation.AssessorProfile, role accreditation.AssessorRole) excludedAssessor {
	e := excludedAssessor{ID: u.ID, Name: u.Name, Email: u.Email}
	for _, ex := range c.Exclusions(p, role) {
		e.Reasons = append(e.Reasons, a.exclusionText(x, c, p, ex))
	}
	if len(e.Reasons) == 0 && c.TakenOff(p.UserID) { // qualified, but the office took them off this case
		e.Reasons = append(e.Reasons, x.T("excluded.taken_off"))
	}
	if len(e.Reasons) == 0 { // not reached: the claim's other checks are qualify's and the one above
		e.Reasons = append(e.Reasons, x.T("excluded.other"))
	}
	return e
}

// exclusionText is one reason in words, with the case's and the profile's
// values named as the pages name them.
func (a *app) exclusionText(x *ctx, c *accreditation.Case, p accreditation.AssessorProfile, ex accreditation.Exclusion) string {
	switch ex.Code {
	case accreditation.ExcludedOtherRole:
		return x.T("excluded.other_role", strings.ToLower(x.T("arole."+string(ex.Role))))
	case accreditation.ExcludedScheme:
		return x.T("excluded.scheme", string(c.Scheme))
	case accreditation.ExcludedLevel:
		if p.MaxLevel == "" {
			return x.T("excluded.level.none", a.levelName(x, string(c.Level)))
		}
		return x.T("excluded.level", a.levelName(x, string(p.MaxLevel)), a.levelName(x, string(c.Level)))
	case accreditation.ExcludedLanguage:
		lang := c.Language
		if k := "language." + c.Language; hasMessage(k) {
			lang = x.T(k)
		}
		return x.T("excluded.language", lang)
	case accreditation.ExcludedInactive:
		return x.T("excluded.inactive")
	case accreditation.ExcludedApplicant:
		return x.T("excluded.applicant")
	case accreditation.ExcludedConflict:
		return x.T("excluded.conflict")
	case accreditation.ExcludedTakenOff:
		return x.T("excluded.taken_off")
	}
	return ex.Text // a code added to the domain but not yet here: its English
}
