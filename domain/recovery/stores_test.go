package recovery_test

import (
	"context"
	"testing"

	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// stores are one process's stores on a connection of its own to srv, as
// the processes of a cluster have them.
type stores struct {
	events   *natsstore.EventStore
	sessions *natsstore.SessionStore
	vault    *pii.Vault
}

func openStores(t *testing.T, srv *natstest.Server) stores {
	t.Helper()
	ctx := context.Background()
	nc, err := srv.Embedded.Connect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	es, err := natsstore.OpenEventStore(ctx, nc, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := natsstore.OpenKeyStore(ctx, es.JetStream(), natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := natsstore.OpenSessionStore(ctx, es.JetStream(), natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	vault, err := pii.NewVault(keys, masterKey)
	if err != nil {
		t.Fatal(err)
	}
	return stores{events: es, sessions: sessions, vault: vault}
}
