package api_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/pii"
)

// keysDown is the real key store whose reads fail while down is set, as
// when JetStream does not answer for a moment.
type keysDown struct {
	pii.KeyStore
	down atomic.Bool
}

func (k *keysDown) Get(ctx context.Context, subject string) ([]byte, error) {
	if k.down.Load() {
		return nil, errors.New("nats: timeout")
	}
	return k.KeyStore.Get(ctx, subject)
}

// TestAnEmailConfirmationWhileTheKeyStoreIsDownKeepsItsLink: the new
// address is sealed in the link's record; a process that cannot read the
// key store for a moment must answer 503, and leave the link unused, not
// call it bad and use it up (the user would have to ask for another).
// The confirmation goes to a second process, which has never read the
// applicant's key (a process keeps the keys it read).
func TestAnEmailConfirmationWhileTheKeyStoreIsDownKeepsItsLink(t *testing.T) {
	mb := StartMailbox(t, "", "")
	natsAddr := freeAddr(t)
	tm := newTeam(t, func(c *app.Config) { c.NATSListen, c.SMTPURL = natsAddr, mb.URL() })
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, map[string]string{"email": "carla.new@example.org"}), 202)
	token := tokenOf(t, mb.Wait(t, to("carla.new@example.org")))

	keys := &keysDown{}
	keys.down.Store(true)
	cfg := Config(t.TempDir())
	cfg.NATSURL, cfg.SMTPURL = "nats://"+natsAddr, mb.URL()
	cfg.MasterKeyFile, cfg.SigningKeyFile = tm.in.Cfg.MasterKeyFile, tm.in.Cfg.SigningKeyFile
	second := StartWith(t, cfg, app.Options{Now: tm.clock.Now, Keys: func(k pii.KeyStore) pii.KeyStore {
		keys.KeyStore = k
		return keys
	}})
	confirm := func() Response {
		return second.Post(t, "/api/v1/auth/email-confirmations", "", map[string]string{"token": token})
	}
	r := Expect(t, confirm(), 503)
	if r.Header.Get("Retry-After") == "" {
		t.Fatalf("the 503 carries no Retry-After: %v", r.Header)
	}
	keys.down.Store(false)
	Expect(t, confirm(), 200)
	tm.in.Login(t, "carla.new@example.org", tm.applicant.Password)
}
