package cases

import (
	"context"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// TestAtVersionIsTheCaseAsAFormShownThenShowedIt: a case at a version is
// folded from its events up to it, as the caller may see it now; another
// caller who may not see the case finds none, nor does one asking for a
// version before its opening.
func TestAtVersionIsTheCaseAsAFormShownThenShowedIt(t *testing.T) {
	ctx := context.Background()
	store := natstest.Start(t).EventStore(t)
	s, _ := serviceOn(t, store, aggregate.NewFeed(store, nil))
	applicant := aggregate.Meta{Actor: domain.Actor{ID: "01JAPPLICANT0000000000000A", Role: domain.RoleApplicant}}
	id, _, err := s.Open(ctx, applicant, OpenRequest{Scheme: "EIA", Level: "practitioner", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.UpdateSelfAssessment(ctx, applicant, id, []SelfAssessment{{Category: 1, Statement: "First words."}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateSelfAssessment(ctx, applicant, id, []SelfAssessment{{Category: 1, Statement: "Second words."}, {Category: 2, Statement: "More."}}); err != nil {
		t.Fatal(err)
	}
	then, err := s.AtVersion(ctx, applicant.Actor, id, first.Version)
	if err != nil {
		t.Fatal(err)
	}
	if then.Version != first.Version || then.Statement(1) != "First words." || then.Statement(2) != "" || len(then.AllowedActions) != 0 {
		t.Fatalf("at version %d: version %d, statements %q and %q, actions %v; want the first words only and nothing to do",
			first.Version, then.Version, then.Statement(1), then.Statement(2), then.AllowedActions)
	}
	other := domain.Actor{ID: "01JAPPLICANT0000000000000B", Role: domain.RoleApplicant}
	if _, err := s.AtVersion(ctx, other, id, first.Version); !domain.Is(err, domain.NotFound) {
		t.Fatalf("another applicant: got %v, want NotFound", err)
	}
	if _, err := s.AtVersion(ctx, applicant.Actor, id, 0); !domain.Is(err, domain.NotFound) {
		t.Fatalf("before the opening: got %v, want NotFound", err)
	}
}
