package selfcheck_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/selfcheck"
)

// On a real embedded JetStream: a saved self-check is listed with its
// date, its ratings are sealed in the store, only its user reads it, and
// erasing the user's key leaves no rating readable.
func TestSavedSelfChecksAreTheirUsersAndSealed(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	es := srv.EventStore(t)
	keys, err := natsstore.OpenKeyStore(ctx, es.JetStream(), natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	vault, err := pii.NewVault(keys, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	feed := aggregate.NewFeed(es, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc := selfcheck.NewService(es, feed, vault, framework.Default(), time.Now)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = feed.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	if err := feed.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}

	ann := domain.Actor{ID: "user-ann", Role: domain.RoleApplicant}
	bob := domain.Actor{ID: "user-bob", Role: domain.RoleOffice}
	first, _, err := svc.Save(ctx, aggregate.Meta{Command: "self_check", Actor: ann}, []selfcheck.Input{{Indicator: 1, Rating: "consistently"}})
	if err != nil {
		t.Fatal(err)
	}
	var all []selfcheck.Input
	for _, in := range framework.Default().IndicatorsAt(framework.Foundation) {
		all = append(all, selfcheck.Input{Indicator: in.Number, Rating: "consistently"})
	}
	second, res, err := svc.Save(ctx, aggregate.Meta{Command: "self_check", Actor: ann}, all)
	if err != nil {
		t.Fatal(err)
	}
	if first.Level != "" || second.Level != framework.Foundation || second.TakenAt.IsZero() {
		t.Fatalf("levels: got %q then %q at %v; want none then foundation, dated", first.Level, second.Level, second.TakenAt)
	}

	list, err := svc.List(ctx, ann)
	if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
		t.Fatalf("list: got %d (%v), want the two, newest first", len(list), err)
	}
	cur, prev, hasPrev, err := svc.Get(ctx, ann, second.ID)
	if err != nil || !hasPrev || prev.ID != first.ID || cur.Rating(1) != selfcheck.Consistently {
		t.Fatalf("get: got %v %v %v %v", cur.ID, prev.ID, hasPrev, err)
	}
	if _, _, _, err := svc.Get(ctx, bob, second.ID); !domain.Is(err, domain.NotFound) {
		t.Fatalf("another user (the office) reading it: got %v, want not found", err)
	}
	if l, err := svc.List(ctx, bob); err != nil || len(l) != 0 {
		t.Fatalf("another user's list: got %d, %v; want none", len(l), err)
	}
	if _, _, err := svc.Save(ctx, aggregate.Meta{Actor: domain.Actor{}}, all); !domain.Is(err, domain.Unauthorized) {
		t.Fatalf("saving with no user: got %v, want unauthorized", err)
	}

	// In the store the ratings are ciphertext.
	evs, err := es.Load(ctx, res.Stream)
	if err != nil || len(evs) != 2 {
		t.Fatalf("stream %s: %d events, %v", res.Stream, len(evs), err)
	}
	for _, e := range evs {
		if e.Type != selfcheck.EventRecorded || strings.Contains(string(e.Data), "consistently") {
			t.Fatalf("event %s holds the ratings in clear: %s", e.Type, e.Data)
		}
	}

	// Erasure: the key is gone, the dates stay, no rating is readable.
	if err := vault.Erase(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	list, err = svc.List(ctx, ann)
	if err != nil || len(list) != 2 || len(list[0].Ratings) != 0 || list[0].Level != "" {
		t.Fatalf("after erasure: got %d checks, %v; want two dated checks without ratings", len(list), err)
	}
}
