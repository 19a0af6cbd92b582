package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/cases"
)

// renewAccreditation is the holder submitting (or resubmitting) the renewal.
func (s *Server) renewAccreditation(c echo.Context) error {
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = string(accreditation.ActionRenew)
	var req struct {
		Years        []accreditation.RenewalYear         `json:"years"`
		Reflection   string                              `json:"reflection"`
		Aims         map[accreditation.RenewalAim]string `json:"aims"`
		Declarations []string                            `json:"declarations"`
		// The instant renewal's fields, taken only to say what is asked now.
		ContinuedPractice        json.RawMessage `json:"continued_practice"`
		SupervisionHoursLastYear json.RawMessage `json:"supervision_hours_last_year"`
		CPDHoursLastYear         json.RawMessage `json:"cpd_hours_last_year"`
		EthicsCodeAdherence      json.RawMessage `json:"ethics_code_adherence"`
	}
	if err := bind(c, &req); err != nil {
		return err
	}
	var old []domain.FieldError
	for name, v := range map[string]json.RawMessage{"continued_practice": req.ContinuedPractice, "supervision_hours_last_year": req.SupervisionHoursLastYear,
		"cpd_hours_last_year": req.CPDHoursLastYear, "ethics_code_adherence": req.EthicsCodeAdherence} {
		if v != nil {
			old = append(old, domain.FieldError{Field: name, Reason: renewalNow})
		}
	}
	if len(old) > 0 {
		sortFields(old)
		return domain.InvalidFields("a renewal is now assessed: "+renewalNow, old...)
	}
	id, res, err := s.deps.Cases.Renew(c.Request().Context(), m, c.Param("id"), cases.RenewalRequest{Years: req.Years, Reflection: req.Reflection,
		Aims: req.Aims, Declarations: req.Declarations})
	if err != nil {
		return err
	}
	return s.answerCase(c, id, res, http.StatusOK)
}

// renewalNow says what a renewal asks for since it is assessed.
var renewalNow = fmt.Sprintf("no longer taken; give years (EIA: practice_hours, supervision_hours and cpd_hours of each of the %d years of the period, oldest first) "+
	"and reflection, or aims (EQA: a statement on each of %v), and declarations", accreditation.ValidityYears, accreditation.RenewalAims)

// assignRenewal is the office giving the submitted renewal to one assessor.
func (s *Server) assignRenewal(c echo.Context) error {
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = string(accreditation.ActionAssignRenewal)
	var req struct {
		AssessorID string `json:"assessor_id"`
	}
	if err := bind(c, &req); err != nil {
		return err
	}
	id, res, err := s.deps.Cases.AssignRenewal(c.Request().Context(), m, c.Param("id"), req.AssessorID)
	if err != nil {
		return err
	}
	return s.answerCase(c, id, res, http.StatusOK)
}

// assessRenewal is the renewal's assessor renewing, refusing or returning it.
func (s *Server) assessRenewal(c echo.Context) error {
	m, err := meta(c)
	if err != nil {
		return err
	}
	m.Command = string(accreditation.ActionAssessRenewal)
	var req struct {
		Outcome   accreditation.RenewalOutcome `json:"outcome"`
		Rationale string                       `json:"rationale"`
	}
	if err := bind(c, &req); err != nil {
		return err
	}
	id, res, err := s.deps.Cases.AssessRenewal(c.Request().Context(), m, c.Param("id"), cases.RenewalAssessmentRequest{Outcome: req.Outcome, Rationale: req.Rationale})
	if err != nil {
		return err
	}
	return s.answerCase(c, id, res, http.StatusOK)
}

func sortFields(f []domain.FieldError) {
	slices.SortFunc(f, func(a, b domain.FieldError) int { return strings.Compare(a.Field, b.Field) })
}
