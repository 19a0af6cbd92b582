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

// opened makes a suite's New from a natsstore Open function: the store S
// it opens on a fresh server, as the port P.
func opened[P, S any](open func(context.Context, jetstream.JetStream, natsstore.Config) (S, error)) func(t *testing.T) P {
	return func(t *testing.T) P {
		s, err := open(context.Background(), jetStream(t), natsstore.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return any(s).(P)
	}
}

func TestKeyStoreConformance(t *testing.T) {
	keystoretest.Run(t, keystoretest.Harness{New: opened[pii.KeyStore](natsstore.OpenKeyStore)})
}

func TestSessionStoreConformance(t *testing.T) {
	sessionstest.Run(t, sessionstest.Harness{New: opened[accounts.SessionStore](natsstore.OpenSessionStore)})
}

// The suite again with the store caching the sessions it reads (Run
// watching the bucket): a read before a write over or a delete must leave
// no stale copy behind.
func TestSessionStoreConformanceWhileCaching(t *testing.T) {
	sessionstest.Run(t, sessionstest.Harness{New: func(t *testing.T) accounts.SessionStore {
		s, err := natsstore.OpenSessionStore(context.Background(), jetStream(t), natsstore.Config{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); s.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		natsstore.AwaitSessionCache(t, s)
		return s
	}})
}

func TestBlobsConformance(t *testing.T) {
	blobstest.Run(t, blobstest.Harness{New: opened[evidence.Blobs](natsstore.OpenBlobs)})
}

func TestCheckpointStoreConformance(t *testing.T) {
	checkpointstest.Run(t, checkpointstest.Harness{New: opened[audit.CheckpointStore](natsstore.OpenCheckpointStore)})
}
