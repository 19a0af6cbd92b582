package recovery_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/recovery"
)

// failedOnce makes a link of pu for u and uses it once by command
// "idem-first", the event store failing before it writes anything.
func failedOnce(t *testing.T, p *process, pu purpose, u accounts.UserView) string {
	t.Helper()
	token := pu.link(t, p, u)
	p.appends.failNext(pu.eventType, false, nil)
	if err := pu.use(p, aggregate.Meta{CommandID: "idem-first", RequestHash: "request-1"}, token); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("the store failing: %v, want Unavailable", err)
	}
	if n := p.count(t, u.ID, pu.eventType); n != 0 {
		t.Fatalf("after the failure: %d %s events, want none", n, pu.eventType)
	}
	return token
}

// A link whose use the event store failed to record (nothing was written,
// the user's credentials are as they were when it was issued) is not used
// up: its page shows the form again (Check) and a new command, as the user
// sends who opened the link again from their mail, uses it. Once that is
// recorded the link is refused to everyone: its page, another command, none,
// and the attempt that failed; the command that used it is answered as
// recorded. The user's export lists it pending until then, used after.
func TestALinkWhoseUseWasNotRecordedWorksAgain(t *testing.T) {
	for _, pu := range purposes {
		t.Run(pu.name, func(t *testing.T) {
			ctx := context.Background()
			in := processes(t, 1)[0]
			u := dora(t, in)
			token := failedOnce(t, in, pu, u)

			if err := in.rec.Check(ctx, token, pu.purpose); err != nil {
				t.Fatalf("the link's page after the failure: %v, want the form", err)
			}
			if links, err := in.rec.Links(ctx, must(t, in, u.ID)); err != nil || len(links) != 1 || links[0].Status != recovery.LinkPending || !links[0].UsedAt.IsZero() {
				t.Fatalf("the user's links after the failure: %+v, %v; want the one pending", links, err)
			}
			again := aggregate.Meta{CommandID: "idem-again", RequestHash: "request-2"}
			if err := pu.use(in, again, token); err != nil {
				t.Fatalf("a new command with the link: %v, want success", err)
			}
			pu.done(t, in, u)

			if err := in.rec.Check(ctx, token, pu.purpose); !isBadLink(err) {
				t.Fatalf("the link's page once it was used: %v, want the invalid link", err)
			}
			for _, meta := range []aggregate.Meta{
				{CommandID: "idem-other", RequestHash: "request-3"},
				{},
				{CommandID: "idem-first", RequestHash: "request-1"}, // the attempt that failed, retried
			} {
				if err := pu.use(in, meta, token); !isBadLink(err) {
					t.Fatalf("command %q once the link was used: %v, want the invalid link", meta.CommandID, err)
				}
			}
			if err := pu.use(in, again, token); err != nil {
				t.Fatalf("the command that used it, retried: %v, want it answered as recorded", err)
			}
			if n := in.count(t, u.ID, pu.eventType); n != 1 {
				t.Fatalf("%d %s events, want 1", n, pu.eventType)
			}
			links, err := in.rec.Links(ctx, must(t, in, u.ID))
			if err != nil {
				t.Fatal(err)
			}
			if len(links) != 1 || links[0].Status != recovery.LinkUsed {
				t.Fatalf("the user's links: %+v, want the one used", links)
			}
		})
	}
}

// Two commands that use one link at once, on two processes, after its
// first use was not recorded: exactly one changes the account, the other
// is refused the link.
func TestConcurrentUsesOfALinkWhoseUseWasNotRecordedApplyOnce(t *testing.T) {
	for _, pu := range purposes {
		t.Run(pu.name, func(t *testing.T) {
			in := processes(t, 2)
			u := dora(t, in[0])
			token := failedOnce(t, in[0], pu, u)

			errs := make([]error, len(in))
			var wg sync.WaitGroup
			for i, p := range in {
				wg.Go(func() {
					errs[i] = pu.use(p, aggregate.Meta{CommandID: fmt.Sprintf("idem-%d", i), RequestHash: fmt.Sprintf("request-%d", i)}, token)
				})
			}
			wg.Wait()
			ok, refused := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case isBadLink(err):
					refused++
				}
			}
			if ok != 1 || refused != 1 {
				t.Fatalf("the two commands: %v, want one success and one invalid link", errs)
			}
			if n := in[0].count(t, u.ID, pu.eventType); n != 1 {
				t.Fatalf("%d %s events, want 1", n, pu.eventType)
			}
		})
	}
}

// must is user id as p holds it now.
func must(t *testing.T, p *process, id string) accounts.UserView {
	t.Helper()
	v, err := p.accts.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
