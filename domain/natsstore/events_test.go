package natsstore_test

import (
	"bytes"
	"encoding/json"
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

// FuzzDecodeCommit: any message body decodes to a commit whose events all
// carry its sequence and that encodes and decodes to itself, or is an error.
func FuzzDecodeCommit(f *testing.F) {
	f.Add("accredit.case.01M8SQKWJ1AVRS2NGDTJA2EVY9", uint64(7), []byte(`[{"id":"e1","type":"accreditation.case_opened","schema_version":1,"version":1,"data":{"case_id":"x"}}]`))
	f.Add("accredit.users", uint64(1), []byte(`[]`))
	f.Add("", uint64(0), []byte(`null`))
	f.Add("x", uint64(1<<63), []byte(`[{"data":"not an object","occurred_at":"2026-13-40T00:00:00Z"}]`))
	f.Add("x", uint64(2), []byte(`{"not":"a list"}`))
	f.Fuzz(func(t *testing.T, subject string, seq uint64, data []byte) {
		c, err := natsstore.DecodeCommit(subject, seq, data)
		if err != nil {
			return
		}
		if c.Seq != seq {
			t.Fatalf("commit seq %d, want %d", c.Seq, seq)
		}
		for _, e := range c.Events {
			if e.Seq != seq {
				t.Fatalf("event seq %d, want %d", e.Seq, seq)
			}
		}
		again, err := json.Marshal(c.Events)
		if err != nil {
			t.Fatalf("a decoded commit does not encode: %v", err)
		}
		back, err := natsstore.DecodeCommit(subject, seq, again)
		if err != nil {
			t.Fatalf("a decoded commit's own encoding does not decode: %v", err)
		}
		if b2, _ := json.Marshal(back.Events); !bytes.Equal(b2, again) {
			t.Fatalf("round trip changed the events:\n%s\n%s", again, b2)
		}
	})
}
