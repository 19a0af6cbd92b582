package api_test

import (
	"context"
	"sync"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
)

// gatedStore delivers commits to its subscribers only while open: the
// aggregate feed built on it can be held back (a process that has not
// caught up with the store), while appends and loads go through.
type gatedStore struct {
	eventstore.Store
	mu   sync.Mutex
	open chan struct{} // closed while open
}

func newGated(s eventstore.Store) *gatedStore {
	g := &gatedStore{Store: s, open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gatedStore) Hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
}

func (g *gatedStore) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

func (g *gatedStore) Subscribe(ctx context.Context, from uint64, fn func(eventstore.Commit) error) error {
	return g.Store.Subscribe(ctx, from, func(c eventstore.Commit) error {
		g.mu.Lock()
		ch := g.open
		g.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		return fn(c)
	})
}

type heldInstance struct {
	*Instance
	gate *gatedStore
	feed *aggregate.Feed
}

// startHeld is apptest.StartInMemory with the aggregate feed on a gated
// store (the read models and search follow the store directly).
func startHeld(tb testing.TB) *heldInstance {
	tb.Helper()
	var gate *gatedStore
	in, feed := StartInMemoryWith(tb, MemoryOptions{FeedStore: func(s eventstore.Store) eventstore.Store {
		gate = newGated(s)
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
