package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
)

// caseView is the case service's View of a case, typed for the templates.
// Sealed texts arrive revealed, as plain strings.
type caseView struct {
	ID          string    `json:"id"`
	Scheme      string    `json:"scheme"`
	Level       string    `json:"level"`
	Language    string    `json:"language"`
	State       string    `json:"state"`
	ApplicantID string    `json:"applicant_id"`
	OpenedAt    time.Time `json:"opened_at"`
	Programme   *struct {
		Name     string `json:"name"`
		Provider string `json:"provider"`
	} `json:"programme"`
	Portfolio struct {
		FirstPracticeDate        string  `json:"first_practice_date"`
		ClientHours              float64 `json:"client_hours"`
		ClientCount              int     `json:"client_count"`
		CPDHoursLastYear         float64 `json:"cpd_hours_last_year"`
		SupervisionHoursLastYear float64 `json:"supervision_hours_last_year"`
		FeedbackItemsLast12m     int     `json:"feedback_items_last_12m"`
		ReflectionItemsLast12m   int     `json:"reflection_items_last_12m"`
		ProfessionalBodyMember   bool    `json:"professional_body_member"`
		ContactHours             float64 `json:"contact_hours"`
		CompletedCycles          int     `json:"completed_cycles"`
		Curriculum               []struct {
			Category    int    `json:"category"`
			Indicators  []int  `json:"indicators"`
			Description string `json:"description"`
		} `json:"curriculum"`
	} `json:"portfolio"`
	Evidence       []evidenceView `json:"evidence"`
	SelfAssessment []struct {
		Category  int    `json:"category"`
		Statement string `json:"statement"`
	} `json:"self_assessment"`
	RuleSet     string    `json:"rule_set"`
	Eligibility []unmet   `json:"eligibility"`
	SubmittedAt time.Time `json:"submitted_at"`
	Screening   *struct {
		Outcome string    `json:"outcome"`
		Reason  string    `json:"reason"`
		At      time.Time `json:"at"`
		By      string    `json:"by"`
	} `json:"screening"`
	Assignments         map[string]assignmentView `json:"assignments"`
	Assessments         []assessmentView          `json:"assessments"`
	InformationRequests []struct {
		ID         string    `json:"id"`
		By         string    `json:"by"`
		Questions  string    `json:"questions"`
		AskedAt    time.Time `json:"asked_at"`
		Answer     string    `json:"answer"`
		AnsweredAt time.Time `json:"answered_at"`
	} `json:"information_requests"`
	Moderation *struct {
		RequiredAt     time.Time `json:"required_at"`
		Recommendation string    `json:"recommendation"`
		Level          string    `json:"level"`
		Rationale      string    `json:"rationale"`
		By             string    `json:"by"`
		At             time.Time `json:"at"`
	} `json:"moderation"`
	Decision           *decisionView      `json:"decision"`
	PastDecisions      []decisionView     `json:"past_decisions"`
	Appeals            []appealView       `json:"appeals"`
	Accreditation      *accreditationView `json:"accreditation"`
	WithdrawnAt        time.Time          `json:"withdrawn_at"`
	WithdrawalReason   string             `json:"withdrawal_reason"`
	Version            uint64             `json:"version"`
	AllowedActions     []string           `json:"allowed_actions"`
	Checklist          []unmet            `json:"checklist"`
	ExpectedDecisionBy string             `json:"expected_decision_by"`
	AppealDeadline     string             `json:"appeal_deadline"`
	Next               accreditation.Step `json:"next"`
}

type appealView struct {
	DecisionNumber int       `json:"decision_number"`
	Grounds        string    `json:"grounds"`
	FiledAt        time.Time `json:"filed_at"`
	Outcome        string    `json:"outcome"`
	Rationale      string    `json:"rationale"`
	By             string    `json:"by"`
	At             time.Time `json:"at"`
	ReturnTo       string    `json:"return_to"`
}

type accreditationView struct {
	ID         string    `json:"id"`
	Level      string    `json:"level"`
	AwardedAt  time.Time `json:"awarded_at"`
	ValidUntil time.Time `json:"valid_until"`
	Status     string    `json:"status"`
	Reason     string    `json:"reason"`
	ChangedAt  time.Time `json:"changed_at"`
	Renewals   []struct {
		At         time.Time `json:"at"`
		ValidUntil time.Time `json:"valid_until"`
	} `json:"renewals"`
}

type evidenceView struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Categories  []int     `json:"categories"`
	Indicators  []int     `json:"indicators"`
	AddedAt     time.Time `json:"added_at"`
}

// Viewable reports whether the file is shown inline (PDF, image).
func (e evidenceView) Viewable() bool { return viewable(e.ContentType) }

// Image reports whether the file is an image.
func (e evidenceView) Image() bool { return strings.HasPrefix(e.ContentType, "image/") }

type assignmentView struct {
	Role   string    `json:"role"`
	UserID string    `json:"user_id"`
	How    string    `json:"how"`
	At     time.Time `json:"at"`
}

type assessmentView struct {
	Role    string `json:"role"`
	UserID  string `json:"user_id"`
	Ratings []struct {
		Category   int    `json:"category"`
		Rating     string `json:"rating"`
		Indicators []int  `json:"indicators"`
		Notes      string `json:"notes"`
	} `json:"ratings"`
	Recommendation string    `json:"recommendation"`
	Level          string    `json:"level"`
	Rationale      string    `json:"rationale"`
	SubmittedAt    time.Time `json:"submitted_at"`
}

type decisionView struct {
	Number     int       `json:"number"`
	Outcome    string    `json:"outcome"`
	Level      string    `json:"level"`
	Rationale  string    `json:"rationale"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
	Overturned bool      `json:"overturned"`
}

// unmet is a rule as checked: the checklist's unmet rules, the
// eligibility recorded at submission.
type unmet struct {
	Rule     string `json:"rule"`
	Required any    `json:"required"`
	Given    any    `json:"given"`
	Met      bool   `json:"met"`
}

// Can reports whether the caller may take action now.
func (c *caseView) Can(action string) bool { return slices.Contains(c.AllowedActions, action) }

// Editable reports whether the applicant may still change the application.
func (c *caseView) Editable() bool {
	return c.State == string(accreditation.StateDraft) || c.State == string(accreditation.StateReturned)
}

// Statement is the self-assessment statement of a category.
func (c *caseView) Statement(cat int) string {
	for _, s := range c.SelfAssessment {
		if s.Category == cat {
			return s.Statement
		}
	}
	return ""
}

// OpenRequest is the unanswered request for information, if any.
func (c *caseView) OpenRequest() string {
	for _, r := range c.InformationRequests {
		if r.AnsweredAt.IsZero() {
			return r.Questions
		}
	}
	return ""
}

// AssessmentOf returns the visible assessment of a role.
func (c *caseView) AssessmentOf(role string) *assessmentView {
	for i := range c.Assessments {
		if c.Assessments[i].Role == role {
			return &c.Assessments[i]
		}
	}
	return nil
}

// EvidenceOf returns one piece of evidence.
func (c *caseView) EvidenceOf(id string) *evidenceView {
	for i := range c.Evidence {
		if c.Evidence[i].ID == id {
			return &c.Evidence[i]
		}
	}
	return nil
}

// EQA reports whether the case is for a programme.
func (c *caseView) EQA() bool { return c.Scheme == string(accreditation.SchemeEQA) }

// loadCase gets a case as the caller may see it.
func (a *app) loadCase(x *ctx, id string) (*caseView, error) {
	v, _, err := a.d.Cases.Get(x.Request().Context(), x.actor(), id)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var cv caseView
	if err := json.Unmarshal(b, &cv); err != nil {
		return nil, fmt.Errorf("decode case view: %w", err)
	}
	return &cv, nil
}

// caseParam is the :case path parameter (a ULID); anything else is a 404.
func caseParam(x *ctx) (string, error) {
	id := x.Param("case")
	if len(id) != 26 || strings.ToUpper(id) != id {
		return "", domain.Errorf(domain.NotFound, "no case %s", id)
	}
	return id, nil
}

// loadParamCase loads the case of the :case parameter.
func (a *app) loadParamCase(x *ctx) (*caseView, error) {
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
func (a *app) checklist(x *ctx, c *caseView) []checkItem {
	var out []checkItem
	base := "/applications/" + c.ID
	for _, u := range c.Checklist {
		out = append(out, checkItem{Text: ruleText(x, u, false), Href: base + ruleSection(u.Rule)})
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
func ruleText(x *ctx, u unmet, withMet bool) string {
	return ruleTextIn(x.lang, x.a.d.Catalogue, u, withMet)
}

func ruleTextIn(lang string, cat *framework.Catalogue, u unmet, withMet bool) string {
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
	switch req := u.Required.(type) {
	case bool:
		given, _ := u.Given.(bool)
		if withMet && given {
			return tr(lang, "rule.flag_met", name)
		}
		return tr(lang, "rule.flag_missing", name)
	case float64:
		given, _ := u.Given.(float64)
		return tr(lang, "rule.at_least", name, formatNum(lang, req), formatNum(lang, given))
	}
	return fmt.Sprintf("%s: %v", name, u.Required)
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
func (a *app) history(x *ctx, c *caseView) ([]historyItem, error) {
	h, err := a.d.Cases.History(x.Request().Context(), x.actor(), c.ID)
	if err != nil {
		return nil, err
	}
	out := make([]historyItem, 0, len(h))
	for _, e := range h {
		it := a.historyItem(x, e)
		// Consecutive like events without details (a self-assessment saved
		// category by category) read as one line.
		if n := len(out); n > 0 && len(it.Detail) == 0 && len(out[n-1].Detail) == 0 && out[n-1].What == it.What &&
			out[n-1].Who == it.Who && it.At.Sub(out[n-1].At) < time.Hour {
			out[n-1].Times++
			out[n-1].At = it.At
			continue
		}
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
	d, _ := e.Data.(map[string]any)
	str := func(k string) string { s, _ := d[k].(string); return s }
	add := func(label, v string) {
		if v != "" {
			it.Detail = append(it.Detail, label+": "+v)
		}
	}
	switch short {
	case "case_screened":
		add(x.T("label.outcome"), x.T("screening."+str("outcome")))
		add(x.T("label.reason"), str("reason"))
	case "assessor_assigned":
		add(x.T("label.role"), x.T("arole."+str("role")))
	case "assessment_submitted":
		add(x.T("label.role"), x.T("arole."+str("role")))
		if str("hidden") != "" {
			it.Detail = append(it.Detail, x.T("history.hidden"))
		} else {
			add(x.T("label.recommendation"), x.T("recommendation."+str("recommendation")))
		}
	case "information_requested":
		add(x.T("label.questions"), str("questions"))
	case "information_provided":
		add(x.T("label.answer"), str("answer"))
	case "case_moderated":
		add(x.T("label.recommendation"), x.T("recommendation."+str("recommendation")))
		add(x.T("label.rationale"), str("rationale"))
	case "decision_made":
		add(x.T("label.outcome"), x.T("outcome."+str("outcome")))
		if l := str("level"); l != "" {
			add(x.T("label.level"), a.levelName(x, l))
		}
		add(x.T("label.rationale"), str("rationale"))
	case "accreditation_awarded", "accreditation_renewed":
		add(x.T("label.valid_until"), formatDate(x.lang, str("valid_until"), false))
	case "appeal_filed":
		add(x.T("label.grounds"), str("grounds"))
	case "appeal_decided":
		add(x.T("label.outcome"), x.T("appeal."+str("outcome")))
		add(x.T("label.rationale"), str("rationale"))
	case "evidence_added":
		add(x.T("label.title"), str("title"))
	case "case_withdrawn", "accreditation_revoked", "accreditation_withdrawn":
		add(x.T("label.reason"), str("reason"))
	case "case_submitted":
		add(x.T("label.rule_set"), str("rule_set_version"))
	}
	return it
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
	u, err := a.d.Accounts.User(x.Request().Context(), id)
	if err != nil {
		return id
	}
	return u.Name
}

// nextStep renders the domain's next step in the caller's language; the
// web decides nothing about it.
func (a *app) nextStep(x *ctx, s accreditation.Step) string {
	switch s.Key {
	case accreditation.StepDraft:
		return x.T("next.draft")
	case accreditation.StepSubmitted:
		return x.T("next.submitted")
	case accreditation.StepReturned:
		return x.T("next.returned")
	case accreditation.StepAwaitingAssessment:
		if s.Role != "" {
			return x.T("next.awaiting_one", strings.ToLower(x.T("arole."+string(s.Role))))
		}
		return x.T("next.awaiting_assessment")
	case accreditation.StepInAssessment:
		return x.T("next.in_assessment")
	case accreditation.StepInformationRequested:
		return x.T("next.information_requested")
	case accreditation.StepModeration:
		return x.T("next.moderation")
	case accreditation.StepAwaitingDecision:
		return x.T("next.awaiting_decision")
	case accreditation.StepAwarded:
		if !s.AppealBy.IsZero() {
			return x.T("next.awarded_lower", formatDate(x.lang, s.RenewBy, false), formatDate(x.lang, s.AppealBy, false))
		}
		return x.T("next.awarded", formatDate(x.lang, s.RenewBy, false))
	case accreditation.StepAccreditationEnded:
		return x.T("next.accreditation_ended", x.T("astatus."+string(s.Status)))
	case accreditation.StepNotAwarded:
		return x.T("next.not_awarded", formatDate(x.lang, s.AppealBy, false))
	case accreditation.StepAppealed:
		return x.T("next.appealed")
	case accreditation.StepWithdrawn:
		return x.T("next.withdrawn")
	}
	return x.T("next.none")
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
