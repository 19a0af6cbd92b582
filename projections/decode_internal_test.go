package projections

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections/historygen"
)

// TestTheReplayDecodesPayloadsAsEncodingJSONDoes: the replay decodes the
// case events' payloads with jsonv2's defaults (unmarshalPayload); over
// histories with every kind of step, each payload equals
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

// TestEveryPayloadTypeDecodesAsEncodingJSONDoes: the replay's decoder
// (unmarshalPayload, jsonv2's defaults) reads every case event's payload
// type as encoding/json reads it, over values of every field filled at
// random and written by encoding/json, as the store holds them: the
// histories of the test above do not reach every kind of event (a fee
// recorded, an interview), nor every field.
func TestEveryPayloadTypeDecodesAsEncodingJSONDoes(t *testing.T) {
	r := rand.New(rand.NewPCG(54, 1))
	for _, typ := range accreditation.EventTypes() {
		var payload reflect.Type
		probe := eventstore.Event{Type: string(typ), SchemaVersion: accreditation.SchemaVersion(typ), Data: []byte("{}")}
		_, _, _ = accreditation.DecodePayloadWith(probe, func(_ []byte, v any) error {
			payload = reflect.TypeOf(v).Elem()
			return nil
		})
		if payload == nil {
			t.Fatalf("%s: no payload type", typ)
		}
		for i := range 200 {
			v := reflect.New(payload)
			fillAtRandom(t, v.Elem(), r, 0)
			data, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			want, got := reflect.New(payload), reflect.New(payload)
			if err := json.Unmarshal(data, want.Interface()); err != nil {
				t.Fatalf("%s #%d: encoding/json refuses its own %s: %v", typ, i, data, err)
			}
			if err := unmarshalPayload(data, got.Interface()); err != nil {
				t.Fatalf("%s #%d: the replay refuses %s: %v", typ, i, data, err)
			}
			if !reflect.DeepEqual(got.Interface(), want.Interface()) {
				t.Fatalf("%s #%d: from %s the replay decoded %#v, encoding/json %#v", typ, i, data, got.Elem(), want.Elem())
			}
		}
	}
}

// fillAtRandom sets v's exported fields, elements and values at random:
// texts with what JSON escapes, numbers of each sign and size, empty and
// absent parts, and any's every JSON kind.
func fillAtRandom(t *testing.T, v reflect.Value, r *rand.Rand, depth int) {
	texts := []string{"", "a", "Zoë — coach", "<b>&amp;</b>", "line\nbreak\t\"quoted\"\\", "\u2028\u2029", "日本語", "\x01\x7f"}
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Unix(r.Int64N(4e9), r.Int64N(1e9)).UTC()))
		return
	case reflect.TypeFor[accreditation.Date]():
		v.Set(reflect.ValueOf(accreditation.NewDate(1950+r.IntN(100), time.Month(1+r.IntN(12)), 1+r.IntN(28))))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(r.Uint64()) >> (64 - v.Type().Bits()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(r.Uint64() >> (64 - v.Type().Bits()))
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, 1.5, -2, 1e-7, 123456.789, 1e21}[r.IntN(6)])
	case reflect.String:
		v.SetString(texts[r.IntN(len(texts))])
	case reflect.Pointer:
		if depth < 4 && r.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fillAtRandom(t, v.Elem(), r, depth+1)
		}
	case reflect.Slice:
		if r.IntN(4) == 0 {
			return // nil
		}
		n := r.IntN(4)
		if depth >= 4 {
			n = 0
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fillAtRandom(t, s.Index(i), r, depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if r.IntN(4) == 0 || depth >= 4 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range r.IntN(4) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillAtRandom(t, k, r, depth+1)
			fillAtRandom(t, e, r, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAtRandom(t, v.Field(i), r, depth+1)
			}
		}
	case reflect.Interface:
		if depth >= 4 || v.NumMethod() > 0 {
			return
		}
		kinds := []any{nil, true, 42.0, -0.5, "text", []any{1.0, "a"}, map[string]any{"k": false}}
		if k := kinds[r.IntN(len(kinds))]; k != nil {
			v.Set(reflect.ValueOf(k))
		}
	default:
		t.Fatalf("%s: no filler for a %s", v.Type(), v.Kind())
	}
}
