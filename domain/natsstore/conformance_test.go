package natsstore_test

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accounts/sessionstest"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/audit/checkpointstest"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/evidence/blobstest"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/pii/keystoretest"
)

// The ports' conformance suites, each test on a fresh embedded server (the
// event store's suite is in events_test.go).

// jetStream starts a fresh embedded server and returns its JetStream.
func jetStream(t *testing.T) jetstream.JetStream {
	t.Helper()
	return natstest.Start(t).EventStore(t).JetStream()
}

func TestKeyStoreConformance(t *testing.T) {
	keystoretest.Run(t, keystoretest.Harness{
		New: func(t *testing.T) pii.KeyStore {
			k, err := natsstore.OpenKeyStore(context.Background(), jetStream(t), natsstore.Config{})
			if err != nil {
				t.Fatal(err)
			}
			return k
		},
	})
}

func TestSessionStoreConformance(t *testing.T) {
	sessionstest.Run(t, sessionstest.Harness{
		New: func(t *testing.T) accounts.SessionStore {
			s, err := natsstore.OpenSessionStore(context.Background(), jetStream(t), natsstore.Config{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}

func TestBlobsConformance(t *testing.T) {
	blobstest.Run(t, blobstest.Harness{
		New: func(t *testing.T) evidence.Blobs {
			b, err := natsstore.OpenBlobs(context.Background(), jetStream(t), natsstore.Config{})
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
	})
}

func TestCheckpointStoreConformance(t *testing.T) {
	checkpointstest.Run(t, checkpointstest.Harness{
		New: func(t *testing.T) audit.CheckpointStore {
			c, err := natsstore.OpenCheckpointStore(context.Background(), jetStream(t), natsstore.Config{})
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
	})
}
