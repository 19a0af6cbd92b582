package accounts_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// TestTheFirstOfficeUserIsMadeThoughItsTriesAreNotAppliedInTime: on a
// store that keeps what it is given but that this process has not caught
// up with in a command's wait (a cluster forming), the first try at the
// first office user stores its email's reservation and answers "not
// applied yet"; a second try then finds the email reserved, by that first
// try, with no user yet. The start goes on trying until the first try is
// applied here, and makes the user; it used to exit ("a user with this
// email already exists"), to be started again.
func TestTheFirstOfficeUserIsMadeThoughItsTriesAreNotAppliedInTime(t *testing.T) {
	st := connect(t, natstest.Start(t))
	vault, err := pii.NewVault(st.keys, masterKey)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	feed := aggregate.NewFeed(st.events, log)
	svc := accounts.NewService(st.events, feed, vault, st.sessions, time.Now, log)
	type outcome struct {
		created bool
		err     error
	}
	done := make(chan outcome, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	go func() {
		created, _, err := svc.EnsureAdmin(ctx, "office@example.org", "the office's long password")
		done <- outcome{created, err}
	}()
	// Two tries' waits (aggregate.CommandTimeout each) with the feed not
	// following the store: nothing the tries store is applied here.
	select {
	case o := <-done:
		t.Fatalf("before the store's commits were applied here: created %v, %v", o.created, o.err)
	case <-time.After(2*aggregate.CommandTimeout + 2*time.Second):
	}
	run, stop := context.WithCancel(context.Background())
	followed := make(chan struct{})
	go func() { defer close(followed); _ = feed.Run(run) }()
	defer func() { stop(); <-followed }()
	o := <-done
	if o.err != nil || !o.created {
		t.Fatalf("the first office user: created %v, %v", o.created, o.err)
	}
	if _, err := svc.Login(ctx, "office@example.org", "the office's long password", "127.0.0.1"); err != nil {
		t.Fatalf("the first office user cannot log in: %v", err)
	}
}
