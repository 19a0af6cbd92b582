package cases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/rulesets"
)

// Service runs the case commands.
type Service struct {
	repo      *aggregate.Repository[*accreditation.Case]
	newCase   func(id string) *accreditation.Case // a case with nothing applied, for folding a past one
	store     eventstore.Store
	vault     *pii.Vault
	blobs     evidence.Blobs
	accounts  *accounts.Service
	rules     *rulesets.Service
	now       func() time.Time
	log       *slog.Logger
	maxUpload int64
	tmpDir    string
	quota     Quota
	gate      *evidence.Gate
	sla       time.Duration
	feed      *aggregate.Feed
	// applicants serialises each applicant's uploads past their quota's
	// check until recorded (see applicantQuotaError).
	applicants keyLocks

	index *index
}

// Config configures the service.
type Config struct {
	Store    eventstore.Store
	Feed     *aggregate.Feed
	Vault    *pii.Vault
	Blobs    evidence.Blobs
	Accounts *accounts.Service
	// RuleSets are the shipped rule sets, where the office's published
	// versions start (accreditation.DefaultRuleSets() when nil).
	RuleSets  accreditation.RuleSets
	Catalogue *framework.Catalogue // what the commands check indicators against; the embedded framework when nil
	Now       func() time.Time
	Log       *slog.Logger
	MaxUpload int64  // bytes; evidence.DefaultMaxSize when 0
	TempDir   string // where uploads are spooled while checked
	Quota     Quota  // evidence per case and per applicant; the evidence defaults where 0
	// Uploads in flight at once, in all and per person; the evidence
	// defaults where 0.
	UploadsInFlight, UploadsPerUser int
	// SLA is the service-level target from submission to decision
	// (DefaultSLA when 0): a case's expected decision date.
	SLA time.Duration
}

// NewService wires the case repository into the feed; call before it runs.
func NewService(cfg Config) *Service {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = evidence.DefaultMaxSize
	}
	if cfg.Quota.Files <= 0 {
		cfg.Quota.Files = evidence.DefaultMaxCaseFiles
	}
	if cfg.Quota.Bytes <= 0 {
		cfg.Quota.Bytes = evidence.DefaultMaxCaseBytes
	}
	if cfg.Quota.ApplicantBytes <= 0 {
		cfg.Quota.ApplicantBytes = evidence.DefaultMaxApplicantBytes
	}
	if cfg.RuleSets == nil {
		cfg.RuleSets = accreditation.DefaultRuleSets()
	}
	if cfg.Catalogue == nil {
		cfg.Catalogue = framework.Default()
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.SLA <= 0 {
		cfg.SLA = DefaultSLA
	}
	s := &Service{sla: cfg.SLA, feed: cfg.Feed, store: cfg.Store, vault: cfg.Vault, blobs: cfg.Blobs, accounts: cfg.Accounts,
		now: cfg.Now, log: cfg.Log, maxUpload: cfg.MaxUpload, tmpDir: cfg.TempDir,
		quota: cfg.Quota, gate: evidence.NewGate(cfg.UploadsInFlight, cfg.UploadsPerUser), index: &index{idx: newIndexed()}}
	// The rule sets the cases are checked against are the service's own:
	// the shipped ones and the office's published versions.
	s.rules = rulesets.NewService(cfg.Store, cfg.Feed, cfg.Now, cfg.RuleSets)
	s.newCase = accreditation.Factory(cfg.Catalogue)
	s.repo = aggregate.NewRepository(accreditation.StreamPrefix, cfg.Store, cfg.Feed, cfg.Now, s.newCase)
	cfg.Feed.Add(s.index)
	return s
}

// SLA is the service-level target from submission (or the fee's payment, accreditation.Case.ServiceStart) to decision.
func (s *Service) SLA() time.Duration { return s.sla }

// RuleSets returns the rule sets in use: every version, shipped and
// published.
func (s *Service) RuleSets() accreditation.RuleSets { return s.rules.All() }

// Rules is where the office publishes rule sets.
func (s *Service) Rules() *rulesets.Service { return s.rules }

// MaxUpload is the evidence size limit in bytes.
func (s *Service) MaxUpload() int64 { return s.maxUpload }

// Quota is the evidence quota of one case and of one applicant.
func (s *Service) Quota() Quota { return s.quota }

// UploadLimits returns how many uploads may be in flight at once, in all
// and per person.
func (s *Service) UploadLimits() (total, perUser int) { return s.gate.Limits() }

// UploadsInFlight is the number of uploads in progress now.
func (s *Service) UploadsInFlight() int { return s.gate.InFlight() }

// notFound is the one answer for a case the caller may not see.
func notFound(id string) error { return domain.Errorf(domain.NotFound, "no case %s", id) }

// visible returns a copy of case id if actor may see it.
func (s *Service) visible(actor domain.Actor, id string) (*accreditation.Case, uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), aggregate.CommandTimeout)
	defer cancel()
	c, v, ok, err := s.repo.Find(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if !ok || !c.Exists() || !s.canSee(c, actor) {
		return nil, 0, notFound(id)
	}
	return c, v, nil
}

// mustSee is visible without the case: whether actor may see case id
// (NotFound if not), checked on the case as memory holds it, not on a copy.
func (s *Service) mustSee(actor domain.Actor, id string) error {
	p := s.ownProfile(actor) // read before the case's lock is taken
	seen := false
	err := s.repo.Peek(context.Background(), id, func(c *accreditation.Case, _ uint64, ok bool) {
		seen = ok && c.Exists() && c.CanSee(actor, p)
	})
	if err != nil {
		return err
	}
	if !seen {
		return notFound(id)
	}
	return nil
}

// canSee is Case.CanSee with the actor's assessor profile as the directory
// knows it now, so a changed profile (a new conflict) hides the case at once.
func (s *Service) canSee(c *accreditation.Case, actor domain.Actor) bool {
	return c.CanSee(actor, s.ownProfile(actor))
}

// ownProfile is an assessor actor's own profile, nil for anyone else or
// when it cannot be read (the sight rules then open nothing that needs it).
func (s *Service) ownProfile(actor domain.Actor) *accreditation.AssessorProfile {
	if actor.Role != domain.RoleAssessor {
		return nil
	}
	p, err := s.profile(actor.ID)
	if err != nil {
		return nil
	}
	return &p
}

// hideForbidden turns a Forbidden on a case the caller may not see into NotFound.
func (s *Service) hideForbidden(c *accreditation.Case, actor domain.Actor, id string, err error) error {
	if domain.Is(err, domain.Forbidden) && !s.canSee(c, actor) {
		return notFound(id)
	}
	return err
}

// run executes decide on a case the caller may see.
func (s *Service) run(ctx context.Context, m aggregate.Meta, id string, decide func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error)) (aggregate.Result, error) {
	if err := s.mustSee(m.Actor, id); err != nil {
		return aggregate.Result{}, err
	}
	var standing *accreditation.AssessorProfile
	if m.Actor.Role == domain.RoleAssessor {
		p, ok, err := s.holderProfile(ctx, m.Actor.ID)
		if err != nil {
			return aggregate.Result{}, err
		}
		if ok {
			standing = &p
		}
	}
	return s.repo.Update(ctx, id, m, func(c *accreditation.Case, _ uint64) ([]aggregate.Change, error) {
		if !s.canSee(c, m.Actor) {
			return nil, notFound(id)
		}
		if err := refuseBarred(c, m.Actor, standing); err != nil {
			return nil, err
		}
		ch, err := decide(c, s.now())
		return ch, s.hideForbidden(c, m.Actor, id, err)
	})
}

// seal seals text with the applicant's key; empty text, or text that
// shows nothing (white space, invisible characters: limits.Blank), seals to
// zero, which the case holds as no text.
func (s *Service) seal(ctx context.Context, subject, text string) (pii.Sealed, error) {
	text = strings.TrimSpace(text)
	if limits.Blank(text) {
		text = "" // what shows nothing is no text, as white space is not
	}
	sealed, err := s.vault.Seal(ctx, subject, text)
	if errors.Is(err, pii.ErrErased) {
		// Written after the applicant's erasure: kept as erased, so that
		// the office can still act on a decided case (a revocation's
		// reason, an appeal's rationale) without anything about them
		// being stored.
		return pii.ErasedValue(subject), nil
	}
	if err != nil {
		return pii.Sealed{}, domain.Wrap(domain.Unavailable, err, "key store unavailable")
	}
	return sealed, nil
}

// applicantOf is the applicant of case id, the subject its texts are
// sealed for: from the index, without reading the case; from the case when
// the index has not seen it yet (opened by another process a moment ago).
// A case the store cannot give is an error: a text sealed for nobody could
// not be erased with its applicant.
func (s *Service) applicantOf(ctx context.Context, id string) (string, error) {
	if a := s.index.applicantOf(id); a != "" {
		return a, nil
	}
	c, _, ok, err := s.repo.Find(ctx, id)
	if err != nil || !ok {
		return "", err // no such case: the command refuses it before the text counts
	}
	return c.ApplicantID, nil
}

// sealOn seals text for the applicant of case id.
func (s *Service) sealOn(ctx context.Context, id, text string) (pii.Sealed, error) {
	subject, err := s.applicantOf(ctx, id)
	if err != nil {
		return pii.Sealed{}, err
	}
	return s.seal(ctx, subject, text)
}

// checkProse refuses a multi-line text over its limit or holding a control
// or invisible character (limits.MultiLine), naming the field and why.
func checkProse(field string, text string, l limits.Limit) error {
	return limits.Check("invalid text", l.Prose(field, text))
}

// repeated reports the first item of a list keyed by category whose key
// came before: each category may appear once. field is a format of the
// item's index, such as "ratings[%d].category".
func repeated(field string, n int, key func(int) int) *domain.FieldError {
	seen := map[int]bool{}
	for i := range n {
		k := key(i)
		if seen[k] {
			return &domain.FieldError{Field: fmt.Sprintf(field, i), Reason: fmt.Sprintf("category %d is given twice; each category at most once", k)}
		}
		seen[k] = true
	}
	return nil
}

// OpenRequest opens a case.
type OpenRequest struct {
	Scheme    string
	Level     string
	Language  string
	Programme *struct{ Name, Provider string }
}

// Open opens a case for the calling applicant.
func (s *Service) Open(ctx context.Context, m aggregate.Meta, in OpenRequest) (string, aggregate.Result, error) {
	var fields []domain.FieldError
	scheme, ok := accreditation.ParseScheme(in.Scheme)
	if !ok {
		fields = append(fields, domain.FieldError{Field: "scheme", Reason: "EIA or EQA"})
	}
	level, ok := framework.ParseLevel(in.Level)
	if !ok {
		fields = append(fields, domain.FieldError{Field: "level", Reason: "one of foundation, practitioner, senior_practitioner, master_practitioner"})
	}
	if !domain.AssignedLanguage(in.Language) {
		fields = append(fields, domain.FieldError{Field: "language", Reason: "a two-letter language code such as en or nl"})
	}
	if len(fields) > 0 {
		return "", aggregate.Result{}, domain.InvalidFields("invalid case", fields...)
	}
	id := ulid.Make().String()
	oi := accreditation.OpenInput{CaseID: id, Scheme: scheme, Level: level, Language: in.Language}
	if in.Programme != nil {
		if err := limits.Check("text too long", limits.Short.Text("programme.name", in.Programme.Name), limits.Short.Text("programme.provider", in.Programme.Provider)); err != nil {
			return "", aggregate.Result{}, err
		}
		if err := limits.Check("invalid programme", limits.OneLine("programme.name", strings.TrimSpace(in.Programme.Name)),
			limits.OneLine("programme.provider", strings.TrimSpace(in.Programme.Provider))); err != nil {
			return "", aggregate.Result{}, err
		}
		var err error
		if oi.ProgrammeName, err = s.seal(ctx, m.Actor.ID, in.Programme.Name); err != nil {
			return "", aggregate.Result{}, err
		}
		if oi.ProgrammeProvider, err = s.seal(ctx, m.Actor.ID, in.Programme.Provider); err != nil {
			return "", aggregate.Result{}, err
		}
	}
	res, err := s.repo.Update(ctx, id, m, func(c *accreditation.Case, _ uint64) ([]aggregate.Change, error) {
		return c.Open(m.Actor, s.now(), oi)
	})
	if err != nil {
		return "", res, err
	}
	// A retried open answers with the case the first attempt opened.
	id = strings.TrimPrefix(res.Stream, accreditation.StreamPrefix+".")
	return id, res, nil
}

// PortfolioRequest is the portfolio as the API's body and the web's form
// give it: the portfolio's fields in clear, the date still text, so that a
// malformed one is refused naming the field (UpdatePortfolio parses it).
type PortfolioRequest struct {
	FirstPracticeDate        string  `json:"first_practice_date"`
	ClientHours              float64 `json:"client_hours"`
	ClientCount              int     `json:"client_count"`
	CPDHoursLastYear         float64 `json:"cpd_hours_last_year"`
	SupervisionHoursLastYear float64 `json:"supervision_hours_last_year"`
	// SupervisionHoursByQuarter are the hours of the last four quarters,
	// oldest first.
	SupervisionHoursByQuarter []float64           `json:"supervision_hours_by_quarter"`
	FeedbackItemsLast12m      int                 `json:"feedback_items_last_12m"`
	ReflectionItemsLast12m    int                 `json:"reflection_items_last_12m"`
	ProfessionalBodyMember    bool                `json:"professional_body_member"`
	EQAProgramme              string              `json:"eqa_programme"`
	ContactHours              float64             `json:"contact_hours"`
	CompletedCycles           int                 `json:"completed_cycles"`
	Curriculum                []CurriculumRequest `json:"curriculum"`
}

// CurriculumRequest is one curriculum item in clear: the portfolio's own
// item shape.
type CurriculumRequest = accreditation.CurriculumItemOf[string]

// UpdatePortfolio replaces the portfolio.
func (s *Service) UpdatePortfolio(ctx context.Context, m aggregate.Meta, id string, in PortfolioRequest) (aggregate.Result, error) {
	subject, err := s.applicantOf(ctx, id)
	if err != nil {
		return aggregate.Result{}, err
	}
	p := accreditation.Portfolio{ClientHours: in.ClientHours, ClientCount: in.ClientCount, CPDHoursLastYear: in.CPDHoursLastYear,
		SupervisionHoursLastYear: in.SupervisionHoursLastYear, SupervisionHoursByQuarter: in.SupervisionHoursByQuarter,
		FeedbackItemsLast12m:   in.FeedbackItemsLast12m,
		ReflectionItemsLast12m: in.ReflectionItemsLast12m, ProfessionalBodyMember: in.ProfessionalBodyMember,
		EQAProgramme: in.EQAProgramme, ContactHours: in.ContactHours, CompletedCycles: in.CompletedCycles}
	if in.FirstPracticeDate != "" {
		d, err := accreditation.ParseDate(in.FirstPracticeDate)
		if err != nil {
			return aggregate.Result{}, domain.InvalidFields("invalid portfolio", domain.FieldError{Field: "first_practice_date", Reason: "a date such as 2019-09-01"})
		}
		p.FirstPracticeDate = d
	}
	if err := s.mustSee(m.Actor, id); err != nil {
		return aggregate.Result{}, err
	}
	// A retry of a portfolio recorded already is answered as the first:
	// the programme it names is checked in force for a new one, and one
	// ended since would refuse the retry though the portfolio is in.
	if res, ok, err := s.repo.Applied(ctx, m); ok {
		return res, err
	}
	if in.EQAProgramme != "" && domain.ValidULID(in.EQAProgramme) {
		if _, ok, err := s.Programme(ctx, in.EQAProgramme); err != nil {
			return aggregate.Result{}, err
		} else if !ok {
			return aggregate.Result{}, domain.InvalidFields("invalid portfolio", domain.FieldError{Field: "eqa_programme",
				Reason: "not an EQA-accredited programme in force on the register"})
		}
	}
	if err := limits.Check("invalid portfolio", limits.Curriculum.List("curriculum", len(in.Curriculum))); err != nil {
		return aggregate.Result{}, err
	}
	for i, ci := range in.Curriculum {
		if err := checkProse(fmt.Sprintf("curriculum[%d].description", i), ci.Description, limits.Long); err != nil {
			return aggregate.Result{}, err
		}
		d, err := s.seal(ctx, subject, ci.Description)
		if err != nil {
			return aggregate.Result{}, err
		}
		p.Curriculum = append(p.Curriculum, accreditation.CurriculumItem{Category: ci.Category, Indicators: ci.Indicators, Description: d})
	}
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.UpdatePortfolio(m.Actor, now, p)
	})
}

// SelfAssessment is one category's statement.
type SelfAssessment struct {
	Category  int
	Statement string
}

// UpdateSelfAssessment sets the statements of the given categories in one append.
func (s *Service) UpdateSelfAssessment(ctx context.Context, m aggregate.Meta, id string, items []SelfAssessment) (aggregate.Result, error) {
	if err := s.mustSee(m.Actor, id); err != nil {
		return aggregate.Result{}, err
	}
	if len(items) == 0 {
		return aggregate.Result{}, domain.InvalidFields("nothing to update", domain.FieldError{Field: "categories", Reason: "at least one category"})
	}
	if err := limits.Check("invalid self-assessment", limits.Categories.List("categories", len(items)),
		repeated("categories[%d].category", len(items), func(i int) int { return items[i].Category })); err != nil {
		return aggregate.Result{}, err
	}
	subject, err := s.applicantOf(ctx, id)
	if err != nil {
		return aggregate.Result{}, err
	}
	inputs := make([]accreditation.SelfAssessmentInput, len(items))
	for i, it := range items {
		if err := checkProse(fmt.Sprintf("categories[%d].statement", i), it.Statement, limits.Long); err != nil {
			return aggregate.Result{}, err
		}
		st, err := s.seal(ctx, subject, it.Statement)
		if err != nil {
			return aggregate.Result{}, err
		}
		inputs[i] = accreditation.SelfAssessmentInput{Category: it.Category, Statement: st}
	}
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		var all []aggregate.Change
		for _, in := range inputs {
			ch, err := c.UpdateSelfAssessment(m.Actor, now, in)
			if err != nil {
				return nil, err
			}
			all = append(all, ch...)
		}
		return all, nil
	})
}

// Submit submits the case.
// declarations are the keys of the declarations the applicant confirms.
func (s *Service) Submit(ctx context.Context, m aggregate.Meta, id string, declarations []string) (aggregate.Result, error) {
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.Submit(m.Actor, now, s.RuleSets(), accreditation.SubmitInput{Declarations: declarations})
	})
}

// withText runs a command that carries one free-text field: the text is
// checked (length, control characters), sealed with the case's applicant key, then decided on.
func (s *Service) withText(ctx context.Context, m aggregate.Meta, id, field, text string, l limits.Limit,
	decide func(c *accreditation.Case, now time.Time, t pii.Sealed) ([]aggregate.Change, error)) (aggregate.Result, error) {
	if err := checkProse(field, text, l); err != nil {
		return aggregate.Result{}, err
	}
	t, err := s.sealFor(ctx, m, id, text)
	if err != nil {
		return aggregate.Result{}, err
	}
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return decide(c, now, t)
	})
}

// ScreenRequest is the office's screening as the API takes it; the reason
// is required when the case is returned.
type ScreenRequest struct {
	Outcome accreditation.ScreeningOutcome
	Reason  string
}

// Screen accepts or returns a submitted case.
func (s *Service) Screen(ctx context.Context, m aggregate.Meta, id string, in ScreenRequest) (aggregate.Result, error) {
	return s.withText(ctx, m, id, "reason", in.Reason, limits.Long, func(c *accreditation.Case, now time.Time, r pii.Sealed) ([]aggregate.Change, error) {
		return c.Screen(m.Actor, now, accreditation.ScreenInput{Outcome: in.Outcome, Reason: r})
	})
}

// PaymentRequest is the office's record of a case's fee as the API takes
// it: paid with its reference, or waived with a reason.
type PaymentRequest struct {
	Status    accreditation.PaymentStatus
	Reference string
	Reason    string
}

// RecordPayment records the fee of a case awaiting payment as paid or
// waived.
func (s *Service) RecordPayment(ctx context.Context, m aggregate.Meta, id string, in PaymentRequest) (aggregate.Result, error) {
	return s.withText(ctx, m, id, "reason", in.Reason, limits.Reason, func(c *accreditation.Case, now time.Time, r pii.Sealed) ([]aggregate.Change, error) {
		return c.RecordPayment(m.Actor, now, accreditation.PaymentInput{Status: in.Status, Reference: in.Reference, Reason: r})
	})
}

// sealFor checks visibility, then seals text with the case's applicant key.
func (s *Service) sealFor(ctx context.Context, m aggregate.Meta, id, text string) (pii.Sealed, error) {
	if err := s.mustSee(m.Actor, id); err != nil {
		return pii.Sealed{}, err
	}
	return s.sealOn(ctx, id, text)
}

// AssessorProfile returns what the aggregate needs to know of an assessor.
func (s *Service) AssessorProfile(userID string) (accreditation.AssessorProfile, error) {
	return s.profile(userID)
}

// profile returns what the aggregate needs to know of a would-be assessor.
func (s *Service) profile(userID string) (accreditation.AssessorProfile, error) {
	ctx, cancel := context.WithTimeout(context.Background(), aggregate.CommandTimeout)
	defer cancel()
	p, role, ok, err := s.accounts.Profile(ctx, userID)
	if err != nil {
		return accreditation.AssessorProfile{}, err // never "no such user" for a failed read
	}
	if !ok {
		return accreditation.AssessorProfile{}, domain.InvalidFields("unknown assessor", domain.FieldError{Field: "assessor_id", Reason: "no such active user"})
	}
	ap := assessorProfile(userID, p)
	if role != domain.RoleAssessor {
		return ap, &domain.Error{Code: domain.Unprocessable, Message: fmt.Sprintf("user %s is not an assessor", userID),
			Fields: []domain.FieldError{{Field: "assessor_id", Reason: "not an assessor"}}}
	}
	return ap, nil
}

// assessorProfile is active user userID's profile p as the aggregate reads
// it (no profile: qualified for nothing).
func assessorProfile(userID string, p *accounts.Profile) accreditation.AssessorProfile {
	ap := accreditation.AssessorProfile{UserID: userID, Active: true}
	if p != nil {
		ap.Schemes, ap.MaxLevel, ap.Languages, ap.Conflicts = p.Schemes, p.MaxLevel, p.Languages, p.Conflicts
	}
	return ap
}

// AssignRequest is the office's assignment of the user AssessorID to Role.
type AssignRequest struct {
	AssessorID string
	Role       accreditation.AssessorRole
}

// Assign has the office put an assessor in a role.
func (s *Service) Assign(ctx context.Context, m aggregate.Meta, id string, in AssignRequest) (aggregate.Result, error) {
	if err := s.mustSee(m.Actor, id); err != nil {
		return aggregate.Result{}, err
	}
	// A retry of an assignment recorded already is answered as the first:
	// the assessor's account is read for a new one, and would refuse the
	// retry once the assessor is disabled since ("unknown assessor").
	if res, ok, err := s.repo.Applied(ctx, m); ok {
		return res, err
	}
	p, err := s.profile(in.AssessorID)
	if err != nil {
		return aggregate.Result{}, err
	}
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.Assign(m.Actor, now, accreditation.AssignInput{Role: in.Role, Profile: p})
	})
}

// Claim has an assessor take a role from the queue; an empty role takes the
// first open one.
func (s *Service) Claim(ctx context.Context, m aggregate.Meta, id string, role accreditation.AssessorRole) (aggregate.Result, error) {
	if err := s.mustSee(m.Actor, id); err != nil {
		return aggregate.Result{}, err
	}
	p, err := s.profile(m.Actor.ID)
	if err != nil {
		return aggregate.Result{}, err
	}
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.Claim(m.Actor, now, accreditation.ClaimInput{Role: role, Profile: p})
	})
}

// Rating is one category's rating as the API takes it.
type Rating struct {
	Category   int
	Rating     accreditation.Rating
	Indicators []int
	Notes      string
}

// AreaRating is one EQA review area's rating as the API takes it.
type AreaRating struct {
	Area   accreditation.ReviewArea
	Rating accreditation.Rating
	Notes  string
}

// AssessmentRequest is an assessment as the API takes it; Areas only on an
// EQA case.
type AssessmentRequest struct {
	Ratings          []Rating
	Areas            []AreaRating
	Recommendation   accreditation.Recommendation
	RecommendedLevel framework.Level
	Rationale        string
}

// Assess records the caller's assessment.
func (s *Service) Assess(ctx context.Context, m aggregate.Meta, id string, in AssessmentRequest) (aggregate.Result, error) {
	if err := s.mustSee(m.Actor, id); err != nil {
		return aggregate.Result{}, err
	}
	subject, err := s.applicantOf(ctx, id)
	if err != nil {
		return aggregate.Result{}, err
	}
	ai := accreditation.AssessmentInput{Recommendation: in.Recommendation, Level: in.RecommendedLevel}
	if err := checkProse("rationale", in.Rationale, limits.Long); err != nil {
		return aggregate.Result{}, err
	}
	if err := limits.Check("invalid assessment", limits.Categories.List("ratings", len(in.Ratings)),
		repeated("ratings[%d].category", len(in.Ratings), func(i int) int { return in.Ratings[i].Category })); err != nil {
		return aggregate.Result{}, err
	}
	if ai.Rationale, err = s.seal(ctx, subject, in.Rationale); err != nil {
		return aggregate.Result{}, err
	}
	for i, r := range in.Ratings {
		if err := limits.Check("invalid assessment", limits.Long.Prose(fmt.Sprintf("ratings[%d].notes", i), r.Notes),
			limits.Indicators.List(fmt.Sprintf("ratings[%d].indicators", i), len(r.Indicators))); err != nil {
			return aggregate.Result{}, err
		}
		notes, err := s.seal(ctx, subject, r.Notes)
		if err != nil {
			return aggregate.Result{}, err
		}
		ai.Ratings = append(ai.Ratings, accreditation.CategoryRating{Category: r.Category, Rating: r.Rating, Indicators: r.Indicators, Notes: notes})
	}
	if err := limits.Check("invalid assessment", limits.ReviewAreas.List("review_areas", len(in.Areas))); err != nil {
		return aggregate.Result{}, err
	}
	for i, a := range in.Areas {
		if err := checkProse(fmt.Sprintf("review_areas[%d].notes", i), a.Notes, limits.Long); err != nil {
			return aggregate.Result{}, err
		}
		notes, err := s.seal(ctx, subject, a.Notes)
		if err != nil {
			return aggregate.Result{}, err
		}
		ai.Areas = append(ai.Areas, accreditation.AreaRating{Area: a.Area, Rating: a.Rating, Notes: notes})
	}
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.SubmitAssessment(m.Actor, now, ai)
	})
}

// RequestInformation asks the applicant for more.
func (s *Service) RequestInformation(ctx context.Context, m aggregate.Meta, id, questions string) (aggregate.Result, error) {
	return s.withText(ctx, m, id, "questions", questions, limits.Long, func(c *accreditation.Case, now time.Time, q pii.Sealed) ([]aggregate.Change, error) {
		return c.RequestInformation(m.Actor, now, accreditation.InformationRequestInput{Questions: q})
	})
}

// ProvideInformation answers the open request.
func (s *Service) ProvideInformation(ctx context.Context, m aggregate.Meta, id, answer string) (aggregate.Result, error) {
	return s.withText(ctx, m, id, "answer", answer, limits.Long, func(c *accreditation.Case, now time.Time, a pii.Sealed) ([]aggregate.Change, error) {
		return c.ProvideInformation(m.Actor, now, accreditation.InformationResponseInput{Answer: a})
	})
}

// Withdraw withdraws the case.
func (s *Service) Withdraw(ctx context.Context, m aggregate.Meta, id, reason string) (aggregate.Result, error) {
	return s.withText(ctx, m, id, "reason", reason, limits.Reason, func(c *accreditation.Case, now time.Time, r pii.Sealed) ([]aggregate.Change, error) {
		return c.Withdraw(m.Actor, now, accreditation.WithdrawInput{Reason: r})
	})
}
