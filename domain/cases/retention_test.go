package cases

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// unreadable is the real JetStream store whose reads of one stream fail
// while down is set, as when JetStream is briefly unreachable.
type unreadable struct {
	eventstore.Store
	down atomic.Bool
}

func (u *unreadable) Load(ctx context.Context, stream string) ([]eventstore.Event, error) {
	if u.down.Load() {
		return nil, errors.New("nats: no responders available for request")
	}
	return u.Store.Load(ctx, stream)
}

// The answers that decide an erasure never take a store failure for "no
// such case": retention would erase an applicant whose case is open, and
// an erasure would report done with evidence left behind.
func TestAStoreFailureIsNeverNoOpenCase(t *testing.T) {
	ctx := context.Background()
	store := &unreadable{Store: natstest.Start(t).EventStore(t)}
	feed := aggregate.NewFeed(store, nil)
	feed.CacheSize(1) // the first case is read from its stream once the second is opened
	s, _ := serviceOn(t, store, feed)
	applicant := aggregate.Meta{Actor: domain.Actor{ID: "01JAPPLICANT0000000000000A", Role: domain.RoleApplicant}}
	must := func(_ aggregate.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// A submitted case, then a draft: the submitted one is still open and,
	// with room for one case, read from its stream.
	id, _, err := s.Open(ctx, applicant, OpenRequest{Scheme: "EIA", Level: "practitioner", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	must(s.UpdatePortfolio(ctx, applicant, id, PortfolioRequest{FirstPracticeDate: "2021-01-15", ClientHours: 140, ClientCount: 14,
		CPDHoursLastYear: 20, SupervisionHoursLastYear: 6, FeedbackItemsLast12m: 6, ReflectionItemsLast12m: 5, ProfessionalBodyMember: true}))
	var items []SelfAssessment
	for cat := 1; cat <= 8; cat++ {
		items = append(items, SelfAssessment{Category: cat, Statement: "How I work on it."})
	}
	must(s.UpdateSelfAssessment(ctx, applicant, id, items))
	must(s.Submit(ctx, applicant, id, accreditation.Declarations))
	if _, _, err := s.Open(ctx, applicant, OpenRequest{Scheme: "EIA", Level: "practitioner", Language: "en"}); err != nil {
		t.Fatal(err)
	}

	store.down.Store(true)
	if open, err := s.HasOpenCase(ctx, applicant.Actor.ID); err == nil {
		t.Fatalf("the store down: open %v and no error; retention would take the applicant as inactive", open)
	}
	if err := s.EraseEvidenceOf(ctx, applicant.Actor.ID); err == nil {
		t.Fatal("the store down: the erasure of evidence reports done")
	}
	store.down.Store(false)
	if open, err := s.HasOpenCase(ctx, applicant.Actor.ID); err != nil || !open {
		t.Fatalf("the store back: open %v (%v), want open", open, err)
	}
}
