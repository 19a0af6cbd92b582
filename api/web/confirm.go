package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
)

// Nothing irreversible happens in one careless click (issue 15 item 4):
// removing evidence, submitting an application or an assessment,
// recording a decision, erasing a person, withdrawing an application and
// ending an accreditation (the holder's withdrawal, the office's
// revocation or withdrawal) first answer with a page that
// says what is about to happen, holding the form's fields, whose button
// sends them again with confirm=yes. It needs no JavaScript. Its way back
// sends the fields again with edit=yes, and the form's page shows them as
// typed (typedPage): a reason or a rationale written is not lost.

// confirmField is the field that says the person confirmed.
const confirmField = "confirm"

// confirmation is the page that asks.
type confirmation struct {
	Title   string
	Summary []summaryLine // what was filled in
	What    []string      // what will happen
	Button  string
	Action  string // where the form posts
	Fields  []hiddenField
}

type summaryLine struct{ Label, Value string }

type hiddenField struct{ Name, Value string }

// confirmed reports whether the form was sent from the confirmation page.
func (x *ctx) confirmed() bool { return x.form.Get(confirmField) == "yes" && !x.editing() }

// editing reports whether the confirmation page sent the fields back to
// their form, to be changed: the handler then answers with the form's
// page, given typedPage.
func (x *ctx) editing() bool { return x.form.Get("edit") == "yes" }

// typedPage is a page whose form is what was typed (typed): the page a
// handler shows when the confirmation page sends the fields back
// (editing).
func (x *ctx) typedPage(titleKey string) *page {
	p := x.newPage(titleKey, nil)
	p.Form = x.typed()
	return p
}

// typed is the form as it was typed, without what the confirmation page
// added.
func (x *ctx) typed() url.Values {
	v := url.Values{}
	for k, vs := range x.form {
		if k != confirmField && k != "edit" && k != "csrf" && k != "idem" {
			v[k] = vs
		}
	}
	return v
}

// askToConfirm answers with the confirmation page: the form's fields are
// kept (but not the CSRF token and the idempotency key, which the page
// sets afresh: nothing was done yet).
func (a *app) askToConfirm(x *ctx, c confirmation) error {
	c.Action = x.Request().URL.Path
	names := make([]string, 0, len(x.form))
	for k := range x.form {
		if k != "csrf" && k != "idem" && k != confirmField {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range x.form[k] {
			c.Fields = append(c.Fields, hiddenField{Name: k, Value: v})
		}
	}
	p := x.newPage("confirm.title", c)
	p.Title = c.Title
	return x.render(0, "confirm", p)
}

// confirmRequest is returned by a command's run function to ask first
// (see officeCommand).
type confirmRequest struct{ c confirmation }

func (*confirmRequest) Error() string { return "confirmation required" }

// removalConfirmation describes an evidence item about to be removed.
func removalConfirmation(x *ctx, c *cases.CaseView, ev cases.EvidenceView) confirmation {
	return confirmation{
		Title: x.T("confirm.remove_evidence.title"),
		Summary: []summaryLine{
			{x.T("field.title"), ev.Title},
			{x.T("confirm.label.file"), fmt.Sprintf("%s (%s)", ev.FileName, formatBytes(x.lang, ev.Size))},
			{x.T("field.kind"), x.T("kind." + string(ev.Kind))},
		},
		What:   []string{x.T("confirm.remove_evidence.what")},
		Button: x.T("confirm.remove_evidence.button"),
	}
}

// submissionConfirmation summarises the application about to be submitted
// and the declarations confirmed.
func (a *app) submissionConfirmation(x *ctx, c *cases.CaseView) confirmation {
	written := 0
	for _, s := range c.SelfAssessment {
		if strings.TrimSpace(s.Statement) != "" {
			written++
		}
	}
	lines := []summaryLine{
		{x.T("field.scheme"), x.T("scheme." + string(c.Scheme))},
		{x.T("field.level"), levelName(x, string(c.Level))},
	}
	if c.Programme != nil {
		lines = append(lines, summaryLine{x.T("confirm.label.programme"), c.Programme.Name + " · " + c.Programme.Provider})
	}
	lines = append(lines,
		summaryLine{x.T("confirm.label.evidence"), strconv.Itoa(len(c.Evidence))},
		summaryLine{x.T("confirm.label.self_assessment"), x.T("confirm.of_categories", written, 8)})
	what := []string{x.T("confirm.submit.what")}
	for _, d := range a.declarationsOf(x, c.Scheme, c.RuleSet) {
		if x.fv(d.Field) == "yes" {
			lines = append(lines, summaryLine{x.T("confirm.label.declared"), d.Text})
		}
	}
	return confirmation{Title: x.T("confirm.submit.title"), Summary: lines, What: what, Button: x.T("confirm.submit.button")}
}

// assessmentConfirmation summarises an assessment about to be submitted.
func assessmentConfirmation(x *ctx, c *cases.CaseView, in cases.AssessmentRequest) confirmation {
	counts := map[accreditation.Rating]int{}
	for _, r := range in.Ratings {
		counts[r.Rating]++
	}
	var ratings []string
	for _, r := range []accreditation.Rating{accreditation.RatingEvidenced, accreditation.RatingPartiallyEvidenced, accreditation.RatingNotEvidenced} {
		if n := counts[r]; n > 0 {
			ratings = append(ratings, fmt.Sprintf("%s: %d", x.T("rating."+string(r)), n))
		}
	}
	rec := x.T("recommendation." + string(in.Recommendation))
	if in.RecommendedLevel != "" && in.RecommendedLevel != c.Level {
		rec += " (" + levelName(x, string(in.RecommendedLevel)) + ")"
	}
	lines := []summaryLine{
		{x.T("confirm.label.case"), x.T("scheme."+string(c.Scheme)) + " · " + levelName(x, string(c.Level))},
		{x.T("confirm.label.ratings"), strings.Join(ratings, " · ")},
	}
	// An EQA assessment's review areas, each rated on its own: named and
	// rated as the form names them.
	for _, a := range in.Areas {
		rating := string(a.Rating)
		if k := "rating." + rating; hasMessage(k) {
			rating = x.T(k)
		}
		lines = append(lines, summaryLine{x.T("area." + string(a.Area)), rating})
	}
	lines = append(lines, summaryLine{x.T("field.recommendation"), rec}, summaryLine{x.T("field.rationale"), in.Rationale})
	return confirmation{
		Title:   x.T("confirm.assess.title"),
		Summary: lines,
		What:    []string{x.T("confirm.assess.what")},
		Button:  x.T("confirm.assess.button"),
	}
}

// decisionConfirmation summarises a decision about to be recorded.
func decisionConfirmation(x *ctx, c *cases.CaseView, outcome, level, rationale string, votes []summaryLine) confirmation {
	o := x.T("outcome." + outcome)
	if level != "" {
		o += " · " + levelName(x, level)
	}
	lines := []summaryLine{
		{x.T("confirm.label.case"), x.T("scheme."+string(c.Scheme)) + " · " + levelName(x, string(c.Level))},
		{x.T("field.outcome"), o},
		{x.T("field.rationale"), rationale},
	}
	lines = append(lines, votes...)
	return confirmation{Title: x.T("confirm.decide.title"), Summary: lines, What: []string{x.T("confirm.decide.what")},
		Button: x.T("confirm.decide.button")}
}

// levelName is a level's name in the reader's language.
func levelName(x *ctx, id string) string {
	if li, ok := x.a.d.Catalogue.Level(framework.Level(id)); ok {
		return li.Name.In(x.lang)
	}
	return id
}

// readyToSubmit reports whether a submission would go through as far as
// the form can tell: every rule met and every declaration ticked. One that
// would not is sent as it is, to come back with what is missing.
func (a *app) readyToSubmit(x *ctx, c *cases.CaseView) bool {
	if len(c.Checklist) > 0 {
		return false
	}
	for _, d := range a.declarationsOf(x, c.Scheme, c.RuleSet) {
		if x.fv(d.Field) != "yes" {
			return false
		}
	}
	return true
}

// erasureConfirmation describes the person about to be erased.
// withdrawalConfirmation asks before an application is withdrawn: the case
// ends there.
func withdrawalConfirmation(x *ctx, c *cases.CaseView) confirmation {
	lines := []summaryLine{
		{x.T("field.scheme"), x.T("scheme." + string(c.Scheme))},
		{x.T("field.level"), levelName(x, string(c.Level))},
	}
	if r := x.fv("reason"); r != "" {
		lines = append(lines, summaryLine{x.T("field.reason"), r})
	}
	return confirmation{
		Title:   x.T("confirm.withdraw.title"),
		Summary: lines,
		What:    []string{x.T("confirm.withdraw.what")},
		Button:  x.T("confirm.withdraw.button"),
	}
}

// endingConfirmation asks before an accreditation ends (key: the messages
// confirm.<...>.title, .what and .button), the reason given in field.
func endingConfirmation(x *ctx, accID, field, key string) confirmation {
	return confirmation{
		Title:   x.T(key + ".title"),
		Summary: []summaryLine{{x.T("confirm.label.accreditation"), accID}, {x.T("field.reason"), x.fv(field)}},
		What:    []string{x.T(key + ".what")},
		Button:  x.T(key + ".button"),
	}
}

func erasureConfirmation(x *ctx, u accounts.UserView) confirmation {
	return confirmation{
		Title: x.T("confirm.erase.title"),
		Summary: []summaryLine{
			{x.T("field.name"), u.Name},
			{x.T("field.email"), u.Email},
			{x.T("field.role"), x.T("role." + string(u.Role))},
			{x.T("field.erase_ground"), x.T("ground." + x.fv("erase_ground"))},
			{x.T("field.erase_reason"), x.fv("erase_reason")},
		},
		What:   []string{x.T("users.erase.intro")},
		Button: x.T("confirm.erase.button"),
	}
}
