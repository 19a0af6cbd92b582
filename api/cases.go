package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/api/internal/export"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/framework"
)

// caseID validates the :id path parameter (a ULID); an invalid one is a 404.
func caseID(c echo.Context) (string, error) {
	id := c.Param("id")
	if !domain.ValidULID(id) {
		return "", domain.Errorf(domain.NotFound, "no case %s", id)
	}
	return id, nil
}

// answerCase answers a command with the case as the command left it, as
// the caller sees it.
func (s *Server) answerCase(c echo.Context, id string, res aggregate.Result, status int) error {
	v, version, err := s.deps.Cases.Answer(c.Request().Context(), actor(c), id, res)
	if err != nil {
		return err
	}
	if res.Version == 0 {
		res.Version = version
	}
	v.Version = res.Version
	writeResult(c, res)
	return c.JSON(status, commandAnswer{CaseView: v, Seq: res.Seq})
}

// commandAnswer is a command's answer: the case, and the seq of the write
// (for min_seq on the read models).
type commandAnswer struct {
	*cases.CaseView
	Seq uint64 `json:"seq"`
}

type caseCommand func(c echo.Context, m aggregate.Meta, id string) (aggregate.Result, error)

// command runs a case command with its metadata and answers with the case.
func (s *Server) command(name accreditation.Action, fn caseCommand) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := caseID(c)
		if err != nil {
			return err
		}
		m, err := meta(c)
		if err != nil {
			return err
		}
		m.Command = string(name)
		res, err := fn(c, m, id)
		if err != nil {
			return err
		}
		return s.answerCase(c, id, res, http.StatusOK)
	}
}

func (s *Server) evidenceLimits(c echo.Context) error {
	q := s.deps.Cases.Quota()
	total, perUser := s.deps.Cases.UploadLimits()
	return c.JSON(http.StatusOK, map[string]any{"max_bytes": s.deps.Cases.MaxUpload(), "max_case_files": q.Files, "max_case_bytes": q.Bytes, "max_applicant_bytes": q.ApplicantBytes,
		"max_uploads_per_user": perUser, "max_uploads_in_flight": total, "types": evidence.Types, "kinds": accreditation.EvidenceKinds,
		"kinds_by_scheme": map[accreditation.Scheme][]accreditation.EvidenceKind{
			accreditation.SchemeEIA: accreditation.EvidenceKindsOf(accreditation.SchemeEIA),
			accreditation.SchemeEQA: accreditation.EvidenceKindsOf(accreditation.SchemeEQA)}})
}

type openCaseRequest struct {
	Scheme    string `json:"scheme"`
	Level     string `json:"level"`
	Language  string `json:"language"`
	Programme *struct {
		Name     string `json:"name"`
		Provider string `json:"provider"`
	} `json:"programme"`
}

func (s *Server) openCase(c echo.Context) error {
	var req openCaseRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = string(accreditation.ActionOpen)
	in := cases.OpenRequest{Scheme: req.Scheme, Level: req.Level, Language: req.Language}
	if req.Programme != nil {
		in.Programme = &struct{ Name, Provider string }{req.Programme.Name, req.Programme.Provider}
	}
	id, res, err := s.deps.Cases.Open(c.Request().Context(), m, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/cases/"+id)
	return s.answerCase(c, id, res, http.StatusCreated)
}

func (s *Server) getCase(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	if err := s.waitMinSeq(c); err != nil {
		return err
	}
	if t, ok, err := asOf(c); err != nil || ok {
		if err != nil {
			return err
		}
		v, err := s.deps.Cases.AsOf(c.Request().Context(), actor(c), id, t)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v) // no ETag: a past view is not a version to write against
	}
	v, version, err := s.deps.Cases.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", strconv.Quote(strconv.FormatUint(version, 10)))
	return c.JSON(http.StatusOK, v)
}

// asOf reads the as_of query parameter: the moment a case is to be shown as
// it stood at, an RFC 3339 time. ok is false when it is not given.
func asOf(c echo.Context) (t time.Time, ok bool, err error) {
	v := c.QueryParam("as_of")
	if v == "" {
		return time.Time{}, false, nil
	}
	t, err = time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false, badQuery("as_of", "an RFC 3339 time, such as 2026-03-31T23:59:59Z")
	}
	return t, true, nil
}

// caseCoverage answers the evidence coverage map of a case, made from the
// case as the caller may see it.
func (s *Server) caseCoverage(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	if err := s.waitMinSeq(c); err != nil {
		return err
	}
	v, _, err := s.deps.Cases.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cases.CoverageOf(v, s.deps.Catalogue))
}

func (s *Server) caseHistory(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	if err := s.waitMinSeq(c); err != nil {
		return err
	}
	t, past, err := asOf(c)
	if err != nil {
		return err
	}
	var h []cases.HistoryEntry
	if past {
		h, err = s.deps.Cases.HistoryAsOf(c.Request().Context(), actor(c), id, t)
	} else {
		h, err = s.deps.Cases.History(c.Request().Context(), actor(c), id)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"case_id": id, "events": h})
}

func (s *Server) putPortfolio(c echo.Context) error {
	return s.command(accreditation.ActionUpdatePortfolio, func(c echo.Context, m aggregate.Meta, id string) (aggregate.Result, error) {
		var req cases.PortfolioRequest
		if err := bind(c, &req); err != nil {
			return aggregate.Result{}, err
		}
		return s.deps.Cases.UpdatePortfolio(c.Request().Context(), m, id, req)
	})(c)
}

type selfAssessmentRequest struct {
	Categories []struct {
		Category  int    `json:"category"`
		Statement string `json:"statement"`
	} `json:"categories"`
}

func (s *Server) putSelfAssessment(c echo.Context) error {
	return s.command(accreditation.ActionUpdateSelfAssessment, func(c echo.Context, m aggregate.Meta, id string) (aggregate.Result, error) {
		var req selfAssessmentRequest
		if err := bind(c, &req); err != nil {
			return aggregate.Result{}, err
		}
		items := make([]cases.SelfAssessment, len(req.Categories))
		for i, it := range req.Categories {
			items[i] = cases.SelfAssessment{Category: it.Category, Statement: it.Statement}
		}
		return s.deps.Cases.UpdateSelfAssessment(c.Request().Context(), m, id, items)
	})(c)
}

// bindEmpty accepts an empty body or an empty JSON object.
func (s *Server) submitCase(c echo.Context) error {
	return s.command(accreditation.ActionSubmit, func(c echo.Context, m aggregate.Meta, id string) (aggregate.Result, error) {
		var req struct {
			Declarations []string `json:"declarations"`
		}
		if err := bindOptional(c, &req); err != nil {
			return aggregate.Result{}, err
		}
		return s.deps.Cases.Submit(c.Request().Context(), m, id, req.Declarations)
	})(c)
}

// withBody decodes the JSON body into a T for a case command.
func withBody[T any](fn func(ctx context.Context, m aggregate.Meta, id string, req T) (aggregate.Result, error)) caseCommand {
	return func(c echo.Context, m aggregate.Meta, id string) (aggregate.Result, error) {
		var req T
		if err := bind(c, &req); err != nil {
			return aggregate.Result{}, err
		}
		return fn(c.Request().Context(), m, id, req)
	}
}

type screenRequest struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

func (s *Server) screenCase(c echo.Context) error {
	return s.command(accreditation.ActionScreen, withBody(func(ctx context.Context, m aggregate.Meta, id string, req screenRequest) (aggregate.Result, error) {
		return s.deps.Cases.Screen(ctx, m, id, cases.ScreenRequest{Outcome: accreditation.ScreeningOutcome(req.Outcome), Reason: req.Reason})
	}))(c)
}

type paymentRequest struct {
	Status    string `json:"status"`
	Reference string `json:"reference"`
	Reason    string `json:"reason"`
}

func (s *Server) recordPayment(c echo.Context) error {
	return s.command(accreditation.ActionRecordPayment, withBody(func(ctx context.Context, m aggregate.Meta, id string, req paymentRequest) (aggregate.Result, error) {
		return s.deps.Cases.RecordPayment(ctx, m, id, cases.PaymentRequest{Status: accreditation.PaymentStatus(req.Status), Reference: req.Reference, Reason: req.Reason})
	}))(c)
}

type assignRequest struct {
	AssessorID string `json:"assessor_id"`
	Role       string `json:"role"`
}

func (s *Server) assignCase(c echo.Context) error {
	return s.command(accreditation.ActionAssign, withBody(func(ctx context.Context, m aggregate.Meta, id string, req assignRequest) (aggregate.Result, error) {
		return s.deps.Cases.Assign(ctx, m, id, cases.AssignRequest{AssessorID: req.AssessorID, Role: accreditation.AssessorRole(req.Role)})
	}))(c)
}

type claimRequest struct {
	Role string `json:"role"`
}

func (s *Server) claimCase(c echo.Context) error {
	return s.command(accreditation.ActionClaim, withBody(func(ctx context.Context, m aggregate.Meta, id string, req claimRequest) (aggregate.Result, error) {
		return s.deps.Cases.Claim(ctx, m, id, accreditation.AssessorRole(req.Role))
	}))(c)
}

type assessmentRequest struct {
	Ratings []struct {
		Category   int                  `json:"category"`
		Rating     accreditation.Rating `json:"rating"`
		Indicators []int                `json:"indicators"`
		Notes      string               `json:"notes"`
	} `json:"ratings"`
	Areas []struct {
		Area   accreditation.ReviewArea `json:"area"`
		Rating accreditation.Rating     `json:"rating"`
		Notes  string                   `json:"notes"`
	} `json:"review_areas"`
	Recommendation   accreditation.Recommendation `json:"recommendation"`
	RecommendedLevel framework.Level              `json:"recommended_level"`
	Rationale        string                       `json:"rationale"`
}

func (s *Server) assessCase(c echo.Context) error {
	return s.command(accreditation.ActionAssess, withBody(func(ctx context.Context, m aggregate.Meta, id string, req assessmentRequest) (aggregate.Result, error) {
		in := cases.AssessmentRequest{Recommendation: req.Recommendation, RecommendedLevel: req.RecommendedLevel, Rationale: req.Rationale}
		for _, r := range req.Ratings {
			in.Ratings = append(in.Ratings, cases.Rating(r))
		}
		for _, a := range req.Areas {
			in.Areas = append(in.Areas, cases.AreaRating(a))
		}
		return s.deps.Cases.Assess(ctx, m, id, in)
	}))(c)
}

type questionsRequest struct {
	Questions string `json:"questions"`
}

func (s *Server) requestInformation(c echo.Context) error {
	return s.command(accreditation.ActionRequestInformation, withBody(func(ctx context.Context, m aggregate.Meta, id string, req questionsRequest) (aggregate.Result, error) {
		return s.deps.Cases.RequestInformation(ctx, m, id, req.Questions)
	}))(c)
}

type answerRequest struct {
	Answer string `json:"answer"`
}

func (s *Server) provideInformation(c echo.Context) error {
	return s.command(accreditation.ActionRespond, withBody(func(ctx context.Context, m aggregate.Meta, id string, req answerRequest) (aggregate.Result, error) {
		return s.deps.Cases.ProvideInformation(ctx, m, id, req.Answer)
	}))(c)
}

type moderationRequest struct {
	Recommendation   string `json:"recommendation"`
	RecommendedLevel string `json:"recommended_level"`
	Rationale        string `json:"rationale"`
}

func (s *Server) moderateCase(c echo.Context) error {
	return s.command(accreditation.ActionModerate, withBody(func(ctx context.Context, m aggregate.Meta, id string, req moderationRequest) (aggregate.Result, error) {
		return s.deps.Cases.Moderate(ctx, m, id, cases.ModerationRequest{Recommendation: accreditation.Recommendation(req.Recommendation),
			Level: framework.Level(req.RecommendedLevel), Rationale: req.Rationale})
	}))(c)
}

type decisionRequest struct {
	Outcome   string                    `json:"outcome"`
	Level     string                    `json:"level"`
	Rationale string                    `json:"rationale"`
	Panel     []accreditation.PanelVote `json:"panel"`
}

func (s *Server) decideCase(c echo.Context) error {
	return s.command(accreditation.ActionDecide, withBody(func(ctx context.Context, m aggregate.Meta, id string, req decisionRequest) (aggregate.Result, error) {
		return s.deps.Cases.Decide(ctx, m, id, cases.DecisionRequest{Outcome: accreditation.Outcome(req.Outcome),
			Level: framework.Level(req.Level), Rationale: req.Rationale, Panel: req.Panel})
	}))(c)
}

type appealRequest struct {
	Grounds string `json:"grounds"`
}

func (s *Server) appealCase(c echo.Context) error {
	return s.command(accreditation.ActionAppeal, withBody(func(ctx context.Context, m aggregate.Meta, id string, req appealRequest) (aggregate.Result, error) {
		return s.deps.Cases.Appeal(ctx, m, id, req.Grounds)
	}))(c)
}

type appealDecisionRequest struct {
	Outcome   string `json:"outcome"`
	Rationale string `json:"rationale"`
	ReturnTo  string `json:"return_to"`
}

func (s *Server) decideAppeal(c echo.Context) error {
	return s.command(accreditation.ActionDecideAppeal, withBody(func(ctx context.Context, m aggregate.Meta, id string, req appealDecisionRequest) (aggregate.Result, error) {
		return s.deps.Cases.DecideAppeal(ctx, m, id, cases.AppealDecisionRequest{Outcome: accreditation.AppealOutcome(req.Outcome),
			Rationale: req.Rationale, ReturnTo: req.ReturnTo})
	}))(c)
}

func (s *Server) withdrawCase(c echo.Context) error {
	return s.command(accreditation.ActionWithdraw, func(c echo.Context, m aggregate.Meta, id string) (aggregate.Result, error) {
		var req struct {
			Reason string `json:"reason"`
		}
		if err := bindOptional(c, &req); err != nil {
			return aggregate.Result{}, err
		}
		return s.deps.Cases.Withdraw(c.Request().Context(), m, id, req.Reason)
	})(c)
}

func (s *Server) getAccreditation(c echo.Context) error {
	accID := c.Param("id")
	id, err := s.deps.Cases.CaseOfAccreditation(actor(c), accID)
	if err != nil {
		return err
	}
	v, _, err := s.deps.Cases.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	if err := cases.IsCurrent(v.AccreditationID(), accID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, accreditationAnswer{CaseID: id, Scheme: v.Scheme, ApplicantID: v.ApplicantID,
		Programme: v.Programme, Accreditation: v.Accreditation, AllowedActions: v.AllowedActions})
}

// accreditationAnswer is an accreditation with the case it belongs to.
type accreditationAnswer struct {
	CaseID         string                   `json:"case_id"`
	Scheme         accreditation.Scheme     `json:"scheme"`
	ApplicantID    string                   `json:"applicant_id"`
	Programme      *cases.ProgrammeView     `json:"programme"`
	Accreditation  *cases.AccreditationView `json:"accreditation"`
	AllowedActions []accreditation.Action   `json:"allowed_actions"`
}

func (s *Server) revokeAccreditation(c echo.Context) error {
	return s.endAccreditation(c, accreditation.ActionRevoke, s.deps.Cases.Revoke)
}

func (s *Server) withdrawAccreditation(c echo.Context) error {
	return s.endAccreditation(c, accreditation.ActionWithdrawAccreditation, s.deps.Cases.WithdrawAccreditation)
}

// endAccreditation runs end, the command named command that ends the :id
// accreditation for the reason in the body.
func (s *Server) endAccreditation(c echo.Context, command accreditation.Action,
	end func(context.Context, aggregate.Meta, string, string) (string, aggregate.Result, error)) error {
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = string(command)
	var req struct {
		Reason string `json:"reason"`
	}
	if err := bind(c, &req); err != nil {
		return err
	}
	id, res, err := end(c.Request().Context(), m, c.Param("id"), req.Reason)
	if err != nil {
		return err
	}
	return s.answerCase(c, id, res, http.StatusOK)
}

// exportMine is the GDPR right of access: all of the caller's personal data
// and case history in one document.
func (s *Server) exportMine(c echo.Context) error {
	doc, err := export.Mine(c.Request().Context(), s.exportSources(), actor(c), caller(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="accredit-export.json"`)
	return c.JSON(http.StatusOK, doc)
}

func (s *Server) exportSources() export.Sources {
	return export.Sources{Accounts: s.deps.Accounts, Cases: s.deps.Cases, SelfChecks: s.deps.SelfChecks,
		Mail: s.deps.Mail, Recovery: s.deps.Recovery, Now: s.deps.Now}
}

// exportUser is the office answering a request of access (GDPR art. 15)
// for a user who cannot log in to download it (disabled, or asking by
// letter): the document they would get themselves, read as them.
func (s *Server) exportUser(c echo.Context) error {
	id := c.Param("id")
	if err := validUserID(id); err != nil {
		return err
	}
	doc, err := export.OfUser(c.Request().Context(), s.exportSources(), id)
	if err != nil {
		return err
	}
	s.deps.Log.Info("the office exported a user's data", "user_id", id, "by", actor(c).ID)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="accredit-export-`+id+`.json"`)
	return c.JSON(http.StatusOK, doc)
}
