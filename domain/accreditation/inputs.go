package accreditation

import (
	"time"

	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// The command inputs. Every personal text is sealed by the service before
// the command sees it.

// OpenInput opens a case.
type OpenInput struct {
	// CaseID is the new case's id; it may be left empty when the case was
	// made with New(id), and must then match.
	CaseID   string
	Scheme   Scheme
	Level    framework.Level
	Language string // two letters, e.g. "en"
	// EQA: required. EIA: must be empty.
	ProgrammeName     pii.Sealed
	ProgrammeProvider pii.Sealed
}

// EvidenceInput adds a file of evidence the service has stored.
type EvidenceInput struct {
	ID          string // chosen by the service; unique in the case
	Kind        EvidenceKind
	Title       pii.Sealed
	FileName    pii.Sealed
	ContentType string
	Size        int64
	SHA256      string // hex
	Object      string // the object-store name
	Categories  []int  // 1..8
	Indicators  []int  // framework indicator numbers; each adds its category
}

// EditEvidenceInput replaces the description of a file of evidence: every
// field, as an upload gives it (the file itself is not changed).
type EditEvidenceInput struct {
	ID         string
	Kind       EvidenceKind
	Title      pii.Sealed
	Categories []int // 1..8
	Indicators []int // framework indicator numbers; each adds its category
}

// RemoveEvidenceInput removes a file of evidence.
type RemoveEvidenceInput struct {
	ID string
}

// SelfAssessmentInput sets the statement on one category; a zero Statement
// clears it.
type SelfAssessmentInput struct {
	Category  int
	Statement pii.Sealed
}

// ScreenInput is the office's screening.
type ScreenInput struct {
	Outcome ScreeningOutcome
	Reason  pii.Sealed // required when returned
}

// AssignInput is the office's assignment of Profile's user to Role.
type AssignInput struct {
	Role    AssessorRole
	Profile AssessorProfile
}

// ClaimInput is an assessor taking a role from the queue. Profile is the
// claimer's own; an empty Role takes the first open one, assessor first.
type ClaimInput struct {
	Role    AssessorRole
	Profile AssessorProfile
}

// AssessmentInput is an assessment. Level is the recommended level: empty or
// the case level for award, a lower level for award_lower, empty for
// not_award.
type AssessmentInput struct {
	Ratings        []CategoryRating // one per category 1..8
	Areas          []AreaRating     // EQA: one per review area; EIA: none
	Recommendation Recommendation   // award, award_lower or not_award
	Level          framework.Level
	Rationale      pii.Sealed
}

// InterviewInput schedules the interview: when, and where (an address or a
// link to a video call), sealed under the applicant's key.
type InterviewInput struct {
	At    time.Time
	Place pii.Sealed
}

// InterviewRecordInput is an assessor's record of the interview.
type InterviewRecordInput struct {
	Notes        pii.Sealed
	Observations []CategoryNote // at most one per category
}

// InformationRequestInput asks the applicant for more information.
type InformationRequestInput struct {
	Questions pii.Sealed
}

// InformationResponseInput answers the open request.
type InformationResponseInput struct {
	Answer pii.Sealed
}

// ModerationInput is the moderator's resolution; Level as in AssessmentInput.
type ModerationInput struct {
	Recommendation Recommendation
	Level          framework.Level
	Rationale      pii.Sealed
}

// DecisionInput is the awarding panel's decision, recorded by the office.
// An award needs Level (at most the level applied for) and AccreditationID,
// the new accreditation's id. Panel names the members and their votes; when
// empty, the recording office user is the panel of one, voting for.
type DecisionInput struct {
	Outcome         Outcome
	Level           framework.Level
	Rationale       pii.Sealed
	AccreditationID string
	Panel           []PanelVote
	// Appeal are the appeal terms the decision is made under: the case's
	// rule set's (Case.AppealTerms); zero sets none.
	Appeal AppealTerms
	// Quorum is how many members the panel has at least: the case's rule
	// set's (Case.PanelQuorum); 0 is 1.
	Quorum int
}

// AppealInput is the applicant's appeal.
type AppealInput struct {
	Grounds pii.Sealed
}

// AppealDecisionInput decides an appeal. An upheld appeal sends the case
// back to assessment or to decision (ReturnTo).
type AppealDecisionInput struct {
	Outcome   AppealOutcome
	Rationale pii.Sealed
	ReturnTo  string // ReturnToAssessment (when empty) or ReturnToDecision; upheld only
}

// WithdrawInput withdraws the case; the reason is optional.
type WithdrawInput struct {
	Reason pii.Sealed
}

// SubmitInput is what the applicant confirms on submitting: the keys of the
// rule set's declarations.
type SubmitInput struct {
	Declarations []string
}

// ReasonInput gives the reason of a revocation or withdrawal (required).
type ReasonInput struct {
	Reason pii.Sealed
}
