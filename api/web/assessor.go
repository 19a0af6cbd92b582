package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections"
)

// queueLimit is how many cases a queue page shows.
const queueLimit = 50

// assessorQueuePage is how many cases each list of an assessor's queue
// page shows: queueLimit, but a test of the pager sets fewer while the
// server runs.
var assessorQueuePage = func() *atomic.Int32 {
	var n atomic.Int32
	n.Store(queueLimit)
	return &n
}()

func (a *app) queue(x *ctx) error {
	p := x.newPage("queue.title", nil)
	d, err := a.queueData(x, p)
	if err != nil {
		return err
	}
	p.D = d
	return x.render(0, "queue", p)
}

// queueData is what the queue page shows its reader: the cases they may
// take, their own, and the renewals assigned to them. Each list goes on
// after the case its cursor names (?cursor, ?mine_cursor): past the first
// page, an assessor had no way to their other cases. A spoilt cursor
// starts its list again, and p says so.
func (a *app) queueData(x *ctx, p *page) (map[string]any, error) {
	prof, err := a.d.Cases.AssessorProfile(x.user.ID)
	if err != nil {
		return nil, err
	}
	var at projections.AssessorCursors
	q := x.QueryParams()
	for name, cur := range map[string]*projections.QueueCursor{"cursor": &at.Available, "mine_cursor": &at.Mine} {
		if v := q.Get(name); v != "" {
			var ok bool
			if *cur, ok = projections.ParseFinishedCursor(v); !ok {
				q.Del(name)
				p.Spoilt = x.T("pager.spoilt")
			}
		}
	}
	var avail, mine projections.Page
	var renewals []projections.RenewalItem
	a.read(func(m *projections.Models) {
		avail, mine = m.Cases.AssessorQueueAfter(prof, a.d.Now(), a.sla(), int(assessorQueuePage.Load()), at)
		// In assessment, and returned to the holder: it comes back to
		// them when resubmitted, and was gone from their page meanwhile.
		renewals = m.Cases.Renewals("", x.user.ID)
	})
	d := map[string]any{"Available": avail, "Mine": mine, "HasProfile": len(prof.Schemes) > 0,
		"SLADays": int(a.sla().Hours() / 24), "Renewals": renewals, "AvailPaged": at.Available.ID != ""}
	// Each list's links keep the other's place.
	link := func(name string, cur *projections.QueueCursor) string {
		v := url.Values{}
		for _, k := range []string{"cursor", "mine_cursor"} {
			if q.Get(k) != "" {
				v.Set(k, q.Get(k))
			}
		}
		if v.Del(name); cur != nil {
			v.Set(name, cur.String())
		}
		if len(v) == 0 {
			return "/queue"
		}
		return "/queue?" + v.Encode()
	}
	if avail.Next != nil {
		d["AvailNext"] = link("cursor", avail.Next)
	}
	if at.Available.ID != "" {
		d["AvailFirst"] = link("cursor", nil)
	}
	if mine.Next != nil {
		d["MineNext"] = link("mine_cursor", mine.Next)
	}
	if at.Mine.ID != "" {
		d["MineFirst"] = link("mine_cursor", nil)
	}
	return d, nil
}

func (a *app) claim(x *ctx) error {
	id, err := caseParam(x)
	if err != nil {
		return err
	}
	res, err := a.d.Cases.Claim(x.Request().Context(), x.meta(string(accreditation.ActionClaim)), id, accreditation.AssessorRole(x.fv("role")))
	if err != nil {
		p := x.newPage("queue.title", nil)
		status := http.StatusNotFound
		if domain.Is(err, domain.NotFound) {
			// Out of the reader's sight since the queue was shown (withdrawn,
			// or their profile no longer covers it), or never in it: the
			// queue as it stands now, saying so.
			p.Problems = append(p.Problems, x.T("queue.gone"))
		} else {
			status = x.fieldErrors(p, err, nil)
		}
		d, derr := a.queueData(x, p)
		if derr != nil {
			return derr
		}
		p.D = d
		return x.render(status, "queue", p)
	}
	a.settle(x, res.Seq)
	return x.redirect("/assess/" + id + "?ok=claimed")
}

// workspace is what an assessor works in: the evidence and its viewer, the
// application, and the rating form with the framework's indicators of the
// case's level.
type workspace struct {
	C          *cases.CaseView
	MyRole     string
	Mine       *cases.AssessmentView
	Other      *cases.AssessmentView
	Viewing    *cases.EvidenceView
	Indicators []catIndicators
	Levels     []framework.LevelInfo
	DraftKey   string
	Restore    bool
	NextStep   string
	History    []historyItem
	OpenRoles  []string
	// Areas are the review areas an EQA assessment rates; none for EIA.
	Areas []string
	// Placing are the framework's descriptions of the case's level and the
	// one below, of its scheme: what a level is placed against.
	Placing []levelText
	// Barred is why the reader's profile no longer meets their role's
	// conditions, but for a conflict of interest (barred.go).
	Barred string
	// InterviewFirst: the reader holds a role on a case in assessment at a
	// level with an interview, and assesses once their record of it is in.
	InterviewFirst bool
	// Unsent is what an assessment sent from a page the case has moved on
	// from said in words (assessMovedOn): the page has no form to show it
	// in, and shows it to be kept.
	Unsent []summaryLine
}

// levelText is one level's description in the reader's language.
type levelText struct {
	Level framework.LevelInfo
	Text  framework.Text
}

func (a *app) workspaceView(x *ctx, c *cases.CaseView, p *page, status int) error {
	w := &workspace{C: c, Indicators: a.indicatorsByCategory(framework.Level(c.Level)), DraftKey: "assessment:" + c.ID + ":" + x.user.ID,
		Restore: !sentAssessment(p.Form), NextStep: a.nextStep(x, c.Next), Barred: a.ownBar(x, c)}
	for role, as := range c.Assignments.All() {
		if as.UserID == x.user.ID {
			w.MyRole = string(role)
		}
	}
	for _, r := range accreditation.AssessorRoles {
		if !c.Assignments.Holds(r) {
			w.OpenRoles = append(w.OpenRoles, string(r))
		}
	}
	if c.EQA() {
		w.Areas = stringsOf(accreditation.ReviewAreas)
	}
	if len(w.OpenRoles) == 0 {
		w.OpenRoles = []string{""}
	}
	w.Mine = c.AssessmentOf(w.MyRole)
	if w.MyRole != "" && w.Mine == nil && c.State == accreditation.StateInAssessment && !c.Can(accreditation.ActionAssess) &&
		(c.Interview != nil || c.Can(accreditation.ActionScheduleInterview)) {
		w.InterviewFirst = true
		if c.Interview != nil {
			for _, r := range c.Interview.Records {
				if string(r.Role) == w.MyRole {
					w.InterviewFirst = false
				}
			}
		}
	}
	for _, as := range c.Assessments {
		if string(as.Role) != w.MyRole {
			w.Other = &as
		}
	}
	if !c.Can(accreditation.ActionAssess) {
		w.Unsent = unsentAssessment(x, p.Form)
	}
	if ev := x.QueryParam("view"); ev != "" {
		w.Viewing = c.EvidenceOf(ev)
	}
	if w.Viewing == nil && len(c.Evidence) > 0 {
		w.Viewing = &c.Evidence[0]
	}
	for i, l := range a.d.Catalogue.Levels {
		if framework.Level(c.Level).AtLeast(l.ID) && l.ID != framework.Level(c.Level) {
			w.Levels = append(w.Levels, l)
		}
		if l.ID == framework.Level(c.Level) {
			for _, at := range a.d.Catalogue.Levels[max(i-1, 0) : i+1] {
				text := at.EIA
				if c.EQA() {
					text = at.EQA
				}
				w.Placing = append([]levelText{{Level: at, Text: text}}, w.Placing...)
			}
		}
	}
	h, err := a.history(x, c)
	if err != nil {
		return err
	}
	w.History = h
	p.D = w
	return x.render(status, "workspace", p)
}

// sentAssessment reports whether form is the assessment form's, which
// the page shows again as sent, and not another's of the workspace (a
// request for information, an interview): with those the assessment form
// is shown empty, and the draft of it kept in the browser is restored.
// The form always sends its rationale, if empty.
func sentAssessment(form url.Values) bool {
	_, ok := form["rationale"]
	return ok
}

func (a *app) workspace(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	return a.workspaceView(x, c, x.newPage("workspace.title", nil), 0)
}

var (
	ratingField = regexp.MustCompile(`^ratings\[(\d+)\]\.(\w+)`)
	areaField   = regexp.MustCompile(`^review_areas\[(\d+)\]\.(\w+)`)
)

func (a *app) assess(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	if !c.Can(accreditation.ActionAssess) {
		// This very form sent again (a double click, Back and send) once
		// its assessment is in: answered as the first was, not as one
		// sent from another tab whose words were not sent.
		if res, ok, err := a.d.Cases.Applied(x.Request().Context(), c.ID, x.meta(string(accreditation.ActionAssess))); ok && err == nil {
			a.settle(x, res.Seq)
			return x.redirect("/assess/" + c.ID + "?ok=assessed")
		}
		return a.assessMovedOn(x, c)
	}
	if x.editing() { // back from the confirmation: the assessment as typed
		return a.workspaceView(x, c, x.typedPage("workspace.title"), 0)
	}
	p := x.newPage("workspace.title", nil)
	p.Form = x.form
	in := cases.AssessmentRequest{Recommendation: accreditation.Recommendation(x.fv("recommendation")), Rationale: x.fv("rationale")}
	if in.Recommendation == accreditation.RecommendAwardLower {
		in.RecommendedLevel = framework.Level(x.fv("recommended_level"))
	} else if in.Recommendation == accreditation.RecommendAward {
		in.RecommendedLevel = c.Level
	}
	for n := 1; n <= framework.NumCategories; n++ {
		r := cases.Rating{Category: n, Rating: accreditation.Rating(x.fv("rating_" + itoa(n))), Notes: x.fv("notes_" + itoa(n))}
		for _, s := range x.form["indicators_"+itoa(n)] {
			if i, err := strconv.Atoi(s); err == nil {
				r.Indicators = append(r.Indicators, i)
			}
		}
		if r.Rating == "" {
			p.Errors["rating_"+itoa(n)] = x.T("assess.rating.required")
		}
		in.Ratings = append(in.Ratings, r)
	}
	if c.EQA() {
		for _, area := range accreditation.ReviewAreas {
			r := cases.AreaRating{Area: area, Rating: accreditation.Rating(x.fv("area_" + string(area))), Notes: x.fv("area_notes_" + string(area))}
			if r.Rating == "" {
				p.Errors["area_"+string(area)] = x.T("assess.area.required")
			}
			in.Areas = append(in.Areas, r)
		}
	}
	if in.Recommendation == "" {
		p.Errors["recommendation"] = x.T("assess.recommendation.required")
	}
	if in.Rationale == "" {
		p.Errors["rationale"] = x.fillIn("rationale")
	}
	if len(p.Errors) > 0 {
		return a.workspaceView(x, c, p, http.StatusBadRequest)
	}
	if !x.confirmed() {
		return a.askToConfirm(x, assessmentConfirmation(x, c, in))
	}
	res, err := a.d.Cases.Assess(x.Request().Context(), x.meta(string(accreditation.ActionAssess)), c.ID, in)
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		status := x.fieldErrors(p, err, func(f string) string {
			if m := ratingField.FindStringSubmatch(f); m != nil {
				i, _ := strconv.Atoi(m[1])
				kind := map[string]string{"rating": "rating_", "notes": "notes_", "indicators": "indicators_", "category": "rating_"}[m[2]]
				if kind == "" {
					kind = "rating_"
				}
				return kind + itoa(i+1)
			}
			if m := areaField.FindStringSubmatch(f); m != nil {
				i, _ := strconv.Atoi(m[1])
				if i < len(in.Areas) {
					prefix := map[string]string{"notes": "area_notes_"}[m[2]]
					if prefix == "" {
						prefix = "area_"
					}
					return prefix + string(in.Areas[i].Area)
				}
			}
			if f == "level" {
				return "recommended_level"
			}
			return f
		})
		return a.workspaceView(x, c, p, status)
	}
	a.settle(x, res.Seq)
	return x.redirect("/assess/" + c.ID + "?ok=assessed")
}

// requestInformation asks the applicant for more, from the assessor's
// workspace or the office's case page.
func (a *app) requestInformation(x *ctx) error {
	c, err := a.loadParamCase(x)
	if err != nil {
		return err
	}
	back := "/assess/" + c.ID
	if x.user.Role == domain.RoleOffice {
		back = "/office/cases/" + c.ID
	}
	q := x.fv("questions")
	var res aggregate.Result
	if q == "" {
		err = domain.InvalidFields("questions required", domain.FieldError{Field: "questions", Reason: "required"})
	} else {
		res, err = a.d.Cases.RequestInformation(x.Request().Context(), x.meta(string(accreditation.ActionRequestInformation)), c.ID, q)
	}
	if err != nil {
		if domain.Is(err, domain.NotFound) {
			return err
		}
		p := x.newPage("workspace.title", nil)
		p.Form = x.form
		status := x.fieldErrors(p, err, nil)
		if x.user.Role == domain.RoleOffice {
			return a.officeCaseView(x, c, p, status)
		}
		return a.workspaceView(x, c, p, status)
	}
	a.settle(x, res.Seq)
	return x.redirect(back + "?ok=requested")
}

// assessMovedOn answers an assessment sent from a page the case has moved
// on from (sent already in another tab, the verifier's turn, a decision
// taken): the workspace as the case is now, which has no assessment form,
// saying so, and not the errors of that form. What was written in words
// is shown, to be kept (workspace.Unsent). Nothing is sent.
func (a *app) assessMovedOn(x *ctx, c *cases.CaseView) error {
	p := x.typedPage("workspace.title")
	mine := ""
	for role, as := range c.Assignments.All() {
		if as.UserID == x.user.ID {
			mine = string(role)
		}
	}
	switch {
	case mine != "" && c.AssessmentOf(mine) != nil:
		p.Problems = append(p.Problems, x.T("error.already_recorded.assessment"))
	case c.State != accreditation.StateInAssessment:
		p.Problems = append(p.Problems, x.T("error.wrong_state", x.T("state."+string(c.State))))
	default: // barred, or an interview first: the page says why
		p.Problems = append(p.Problems, x.T("assess.not_open"))
	}
	if len(unsentAssessment(x, p.Form)) > 0 {
		p.Problems = append(p.Problems, x.T("assess.unsent"))
	}
	return a.workspaceView(x, c, p, http.StatusConflict)
}

// unsentAssessment is what form, an assessment's, says in words: its
// rationale and notes, labelled as the form labels them; none for a form
// that is not an assessment's.
func unsentAssessment(x *ctx, form url.Values) []summaryLine {
	var out []summaryLine
	add := func(name, label string) {
		if v := strings.TrimSpace(form.Get(name)); v != "" {
			out = append(out, summaryLine{label, v})
		}
	}
	for n := 1; n <= framework.NumCategories; n++ {
		add("notes_"+itoa(n), fieldLabel(x.lang, x.a.d.Catalogue, "notes_"+itoa(n)))
	}
	for _, area := range accreditation.ReviewAreas {
		add("area_notes_"+string(area), x.T("field.notes")+" ("+x.T("area."+string(area))+")")
	}
	add("rationale", x.T("field.rationale"))
	return out
}
