package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections"
)

// Programme effectiveness (issue 16 item 4): how the graduates of an
// EQA-accredited programme fared in their EIA cases, for the programme's
// provider (the holder of its accreditation) and the office. The figures
// are the read model's (projections.Effectiveness), aggregated and
// anonymous; this file decides who sees which programme.

// ProgrammeSummary is one programme in the list of programmes.
type ProgrammeSummary struct {
	AccreditationID string                            `json:"accreditation_id"`
	Programme       string                            `json:"programme"`
	Provider        string                            `json:"provider"`
	Level           framework.Level                   `json:"level"`
	Status          accreditation.AccreditationStatus `json:"status"`
	// Graduates is how many graduates have a decided EIA case, when at
	// least projections.MinGraduates have (GraduatesShown).
	Graduates      int  `json:"graduates,omitempty"`
	GraduatesShown bool `json:"graduates_shown"`
}

// ProgrammeFigures is a programme with its figures.
type ProgrammeFigures struct {
	Programme string                            `json:"programme"`
	Provider  string                            `json:"provider"`
	Level     framework.Level                   `json:"level"`
	Status    accreditation.AccreditationStatus `json:"status"`
	projections.ProgrammeEffectiveness
}

// mayReadProgramme reports whether actor sees the figures of the programme
// of e: the office every programme, an applicant the ones they hold.
func mayReadProgramme(actor domain.Actor, e projections.RegisterEntry) bool {
	return e.Scheme == accreditation.SchemeEQA && (actor.Role == domain.RoleOffice || actor.Role == domain.RoleApplicant && e.HolderID == actor.ID)
}

func (rs *ReadSide) summary(ctx context.Context, m *projections.Models, e projections.RegisterEntry) ProgrammeSummary {
	v := m.Effectiveness.OfEntry(m.Register, e)
	return ProgrammeSummary{AccreditationID: e.AccreditationID, Programme: rs.Vault.Reveal(ctx, e.ProgrammeName),
		Provider: rs.Vault.Reveal(ctx, e.ProgrammeProvider), Level: e.Level, Status: e.Status,
		Graduates: v.Graduates, GraduatesShown: v.GraduatesShown}
}

// Programmes lists the programmes actor may see the figures of, by
// accreditation id. Call it within a read of the models.
func (rs *ReadSide) Programmes(ctx context.Context, m *projections.Models, actor domain.Actor) []ProgrammeSummary {
	out := []ProgrammeSummary{}
	for _, e := range m.Effectiveness.Programmes(m.Register) {
		if mayReadProgramme(actor, e) {
			out = append(out, rs.summary(ctx, m, e))
		}
	}
	return out
}

// ProgrammeEffectiveness returns the figures of the programme accredited
// as id. Errors: NotFound (no such programme, or not one actor may see:
// the same answer, as for a case). Call it within a read of the models.
func (rs *ReadSide) ProgrammeEffectiveness(ctx context.Context, m *projections.Models, actor domain.Actor, id string) (ProgrammeFigures, error) {
	e, ok := m.Register.Lookup(id)
	if !ok || !mayReadProgramme(actor, e) {
		return ProgrammeFigures{}, domain.Errorf(domain.NotFound, "no EQA-accredited programme %s of yours", id)
	}
	sum := rs.summary(ctx, m, e)
	return ProgrammeFigures{Programme: sum.Programme, Provider: sum.Provider, Level: sum.Level, Status: sum.Status,
		ProgrammeEffectiveness: m.Effectiveness.OfEntry(m.Register, e)}, nil
}

func (s *Server) listProgrammes(c echo.Context) error {
	return s.read(c, func(m *projections.Models, pos uint64) error {
		list := s.deps.Reads.Programmes(c.Request().Context(), m, actor(c))
		return c.JSON(http.StatusOK, map[string]any{"programmes": list, "min_graduates": projections.MinGraduates, "seq": pos})
	})
}

func (s *Server) programmeEffectiveness(c echo.Context) error {
	return s.read(c, func(m *projections.Models, _ uint64) error {
		v, err := s.deps.Reads.ProgrammeEffectiveness(c.Request().Context(), m, actor(c), c.Param("accreditation_id"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	})
}
