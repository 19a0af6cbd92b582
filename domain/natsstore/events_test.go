package natsstore_test

import (
	"errors"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

func TestJetStreamConformance(t *testing.T) {
	servers := map[eventstore.Store]*natstest.Server{}
	eventstoretest.Run(t, eventstoretest.Harness{
		New: func(t *testing.T) eventstore.Store {
			srv := natstest.Start(t)
			es := srv.EventStore(t)
			servers[es] = srv
			return es
		},
		Restart: func(t *testing.T, s eventstore.Store) eventstore.Store {
			srv := servers[s]
			srv.Restart(t)
			return srv.EventStore(t)
		},
	})
}

func TestSecondServerOnSameDataDirFails(t *testing.T) {
	srv := natstest.Start(t)
	_, err := natsstore.StartEmbedded(natsstore.EmbeddedConfig{DataDir: srv.Dir})
	if !errors.Is(err, natsstore.ErrDataDirLocked) {
		t.Fatalf("second server: got %v, want ErrDataDirLocked", err)
	}
}
