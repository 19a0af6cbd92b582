// Package natstest starts a real embedded nats-server with JetStream for
// tests, on a temporary data directory, and stops it when the test ends.
package natstest

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/emcc/accredit/domain/natsstore"
)

// Server is an embedded server under test.
type Server struct {
	Dir      string
	Embedded *natsstore.Embedded
	Conn     *nats.Conn
}

// Start starts an embedded server on a fresh directory (fsync on every
// write, as in production).
func Start(tb testing.TB) *Server {
	tb.Helper()
	return StartIn(tb, tb.TempDir())
}

// StartIn starts an embedded server on dir.
func StartIn(tb testing.TB, dir string) *Server {
	tb.Helper()
	e, err := natsstore.StartEmbedded(natsstore.EmbeddedConfig{DataDir: dir})
	if err != nil {
		tb.Fatalf("start embedded nats: %v", err)
	}
	nc, err := e.Connect()
	if err != nil {
		e.Shutdown()
		tb.Fatalf("connect: %v", err)
	}
	s := &Server{Dir: dir, Embedded: e, Conn: nc}
	tb.Cleanup(s.Stop)
	return s
}

// Stop closes the connection and shuts the server down; safe to call twice.
func (s *Server) Stop() {
	if s.Conn != nil {
		s.Conn.Close()
		s.Conn = nil
	}
	if s.Embedded != nil {
		s.Embedded.Shutdown()
		s.Embedded = nil
	}
}

// Restart stops the server and starts it again on the same directory.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.Stop()
	n := StartIn(tb, s.Dir)
	*s = *n
}

// EventStore opens the event store on the server, with group commit (the
// server fsyncs every write).
func (s *Server) EventStore(tb testing.TB) *natsstore.EventStore {
	tb.Helper()
	es, err := natsstore.OpenEventStore(context.Background(), s.Conn, natsstore.Config{GroupCommit: true})
	if err != nil {
		tb.Fatalf("open event store: %v", err)
	}
	return es
}

// Consumers counts the consumers on the events stream of es.
func Consumers(tb testing.TB, es *natsstore.EventStore) int {
	tb.Helper()
	st, err := es.JetStream().Stream(context.Background(), natsstore.EventsStream)
	if err != nil {
		tb.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return info.State.Consumers
}
