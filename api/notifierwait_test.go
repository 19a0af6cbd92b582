package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/eventstore"
)

// TestANotifierBehindItsDirectoryWaitsForIt: the office disables the
// applicant, enables them again and returns their case, all on the first
// process; the second process's notifier handles the return while that
// process's directory (its write side's feed) is still held at the
// disabling. It waits for its directory rather than read the applicant as
// disabled and drop the notice: the applicant is mailed the return. The
// first process's notifier is held meanwhile, so the second's is the one
// that handles it.
func TestANotifierBehindItsDirectoryWaitsForIt(t *testing.T) {
	ctx := context.Background()
	mb := StartMailbox(t, "", "")
	natsAddr := freeAddr(t)
	var firstNotifier, secondFeed *Gate
	tm := newTeamWith(t, app.Options{NotifierStore: func(s eventstore.Store) eventstore.Store {
		firstNotifier = NewGate(s)
		return firstNotifier
	}}, func(c *app.Config) { c.NATSListen, c.SMTPURL = natsAddr, mb.URL() })
	cfg := Config(t.TempDir())
	cfg.NATSURL, cfg.SMTPURL = "nats://"+natsAddr, mb.URL()
	cfg.MasterKeyFile, cfg.SigningKeyFile = tm.in.Cfg.MasterKeyFile, tm.in.Cfg.SigningKeyFile
	second := StartWith(t, cfg, app.Options{Now: tm.clock.Now, FeedStore: func(s eventstore.Store) eventstore.Store {
		secondFeed = NewGate(s)
		return secondFeed
	}})
	t.Cleanup(firstNotifier.Release) // before the processes close (cleanups run last first)

	caseID := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+caseID+"/submit", tm.applicant.Token, declared, 200)
	tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/disable", tm.admin, map[string]string{"reason": "a check"}, 200)
	disabled := lastSeq(t, tm.in)
	// The second process's notifier reads the applicant for the notice of
	// the disabling: its directory holds them, disabled, from then on.
	waitNotified(t, second, disabled)

	firstNotifier.Hold()
	secondFeed.Hold()
	tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/enable", tm.admin, map[string]string{"reason": "checked"}, 200)
	returned := uint64(tm.post(t, "/api/v1/cases/"+caseID+"/screening", tm.admin,
		map[string]string{"outcome": "returned", "reason": "The supervision log is missing."}, 200)["seq"].(float64))
	// Time for the second's notifier to come to the return while its
	// directory is held (a notifier that does not wait handles it at once).
	for deadline := time.Now().Add(2 * time.Second); second.App.Notifier.Position() < returned && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	secondFeed.Release()
	waitNotified(t, second, returned)

	id := fmt.Sprintf("e%d.returned.%s", returned, tm.applicant.ID)
	if m, _, err := second.App.Outbox.Store().Get(ctx, id); err != nil || m.RecipientID != tm.applicant.ID {
		t.Fatalf("the notice of the return (%s): %+v, %v; want it written to the applicant, who is enabled again", id, m, err)
	}
	subject := "Your application " + caseID + " was returned"
	mb.Wait(t, func(m Mail) bool { return m.To == tm.applicant.Email && m.Header.Get("Subject") == subject })
}
