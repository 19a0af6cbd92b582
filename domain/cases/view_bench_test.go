package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// assessedCase is a case in awaiting_decision with what most cases carry
// by then: a portfolio, eight statements, a screening, both assignments and
// both assessments of eight ratings with notes, every text sealed.
func assessedCase(b *testing.B) (*Service, *accreditation.Case, uint64) {
	b.Helper()
	ctx := context.Background()
	store := eventstore.NewMemory()
	feed := aggregate.NewFeed(store, nil)
	s, vault := serviceOn(b, store, feed)

	applicant := aggregate.Meta{Actor: domain.Actor{ID: "01JAPPLICANT0000000000000A", Role: domain.RoleApplicant}}
	office := aggregate.Meta{Actor: domain.Actor{ID: "01JOFFICE00000000000000000", Role: domain.RoleOffice}}
	must := func(_ aggregate.Result, err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	id, _, err := s.Open(ctx, applicant, OpenRequest{Scheme: "EIA", Level: "practitioner", Language: "en"})
	if err != nil {
		b.Fatal(err)
	}
	must(s.UpdatePortfolio(ctx, applicant, id, PortfolioRequest{FirstPracticeDate: "2021-01-15", ClientHours: 140, ClientCount: 14,
		CPDHoursLastYear: 20, SupervisionHoursLastYear: 6, FeedbackItemsLast12m: 6, ReflectionItemsLast12m: 5, ProfessionalBodyMember: true}))
	var items []SelfAssessment
	for cat := 1; cat <= 8; cat++ {
		items = append(items, SelfAssessment{Category: cat, Statement: fmt.Sprintf("How I work on category %d, with an example from practice.", cat)})
	}
	must(s.UpdateSelfAssessment(ctx, applicant, id, items))
	must(s.Submit(ctx, applicant, id, accreditation.Declarations))
	seal := func(text string) pii.Sealed {
		sealed, err := vault.Seal(ctx, applicant.Actor.ID, text)
		if err != nil {
			b.Fatal(err)
		}
		return sealed
	}
	record := func(m aggregate.Meta, changes ...aggregate.Change) {
		b.Helper()
		must(s.repo.Update(ctx, id, m, func(*accreditation.Case, uint64) ([]aggregate.Change, error) { return changes, nil }))
	}
	record(office, aggregate.Change{Type: string(accreditation.EventCaseScreened), SchemaVersion: 1, Data: accreditation.CaseScreened{Outcome: accreditation.ScreeningAccepted}})
	assessors := map[accreditation.AssessorRole]string{accreditation.RoleAssessor: "01JASSESSOR000000000000000", accreditation.RoleVerifier: "01JVERIFIER000000000000000"}
	for _, role := range accreditation.AssessorRoles {
		record(office, aggregate.Change{Type: string(accreditation.EventAssessorAssigned), SchemaVersion: 1,
			Data: accreditation.AssessorAssigned{Role: role, UserID: assessors[role], How: accreditation.HowAssigned}})
	}
	for _, role := range accreditation.AssessorRoles {
		var ratings []accreditation.CategoryRating
		for cat := 1; cat <= 8; cat++ {
			ratings = append(ratings, accreditation.CategoryRating{Category: cat, Rating: accreditation.RatingEvidenced,
				Indicators: []int{cat*10 + 1}, Notes: seal(fmt.Sprintf("Notes on category %d.", cat))})
		}
		record(aggregate.Meta{Actor: domain.Actor{ID: assessors[role], Role: domain.RoleAssessor}},
			aggregate.Change{Type: string(accreditation.EventAssessmentSubmitted), SchemaVersion: 1, Data: accreditation.AssessmentSubmitted{Role: role,
				Ratings: ratings, Recommendation: accreditation.RecommendAward, Rationale: seal("Consistent practitioner-level evidence.")}})
	}
	c, version, ok, err := s.repo.Find(context.Background(), id)
	if err != nil || !ok || c.State != accreditation.StateAwaitingDecision {
		b.Fatalf("case: %v, %v, %v; want one awaiting a decision", ok, err, c)
	}
	return s, c, version
}

// BenchmarkCaseView is what a command's answer or a GET costs in the view:
// shaping the case for the office and encoding it as the API does.
func BenchmarkCaseView(b *testing.B) {
	s, c, version := assessedCase(b)
	ctx := context.Background()
	office := domain.Actor{ID: "01JOFFICE00000000000000000", Role: domain.RoleOffice}
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = s.view(ctx, office, c, version)
		}
	})
	b.Run("build+encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(s.view(ctx, office, c, version)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
