package projections

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections/historygen"
)

// TestTheReplayDecodesPayloadsAsEncodingJSONDoes: the replay decodes the
// case events' payloads with jsonv1 (encoding/json's semantics on a faster
// decoder); over histories with every kind of step, each payload equals
// encoding/json's, which Apply uses.
func TestTheReplayDecodesPayloadsAsEncodingJSONDoes(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 11)
	g.Lifetimes(t, 30, 900, 6, 100)
	g.Close()
	last := lastOf(t, store)
	types := map[string]int{}
	err := store.Read(context.Background(), 0, last, func(c eventstore.Commit) error {
		b := &batch{pending: []eventstore.Deferred{eventstore.Decoded(c)}, ready: make(chan struct{})}
		b.decode()
		if b.decoded[0] == nil {
			return nil // not a case's
		}
		for i, e := range c.Events {
			up, want, werr := accreditation.DecodePayload(e)
			got := b.decoded[0][i]
			if werr != nil || want == nil {
				t.Fatalf("%s: encoding/json gives %v, %v", e.Type, want, werr)
			}
			if !reflect.DeepEqual(got.payload, want) || !reflect.DeepEqual(got.event, up) {
				t.Fatalf("%s: the replay decoded %#v, encoding/json %#v", e.Type, got.payload, want)
			}
			types[e.Type]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(types) < 15 {
		t.Fatalf("%d kinds of case event: %v; the test needs most of them", len(types), types)
	}
	t.Logf("%d kinds of case event, the same payloads: %v", len(types), types)
}

func lastOf(t *testing.T, s eventstore.Store) uint64 {
	t.Helper()
	n, err := s.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestModelsFromDecodedPayloadsAreAsFromApply: the calibration and the
// register built by the replay, from the payloads it decoded ahead
// (applyDecoded), are those Apply builds from each event, decoding it
// itself, over histories with every kind of event each of them reads.
func TestModelsFromDecodedPayloadsAreAsFromApply(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 5)
	g.OpenCases(t, 60)
	g.Steps(t, 3000)
	g.Advance(6 * 365 * 24 * time.Hour) // past every award's end
	g.ExpireDue(t)
	g.Close()
	r := NewRunner(store, NewSet, Options{})
	if _, err := r.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	applied := []ReadModel{NewCalibration(), NewRegister()}
	err := store.Read(context.Background(), 0, lastOf(t, store), func(c eventstore.Commit) error {
		for _, e := range c.Events {
			for _, m := range applied {
				m.Apply(e)
			}
			types[e.Type]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		replayed func(s *Set) ReadModel
		applied  ReadModel
		kinds    []accreditation.EventType
	}{
		{func(s *Set) ReadModel { return s.typed.Calibration }, applied[0], []accreditation.EventType{accreditation.EventAssessmentSubmitted,
			accreditation.EventCaseModerated, accreditation.EventDecisionMade, accreditation.EventAppealDecided}},
		{func(s *Set) ReadModel { return s.typed.Register }, applied[1], []accreditation.EventType{accreditation.EventCaseOpened,
			accreditation.EventAccreditationAwarded, accreditation.EventAccreditationRenewed, accreditation.EventAccreditationExpired,
			accreditation.EventAccreditationRevoked, accreditation.EventAccreditationWithdrawn}},
	} {
		t.Run(tc.applied.Name(), func(t *testing.T) {
			for _, kind := range tc.kinds {
				if types[string(kind)] == 0 {
					t.Fatalf("no %s in the history: the test needs each kind the model reads (%v)", kind, types)
				}
			}
			var replayed []byte
			r.Read(func(s *Set) { replayed = must(tc.replayed(s).Snapshot()) })
			if want := must(tc.applied.Snapshot()); !bytes.Equal(replayed, want) {
				t.Fatalf("the replay's %s differs from Apply's:\n got %.300s\nwant %.300s", tc.applied.Name(), replayed, want)
			}
		})
	}
}
