package accreditation

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// StreamPrefix is the prefix of the case streams: "accreditation.<case id>".
const StreamPrefix = "accreditation"

// EventType names a kind of case event as it is stored. The names are stable:
// never rename one; a changed payload gets a new schema version and an
// upcaster instead.
type EventType string

// The event types of a case, each registered with its payload in events.
const (
	EventCaseOpened             EventType = "accreditation.case_opened"
	EventPortfolioUpdated       EventType = "accreditation.portfolio_updated"
	EventEvidenceAdded          EventType = "accreditation.evidence_added"
	EventEvidenceRemoved        EventType = "accreditation.evidence_removed"
	EventSelfAssessmentUpdated  EventType = "accreditation.self_assessment_updated"
	EventCaseSubmitted          EventType = "accreditation.case_submitted"
	EventPaymentRecorded        EventType = "accreditation.payment_recorded"
	EventCaseScreened           EventType = "accreditation.case_screened"
	EventAssessorAssigned       EventType = "accreditation.assessor_assigned"
	EventAssessmentSubmitted    EventType = "accreditation.assessment_submitted"
	EventInformationRequested   EventType = "accreditation.information_requested"
	EventInformationProvided    EventType = "accreditation.information_provided"
	EventModerationRequired     EventType = "accreditation.moderation_required"
	EventCaseModerated          EventType = "accreditation.case_moderated"
	EventDecisionMade           EventType = "accreditation.decision_made"
	EventAccreditationAwarded   EventType = "accreditation.accreditation_awarded"
	EventAppealFiled            EventType = "accreditation.appeal_filed"
	EventAppealDecided          EventType = "accreditation.appeal_decided"
	EventCaseWithdrawn          EventType = "accreditation.case_withdrawn"
	EventAccreditationRenewed   EventType = "accreditation.accreditation_renewed"
	EventAccreditationExpired   EventType = "accreditation.accreditation_expired"
	EventAccreditationRevoked   EventType = "accreditation.accreditation_revoked"
	EventAccreditationWithdrawn EventType = "accreditation.accreditation_withdrawn"
	EventInterviewScheduled     EventType = "accreditation.interview_scheduled"
	EventInterviewRecorded      EventType = "accreditation.interview_recorded"
	EventRenewalSubmitted       EventType = "accreditation.renewal_submitted"
	EventRenewalAssigned        EventType = "accreditation.renewal_assigned"
	EventRenewalAssessed        EventType = "accreditation.renewal_assessed"
	EventEvidenceEdited         EventType = "accreditation.evidence_edited"
	EventAssessorUnassigned     EventType = "accreditation.assessor_unassigned"
)

// eventDef is a registered event type: the current schema version of its
// payload, the payload's Go type and how it evolves a case.
type eventDef struct {
	typ     EventType
	version int
	payload reflect.Type
	apply   func(c *Case, e eventstore.Event) error
	// applyDecided applies the payload as a command made it (false when
	// it is not a P): see ApplyDecided.
	applyDecided func(c *Case, e eventstore.Event, payload any) bool
}

// on registers event type t, whose payload is a P at schema version v and
// is applied by apply. It is the one place a type and its payload are paired:
// emit finds the type from the payload, Apply the payload from the type.
func on[P any](t EventType, v int, apply func(*Case, eventstore.Event, P)) eventDef {
	return eventDef{typ: t, version: v, payload: reflect.TypeFor[P](), apply: func(c *Case, e eventstore.Event) error {
		return decode(e, func(e eventstore.Event, d P) { apply(c, e, d) })
	}, applyDecided: func(c *Case, e eventstore.Event, payload any) bool {
		d, ok := payload.(P)
		if ok {
			apply(c, e, d)
		}
		return ok
	}}
}

// registry indexes defs by type and by payload type; a type or a payload
// registered twice is a programming error, found when the package loads.
func registry(defs ...eventDef) (map[EventType]eventDef, map[reflect.Type]EventType) {
	byType := make(map[EventType]eventDef, len(defs))
	byPayload := make(map[reflect.Type]EventType, len(defs))
	for _, d := range defs {
		if _, dup := byType[d.typ]; dup {
			panic(fmt.Sprintf("accreditation: event type %s registered twice", d.typ))
		}
		if other, dup := byPayload[d.payload]; dup {
			panic(fmt.Sprintf("accreditation: payload %s registered for %s and %s", d.payload, other, d.typ))
		}
		byType[d.typ], byPayload[d.payload] = d, d.typ
	}
	return byType, byPayload
}

// events is the registry of case events: every type with the current schema
// version of its payload, the payload and its applier.
var events, eventOf = registry(
	on(EventCaseOpened, 1, (*Case).onOpened),
	on(EventPortfolioUpdated, 1, (*Case).onPortfolioUpdated),
	on(EventEvidenceAdded, 1, (*Case).onEvidenceAdded),
	on(EventEvidenceRemoved, 1, (*Case).onEvidenceRemoved),
	on(EventEvidenceEdited, 1, (*Case).onEvidenceEdited),
	on(EventSelfAssessmentUpdated, 1, (*Case).onSelfAssessmentUpdated),
	on(EventCaseSubmitted, 1, (*Case).onSubmitted),
	on(EventPaymentRecorded, 1, (*Case).onPaymentRecorded),
	on(EventCaseScreened, 1, (*Case).onScreened),
	on(EventAssessorAssigned, 1, (*Case).onAssessorAssigned),
	on(EventAssessorUnassigned, 1, (*Case).onAssessorUnassigned),
	on(EventAssessmentSubmitted, 1, (*Case).onAssessmentSubmitted),
	on(EventInformationRequested, 1, (*Case).onInformationRequested),
	on(EventInformationProvided, 1, (*Case).onInformationProvided),
	on(EventModerationRequired, 1, (*Case).onModerationRequired),
	on(EventCaseModerated, 1, (*Case).onModerated),
	on(EventDecisionMade, 1, (*Case).onDecisionMade),
	on(EventAccreditationAwarded, 1, (*Case).onAccreditationAwarded),
	on(EventAppealFiled, 1, (*Case).onAppealFiled),
	on(EventAppealDecided, 1, (*Case).onAppealDecided),
	on(EventCaseWithdrawn, 1, (*Case).onWithdrawn),
	on(EventAccreditationRenewed, 1, (*Case).onRenewed),
	on(EventAccreditationExpired, 1, (*Case).onExpired),
	on(EventAccreditationRevoked, 1, (*Case).onRevoked),
	on(EventAccreditationWithdrawn, 1, (*Case).onAccreditationWithdrawn),
	on(EventInterviewScheduled, 1, (*Case).onInterviewScheduled),
	on(EventInterviewRecorded, 1, (*Case).onInterviewRecorded),
	on(EventRenewalSubmitted, 1, (*Case).onRenewalSubmitted),
	on(EventRenewalAssigned, 1, (*Case).onRenewalAssigned),
	on(EventRenewalAssessed, 1, (*Case).onRenewalAssessed),
)

// EventTypes returns every event type of a case.
func EventTypes() []EventType {
	out := make([]EventType, 0, len(events))
	for t := range events {
		out = append(out, t)
	}
	return out
}

// SchemaVersion returns the current schema version of event type t, 0 for a
// type that is not a case event.
func SchemaVersion(t EventType) int { return events[t].version }

// Upcaster turns the payload of one schema version into the next one's.
type Upcaster func(data json.RawMessage) (json.RawMessage, error)

// UpcastKey names an upcaster: the event type and the version it reads.
type UpcastKey struct {
	Type        EventType
	FromVersion int
}

// upcasters upcast old payloads one version at a time; Apply chains them up
// to the current version. There are none yet: every type is at version 1.
// Add one here, with a test, when a payload changes shape.
var upcasters = map[UpcastKey]Upcaster{}

// upcast brings e's payload to the current schema version of its type.
func upcast(e eventstore.Event) (eventstore.Event, error) {
	def, known := events[EventType(e.Type)]
	if !known {
		return e, nil
	}
	want := def.version
	if e.SchemaVersion > want {
		return e, fmt.Errorf("%s: schema version %d is newer than this code knows (%d)", e.Type, e.SchemaVersion, want)
	}
	for e.SchemaVersion < want {
		up, ok := upcasters[UpcastKey{EventType(e.Type), e.SchemaVersion}]
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

// emit makes the Change recording payload p as the event type registered
// for P. A payload that is not registered is a programming error that the
// first test of its command finds.
func emit[P any](p P) aggregate.Change {
	t, ok := eventOf[reflect.TypeFor[P]()]
	if !ok {
		panic(fmt.Sprintf("accreditation: payload %T is not a registered event", p))
	}
	return aggregate.Change{Type: string(t), SchemaVersion: events[t].version, Data: p}
}

// one is the Changes of a command that records one event.
func one[P any](p P) []aggregate.Change { return []aggregate.Change{emit(p)} }

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

// EvidenceEdited: the description of a file of evidence was replaced (the
// file stays as it was uploaded).
type EvidenceEdited struct {
	EvidenceID string       `json:"evidence_id"`
	Kind       EvidenceKind `json:"kind"`
	Title      pii.Sealed   `json:"title"`
	Categories []int        `json:"categories,omitempty"` // including the indicators' categories
	Indicators []int        `json:"indicators,omitempty"`
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
	// Declarations are the rule set's declarations as confirmed (none
	// before rule sets had any).
	Declarations []DeclarationConfirmed `json:"declarations,omitempty"`
	// FeeEUR is the fee now due, set only when the pinned rule set sets one
	// at the case's level and none was recorded yet: the case then awaits
	// payment. Added to schema version 1 without a new version: a payload
	// without it is a submission with no fee due, as every one before fees.
	FeeEUR float64 `json:"fee_eur,omitempty"`
	// Interview is whether the pinned rule set has the assessors interview
	// the applicant (RuleInterview). Added to schema version 1 like FeeEUR:
	// a payload without it was submitted when InterviewLevels decided.
	Interview *bool `json:"interview,omitempty"`
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

// AssessmentSubmitted: the assessor or the verifier submitted. Areas (EQA)
// was added to schema version 1 without a new version: a payload without it
// is one with no area rated, as every assessment before it was.
type AssessmentSubmitted struct {
	Role           AssessorRole     `json:"role"`
	Ratings        []CategoryRating `json:"ratings"`
	Areas          []AreaRating     `json:"review_areas,omitempty"`
	Recommendation Recommendation   `json:"recommendation"`
	Level          framework.Level  `json:"level,omitempty"`
	Rationale      pii.Sealed       `json:"rationale"`
}

// InterviewScheduled: the office or an assessor set (or moved) the
// applicant's interview. Place is sealed under the applicant's key; an
// event recorded before December 2026 holds it in clear (see Place).
type InterviewScheduled struct {
	At    time.Time `json:"at"`
	Place Place     `json:"place"`
}

// InterviewRecorded: the assessor or the verifier recorded the interview.
type InterviewRecorded struct {
	Role         AssessorRole   `json:"role"`
	Notes        pii.Sealed     `json:"notes"`
	Observations []CategoryNote `json:"observations,omitempty"`
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

// DecisionMade: the awarding panel decided; the office recorded it. Panel
// was added to schema version 1 without a new version: a payload without
// it is a decision by the recording office user alone, as every decision
// before panels was.
type DecisionMade struct {
	Number    int             `json:"number"`
	Outcome   Outcome         `json:"outcome"`
	Level     framework.Level `json:"level,omitempty"`
	Rationale pii.Sealed      `json:"rationale"`
	Panel     []PanelVote     `json:"panel,omitempty"`
	// Appeal: the appeal terms of the case's rule set when it was made;
	// absent from a decision recorded before rule sets held them.
	Appeal *AppealTerms `json:"appeal,omitempty"`
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
	// Cause is empty when the applicant withdrew it; ApplicantErased when
	// the office erased the applicant's personal data (EndOnErasure).
	Cause string `json:"cause,omitempty"`
}

// ApplicantErased is the Cause of a case withdrawn because its applicant's
// personal data was erased.
const ApplicantErased = "applicant_erased"

// AccreditationRenewed: the accreditation was renewed. Since renewal is
// assessed it follows RenewalAssessed in one commit, and the figures of the
// instant renewal of the first versions (ContinuedPractice to
// EthicsCodeAdherence) stay zero: the renewal's evidence is in
// RenewalSubmitted.
type AccreditationRenewed struct {
	AccreditationID          string    `json:"accreditation_id"`
	PreviousValidUntil       time.Time `json:"previous_valid_until"`
	ValidUntil               time.Time `json:"valid_until"`
	ContinuedPractice        bool      `json:"continued_practice"`
	SupervisionHoursLastYear float64   `json:"supervision_hours_last_year"`
	CPDHoursLastYear         float64   `json:"cpd_hours_last_year"`
	EthicsCodeAdherence      bool      `json:"ethics_code_adherence"`
	RuleSetVersion           string    `json:"rule_set_version"`
	// Declarations are the rule set's declarations as confirmed again.
	Declarations []DeclarationConfirmed `json:"declarations,omitempty"`
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
