package accreditation

import (
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// Scheme is what is accredited.
type Scheme string

// The two schemes.
const (
	SchemeEIA Scheme = "EIA" // European Individual Accreditation: a coach or mentor
	SchemeEQA Scheme = "EQA" // European Quality Award: a training programme
)

// Valid reports whether s is EIA or EQA.
func (s Scheme) Valid() bool { return s == SchemeEIA || s == SchemeEQA }

// UnmarshalText decodes a scheme as its constant (domain.Known); a value
// that is none is kept as written, for Valid to refuse.
func (s *Scheme) UnmarshalText(b []byte) error {
	*s = domain.Known(b, schemes)
	return nil
}

var schemes = []Scheme{SchemeEIA, SchemeEQA}

// ParseScheme parses "EIA" or "EQA", ignoring case and surrounding space.
func ParseScheme(s string) (Scheme, bool) {
	sc := Scheme(strings.ToUpper(strings.TrimSpace(s)))
	return sc, sc.Valid()
}

// State is where a case stands in the process.
type State string

// The states of a case. The accreditation it awards has a status of its own
// (AccreditationStatus).
const (
	StateDraft                State = "draft"
	StateAwaitingPayment      State = "awaiting_payment"      // submitted; the fee is to be paid (or waived) before screening
	StateSubmitted            State = "submitted"             // awaiting screening by the office
	StateReturned             State = "returned"              // to the applicant, with reasons; edit and resubmit
	StateAwaitingAssessment   State = "awaiting_assessment"   // in the assessor queue until both roles are filled
	StateInAssessment         State = "in_assessment"         // assessor and verifier assess independently
	StateInformationRequested State = "information_requested" // waiting for the applicant's answer
	StateModeration           State = "moderation"            // the two assessments disagree
	StateAwaitingDecision     State = "awaiting_decision"
	StateAwarded              State = "awarded"
	StateNotAwarded           State = "not_awarded"
	StateAppealed             State = "appealed"
	StateWithdrawn            State = "withdrawn"
)

// States lists every state in process order.
var States = []State{
	StateDraft, StateAwaitingPayment, StateSubmitted, StateReturned, StateAwaitingAssessment, StateInAssessment,
	StateInformationRequested, StateModeration, StateAwaitingDecision, StateAwarded,
	StateNotAwarded, StateAppealed, StateWithdrawn,
}

// UnmarshalText decodes a state as its constant (domain.Known); a value
// that is none is kept as written.
func (s *State) UnmarshalText(b []byte) error {
	*s = domain.Known(b, States)
	return nil
}

// Portfolio is the applicant's declared facts that eligibility is checked
// against: the EIA fields for a coach, the EQA fields for a programme. The
// fields of the other scheme stay zero. Its texts are sealed.
type Portfolio = PortfolioOf[pii.Sealed]

// CurriculumItem is a curriculum item with its description sealed.
type CurriculumItem = CurriculumItemOf[pii.Sealed]

// PortfolioOf is the one shape of a portfolio, its texts of type Text:
// sealed (pii.Sealed) in the case and its events, clear (string) in a view.
type PortfolioOf[Text any] struct {
	// EIA.
	FirstPracticeDate        Date    `json:"first_practice_date,omitzero"`
	ClientHours              float64 `json:"client_hours,omitempty"`
	ClientCount              int     `json:"client_count,omitempty"`
	CPDHoursLastYear         float64 `json:"cpd_hours_last_year,omitempty"`
	SupervisionHoursLastYear float64 `json:"supervision_hours_last_year,omitempty"`
	// SupervisionHoursByQuarter are the supervision hours of each of the
	// last four quarters, oldest first: none, or four. The rule sets from
	// eia-2027-1 check each against RuleSupervisionQuarters; the earlier
	// ones check SupervisionHoursLastYear, which stays for the portfolios
	// recorded under them.
	SupervisionHoursByQuarter []float64 `json:"supervision_hours_by_quarter,omitempty"`
	FeedbackItemsLast12m      int       `json:"feedback_items_last_12m,omitempty"`
	ReflectionItemsLast12m    int       `json:"reflection_items_last_12m,omitempty"`
	ProfessionalBodyMember    bool      `json:"professional_body_member,omitempty"`
	// EQAProgramme is the accreditation (on the register) of the
	// EQA-accredited programme the applicant graduated from: the graduate
	// route, whose requirements are the rule set's Graduates figures.
	EQAProgramme string `json:"eqa_programme,omitempty"`

	// EQA.
	ContactHours    float64                  `json:"contact_hours,omitempty"`
	CompletedCycles int                      `json:"completed_cycles,omitempty"`
	Curriculum      []CurriculumItemOf[Text] `json:"curriculum,omitempty"`
}

// CurriculumItemOf maps a part of an EQA programme's curriculum to a
// competence category and, optionally, indicators of it.
type CurriculumItemOf[Text any] struct {
	Category    int   `json:"category"`
	Indicators  []int `json:"indicators,omitempty"`
	Description Text  `json:"description"`
}

func clonePortfolio(p Portfolio) Portfolio {
	p.SupervisionHoursByQuarter = slices.Clone(p.SupervisionHoursByQuarter)
	p.Curriculum = slices.Clone(p.Curriculum)
	for i := range p.Curriculum {
		p.Curriculum[i].Indicators = slices.Clone(p.Curriculum[i].Indicators)
		p.Curriculum[i].Description = cloneSealed(p.Curriculum[i].Description)
	}
	return p
}

// Quarters is how many quarters Portfolio.SupervisionHoursByQuarter holds.
const Quarters = 4

// leastSupervisedQuarter is the supervision hours of the quarter with the
// fewest of the last four: 0 when the four are not given.
func (p PortfolioOf[Text]) leastSupervisedQuarter() float64 {
	if len(p.SupervisionHoursByQuarter) != Quarters {
		return 0
	}
	return slices.Min(p.SupervisionHoursByQuarter)
}

func (p PortfolioOf[Text]) curriculumCategories() []int {
	var out []int
	for _, it := range p.Curriculum {
		if !slices.Contains(out, it.Category) {
			out = append(out, it.Category)
		}
	}
	slices.Sort(out)
	return out
}

// Programme is the EQA programme applied for.
type Programme struct {
	Name     pii.Sealed `json:"name"`
	Provider pii.Sealed `json:"provider"`
}

// EvidenceKind is what a piece of evidence is.
type EvidenceKind string

// The kinds of evidence.
const (
	// The EIA written portfolio: a case study and learning journals are
	// "the heart of the assessment" (nobco.nl/wat-moet-je-aantonen-voor-eia-certificering).
	KindCaseStudy         EvidenceKind = "case_study"
	KindLearningJournal   EvidenceKind = "learning_journal"
	KindClientFeedback    EvidenceKind = "client_feedback"
	KindCPDRecord         EvidenceKind = "cpd_record"
	KindSupervisionRecord EvidenceKind = "supervision_record"
	KindPracticeLog       EvidenceKind = "practice_log"
	KindMembershipProof   EvidenceKind = "membership_proof"

	// An EQA programme's own documents.
	KindCurriculum        EvidenceKind = "curriculum"
	KindProgrammeHandbook EvidenceKind = "programme_handbook"
	KindAssessmentMethods EvidenceKind = "assessment_methods"
	KindTutorProfiles     EvidenceKind = "tutor_profiles"
	KindStudentFeedback   EvidenceKind = "student_feedback"
	KindQualityManual     EvidenceKind = "quality_manual"

	// Either scheme, and the kinds of the first version (still offered).
	KindCertificate         EvidenceKind = "certificate"
	KindReflectiveStatement EvidenceKind = "reflective_statement"
	KindSupervisorReference EvidenceKind = "supervisor_reference"
	KindSessionTranscript   EvidenceKind = "session_transcript"
	KindProgrammeDocument   EvidenceKind = "programme_document"
	KindOther               EvidenceKind = "other"
)

// portfolioKinds are the kinds of each scheme whose items a rule set may
// require a number of (RuleEvidence), in the order they are shown.
var portfolioKinds = map[Scheme][]EvidenceKind{
	SchemeEIA: {KindCaseStudy, KindLearningJournal, KindClientFeedback, KindCPDRecord, KindSupervisionRecord,
		KindPracticeLog, KindMembershipProof},
	SchemeEQA: {KindCurriculum, KindProgrammeHandbook, KindAssessmentMethods, KindTutorProfiles,
		KindStudentFeedback, KindQualityManual},
}

// otherKinds are the further kinds each scheme offers, counted by no rule.
var otherKinds = map[Scheme][]EvidenceKind{
	SchemeEIA: {KindReflectiveStatement, KindSupervisorReference, KindSessionTranscript, KindCertificate, KindOther},
	SchemeEQA: {KindProgrammeDocument, KindCertificate, KindOther},
}

// EvidenceKindsOf returns the kinds of evidence a case of scheme takes, its
// portfolio's kinds first.
func EvidenceKindsOf(scheme Scheme) []EvidenceKind {
	return slices.Concat(portfolioKinds[scheme], otherKinds[scheme])
}

// PortfolioKinds returns the kinds of scheme a rule set may require a
// number of.
func PortfolioKinds(scheme Scheme) []EvidenceKind { return slices.Clone(portfolioKinds[scheme]) }

// EvidenceKinds lists every kind of either scheme: what an event may carry.
var EvidenceKinds = func() []EvidenceKind {
	var all []EvidenceKind
	for _, k := range slices.Concat(EvidenceKindsOf(SchemeEIA), EvidenceKindsOf(SchemeEQA)) {
		if !slices.Contains(all, k) {
			all = append(all, k)
		}
	}
	return all
}()

// Valid reports whether k is a known kind.
func (k EvidenceKind) Valid() bool { return slices.Contains(EvidenceKinds, k) }

// Evidence is one file of evidence, stored in the object store under Object.
type Evidence struct {
	ID          string       `json:"id"`
	Kind        EvidenceKind `json:"kind"`
	Title       pii.Sealed   `json:"title"`
	FileName    pii.Sealed   `json:"file_name"`
	ContentType string       `json:"content_type"`
	Size        int64        `json:"size"`
	SHA256      string       `json:"sha256"`
	Object      string       `json:"object"`
	// Categories are the competence categories the evidence is mapped to,
	// including those of its indicators; sorted.
	Categories []int     `json:"categories,omitempty"`
	Indicators []int     `json:"indicators,omitempty"`
	AddedAt    time.Time `json:"added_at"`
	AddedBy    string    `json:"added_by"`
}

func (e Evidence) clone() Evidence {
	e.Title = cloneSealed(e.Title)
	e.FileName = cloneSealed(e.FileName)
	e.Categories = slices.Clone(e.Categories)
	e.Indicators = slices.Clone(e.Indicators)
	return e
}

// ScreeningOutcome is the office's screening result.
type ScreeningOutcome string

// The screening outcomes.
const (
	ScreeningAccepted ScreeningOutcome = "accepted"
	ScreeningReturned ScreeningOutcome = "returned"
)

// Screening is the last screening of the case.
type Screening struct {
	Outcome ScreeningOutcome `json:"outcome"`
	Reason  pii.Sealed       `json:"reason,omitzero"`
	At      time.Time        `json:"at"`
	By      string           `json:"by"`
}

// AssessorRole is the part an assessor plays on a case.
type AssessorRole string

// The two assessing roles; two different people hold them.
const (
	RoleAssessor AssessorRole = "assessor"
	RoleVerifier AssessorRole = "verifier"
)

// AssessorRoles lists both roles, assessor first.
var AssessorRoles = []AssessorRole{RoleAssessor, RoleVerifier}

// Valid reports whether r is assessor or verifier.
func (r AssessorRole) Valid() bool { return r == RoleAssessor || r == RoleVerifier }

// UnmarshalText decodes a role as its constant (domain.Known), as a value
// and as a key of a case's maps by role; a value that is none is kept as
// written, for Valid to refuse.
func (r *AssessorRole) UnmarshalText(b []byte) error {
	*r = domain.Known(b, AssessorRoles)
	return nil
}

// How an assessor came to a case.
const (
	HowAssigned = "assigned" // by the office
	HowClaimed  = "claimed"  // by the assessor, from the queue
)

// Assignment is who holds an assessing role.
type Assignment struct {
	Role   AssessorRole `json:"role"`
	UserID string       `json:"user_id"`
	How    string       `json:"how"` // HowAssigned or HowClaimed
	At     time.Time    `json:"at"`
	By     string       `json:"by"`
}

// AssessorProfile is what the user directory knows about a would-be
// assessor; the service looks it up and passes it to Assign or Claim.
type AssessorProfile struct {
	UserID    string          `json:"user_id"`
	Schemes   []string        `json:"schemes"`
	MaxLevel  framework.Level `json:"max_level"`
	Languages []string        `json:"languages"`
	// Conflicts are the user ids they declared a conflict of interest with.
	Conflicts []string `json:"conflicts"`
	Active    bool     `json:"active"`
}

// Rating is how well a category is evidenced at the target level.
type Rating string

// The ratings.
const (
	RatingNotEvidenced       Rating = "not_evidenced"
	RatingPartiallyEvidenced Rating = "partially_evidenced"
	RatingEvidenced          Rating = "evidenced"
)

// Valid reports whether r is a known rating.
func (r Rating) Valid() bool {
	return r == RatingNotEvidenced || r == RatingPartiallyEvidenced || r == RatingEvidenced
}

// CategoryRating is an assessor's rating of one category.
type CategoryRating struct {
	Category   int        `json:"category"`
	Rating     Rating     `json:"rating"`
	Indicators []int      `json:"indicators,omitempty"` // observed
	Notes      pii.Sealed `json:"notes,omitzero"`
}

// ReviewArea is one of the five areas an EQA review rates beside the
// curriculum's mapping to the eight categories: course content, learner
// experience, tutor effectiveness, methods of assessing students and
// quality systems (coaching-at-work.com, 2007/11/02, "prize possession").
type ReviewArea string

// The EQA review areas.
const (
	AreaCourseContent      ReviewArea = "course_content"
	AreaLearnerExperience  ReviewArea = "learner_experience"
	AreaTutorEffectiveness ReviewArea = "tutor_effectiveness"
	AreaStudentAssessment  ReviewArea = "student_assessment"
	AreaQualitySystems     ReviewArea = "quality_systems"
)

// ReviewAreas lists the EQA review areas in the order the review takes them.
var ReviewAreas = []ReviewArea{
	AreaCourseContent, AreaLearnerExperience, AreaTutorEffectiveness, AreaStudentAssessment, AreaQualitySystems,
}

// Valid reports whether a is a known review area.
func (a ReviewArea) Valid() bool { return slices.Contains(ReviewAreas, a) }

// AreaRating is an assessor's rating of one EQA review area: how well the
// programme's evidence shows it at the level applied for.
type AreaRating struct {
	Area   ReviewArea `json:"area"`
	Rating Rating     `json:"rating"`
	Notes  pii.Sealed `json:"notes,omitzero"`
}

// Recommendation is an assessor's (or the moderator's) overall view.
type Recommendation string

// The recommendations. RecommendRequestInformation is not an outcome of an
// assessment: an assessor who needs more asks with RequestInformation.
const (
	RecommendAward              Recommendation = "award"
	RecommendAwardLower         Recommendation = "award_lower"
	RecommendRequestInformation Recommendation = "request_information"
	RecommendNotAward           Recommendation = "not_award"
)

// Assessment is one assessor's (or verifier's) submitted assessment.
type Assessment struct {
	Role    AssessorRole     `json:"role"`
	UserID  string           `json:"user_id"`
	Ratings []CategoryRating `json:"ratings"`
	// Areas are the EQA review areas rated, in ReviewAreas order; none on
	// an EIA case, and none on an EQA assessment recorded before they were
	// asked for.
	Areas          []AreaRating   `json:"review_areas,omitempty"`
	Recommendation Recommendation `json:"recommendation"`
	// Level is the level recommended: the case level for award, a lower
	// one for award_lower, none for not_award.
	Level       framework.Level `json:"level,omitempty"`
	Rationale   pii.Sealed      `json:"rationale"`
	SubmittedAt time.Time       `json:"submitted_at"`
}

func (a Assessment) clone() Assessment {
	a.Ratings = slices.Clone(a.Ratings)
	for i := range a.Ratings {
		a.Ratings[i].Indicators = slices.Clone(a.Ratings[i].Indicators)
		a.Ratings[i].Notes = cloneSealed(a.Ratings[i].Notes)
	}
	a.Areas = slices.Clone(a.Areas)
	for i := range a.Areas {
		a.Areas[i].Notes = cloneSealed(a.Areas[i].Notes)
	}
	a.Rationale = cloneSealed(a.Rationale)
	return a
}

// InformationRequest is a request for more information and its answer.
type InformationRequest struct {
	ID        string     `json:"id"`
	By        string     `json:"by"`
	Questions pii.Sealed `json:"questions"`
	AskedAt   time.Time  `json:"asked_at"`
	// ReturnTo is the state the case goes back to when answered.
	ReturnTo   State      `json:"return_to"`
	Answer     pii.Sealed `json:"answer,omitzero"`
	AnsweredAt time.Time  `json:"answered_at,omitzero"`
}

// Answered reports whether the request has been answered.
func (r InformationRequest) Answered() bool { return !r.AnsweredAt.IsZero() }

// Moderation is the office's resolution of two disagreeing assessments.
type Moderation struct {
	RequiredAt     time.Time       `json:"required_at"`
	Recommendation Recommendation  `json:"recommendation,omitempty"`
	Level          framework.Level `json:"level,omitempty"`
	Rationale      pii.Sealed      `json:"rationale,omitzero"`
	By             string          `json:"by,omitempty"`
	At             time.Time       `json:"at,omitzero"`
}

// Done reports whether the moderator has decided.
func (m Moderation) Done() bool { return m.By != "" }

// Outcome is the outcome of a decision.
type Outcome string

// The decision outcomes.
const (
	OutcomeAwarded    Outcome = "awarded"
	OutcomeNotAwarded Outcome = "not_awarded"
)

// Vote is an awarding panel member's vote on the decision's outcome.
type Vote string

// The votes.
const (
	VoteFor     Vote = "for"
	VoteAgainst Vote = "against"
	VoteAbstain Vote = "abstain"
)

// Valid reports whether v is for, against or abstain.
func (v Vote) Valid() bool { return v == VoteFor || v == VoteAgainst || v == VoteAbstain }

// PanelVote is one member of the awarding panel and their vote.
type PanelVote struct {
	UserID string `json:"user_id"`
	Vote   Vote   `json:"vote"`
}

// Decision is the awarding panel's decision on the case, recorded by the
// office.
type Decision struct {
	// Number counts the decisions of the case from 1; a decision
	// overturned on appeal is followed by another.
	Number    int             `json:"number"`
	Outcome   Outcome         `json:"outcome"`
	Level     framework.Level `json:"level,omitempty"`
	Rationale pii.Sealed      `json:"rationale"`
	By        string          `json:"by"` // who recorded it
	At        time.Time       `json:"at"`
	// Panel is the awarding panel and its votes; empty for a decision
	// recorded before panels were (then By decided alone).
	Panel []PanelVote `json:"panel,omitempty"`
	// Overturned is set when an appeal against it was upheld.
	Overturned bool `json:"overturned,omitempty"`
	// Appeal is when and how often it may be appealed.
	Appeal AppealTerms `json:"appeal"`
}

// AppealOutcome is the outcome of an appeal.
type AppealOutcome string

// The appeal outcomes.
const (
	AppealUpheld    AppealOutcome = "upheld"
	AppealDismissed AppealOutcome = "dismissed"
)

// Where an upheld appeal sends the case.
const (
	ReturnToAssessment = "assessment" // in_assessment, the assessments cleared
	ReturnToDecision   = "decision"   // awaiting_decision
)

// Appeal is an appeal against a decision and its outcome.
type Appeal struct {
	DecisionNumber int           `json:"decision_number"`
	Grounds        pii.Sealed    `json:"grounds"`
	FiledAt        time.Time     `json:"filed_at"`
	Outcome        AppealOutcome `json:"outcome,omitempty"`
	Rationale      pii.Sealed    `json:"rationale,omitzero"`
	By             string        `json:"by,omitempty"`
	At             time.Time     `json:"at,omitzero"`
	ReturnTo       string        `json:"return_to,omitempty"`
}

// Decided reports whether the appeal has been decided.
func (a Appeal) Decided() bool { return a.Outcome != "" }

// AccreditationStatus is the status of an awarded accreditation.
type AccreditationStatus string

// The accreditation statuses.
const (
	StatusActive    AccreditationStatus = "active"
	StatusExpired   AccreditationStatus = "expired"
	StatusWithdrawn AccreditationStatus = "withdrawn"
	StatusRevoked   AccreditationStatus = "revoked"
)

// ValidityYears is how long an award, and each renewal, is valid.
const ValidityYears = 5

// AppealTerms are when and how often a decision may be appealed, taken
// from the case's rule set when the decision is made. Zero is unset.
type AppealTerms struct {
	WithinDays int `json:"within_days"` // 0: no deadline
	Allowed    int `json:"allowed"`     // appeals per decision; 0: no limit
}

// legacyAppealTerms are the terms every decision recorded before rule sets
// held them was made under (an invented 30 days, once): it keeps them.
var legacyAppealTerms = AppealTerms{WithinDays: 30, Allowed: 1}

// Deadline is the end of the appeal period of a decision made at
// decidedAt under t; zero when t sets no deadline.
func (t AppealTerms) Deadline(decidedAt time.Time) time.Time {
	if t.WithinDays == 0 {
		return time.Time{}
	}
	return decidedAt.AddDate(0, 0, t.WithinDays)
}

// Terms are the appeal terms the decision was made under: those it
// records, or for one recorded before rule sets held them the legacy ones.
func (d DecisionMade) Terms() AppealTerms {
	if d.Appeal != nil {
		return *d.Appeal
	}
	return legacyAppealTerms
}

// Accreditation is what an award made.
type Accreditation struct {
	ID         string              `json:"id"`
	Level      framework.Level     `json:"level"`
	AwardedAt  time.Time           `json:"awarded_at"`
	ValidUntil time.Time           `json:"valid_until"`
	Status     AccreditationStatus `json:"status"`
	// Reason, By and ChangedAt describe the last status change (expiry,
	// withdrawal, revocation).
	Reason    pii.Sealed `json:"reason,omitzero"`
	By        string     `json:"by,omitempty"`
	ChangedAt time.Time  `json:"changed_at,omitzero"`
	Renewals  []Renewal  `json:"renewals,omitempty"`
	// Current is the renewal under way, or the last one refused.
	Current *PendingRenewal `json:"current_renewal,omitempty"`
}

// Renewal is one renewal of an accreditation. The figures (ContinuedPractice
// to EthicsCodeAdherence) are those of the instant renewal of the first
// versions; an assessed renewal has SubmittedAt and AssessedBy instead.
type Renewal struct {
	At                       time.Time `json:"at"`
	By                       string    `json:"by"`
	PreviousValidUntil       time.Time `json:"previous_valid_until"`
	ValidUntil               time.Time `json:"valid_until"`
	ContinuedPractice        bool      `json:"continued_practice"`
	SupervisionHoursLastYear float64   `json:"supervision_hours_last_year"`
	CPDHoursLastYear         float64   `json:"cpd_hours_last_year"`
	EthicsCodeAdherence      bool      `json:"ethics_code_adherence"`
	RuleSetVersion           string    `json:"rule_set_version"`
	// Declarations are the declarations confirmed again.
	Declarations []DeclarationConfirmed `json:"declarations,omitempty"`
	SubmittedAt  time.Time              `json:"submitted_at,omitzero"`
	AssessedBy   string                 `json:"assessed_by,omitempty"`
}

// The parts a user can play in a case (see Case.Involved).
const (
	PartApplicant       = "applicant"
	PartScreener        = "screener"
	PartAssessor        = "assessor"
	PartVerifier        = "verifier"
	PartRequester       = "information_requester"
	PartModerator       = "moderator"
	PartDecider         = "decider"
	PartPanelMember     = "panel_member"
	PartAppealReviewer  = "appeal_reviewer"
	PartRenewalAssessor = "renewal_assessor"
)

// parts is every part, for ShareConstants.
var parts = []string{PartApplicant, PartScreener, PartAssessor, PartVerifier, PartRequester, PartModerator,
	PartDecider, PartPanelMember, PartAppealReviewer, PartRenewalAssessor}

// Participant is a user who played a part in the case.
type Participant struct {
	UserID string `json:"user_id"`
	Part   string `json:"part"`
}

func cloneSealed(s pii.Sealed) pii.Sealed {
	s.Data = slices.Clone(s.Data)
	return s
}
