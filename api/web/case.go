package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/dates"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// loadCase gets a case as the caller may see it: the very view the API
// answers with.
func (a *app) loadCase(x *ctx, id string) (*cases.CaseView, error) {
	v, _, err := a.d.Cases.Get(x.Request().Context(), x.actor(), id)
	return v, err
}

// loadCaseOpened is loadCase for a form filled in from the case's texts
// (the statements, an evidence's title, an EQA's curriculum): a text that
// cannot be opened for now is a 503 to retry, never pii.Unavailable put
// in a field, which the next save would keep as the person's text.
func (a *app) loadCaseOpened(x *ctx, id string) (*cases.CaseView, error) {
	ctx, unreadable := pii.Strict(x.Request().Context())
	v, _, err := a.d.Cases.Get(ctx, x.actor(), id)
	if err != nil {
		return nil, err
	}
	if err := unreadable(); err != nil {
		e := domain.Wrap(domain.Unavailable, err, "the application's texts cannot be read for now")
		e.RetryAfter = 1
		return nil, e
	}
	return v, nil
}

// loadParamCaseOpened is loadCaseOpened for the :case parameter.
func (a *app) loadParamCaseOpened(x *ctx) (*cases.CaseView, error) {
	id, err := caseParam(x)
	if err != nil {
		return nil, err
	}
	return a.loadCaseOpened(x, id)
}

// caseParam is the :case path parameter (a ULID); anything else is a 404.
func caseParam(x *ctx) (string, error) {
	id := x.Param("case")
	if !domain.ValidULID(id) {
		return "", domain.Errorf(domain.NotFound, "no case %s", id)
	}
	return id, nil
}

// loadParamCase loads the case of the :case parameter.
func (a *app) loadParamCase(x *ctx) (*cases.CaseView, error) {
	id, err := caseParam(x)
	if err != nil {
		return nil, err
	}
	return a.loadCase(x, id)
}

// checkItem is one line of the live checklist.
type checkItem struct {
	Text string
	Href string // where to fix it
}

// checklist turns the unmet rules into lines in the caller's language.
func (a *app) checklist(x *ctx, c *cases.CaseView) []checkItem {
	var out []checkItem
	base := "/applications/" + c.ID
	for _, u := range c.Checklist {
		r := accreditation.RuleResult{Rule: u.Rule, Required: u.Required, Given: u.Given}
		out = append(out, checkItem{Text: ruleText(x, r, false), Href: base + ruleSection(u.Rule)})
	}
	return out
}

// openItems are what the office or an assessor asked of the applicant and
// no rule can check: the office's reasons for returning the application,
// the open request for information. They lead to where they are answered.
func (a *app) openItems(x *ctx, c *cases.CaseView) []checkItem {
	var out []checkItem
	base := "/applications/" + c.ID
	if sc := c.Screening; sc != nil && c.State == accreditation.StateReturned && sc.Outcome == accreditation.ScreeningReturned {
		out = append(out, checkItem{Text: x.T("openitems.returned", sc.Reason), Href: base + "#returned-heading"})
	}
	if q := c.OpenRequest(); q != "" && c.State == accreditation.StateInformationRequested {
		out = append(out, checkItem{Text: x.T("openitems.request", q), Href: base + "#request-heading"})
	}
	return out
}

// ruleSection is the page of the application where a rule is met.
func ruleSection(rule string) string {
	switch {
	case strings.HasPrefix(rule, "category_"):
		return "/self-assessment"
	default:
		return "/portfolio"
	}
}

// ruleText says what a rule asks, and what was given, in the caller's
// language: "Client contact hours: at least 100 (you gave 40)".
func ruleText(x *ctx, u accreditation.RuleResult, withMet bool) string {
	return ruleTextIn(x.lang, x.a.d.Catalogue, u, withMet)
}

func ruleTextIn(lang string, cat *framework.Catalogue, u accreditation.RuleResult, withMet bool) string {
	var n int
	if _, err := fmt.Sscanf(u.Rule, "category_%d_addressed", &n); err == nil {
		c, _ := cat.Category(n)
		return tr(lang, "rule.category_addressed", n, c.Name.In(lang))
	}
	if _, err := fmt.Sscanf(u.Rule, "curriculum_category_%d", &n); err == nil {
		c, _ := cat.Category(n)
		return tr(lang, "rule.curriculum_category", n, c.Name.In(lang))
	}
	name := tr(lang, "rule."+u.Rule)
	// Figures are ints or float64s as the rules check them live, float64s
	// as recorded at submission.
	switch req := toFloat(u.Required).(type) {
	case bool:
		given, _ := u.Given.(bool)
		met, missing := "rule.flag_met", "rule.flag_missing"
		if written(u.Rule) {
			met, missing = "rule.flag_written", "rule.flag_unwritten"
		}
		if withMet && given {
			return tr(lang, met, name)
		}
		return tr(lang, missing, name)
	case float64:
		given, _ := toFloat(u.Given).(float64)
		switch u.Rule {
		case accreditation.RuleSupervisionQuarters: // given is the least supervised quarter's
			return tr(lang, "rule.at_least_each_quarter", name, formatNum(lang, req), formatNum(lang, given))
		case accreditation.RuleRenewalSupervisionQuarters: // of the quarters ended when sent
			return tr(lang, "rule.at_least_each_ended_quarter", name, formatNum(lang, req), formatNum(lang, given))
		}
		return tr(lang, "rule.at_least", name, formatNum(lang, req), formatNum(lang, given))
	}
	return fmt.Sprintf("%s: %v", name, u.Required)
}

// written reports whether the rule asks for a text the holder writes (a
// renewal's reflection, an EQA aim's statement), which is written, not
// confirmed as a declaration or a membership is.
func written(rule string) bool {
	return rule == accreditation.RuleRenewalReflection || rule == accreditation.RuleRenewalAims ||
		slices.ContainsFunc(accreditation.RenewalAims, func(a accreditation.RenewalAim) bool { return accreditation.RuleRenewalAim(a) == rule })
}

// historyItem is one line of a case's timeline.
type historyItem struct {
	At     time.Time
	What   string
	Who    string
	Detail []string
	Times  int // consecutive like events folded into this one
}

// history is the case's timeline as the caller may see it.
func (a *app) history(x *ctx, c *cases.CaseView) ([]historyItem, error) {
	h, err := a.d.Cases.History(x.Request().Context(), x.actor(), c.ID)
	if err != nil {
		return nil, err
	}
	out := make([]historyItem, 0, len(h))
	var lastSeq uint64 // the commit of the last event folded in
	for _, e := range h {
		it := a.historyItem(x, e)
		// Consecutive like events without details (a self-assessment saved
		// category by category) read as one line, counting the saves: the
		// events of one commit (one save of every category) are one time.
		if n := len(out); n > 0 && len(it.Detail) == 0 && len(out[n-1].Detail) == 0 && out[n-1].What == it.What &&
			out[n-1].Who == it.Who && it.At.Sub(out[n-1].At) < time.Hour {
			if e.Seq != lastSeq {
				out[n-1].Times++
			}
			out[n-1].At, lastSeq = it.At, e.Seq
			continue
		}
		lastSeq = e.Seq
		it.Times = 1
		out = append(out, it)
	}
	slices.Reverse(out) // newest first
	return out, nil
}

func (a *app) historyItem(x *ctx, e cases.HistoryEntry) historyItem {
	short := strings.TrimPrefix(e.Type, accreditation.StreamPrefix+".")
	it := historyItem{At: e.OccurredAt, What: x.T("event." + short), Who: x.T("actor." + string(e.Actor.Role))}
	if x.user != nil && x.user.Role == domain.RoleOffice {
		it.Who += " · " + a.userName(x, e.Actor.ID)
	}
	if x.isApplicant() && e.Actor.ID == x.user.ID {
		it.Who = x.T("actor.you")
	}
	d, _ := e.Data.(map[string]any)
	str := func(k string) string { s, _ := d[k].(string); return s }
	add := func(label, v string) {
		if v != "" {
			it.Detail = append(it.Detail, label+": "+v)
		}
	}
	switch accreditation.EventType(e.Type) {
	case accreditation.EventCaseScreened:
		add(x.T("label.outcome"), x.T(x.addressed("screening."+str("outcome"))))
		add(x.T("label.reason"), str("reason"))
	case accreditation.EventPaymentRecorded:
		amount, _ := d["amount_eur"].(float64)
		add(x.T("label.fee"), x.T("payment."+str("status"), formatEUR(x.lang, amount)))
		add(x.T("label.reference"), str("reference"))
		add(x.T("label.reason"), str("reason"))
	case accreditation.EventAssessorAssigned:
		add(x.T("label.role"), x.T("arole."+str("role")))
	case accreditation.EventAssessorUnassigned:
		add(x.T("label.role"), x.T("arole."+str("role")))
		if id := str("user_id"); id != "" && x.user != nil && x.user.Role == domain.RoleOffice {
			add(x.T("reassign.label.taken_off"), a.userName(x, id))
		}
		add(x.T("label.reason"), str("reason"))
	case accreditation.EventAssessmentSubmitted:
		add(x.T("label.role"), x.T("arole."+str("role")))
		if str("hidden") != "" {
			it.Detail = append(it.Detail, x.T(x.addressed("history.hidden")))
		} else {
			add(x.T("label.recommendation"), x.T("recommendation."+str("recommendation")))
			a.addLowerLevel(x, add, str("recommendation"), str("level"))
		}
	case accreditation.EventInformationRequested:
		add(x.T("label.questions"), str("questions"))
	case accreditation.EventInformationProvided:
		add(x.T("label.answer"), str("answer"))
	case accreditation.EventCaseModerated:
		if str("hidden") != "" {
			it.Detail = append(it.Detail, x.T(x.addressed("history.hidden")))
			break
		}
		add(x.T("label.recommendation"), x.T("recommendation."+str("recommendation")))
		a.addLowerLevel(x, add, str("recommendation"), str("level"))
		add(x.T("label.rationale"), str("rationale"))
	case accreditation.EventDecisionMade:
		add(x.T("label.outcome"), x.T("outcome."+str("outcome")))
		if l := str("level"); l != "" {
			add(x.T("label.level"), a.levelName(x, l))
		}
		if panel, _ := d["panel"].([]any); len(panel) > 0 && x.user != nil && x.user.Role == domain.RoleOffice {
			var votes []string
			for _, m := range panel {
				m, _ := m.(map[string]any)
				id, _ := m["user_id"].(string)
				vote, _ := m["vote"].(string)
				votes = append(votes, a.userName(x, id)+" ("+x.T("vote."+vote)+")")
			}
			add(x.T("officecase.decision.panel"), strings.Join(votes, ", "))
		}
		add(x.T("label.rationale"), str("rationale"))
	case accreditation.EventAccreditationAwarded, accreditation.EventAccreditationRenewed:
		add(x.T("label.valid_until"), formatDate(x.lang, str("valid_until"), false))
	case accreditation.EventAppealFiled:
		add(x.T("label.grounds"), str("grounds"))
	case accreditation.EventAppealDecided:
		add(x.T("label.outcome"), x.T("appeal."+str("outcome")))
		add(x.T("label.rationale"), str("rationale"))
	case accreditation.EventEvidenceAdded, accreditation.EventEvidenceEdited:
		add(x.T("label.title"), str("title"))
	case accreditation.EventCaseWithdrawn, accreditation.EventAccreditationRevoked, accreditation.EventAccreditationWithdrawn:
		if str("cause") == accreditation.ApplicantErased {
			add(x.T("label.reason"), x.T("withdrawn.applicant_erased"))
		} else {
			add(x.T("label.reason"), str("reason"))
		}
	case accreditation.EventCaseSubmitted:
		if r := a.rulesOf(x, str("rule_set_version")); r != nil {
			add(x.T("label.rule_set"), r.Title)
		}
	}
	return it
}

// addLowerLevel adds to a history line the level a recommendation of an
// award at a lower level names: "Award at a lower level" alone does not
// say which (the other recommendations name none but the case's).
func (a *app) addLowerLevel(x *ctx, add func(label, v string), recommendation, level string) {
	if accreditation.Recommendation(recommendation) == accreditation.RecommendAwardLower && level != "" {
		add(x.T("label.level"), a.levelName(x, level))
	}
}

// levelName is a level's name in the caller's language.
func (a *app) levelName(x *ctx, l string) string {
	if li, ok := a.d.Catalogue.Level(framework.Level(l)); ok {
		return li.Name.In(x.lang)
	}
	return l
}

// userName is a user's name for the office ("—" when unknown).
func (a *app) userName(x *ctx, id string) string {
	if id == "" {
		return "—"
	}
	if id == domain.System.ID {
		return x.T("actor.system")
	}
	return a.holder(x, id).Name
}

// holder is a user as the office's pages name them (their id when the
// account cannot be read): a disabled assessor cannot log in, so what they
// hold waits until the office reassigns it, and the pages say so beside
// the name.
type holder struct {
	ID, Name string
	Disabled bool
}

func (a *app) holder(x *ctx, id string) holder {
	u, err := a.d.Accounts.User(x.Request().Context(), id)
	if err != nil {
		return holder{ID: id, Name: id}
	}
	return holder{ID: id, Name: u.Name, Disabled: u.Disabled}
}

// nextStep renders the domain's next step in the caller's language and
// to the reader: an applicant reads what they are to do ("Answer the
// assessor's question of 3 March"), staff read it in the third person. The
// web decides nothing about it.
func (a *app) nextStep(x *ctx, s accreditation.Step) string {
	key := func(k string) string { return x.addressed("next." + k) }
	date := func(t time.Time) string { return formatDate(x.lang, t, false) }
	switch s.Key {
	case accreditation.StepDraft, accreditation.StepSubmitted, accreditation.StepReturned, accreditation.StepInAssessment,
		accreditation.StepModeration, accreditation.StepAwaitingDecision, accreditation.StepAppealed, accreditation.StepWithdrawn:
		return x.T(key(string(s.Key)))
	case accreditation.StepAwaitingPayment:
		return x.T(key("awaiting_payment"), formatEUR(x.lang, s.FeeEUR))
	case accreditation.StepAwaitingAssessment:
		if s.Role != "" {
			return x.T(key("awaiting_one"), strings.ToLower(x.T("arole."+string(s.Role))))
		}
		return x.T(key("awaiting_assessment"))
	case accreditation.StepInformationRequested:
		if !x.isApplicant() || s.AskedAt.IsZero() {
			return x.T(key("information_requested"))
		}
		if s.AskedBy == accreditation.AskedByOffice {
			return x.T("you.next.information_requested.office", date(s.AskedAt))
		}
		return x.T("you.next.information_requested.assessor", date(s.AskedAt))
	case accreditation.StepInterview:
		if s.InterviewAt.IsZero() {
			return x.T(key("interview"))
		}
		return x.T(key("interview_at"), date(s.InterviewAt), clock(s.InterviewAt), s.InterviewPlace)
	case accreditation.StepAwarded:
		switch {
		case s.Appeal && !s.AppealBy.IsZero():
			return x.T(key("awarded_lower"), date(s.RenewBy), formatDate(x.lang, s.AppealBy, true))
		case s.Appeal:
			return x.T(key("awarded_lower_open"), date(s.RenewBy))
		}
		return x.T(key("awarded"), date(s.RenewBy))
	case accreditation.StepRenewalSubmitted, accreditation.StepRenewalInAssessment, accreditation.StepRenewalReturned:
		return x.T(key(string(s.Key)))
	case accreditation.StepRenewalRefused:
		return x.T(key("renewal_refused"), date(s.ValidUntil))
	case accreditation.StepAccreditationEnded:
		return x.T(key("accreditation_ended"), strings.ToLower(x.T("astatus."+string(s.Status))))
	case accreditation.StepNotAwarded:
		if s.AppealBy.IsZero() {
			return x.T(key("not_awarded_open"))
		}
		return x.T(key("not_awarded"), formatDate(x.lang, s.AppealBy, true))
	}
	return x.T(key("none"))
}

// clock is the time of day of t, as pages and emails show times: in UTC.
func clock(t time.Time) string { return dates.Clock(t) }

// isApplicant reports whether the reader is an applicant.
func (x *ctx) isApplicant() bool { return x.user != nil && x.user.Role == domain.RoleApplicant }

// addressed is the message key as its reader reads it: an applicant reads
// the words written to them ("you." + key), staff the third person. Every
// key passed here has both (a test checks).
func (x *ctx) addressed(key string) string {
	if x.isApplicant() {
		return "you." + key
	}
	return key
}

// levelIDs lists the level ids lowest first.
func levelIDs() []string {
	out := make([]string, len(framework.Levels))
	for i, l := range framework.Levels {
		out[i] = string(l)
	}
	return out
}

var schemes = []string{"EIA", "EQA"}

// enumParam is v when allowed holds it, else "".
func enumParam(v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }
