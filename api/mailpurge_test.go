package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/natsstore"
)

// TestMailAndLinksDoNotPileUp: the hourly sweep removes the recovery links
// a day after they ran out and the hour slots once their hour is past, but
// keeps the mail; after ACCREDIT_MAIL_KEEP_DAYS the mail done with is
// purged from the store and from the outbox of both processes on one
// JetStream (the second sees it go through its watch), and a restart does
// not bring it back. A keep shorter than the 90-day reminder is refused.
func TestMailAndLinksDoNotPileUp(t *testing.T) {
	tm, second := twoProcesses(t) // no SMTP: kept
	tm.admin = tm.in.AdminToken(t)
	ctx := context.Background()

	kv, err := tm.in.App.Events.JetStream().KeyValue(ctx, natsstore.MailBucket)
	if err != nil {
		t.Fatal(err)
	}
	keys := func(prefix string) int {
		t.Helper()
		l, err := kv.ListKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for k := range l.Keys() {
			if strings.HasPrefix(k, prefix) {
				n++
			}
		}
		return n
	}
	// listed counts the messages a process lists.
	listed := func(in *Instance) int {
		t.Helper()
		tok := in.AdminToken(t)
		r := Expect(t, in.Get(t, "/api/v1/outbox?limit=500", tok), 200).Map(t)
		return len(r["messages"].([]any))
	}
	sweep := func() {
		t.Helper()
		if _, err := tm.in.App.RunMailJobs(ctx); err != nil {
			t.Fatal(err)
		}
	}

	Expect(t, tm.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": tm.applicant.Email}), 202)
	wait := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("after a minute: %s", what)
			}
		}
	}
	wait("the reset link is kept in the outbox", func() bool { return len(tm.outbox(t)) == 1 })
	id := tm.outbox(t)[0]["id"].(string)
	wait("the second process lists it", func() bool { return listed(second) == 1 })
	if tm.in.Cfg.MailKeepDays != 400 {
		t.Fatalf("the default keep is %d days", tm.in.Cfg.MailKeepDays)
	}
	if keys("token.") != 1 || keys("quota.") != 1 {
		t.Fatalf("tokens %d, slots %d; want 1 and 1", keys("token."), keys("quota."))
	}

	// Within the link's day and hour nothing goes.
	sweep()
	if keys("token.") != 1 || keys("quota.") != 1 {
		t.Fatal("a live link or this hour's slot was removed")
	}
	// Two days on: the link and the slot go, the mail stays.
	tm.setClock(t, tm.clock.Now().Add(48*time.Hour))
	sweep()
	if keys("token.") != 0 || keys("quota.") != 0 {
		t.Fatalf("after two days: tokens %d, slots %d; want none", keys("token."), keys("quota."))
	}
	if !tm.listsMessage(t, id) {
		t.Fatal("the mail went with its link")
	}
	// Past the keep (400 days by default): purged everywhere. The digests
	// written meanwhile are younger, and stay.
	before := len(tm.outbox(t))
	tm.setClock(t, tm.clock.Now().AddDate(0, 0, tm.in.Cfg.MailKeepDays))
	sweep()
	if tm.listsMessage(t, id) || len(tm.outbox(t)) > before {
		t.Fatalf("after the keep: %v", tm.outbox(t))
	}
	Expect(t, tm.in.Get(t, "/api/v1/outbox/"+id, tm.admin), 404)
	wait("the second process drops it", func() bool { return listed(second) == len(tm.outbox(t)) })
	if keys("msg."+id) != 0 || keys("msg.") != len(tm.outbox(t)) {
		t.Fatalf("%d messages in the bucket", keys("msg."))
	}
	second.App.Close()
	tm.in.Restart(t)
	tm.admin = tm.in.AdminToken(t)
	if tm.listsMessage(t, id) {
		t.Fatal("the purged message is back after a restart")
	}

	if _, err := app.Parse([]string{"-mail-keep-days", "89"}, func(string) string { return "" }); err == nil ||
		!strings.Contains(err.Error(), "-mail-keep-days") {
		t.Fatalf("a keep of 89 days: %v", err)
	}
}

// listsMessage reports whether the office's outbox lists message id.
func (tm *team) listsMessage(t *testing.T, id string) bool {
	t.Helper()
	for _, m := range tm.outbox(t) {
		if m["id"] == id {
			return true
		}
	}
	return false
}
