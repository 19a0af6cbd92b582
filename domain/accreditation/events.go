package accreditation

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// StreamPrefix is the prefix of the case streams: "accreditation.<case id>".
const StreamPrefix = "accreditation"

// The event types of a case. They are stable: never rename one; a changed
// payload gets a new schema version and an upcaster instead.
const (
	EventCaseOpened             = "accreditation.case_opened"
	EventPortfolioUpdated       = "accreditation.portfolio_updated"
	EventEvidenceAdded          = "accreditation.evidence_added"
	EventEvidenceRemoved        = "accreditation.evidence_removed"
	EventSelfAssessmentUpdated  = "accreditation.self_assessment_updated"
	EventCaseSubmitted          = "accreditation.case_submitted"
	EventCaseScreened           = "accreditation.case_screened"
	EventAssessorAssigned       = "accreditation.assessor_assigned"
	EventAssessmentSubmitted    = "accreditation.assessment_submitted"
	EventInformationRequested   = "accreditation.information_requested"
	EventInformationProvided    = "accreditation.information_provided"
	EventModerationRequired     = "accreditation.moderation_required"
	EventCaseModerated          = "accreditation.case_moderated"
	EventDecisionMade           = "accreditation.decision_made"
	EventAccreditationAwarded   = "accreditation.accreditation_awarded"
	EventAppealFiled            = "accreditation.appeal_filed"
	EventAppealDecided          = "accreditation.appeal_decided"
	EventCaseWithdrawn          = "accreditation.case_withdrawn"
	EventAccreditationRenewed   = "accreditation.accreditation_renewed"
	EventAccreditationExpired   = "accreditation.accreditation_expired"
	EventAccreditationRevoked   = "accreditation.accreditation_revoked"
	EventAccreditationWithdrawn = "accreditation.accreditation_withdrawn"
)

// schemaVersions is the registry of event types: every type with the current
// schema version of its payload.
var schemaVersions = map[string]int{
	EventCaseOpened:             1,
	EventPortfolioUpdated:       1,
	EventEvidenceAdded:          1,
	EventEvidenceRemoved:        1,
	EventSelfAssessmentUpdated:  1,
	EventCaseSubmitted:          1,
	EventCaseScreened:           1,
	EventAssessorAssigned:       1,
	EventAssessmentSubmitted:    1,
	EventInformationRequested:   1,
	EventInformationProvided:    1,
	EventModerationRequired:     1,
	EventCaseModerated:          1,
	EventDecisionMade:           1,
	EventAccreditationAwarded:   1,
	EventAppealFiled:            1,
	EventAppealDecided:          1,
	EventCaseWithdrawn:          1,
	EventAccreditationRenewed:   1,
	EventAccreditationExpired:   1,
	EventAccreditationRevoked:   1,
	EventAccreditationWithdrawn: 1,
}

// EventTypes returns every event type of a case.
func EventTypes() []string {
	out := make([]string, 0, len(schemaVersions))
	for t := range schemaVersions {
		out = append(out, t)
	}
	return out
}

// SchemaVersion returns the current schema version of event type t, 0 for a
// type that is not a case event.
func SchemaVersion(t string) int { return schemaVersions[t] }

// Upcaster turns the payload of one schema version into the next one's.
type Upcaster func(data json.RawMessage) (json.RawMessage, error)

// UpcastKey names an upcaster: the event type and the version it reads.
type UpcastKey struct {
	Type        string
	FromVersion int
}

// upcasters upcast old payloads one version at a time; Apply chains them up
// to the current version. There are none yet: every type is at version 1.
// Add one here, with a test, when a payload changes shape.
var upcasters = map[UpcastKey]Upcaster{}

// upcast brings e's payload to the current schema version of its type.
func upcast(e eventstore.Event) (eventstore.Event, error) {
	want, known := schemaVersions[e.Type]
	if !known {
		return e, nil
	}
	if e.SchemaVersion > want {
		return e, fmt.Errorf("%s: schema version %d is newer than this code knows (%d)", e.Type, e.SchemaVersion, want)
	}
	for e.SchemaVersion < want {
		up, ok := upcasters[UpcastKey{e.Type, e.SchemaVersion}]
		if !ok {
			return e, fmt.Errorf("%s: no upcaster from schema version %d", e.Type, e.SchemaVersion)
		}
		data, err := up(e.Data)
		if err != nil {
			return e, fmt.Errorf("%s: upcast from schema version %d: %w", e.Type, e.SchemaVersion, err)
		}
		e.Data = data
		e.SchemaVersion++
	}
	return e, nil
}

// change makes the Change recording payload data as an event of type t.
func change(t string, data any) aggregate.Change {
	return aggregate.Change{Type: t, SchemaVersion: schemaVersions[t], Data: data}
}

// The event payloads. Who and when come from the event envelope (its Actor
// and OccurredAt); a payload holds the facts. Every personal text is sealed.

// CaseOpened: an applicant started a case.
type CaseOpened struct {
	CaseID      string          `json:"case_id"`
	Scheme      Scheme          `json:"scheme"`
	Level       framework.Level `json:"level"`
	Language    string          `json:"language"`
	ApplicantID string          `json:"applicant_id"`
	// EQA only.
	ProgrammeName     pii.Sealed `json:"programme_name,omitzero"`
	ProgrammeProvider pii.Sealed `json:"programme_provider,omitzero"`
}

// PortfolioUpdated: the applicant replaced their portfolio.
type PortfolioUpdated struct {
	Portfolio Portfolio `json:"portfolio"`
}

// EvidenceAdded: a file of evidence was added.
type EvidenceAdded struct {
	EvidenceID  string       `json:"evidence_id"`
	Kind        EvidenceKind `json:"kind"`
	Title       pii.Sealed   `json:"title"`
	FileName    pii.Sealed   `json:"file_name"`
	ContentType string       `json:"content_type"`
	Size        int64        `json:"size"`
	SHA256      string       `json:"sha256"`
	Object      string       `json:"object"`
	Categories  []int        `json:"categories,omitempty"` // including the indicators' categories
	Indicators  []int        `json:"indicators,omitempty"`
}

// EvidenceRemoved: a file of evidence was removed from the application.
type EvidenceRemoved struct {
	EvidenceID string `json:"evidence_id"`
}

// SelfAssessmentUpdated: the statement on one category was set (or cleared,
// when Statement is zero).
type SelfAssessmentUpdated struct {
	Category  int        `json:"category"`
	Statement pii.Sealed `json:"statement,omitzero"`
}

// CaseSubmitted: the applicant submitted; the case is pinned to a rule set.
type CaseSubmitted struct {
	RuleSetVersion string `json:"rule_set_version"`
	// Eligibility is every rule as checked at submission.
	Eligibility  []RuleResult `json:"eligibility"`
	Resubmission bool         `json:"resubmission,omitempty"`
}

// CaseScreened: the office accepted the case or returned it.
type CaseScreened struct {
	Outcome ScreeningOutcome `json:"outcome"`
	Reason  pii.Sealed       `json:"reason,omitzero"`
}

// AssessorAssigned: a user took an assessing role.
type AssessorAssigned struct {
	Role   AssessorRole `json:"role"`
	UserID string       `json:"user_id"`
	How    string       `json:"how"` // assigned or claimed
}

// AssessmentSubmitted: the assessor or the verifier submitted.
type AssessmentSubmitted struct {
	Role           AssessorRole     `json:"role"`
	Ratings        []CategoryRating `json:"ratings"`
	Recommendation Recommendation   `json:"recommendation"`
	Level          framework.Level  `json:"level,omitempty"`
	Rationale      pii.Sealed       `json:"rationale"`
}

// InformationRequested: more information was asked of the applicant.
type InformationRequested struct {
	RequestID string     `json:"request_id"`
	Questions pii.Sealed `json:"questions"`
	ReturnTo  State      `json:"return_to"`
}

// InformationProvided: the applicant answered a request.
type InformationProvided struct {
	RequestID string     `json:"request_id"`
	Answer    pii.Sealed `json:"answer"`
}

// ModerationRequired: the two assessments disagree.
type ModerationRequired struct {
	AssessorRecommendation Recommendation  `json:"assessor_recommendation"`
	AssessorLevel          framework.Level `json:"assessor_level,omitempty"`
	VerifierRecommendation Recommendation  `json:"verifier_recommendation"`
	VerifierLevel          framework.Level `json:"verifier_level,omitempty"`
}

// CaseModerated: the office resolved the disagreement.
type CaseModerated struct {
	Recommendation Recommendation  `json:"recommendation"`
	Level          framework.Level `json:"level,omitempty"`
	Rationale      pii.Sealed      `json:"rationale"`
}

// DecisionMade: the office decided.
type DecisionMade struct {
	Number    int             `json:"number"`
	Outcome   Outcome         `json:"outcome"`
	Level     framework.Level `json:"level,omitempty"`
	Rationale pii.Sealed      `json:"rationale"`
}

// AccreditationAwarded: the decision awarded an accreditation.
type AccreditationAwarded struct {
	AccreditationID string          `json:"accreditation_id"`
	Level           framework.Level `json:"level"`
	AwardedAt       time.Time       `json:"awarded_at"`
	ValidUntil      time.Time       `json:"valid_until"`
}

// AppealFiled: the applicant appealed a decision.
type AppealFiled struct {
	DecisionNumber int        `json:"decision_number"`
	Grounds        pii.Sealed `json:"grounds"`
}

// AppealDecided: the office decided an appeal.
type AppealDecided struct {
	DecisionNumber int           `json:"decision_number"`
	Outcome        AppealOutcome `json:"outcome"`
	Rationale      pii.Sealed    `json:"rationale"`
	ReturnTo       string        `json:"return_to,omitempty"` // upheld: assessment or decision
}

// CaseWithdrawn: the applicant withdrew the case before a decision.
type CaseWithdrawn struct {
	FromState State      `json:"from_state"`
	Reason    pii.Sealed `json:"reason,omitzero"`
}

// AccreditationRenewed: the holder renewed the accreditation.
type AccreditationRenewed struct {
	AccreditationID          string    `json:"accreditation_id"`
	PreviousValidUntil       time.Time `json:"previous_valid_until"`
	ValidUntil               time.Time `json:"valid_until"`
	ContinuedPractice        bool      `json:"continued_practice"`
	SupervisionHoursLastYear float64   `json:"supervision_hours_last_year"`
	CPDHoursLastYear         float64   `json:"cpd_hours_last_year"`
	EthicsCodeAdherence      bool      `json:"ethics_code_adherence"`
	RuleSetVersion           string    `json:"rule_set_version"`
}

// AccreditationExpired: the accreditation reached its valid-until date.
type AccreditationExpired struct {
	AccreditationID string    `json:"accreditation_id"`
	ValidUntil      time.Time `json:"valid_until"`
}

// AccreditationRevoked: the office revoked the accreditation (e.g. after an
// ethics complaint).
type AccreditationRevoked struct {
	AccreditationID string     `json:"accreditation_id"`
	Reason          pii.Sealed `json:"reason"`
}

// Why an accreditation was withdrawn.
const (
	WithdrawnByHolder     = "holder"
	WithdrawnByOffice     = "office"
	WithdrawnAppealUpheld = "appeal_upheld"
)

// AccreditationWithdrawn: the accreditation was withdrawn by the holder or
// the office, or because the decision that awarded it was overturned.
type AccreditationWithdrawn struct {
	AccreditationID string     `json:"accreditation_id"`
	Cause           string     `json:"cause"`
	Reason          pii.Sealed `json:"reason"`
}

// decode unmarshals e's payload into a T and hands it to apply.
func decode[T any](e eventstore.Event, apply func(eventstore.Event, T)) error {
	var d T
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return fmt.Errorf("decode %s v%d (event %s): %w", e.Type, e.SchemaVersion, e.ID, err)
	}
	apply(e, d)
	return nil
}
