package accreditation

import (
	"iter"
	"slices"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// Case is the state of one accreditation case, rebuilt from its events. Read
// it freely; change it only through Apply. The repository keeps the version.
type Case struct {
	ID          string          `json:"id"`
	Scheme      Scheme          `json:"scheme"`
	Level       framework.Level `json:"level"`    // applied for
	Language    string          `json:"language"` // two-letter code, e.g. "en", "nl"
	State       State           `json:"state"`
	ApplicantID string          `json:"applicant_id"`
	OpenedAt    time.Time       `json:"opened_at"`
	UpdatedAt   time.Time       `json:"updated_at"` // of the last event

	Programme      *Programme         `json:"programme,omitempty"` // EQA
	Portfolio      Portfolio          `json:"portfolio"`
	Evidence       []Evidence         `json:"evidence,omitempty"`        // in the order added
	SelfAssessment map[int]pii.Sealed `json:"self_assessment,omitempty"` // category -> statement

	RuleSetVersion string       `json:"rule_set_version,omitempty"` // pinned at the first submission
	Eligibility    []RuleResult `json:"eligibility,omitempty"`      // as checked at the last submission
	// Declarations are the declarations confirmed at the last submission.
	Declarations []DeclarationConfirmed `json:"declarations,omitempty"`
	SubmittedAt  time.Time              `json:"submitted_at,omitzero"` // the last submission
	// Fee is the fee due at submission (EUR; 0: none); Payment is how the
	// office settled it.
	Fee       float64    `json:"fee_eur,omitempty"`
	Payment   *Payment   `json:"payment,omitempty"`
	Screening *Screening `json:"screening,omitempty"` // the last screening

	Assignments         Assignments          `json:"assignments,omitzero"`
	Assessments         Assessments          `json:"assessments,omitzero"`
	InformationRequests []InformationRequest `json:"information_requests,omitempty"`
	Moderation          *Moderation          `json:"moderation,omitempty"`
	// Interview is the applicant's interview, at a level that has one;
	// InterviewRequired is whether the pinned rule set asks for one (nil:
	// submitted before rule sets said, see NeedsInterview).
	Interview         *Interview `json:"interview,omitempty"`
	InterviewRequired *bool      `json:"interview_required,omitempty"`

	Decision      *Decision      `json:"decision,omitempty"`       // the standing decision
	PastDecisions []Decision     `json:"past_decisions,omitempty"` // overturned on appeal
	Appeals       []Appeal       `json:"appeals,omitempty"`
	Accreditation *Accreditation `json:"accreditation,omitempty"`

	WithdrawnAt      time.Time  `json:"withdrawn_at,omitzero"`
	WithdrawalReason pii.Sealed `json:"withdrawal_reason,omitzero"`

	// Participants is everyone who played a part, in order of first
	// appearance (see Involved).
	Participants []Participant `json:"participants,omitempty"`

	// catalogue is the framework the commands check indicators against:
	// given by Factory, not by an event, so that no command reads a global.
	catalogue *framework.Catalogue
}

// New returns the state of a case that has not been opened yet, as a read
// model rebuilds it. Its commands that check indicators fail (Internal):
// a repository makes cases with Factory.
func New(id string) *Case { return &Case{ID: id} }

// Factory returns the repository's fresh state for a case that has not been
// opened yet, whose commands check indicators against cat.
func Factory(cat *framework.Catalogue) func(id string) *Case {
	return func(id string) *Case { return &Case{ID: id, catalogue: cat} }
}

// frameworkCatalogue is the catalogue the commands check indicators
// against. Errors: Internal (the case was not made by Factory).
func (c *Case) frameworkCatalogue() (*framework.Catalogue, error) {
	if c.catalogue == nil {
		return nil, domain.Errorf(domain.Internal, "case %s has no framework catalogue to check against", c.ID)
	}
	return c.catalogue, nil
}

// categoryNumbers are 1..framework.NumCategories: framework.Load accepts
// only a catalogue with exactly these, so counting needs no catalogue.
func categoryNumbers() iter.Seq[int] {
	return func(yield func(int) bool) {
		for n := 1; n <= framework.NumCategories; n++ {
			if !yield(n) {
				return
			}
		}
	}
}

// Exists reports whether the case has been opened.
func (c *Case) Exists() bool { return c.State != "" }

// Clone returns a deep copy: nothing in it is shared with c.
func (c *Case) Clone() *Case {
	if c == nil {
		return nil
	}
	n := *c
	if c.Programme != nil {
		p := Programme{Name: cloneSealed(c.Programme.Name), Provider: cloneSealed(c.Programme.Provider)}
		n.Programme = &p
	}
	n.Portfolio = clonePortfolio(c.Portfolio)
	n.Evidence = cloneEach(c.Evidence, Evidence.clone)
	if c.SelfAssessment != nil {
		n.SelfAssessment = make(map[int]pii.Sealed, len(c.SelfAssessment))
		for k, v := range c.SelfAssessment {
			n.SelfAssessment[k] = cloneSealed(v)
		}
	}
	// Required and Given hold only numbers, bools and strings: immutable.
	n.Eligibility = slices.Clone(c.Eligibility)
	n.Declarations = slices.Clone(c.Declarations)
	if c.Payment != nil {
		p := *c.Payment
		p.Reason = cloneSealed(p.Reason)
		n.Payment = &p
	}
	if c.Screening != nil {
		s := *c.Screening
		s.Reason = cloneSealed(s.Reason)
		n.Screening = &s
	}
	n.Assessments = c.Assessments.clone()
	n.InformationRequests = cloneEach(c.InformationRequests, func(r InformationRequest) InformationRequest {
		r.Questions = cloneSealed(r.Questions)
		r.Answer = cloneSealed(r.Answer)
		return r
	})
	n.Interview = c.Interview.clone()
	if c.InterviewRequired != nil {
		v := *c.InterviewRequired
		n.InterviewRequired = &v
	}
	if c.Moderation != nil {
		m := *c.Moderation
		m.Rationale = cloneSealed(m.Rationale)
		n.Moderation = &m
	}
	if c.Decision != nil {
		d := cloneDecision(*c.Decision)
		n.Decision = &d
	}
	n.PastDecisions = cloneEach(c.PastDecisions, cloneDecision)
	n.Appeals = cloneEach(c.Appeals, func(a Appeal) Appeal {
		a.Grounds = cloneSealed(a.Grounds)
		a.Rationale = cloneSealed(a.Rationale)
		return a
	})
	if c.Accreditation != nil {
		a := *c.Accreditation
		a.Reason = cloneSealed(a.Reason)
		a.Renewals = cloneEach(a.Renewals, func(r Renewal) Renewal { r.Declarations = slices.Clone(r.Declarations); return r })
		a.Current = a.Current.clone()
		n.Accreditation = &a
	}
	n.WithdrawalReason = cloneSealed(c.WithdrawalReason)
	n.Participants = slices.Clone(c.Participants)
	return &n
}

func cloneDecision(d Decision) Decision {
	d.Rationale = cloneSealed(d.Rationale)
	d.Panel = slices.Clone(d.Panel)
	return d
}

func cloneEach[T any](s []T, f func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// Apply evolves the case by one stored event. Older payload versions are
// upcast first; unknown event types are ignored. It fails only when the
// payload cannot be decoded, and then leaves the case as it was.
func (c *Case) Apply(e eventstore.Event) error {
	e, err := upcast(e)
	if err != nil {
		return err
	}
	def, known := events[EventType(e.Type)]
	if !known {
		return nil
	}
	err = def.apply(c, e)
	if err == nil {
		c.UpdatedAt = e.OccurredAt
	}
	return err
}

func (c *Case) participate(userID, part string) {
	p := Participant{UserID: userID, Part: part}
	if userID != "" && !slices.Contains(c.Participants, p) {
		c.Participants = append(c.Participants, p)
	}
}

func (c *Case) onOpened(e eventstore.Event, d CaseOpened) {
	c.ID = d.CaseID
	c.Scheme = d.Scheme
	c.Level = d.Level
	c.Language = domain.Language(d.Language)
	c.ApplicantID = d.ApplicantID
	c.State = StateDraft
	c.OpenedAt = e.OccurredAt
	if !d.ProgrammeName.IsZero() || !d.ProgrammeProvider.IsZero() {
		c.Programme = &Programme{Name: d.ProgrammeName, Provider: d.ProgrammeProvider}
	}
	c.participate(d.ApplicantID, PartApplicant)
}

func (c *Case) onPortfolioUpdated(_ eventstore.Event, d PortfolioUpdated) {
	c.Portfolio = d.Portfolio
}

func (c *Case) onEvidenceAdded(e eventstore.Event, d EvidenceAdded) {
	c.Evidence = append(c.Evidence, Evidence{
		ID: d.EvidenceID, Kind: d.Kind, Title: d.Title, FileName: d.FileName,
		ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256, Object: d.Object,
		Categories: d.Categories, Indicators: d.Indicators,
		AddedAt: e.OccurredAt, AddedBy: e.Actor.ID,
	})
}

func (c *Case) onEvidenceEdited(_ eventstore.Event, d EvidenceEdited) {
	if ev := c.evidence(d.EvidenceID); ev != nil {
		ev.Kind, ev.Title, ev.Categories, ev.Indicators = d.Kind, d.Title, d.Categories, d.Indicators
	}
}

func (c *Case) onEvidenceRemoved(_ eventstore.Event, d EvidenceRemoved) {
	c.Evidence = slices.DeleteFunc(c.Evidence, func(ev Evidence) bool { return ev.ID == d.EvidenceID })
}

func (c *Case) onSelfAssessmentUpdated(_ eventstore.Event, d SelfAssessmentUpdated) {
	if d.Statement.IsZero() {
		delete(c.SelfAssessment, d.Category)
		return
	}
	if c.SelfAssessment == nil {
		c.SelfAssessment = map[int]pii.Sealed{}
	}
	c.SelfAssessment[d.Category] = d.Statement
}

func (c *Case) onSubmitted(e eventstore.Event, d CaseSubmitted) {
	c.State = StateSubmitted
	c.RuleSetVersion = PinnedID(c.Scheme, d.RuleSetVersion)
	c.Eligibility = d.Eligibility
	c.Declarations = d.Declarations
	c.SubmittedAt = e.OccurredAt
	c.InterviewRequired = d.Interview
	if d.FeeEUR > 0 {
		c.Fee = d.FeeEUR
		c.State = StateAwaitingPayment
	}
}

func (c *Case) onScreened(e eventstore.Event, d CaseScreened) {
	c.Screening = &Screening{Outcome: d.Outcome, Reason: d.Reason, At: e.OccurredAt, By: e.Actor.ID}
	if d.Outcome == ScreeningReturned {
		c.State = StateReturned
	} else {
		c.State = StateAwaitingAssessment
	}
	c.participate(e.Actor.ID, PartScreener)
}

func (c *Case) onAssessorAssigned(e eventstore.Event, d AssessorAssigned) {
	c.Assignments.set(Assignment{Role: d.Role, UserID: d.UserID, How: d.How, At: e.OccurredAt, By: e.Actor.ID})
	c.participate(d.UserID, string(d.Role))
	if c.Assignments.Len() == len(AssessorRoles) {
		c.State = StateInAssessment
	}
}

// onAssessmentSubmitted records an assessment. The second one moves the case
// to awaiting_decision; when the two disagree the same commit continues with
// moderation_required, which moves it on to moderation.
func (c *Case) onAssessmentSubmitted(e eventstore.Event, d AssessmentSubmitted) {
	c.Assessments.set(Assessment{
		Role: d.Role, UserID: e.Actor.ID, Ratings: d.Ratings, Areas: d.Areas, Recommendation: d.Recommendation,
		Level: d.Level, Rationale: d.Rationale, SubmittedAt: e.OccurredAt,
	})
	if c.Assessments.Len() == len(AssessorRoles) {
		c.State = StateAwaitingDecision
	}
}

func (c *Case) onInterviewScheduled(e eventstore.Event, d InterviewScheduled) {
	var records InterviewRecords
	if c.Interview != nil {
		records = c.Interview.Records
	}
	c.Interview = &Interview{At: d.At, Place: d.Place, ScheduledBy: e.Actor.ID, ScheduledAt: e.OccurredAt, Records: records}
}

func (c *Case) onInterviewRecorded(e eventstore.Event, d InterviewRecorded) {
	if c.Interview == nil {
		c.Interview = &Interview{}
	}
	c.Interview.Records.set(d.Role, InterviewRecord{Notes: d.Notes, Observations: d.Observations, RecordedAt: e.OccurredAt})
}

func (c *Case) onInformationRequested(e eventstore.Event, d InformationRequested) {
	c.InformationRequests = append(c.InformationRequests, InformationRequest{
		ID: d.RequestID, By: e.Actor.ID, Questions: d.Questions, AskedAt: e.OccurredAt, ReturnTo: d.ReturnTo,
	})
	c.State = StateInformationRequested
	if c.assessorRoleOf(e.Actor.ID) == "" {
		c.participate(e.Actor.ID, PartRequester)
	}
}

func (c *Case) onInformationProvided(e eventstore.Event, d InformationProvided) {
	for i := range c.InformationRequests {
		r := &c.InformationRequests[i]
		if r.ID == d.RequestID {
			r.Answer = d.Answer
			r.AnsweredAt = e.OccurredAt
			c.State = r.ReturnTo
		}
	}
}

func (c *Case) onModerationRequired(e eventstore.Event, _ ModerationRequired) {
	c.Moderation = &Moderation{RequiredAt: e.OccurredAt}
	c.State = StateModeration
}

func (c *Case) onModerated(e eventstore.Event, d CaseModerated) {
	if c.Moderation == nil {
		c.Moderation = &Moderation{RequiredAt: e.OccurredAt}
	}
	c.Moderation.Recommendation = d.Recommendation
	c.Moderation.Level = d.Level
	c.Moderation.Rationale = d.Rationale
	c.Moderation.By = e.Actor.ID
	c.Moderation.At = e.OccurredAt
	c.State = StateAwaitingDecision
	c.participate(e.Actor.ID, PartModerator)
}

func (c *Case) onDecisionMade(e eventstore.Event, d DecisionMade) {
	c.Decision = &Decision{Number: d.Number, Outcome: d.Outcome, Level: d.Level, Rationale: d.Rationale, By: e.Actor.ID, At: e.OccurredAt, Panel: d.Panel,
		Appeal: d.Terms()}
	if d.Outcome == OutcomeAwarded {
		c.State = StateAwarded
	} else {
		c.State = StateNotAwarded
	}
	c.participate(e.Actor.ID, PartDecider)
	for _, m := range d.Panel {
		c.participate(m.UserID, PartPanelMember)
	}
}

func (c *Case) onAccreditationAwarded(_ eventstore.Event, d AccreditationAwarded) {
	c.Accreditation = &Accreditation{
		ID: d.AccreditationID, Level: d.Level, AwardedAt: d.AwardedAt, ValidUntil: d.ValidUntil, Status: StatusActive,
	}
}

func (c *Case) onAppealFiled(e eventstore.Event, d AppealFiled) {
	c.Appeals = append(c.Appeals, Appeal{DecisionNumber: d.DecisionNumber, Grounds: d.Grounds, FiledAt: e.OccurredAt})
	c.State = StateAppealed
}

func (c *Case) onAppealDecided(e eventstore.Event, d AppealDecided) {
	if n := len(c.Appeals); n > 0 {
		a := &c.Appeals[n-1]
		a.Outcome, a.Rationale, a.ReturnTo, a.By, a.At = d.Outcome, d.Rationale, d.ReturnTo, e.Actor.ID, e.OccurredAt
	}
	c.participate(e.Actor.ID, PartAppealReviewer)
	if d.Outcome != AppealUpheld {
		if c.Decision != nil && c.Decision.Outcome == OutcomeAwarded {
			c.State = StateAwarded
		} else {
			c.State = StateNotAwarded
		}
		return
	}
	if c.Decision != nil {
		old := *c.Decision
		old.Overturned = true
		c.PastDecisions = append(c.PastDecisions, old)
		c.Decision = nil
	}
	if d.ReturnTo == ReturnToDecision {
		c.State = StateAwaitingDecision
		return
	}
	c.State = StateInAssessment
	c.Assessments = Assessments{}
	c.Moderation = nil
}

func (c *Case) onWithdrawn(e eventstore.Event, d CaseWithdrawn) {
	c.State = StateWithdrawn
	c.WithdrawnAt = e.OccurredAt
	c.WithdrawalReason = d.Reason
}

func (c *Case) setStatus(e eventstore.Event, id string, s AccreditationStatus, reason pii.Sealed) {
	a := c.Accreditation
	if a == nil || a.ID != id {
		return
	}
	a.Status, a.Reason, a.By, a.ChangedAt = s, reason, e.Actor.ID, e.OccurredAt
}

func (c *Case) onExpired(e eventstore.Event, d AccreditationExpired) {
	c.setStatus(e, d.AccreditationID, StatusExpired, pii.Sealed{})
}

func (c *Case) onRevoked(e eventstore.Event, d AccreditationRevoked) {
	c.setStatus(e, d.AccreditationID, StatusRevoked, d.Reason)
}

func (c *Case) onAccreditationWithdrawn(e eventstore.Event, d AccreditationWithdrawn) {
	c.setStatus(e, d.AccreditationID, StatusWithdrawn, d.Reason)
}

// ShareConstants makes the case's language and its participants' parts the
// one string of each in the process (domain.Language, domain.Known), as
// applying its events does: decoding a whole case (a read model's cold or
// snapshotted case) gives each case copies of its own, and the queues
// read them for every case they look at. Like the decoded schemes and
// states, a value that is none is kept as it is.
func (c *Case) ShareConstants() {
	c.Language = domain.Language(c.Language)
	for i := range c.Participants {
		c.Participants[i].Part = domain.Known(c.Participants[i].Part, parts)
	}
}

// assessorRoleOf returns the assessing role userID holds, "" for none.
func (c *Case) assessorRoleOf(userID string) AssessorRole {
	return c.Assignments.RoleOf(userID)
}
