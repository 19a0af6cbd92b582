package api_test

import (
	"context"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
)

type heldInstance struct {
	*Instance
	gate *Gate
	feed *aggregate.Feed
}

// startHeld is apptest.StartInMemory with the aggregate feed on a gated
// store (the read models and search follow the store directly).
func startHeld(tb testing.TB) *heldInstance {
	tb.Helper()
	var gate *Gate
	in, feed := StartInMemoryWith(tb, MemoryOptions{FeedStore: func(s eventstore.Store) eventstore.Store {
		gate = NewGate(s)
		return gate
	}})
	tb.Cleanup(gate.Release) // first: a held feed would keep the others waiting
	return &heldInstance{Instance: in, gate: gate, feed: feed}
}

// heldTeam is newTeam on startHeld: an applicant registered, two
// assessors.
func heldTeam(t *testing.T) (*heldInstance, *team) {
	t.Helper()
	in := startHeld(t)
	tm := &team{in: in.Instance, admin: in.AdminToken(t)}
	r := Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "carla@example.org", "password": "carla's long password", "name": "Carla Coach"}), 201)
	tm.applicant = User{ID: r.Map(t)["id"].(string), Email: "carla@example.org", Password: "carla's long password", Name: "Carla Coach"}
	tm.applicant.Token = in.Login(t, tm.applicant.Email, tm.applicant.Password)
	tm.assessor = tm.newAssessor(t, "anna@example.org", "Anna Assessor")
	tm.verifier = tm.newAssessor(t, "victor@example.org", "Victor Verifier")
	return in, tm
}

// keyed is the header of a command sent with Idempotency-Key key.
func keyed(key string) map[string]string { return map[string]string{"Idempotency-Key": key} }

// caughtUp releases the feed and waits until it has applied the store.
func (h *heldInstance) caughtUp(t *testing.T) {
	t.Helper()
	h.gate.Release()
	last, _ := h.Mem.Events.LastSeq(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.feed.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
}
