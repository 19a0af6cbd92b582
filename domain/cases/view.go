package cases

import (
	"context"
	"maps"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// DefaultSLA is the service-level target from submission to decision when
// none is configured: the published "reasoned report within 3 months"
// (dnv.nl, EIA accreditation page), as 13 weeks.
const DefaultSLA = 91 * 24 * time.Hour

// CaseView is a case as one caller may see it: what the API answers and
// the pages render. It is built field by field from the aggregate, so the
// aggregate's internal shape is not the public one, and every personal
// field is already opened (or reads pii.Erased).
type CaseView struct {
	ID          string               `json:"id"`
	Scheme      accreditation.Scheme `json:"scheme"`
	Level       framework.Level      `json:"level"`
	Language    string               `json:"language"`
	State       accreditation.State  `json:"state"`
	ApplicantID string               `json:"applicant_id"`
	OpenedAt    time.Time            `json:"opened_at"`
	UpdatedAt   time.Time            `json:"updated_at"` // of the last event

	Programme *ProgrammeView `json:"programme,omitempty"` // EQA
	// GraduateProgramme is the EQA-accredited programme an EIA applicant
	// graduated from (portfolio.eqa_programme), as the register names it.
	GraduateProgramme *GraduateProgrammeView     `json:"graduate_programme,omitempty"`
	Portfolio         PortfolioView              `json:"portfolio"`
	Evidence          []EvidenceView             `json:"evidence,omitempty"` // in the order added
	SelfAssessment    []SelfAssessmentView       `json:"self_assessment"`    // by category
	RuleSetVersion    string                     `json:"rule_set_version,omitempty"`
	RuleSet           string                     `json:"rule_set"` // the same, always present
	Eligibility       []accreditation.RuleResult `json:"eligibility,omitempty"`
	// Declarations are the declarations confirmed at the last submission.
	Declarations []accreditation.DeclarationConfirmed `json:"declarations,omitempty"`
	SubmittedAt  time.Time                            `json:"submitted_at,omitzero"`
	// Fee is the fee asked at submission and how it was settled; absent
	// when the rules the case is held to set none.
	Fee       *FeeView       `json:"fee,omitempty"`
	Screening *ScreeningView `json:"screening,omitempty"`

	Assignments accreditation.Assignments `json:"assignments,omitzero"`
	// Assessments are those the caller may see, assessor first.
	Assessments         []AssessmentView         `json:"assessments"`
	InformationRequests []InformationRequestView `json:"information_requests,omitempty"`
	Moderation          *ModerationView          `json:"moderation,omitempty"`
	// Interview is the applicant's interview (EIA Senior and Master
	// Practitioner), once scheduled.
	Interview *InterviewView `json:"interview,omitempty"`

	Decision      *DecisionView      `json:"decision,omitempty"`
	PastDecisions []DecisionView     `json:"past_decisions,omitempty"`
	Appeals       []AppealView       `json:"appeals,omitempty"`
	Accreditation *AccreditationView `json:"accreditation,omitempty"`

	WithdrawnAt      time.Time `json:"withdrawn_at,omitzero"`
	WithdrawalReason string    `json:"withdrawal_reason,omitempty"`

	// Participants is everyone who played a part; not shown to the applicant.
	Participants []accreditation.Participant `json:"participants,omitempty"`
	// BarredRoles are the roles held on the case in progress whose holders'
	// profiles no longer meet their conditions (standing.go): they take no
	// further step on the case. The office sees every such role, an
	// assessor their own.
	BarredRoles []BarredRole `json:"barred_roles,omitempty"`
	// ConflictedRoles are the names (assessor, verifier, renewal_assessor)
	// of the BarredRoles barred for a conflict of interest with the
	// applicant declared since their holders took them.
	ConflictedRoles []string `json:"conflicted_roles,omitempty"`
	// Withheld names the parts of the case held back from the caller that
	// the case has (Withheld* constants): an assessor who may only claim
	// it does not read its proceedings (Case.SeesProceedings).
	Withheld []string `json:"withheld,omitempty"`

	Version uint64 `json:"version"`
	// AsOf is set on a view of the case as it stood at that moment (see
	// Service.AsOf): nothing can be done on it, so AllowedActions is empty.
	AsOf           *time.Time             `json:"as_of,omitempty"`
	AllowedActions []accreditation.Action `json:"allowed_actions"`
	NextStep       string                 `json:"next_step"`
	Next           accreditation.Step     `json:"next"`
	// Checklist is what submission still needs: present (maybe empty)
	// only while the applicant edits (draft, returned).
	Checklist          []accreditation.Unmet `json:"checklist,omitzero"`
	ExpectedDecisionBy string                `json:"expected_decision_by,omitempty"` // RFC 3339
	AppealDeadline     string                `json:"appeal_deadline,omitempty"`      // RFC 3339
}

// The parts of a case a view may withhold (CaseView.Withheld).
const (
	WithheldScreeningReason     = "screening.reason"
	WithheldInformationRequests = "information_requests"
	WithheldInterviewPlace      = "interview.place"
	WithheldWithdrawalReason    = "withdrawal_reason"
	WithheldAppeals             = "appeals"
	WithheldEvidenceFiles       = "evidence.files"
)

// ProgrammeView is the EQA programme applied for.
type ProgrammeView struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
}

// GraduateProgrammeView is the EQA-accredited programme an applicant
// names: its accreditation and, while the register knows it, its names.
type GraduateProgrammeView struct {
	AccreditationID string `json:"accreditation_id"`
	Name            string `json:"name,omitempty"`
	Provider        string `json:"provider,omitempty"`
	// InForce is whether the programme's accreditation is in force now (in
	// a view as_of a moment, at that moment).
	InForce bool `json:"in_force"`
}

// PortfolioView is the applicant's declared facts, the curriculum opened:
// the aggregate's one portfolio shape with clear texts.
type PortfolioView = accreditation.PortfolioOf[string]

// EvidenceView is one file of evidence.
type EvidenceView struct {
	ID          string                     `json:"id"`
	Kind        accreditation.EvidenceKind `json:"kind"`
	Title       string                     `json:"title"`
	FileName    string                     `json:"file_name"`
	ContentType string                     `json:"content_type"`
	Size        int64                      `json:"size"`
	SHA256      string                     `json:"sha256"`
	Object      string                     `json:"object"`
	Categories  []int                      `json:"categories,omitempty"`
	Indicators  []int                      `json:"indicators,omitempty"`
	AddedAt     time.Time                  `json:"added_at"`
	AddedBy     string                     `json:"added_by"`
}

// Inline reports whether the file may be shown in the page (a PDF or an
// image) rather than only downloaded.
func (e EvidenceView) Inline() bool { return InlineType(e.ContentType) }

// Erased reports whether the file was erased with its applicant's
// personal data (its name reads pii.Erased): there is nothing left to
// show or download.
func (e EvidenceView) Erased() bool { return e.FileName == pii.Erased }

// Image reports whether the file is an image.
func (e EvidenceView) Image() bool { return strings.HasPrefix(e.ContentType, "image/") }

// InlineType reports whether a file of contentType may be shown inline:
// the types a browser shows without running anything of the file's, named
// one by one rather than by a prefix such as image/, which would take in
// a type accepted later (image/svg+xml runs scripts) unsandboxed.
func InlineType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && inlineTypes[mt]
}

var inlineTypes = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true}

// SelfAssessmentView is the statement on one category.
type SelfAssessmentView struct {
	Category  int    `json:"category"`
	Statement string `json:"statement"`
}

// FeeView is the fee of a case: due until the office records it as paid
// (with the reference) or waived (with the reason).
type FeeView struct {
	AmountEUR float64   `json:"amount_eur"`
	Status    string    `json:"status"` // due, paid or waived
	Reference string    `json:"reference,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at,omitzero"` // when it was recorded
	By        string    `json:"by,omitempty"`
}

// FeeDue is FeeView.Status before the payment is recorded.
const FeeDue = "due"

// ScreeningView is the last screening.
type ScreeningView struct {
	Outcome accreditation.ScreeningOutcome `json:"outcome"`
	Reason  string                         `json:"reason,omitempty"`
	At      time.Time                      `json:"at"`
	By      string                         `json:"by"`
}

// AssessmentView is one submitted assessment.
type AssessmentView struct {
	Role           accreditation.AssessorRole   `json:"role"`
	UserID         string                       `json:"user_id"`
	Ratings        []RatingView                 `json:"ratings"`
	Areas          []AreaRatingView             `json:"review_areas,omitempty"` // EQA
	Recommendation accreditation.Recommendation `json:"recommendation"`
	Level          framework.Level              `json:"level,omitempty"`
	Rationale      string                       `json:"rationale"`
	SubmittedAt    time.Time                    `json:"submitted_at"`
}

// RatingView is an assessor's rating of one category.
type RatingView struct {
	Category   int                  `json:"category"`
	Rating     accreditation.Rating `json:"rating"`
	Indicators []int                `json:"indicators,omitempty"`
	Notes      string               `json:"notes,omitempty"`
}

// AreaRatingView is an assessor's rating of one EQA review area.
type AreaRatingView struct {
	Area   accreditation.ReviewArea `json:"area"`
	Rating accreditation.Rating     `json:"rating"`
	Notes  string                   `json:"notes,omitempty"`
}

// InformationRequestView is a request for more information and its answer.
type InformationRequestView struct {
	ID         string              `json:"id"`
	By         string              `json:"by"`
	Questions  string              `json:"questions"`
	AskedAt    time.Time           `json:"asked_at"`
	ReturnTo   accreditation.State `json:"return_to"`
	Answer     string              `json:"answer,omitempty"`
	AnsweredAt time.Time           `json:"answered_at,omitzero"`
}

// ModerationView is the office's resolution of two disagreeing assessments.
type ModerationView struct {
	RequiredAt     time.Time                    `json:"required_at"`
	Recommendation accreditation.Recommendation `json:"recommendation,omitempty"`
	Level          framework.Level              `json:"level,omitempty"`
	Rationale      string                       `json:"rationale,omitempty"`
	By             string                       `json:"by,omitempty"`
	At             time.Time                    `json:"at,omitzero"`
}

// DecisionView is a decision on the case.
type DecisionView struct {
	Number     int                   `json:"number"`
	Outcome    accreditation.Outcome `json:"outcome"`
	Level      framework.Level       `json:"level,omitempty"`
	Rationale  string                `json:"rationale"`
	By         string                `json:"by"`
	At         time.Time             `json:"at"`
	Overturned bool                  `json:"overturned,omitempty"`
	// AppealTerms are when and how often it may be appealed.
	AppealTerms accreditation.AppealTerms `json:"appeal_terms"`
	// Panel is the awarding panel and its votes; absent on a decision
	// recorded before panels were.
	Panel []accreditation.PanelVote `json:"panel,omitempty"`
}

// AppealView is an appeal and its outcome.
type AppealView struct {
	DecisionNumber int                         `json:"decision_number"`
	Grounds        string                      `json:"grounds"`
	FiledAt        time.Time                   `json:"filed_at"`
	Outcome        accreditation.AppealOutcome `json:"outcome,omitempty"`
	Rationale      string                      `json:"rationale,omitempty"`
	By             string                      `json:"by,omitempty"`
	At             time.Time                   `json:"at,omitzero"`
	ReturnTo       string                      `json:"return_to,omitempty"`
}

// AccreditationView is what the award made.
type AccreditationView struct {
	ID         string                            `json:"id"`
	Level      framework.Level                   `json:"level"`
	AwardedAt  time.Time                         `json:"awarded_at"`
	ValidUntil time.Time                         `json:"valid_until"`
	Status     accreditation.AccreditationStatus `json:"status"`
	Reason     string                            `json:"reason,omitempty"`
	By         string                            `json:"by,omitempty"`
	ChangedAt  time.Time                         `json:"changed_at,omitzero"`
	Renewals   []accreditation.Renewal           `json:"renewals,omitempty"`
	// CurrentRenewal is the renewal under way, or the last one refused.
	CurrentRenewal *RenewalView `json:"current_renewal,omitempty"`
}

// Can reports whether the caller may take action now.
func (v *CaseView) Can(action accreditation.Action) bool {
	return slices.Contains(v.AllowedActions, action)
}

// Withholds reports whether part (a Withheld* constant) is withheld from
// the caller.
func (v *CaseView) Withholds(part string) bool { return slices.Contains(v.Withheld, part) }

// WithholdsProceedings reports whether any of the case's proceedings is
// withheld from the caller: what Withheld names beside the evidence files.
func (v *CaseView) WithholdsProceedings() bool {
	return slices.ContainsFunc(v.Withheld, func(part string) bool { return part != WithheldEvidenceFiles })
}

// Editable reports whether the applicant may still change the application.
func (v *CaseView) Editable() bool {
	return v.State.WithApplicant()
}

// EQA reports whether the case is for a programme.
func (v *CaseView) EQA() bool { return v.Scheme == accreditation.SchemeEQA }

// Statement is the self-assessment statement of a category.
func (v *CaseView) Statement(category int) string {
	for _, s := range v.SelfAssessment {
		if s.Category == category {
			return s.Statement
		}
	}
	return ""
}

// OpenRequest is the questions of the unanswered request for information,
// if any.
func (v *CaseView) OpenRequest() string {
	for _, r := range v.InformationRequests {
		if r.AnsweredAt.IsZero() {
			return r.Questions
		}
	}
	return ""
}

// AssessmentOf returns the visible assessment of a role, nil for none.
func (v *CaseView) AssessmentOf(role string) *AssessmentView {
	for i := range v.Assessments {
		if string(v.Assessments[i].Role) == role {
			return &v.Assessments[i]
		}
	}
	return nil
}

// EvidenceOf returns one piece of evidence, nil for none.
func (v *CaseView) EvidenceOf(id string) *EvidenceView {
	for i := range v.Evidence {
		if v.Evidence[i].ID == id {
			return &v.Evidence[i]
		}
	}
	return nil
}

// EvidenceGroup is the evidence of one kind, in the order added.
type EvidenceGroup struct {
	Kind  accreditation.EvidenceKind
	Items []EvidenceView
}

// EvidenceByKind groups the evidence by kind, in the order the scheme
// lists its kinds (the written portfolio's first), then any kind the
// scheme no longer offers: how an assessor reads a portfolio.
func (v *CaseView) EvidenceByKind() []EvidenceGroup {
	order := accreditation.EvidenceKindsOf(v.Scheme)
	for _, e := range v.Evidence {
		if !slices.Contains(order, e.Kind) {
			order = append(order, e.Kind)
		}
	}
	var out []EvidenceGroup
	for _, k := range order {
		g := EvidenceGroup{Kind: k}
		for _, e := range v.Evidence {
			if e.Kind == k {
				g.Items = append(g.Items, e)
			}
		}
		if len(g.Items) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// Get returns case id as actor may see it. Errors: NotFound.
func (s *Service) Get(ctx context.Context, actor domain.Actor, id string) (*CaseView, uint64, error) {
	c, version, err := s.visible(actor, id)
	if err != nil {
		return nil, 0, err
	}
	return s.view(ctx, actor, c, version), version, nil
}

// view shapes a case for actor (the case must be visible to them).
func (s *Service) view(ctx context.Context, actor domain.Actor, c *accreditation.Case, version uint64) *CaseView {
	return s.viewAt(ctx, actor, c, version, s.now())
}

// viewAt is view with the clock at now: the deadlines, the next step and
// the checklist as they were at that moment.
func (s *Service) viewAt(ctx context.Context, actor domain.Actor, c *accreditation.Case, version uint64, now time.Time) *CaseView {
	open := func(sealed pii.Sealed) string { return s.vault.Reveal(ctx, sealed) }
	v := &CaseView{
		ID: c.ID, Scheme: c.Scheme, Level: c.Level, Language: c.Language, State: c.State, ApplicantID: c.ApplicantID,
		OpenedAt: c.OpenedAt, UpdatedAt: c.UpdatedAt,
		Portfolio:      portfolioView(c.Portfolio, open),
		RuleSetVersion: c.RuleSetVersion, RuleSet: c.RuleSetVersion,
		Eligibility: slices.Clone(c.Eligibility), Declarations: slices.Clone(c.Declarations), SubmittedAt: c.SubmittedAt,
		Assignments: c.Assignments, WithdrawnAt: c.WithdrawnAt,
		Version: version, AllowedActions: c.AllowedActions(actor, now, s.RuleSets()),
	}
	proceedings := c.SeesProceedings(actor)
	withhold := func(part string) { v.Withheld = append(v.Withheld, part) }
	if !c.WithdrawalReason.IsZero() {
		if proceedings {
			v.WithdrawalReason = open(c.WithdrawalReason)
		} else {
			withhold(WithheldWithdrawalReason)
		}
	}
	if p := c.Programme; p != nil {
		v.Programme = &ProgrammeView{Name: open(p.Name), Provider: open(p.Provider)}
	}
	if acc := c.Portfolio.EQAProgramme; acc != "" {
		p, inForce, _, _ := s.programme(ctx, acc) // a store failure shows the id alone
		v.GraduateProgramme = &GraduateProgrammeView{AccreditationID: acc, Name: p.Name, Provider: p.Provider, InForce: inForce}
	}
	for _, e := range c.Evidence {
		v.Evidence = append(v.Evidence, EvidenceView{ID: e.ID, Kind: e.Kind, Title: open(e.Title), FileName: open(e.FileName),
			ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256, Object: e.Object,
			Categories: slices.Clone(e.Categories), Indicators: slices.Clone(e.Indicators), AddedAt: e.AddedAt, AddedBy: e.AddedBy})
	}
	v.SelfAssessment = []SelfAssessmentView{}
	for _, cat := range slices.Sorted(maps.Keys(c.SelfAssessment)) {
		v.SelfAssessment = append(v.SelfAssessment, SelfAssessmentView{Category: cat, Statement: open(c.SelfAssessment[cat])})
	}
	if c.Fee > 0 {
		v.Fee = &FeeView{AmountEUR: c.Fee, Status: FeeDue}
		if p := c.Payment; p != nil {
			v.Fee = &FeeView{AmountEUR: p.AmountEUR, Status: string(p.Status), Reference: p.Reference, At: p.At, By: p.By}
			if c.SeesFeeReason(actor) {
				v.Fee.Reason = open(p.Reason)
			}
		}
	}
	if sc := c.Screening; sc != nil {
		v.Screening = &ScreeningView{Outcome: sc.Outcome, At: sc.At, By: sc.By}
		if proceedings {
			v.Screening.Reason = open(sc.Reason)
		} else if !sc.Reason.IsZero() {
			withhold(WithheldScreeningReason)
		}
	}
	v.Assessments = []AssessmentView{}
	for _, a := range c.VisibleAssessments(actor) {
		v.Assessments = append(v.Assessments, assessmentView(a, open))
	}
	if !proceedings && len(c.InformationRequests) > 0 {
		withhold(WithheldInformationRequests)
	} else {
		for _, r := range c.InformationRequests {
			v.InformationRequests = append(v.InformationRequests, InformationRequestView{ID: r.ID, By: r.By, Questions: open(r.Questions),
				AskedAt: r.AskedAt, ReturnTo: r.ReturnTo, Answer: open(r.Answer), AnsweredAt: r.AnsweredAt})
		}
	}
	if m := c.Moderation; m != nil {
		v.Moderation = &ModerationView{RequiredAt: m.RequiredAt}
		if c.SeesModeration(actor) {
			v.Moderation = &ModerationView{RequiredAt: m.RequiredAt, Recommendation: m.Recommendation, Level: m.Level,
				Rationale: open(m.Rationale), By: m.By, At: m.At}
		}
	}
	v.Interview = interviewView(c, actor, open)
	if v.Interview != nil && !proceedings && v.Interview.Place != "" {
		v.Interview.Place = ""
		withhold(WithheldInterviewPlace)
	}
	if c.Decision != nil {
		d := decisionView(*c.Decision, open)
		v.Decision = &d
	}
	for _, d := range c.PastDecisions {
		v.PastDecisions = append(v.PastDecisions, decisionView(d, open))
	}
	if !proceedings && len(c.Appeals) > 0 {
		withhold(WithheldAppeals)
	} else {
		for _, a := range c.Appeals {
			v.Appeals = append(v.Appeals, AppealView{DecisionNumber: a.DecisionNumber, Grounds: open(a.Grounds), FiledAt: a.FiledAt,
				Outcome: a.Outcome, Rationale: open(a.Rationale), By: a.By, At: a.At, ReturnTo: a.ReturnTo})
		}
	}
	if len(c.Evidence) > 0 && !s.seesFiles(c, actor) {
		withhold(WithheldEvidenceFiles) // listed, not to be opened
	}
	if a := c.Accreditation; a != nil {
		v.Accreditation = &AccreditationView{ID: a.ID, Level: a.Level, AwardedAt: a.AwardedAt, ValidUntil: a.ValidUntil,
			Status: a.Status, Reason: open(a.Reason), By: a.By, ChangedAt: a.ChangedAt, Renewals: slices.Clone(a.Renewals),
			CurrentRenewal: renewalView(a.Current, open, c.SeesRenewal(actor))}
	}
	if actor.Role != domain.RoleApplicant {
		v.Participants = slices.Clone(c.Participants)
	}
	v.BarredRoles = s.barredRoles(ctx, c, actor)
	v.ConflictedRoles = conflictedRoles(v.BarredRoles)
	if len(v.BarredRoles) > 0 && actor.Role == domain.RoleAssessor {
		v.AllowedActions = []accreditation.Action{} // refuseBarred refuses each
	}
	v.Next = c.Next(now)
	if proceedings {
		v.Next = v.Next.RevealPlace(open)
	}
	v.NextStep = v.Next.String()
	if c.State.WithApplicant() {
		v.Checklist = c.Unmet(s.RuleSets(), now)
		if v.Checklist == nil {
			v.Checklist = []accreditation.Unmet{}
		}
	}
	if due, ok := c.DecisionExpectedBy(s.sla); ok {
		v.ExpectedDecisionBy = due.UTC().Format(time.RFC3339)
	}
	if d := c.AppealDeadline(); !d.IsZero() {
		v.AppealDeadline = d.UTC().Format(time.RFC3339)
	}
	return v
}

func portfolioView(p accreditation.Portfolio, open func(pii.Sealed) string) PortfolioView {
	out := PortfolioView{FirstPracticeDate: p.FirstPracticeDate, ClientHours: p.ClientHours, ClientCount: p.ClientCount,
		CPDHoursLastYear: p.CPDHoursLastYear, SupervisionHoursLastYear: p.SupervisionHoursLastYear,
		SupervisionHoursByQuarter: slices.Clone(p.SupervisionHoursByQuarter),
		FeedbackItemsLast12m:      p.FeedbackItemsLast12m, ReflectionItemsLast12m: p.ReflectionItemsLast12m,
		ProfessionalBodyMember: p.ProfessionalBodyMember, EQAProgramme: p.EQAProgramme, ContactHours: p.ContactHours, CompletedCycles: p.CompletedCycles}
	for _, it := range p.Curriculum {
		out.Curriculum = append(out.Curriculum, accreditation.CurriculumItemOf[string]{Category: it.Category,
			Indicators: slices.Clone(it.Indicators), Description: open(it.Description)})
	}
	return out
}

func assessmentView(a accreditation.Assessment, open func(pii.Sealed) string) AssessmentView {
	out := AssessmentView{Role: a.Role, UserID: a.UserID, Recommendation: a.Recommendation, Level: a.Level,
		Rationale: open(a.Rationale), SubmittedAt: a.SubmittedAt}
	if a.Ratings != nil { // none stays null, as stored
		out.Ratings = make([]RatingView, 0, len(a.Ratings))
	}
	for _, r := range a.Ratings {
		out.Ratings = append(out.Ratings, RatingView{Category: r.Category, Rating: r.Rating, Indicators: slices.Clone(r.Indicators), Notes: open(r.Notes)})
	}
	for _, r := range a.Areas {
		out.Areas = append(out.Areas, AreaRatingView{Area: r.Area, Rating: r.Rating, Notes: open(r.Notes)})
	}
	return out
}

func decisionView(d accreditation.Decision, open func(pii.Sealed) string) DecisionView {
	return DecisionView{Number: d.Number, Outcome: d.Outcome, Level: d.Level, Rationale: open(d.Rationale), By: d.By, At: d.At, Overturned: d.Overturned,
		Panel: slices.Clone(d.Panel), AppealTerms: d.Appeal}
}

// Answer returns the case as actor sees it after the command that returned
// res: built from the state that command decided on, its events applied
// (at res.Version), not read again, so that a later write by someone else
// does not show up in this command's answer. A duplicate, which decided
// nothing this time, reads the case as it is. Errors: NotFound (the actor
// may no longer see the case).
func (s *Service) Answer(ctx context.Context, actor domain.Actor, id string, res aggregate.Result) (*CaseView, uint64, error) {
	c, ok := aggregate.StateOf[*accreditation.Case](res)
	if !ok {
		return s.Get(ctx, actor, id)
	}
	if !c.Exists() || !s.canSee(c, actor) {
		return nil, 0, notFound(id)
	}
	return s.view(ctx, actor, c, res.Version), res.Version, nil
}
