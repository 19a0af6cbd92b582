package natsstore_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// tamperFixture writes three streams of four commits each and takes a signed
// checkpoint. The tampering then rewrites the events stream directly in
// JetStream, as an intruder with server access would: the stream denies
// deletes, so they delete it whole and republish a doctored copy.
type tamperFixture struct {
	srv    *natstest.Server
	es     *natsstore.EventStore
	cps    *natsstore.CheckpointStore
	signer *audit.Signer
	msgs   []rawMsg
	index  map[string][]int // stream -> positions of its commits in msgs
}

type rawMsg struct {
	subject string
	data    []byte
}

func newTamperFixture(t *testing.T) *tamperFixture {
	t.Helper()
	ctx := context.Background()
	f := &tamperFixture{srv: natstest.Start(t), index: map[string][]int{}}
	f.es = f.srv.EventStore(t)
	var err error
	if f.cps, err = natsstore.OpenCheckpointStore(ctx, f.es.JetStream(), natsstore.Config{}); err != nil {
		t.Fatal(err)
	}
	if f.signer, err = audit.LoadOrCreateSigner(t.TempDir() + "/audit.key"); err != nil {
		t.Fatal(err)
	}
	heads := audit.NewHeads()
	for _, s := range []string{"case.a", "case.b", "case.c"} {
		var head eventstore.Head
		for i := range 4 {
			r := eventstoretest.MustAppend(t, f.es, eventstore.AppendRequest{Stream: s, Expected: head,
				Events: []eventstore.Event{eventstoretest.NewEvent("t.step", map[string]any{"i": i, "outcome": "awarded"})}})
			head = r.Head
		}
		evs, _ := f.es.Load(ctx, s)
		heads.Follow(eventstore.Commit{Seq: head.Seq, Stream: s, Events: evs})
	}
	if _, err := heads.Checkpoint(ctx, f.signer, f.cps, time.Now()); err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(f.srv.Conn)
	raw, _ := js.Stream(ctx, natsstore.EventsStream)
	info, _ := raw.Info(ctx)
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		m, err := raw.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		stream := strings.TrimPrefix(m.Subject, "accredit.ev.")
		f.index[stream] = append(f.index[stream], len(f.msgs))
		f.msgs = append(f.msgs, rawMsg{subject: m.Subject, data: m.Data})
	}
	return f
}

// rewrite replaces the events stream with msgs, bypassing the application.
func (f *tamperFixture) rewrite(t *testing.T, msgs []rawMsg) {
	t.Helper()
	ctx := context.Background()
	js, _ := jetstream.New(f.srv.Conn)
	if err := js.DeleteStream(ctx, natsstore.EventsStream); err != nil {
		t.Fatal(err)
	}
	es, err := natsstore.OpenEventStore(ctx, f.srv.Conn, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f.es = es
	for _, m := range msgs {
		msg := nats.NewMsg(m.subject)
		msg.Data = m.data
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
}

// b returns the position in msgs of case.b's commit i (0-based).
func (f *tamperFixture) b(i int) int { return f.index["case.b"][i] }

func without(msgs []rawMsg, drop ...int) []rawMsg {
	var out []rawMsg
	for i, m := range msgs {
		if !slices.Contains(drop, i) {
			out = append(out, m)
		}
	}
	return out
}

func edited(msgs []rawMsg, i int, edit func([]byte) []byte) []rawMsg {
	out := slices.Clone(msgs)
	out[i].data = edit(out[i].data)
	return out
}

func (f *tamperFixture) verify(t *testing.T) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), f.es, f.cps, f.signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func streamReport(rep audit.Report, stream string) audit.StreamReport {
	for _, s := range rep.Streams {
		if s.Stream == stream {
			return s
		}
	}
	return audit.StreamReport{}
}

func TestAuditDetectsTampering(t *testing.T) {
	replace := func(old, new string) func([]byte) []byte {
		return func(b []byte) []byte { return []byte(strings.Replace(string(b), old, new, 1)) }
	}
	tests := []struct {
		name        string
		tamper      func(f *tamperFixture) []rawMsg
		wantVersion uint64
		wantReason  string
	}{
		{"untouched history verifies", func(f *tamperFixture) []rawMsg { return f.msgs }, 0, ""},
		{"altered payload", func(f *tamperFixture) []rawMsg {
			return edited(f.msgs, f.b(1), replace("awarded", "not_awarded"))
		}, 2, "altered"},
		{"altered actor", func(f *tamperFixture) []rawMsg {
			return edited(f.msgs, f.b(2), replace(`"u1"`, `"u2"`))
		}, 3, "altered"},
		{"event removed from the middle", func(f *tamperFixture) []rawMsg {
			return without(f.msgs, f.b(1))
		}, 3, "removed"},
		{"newest event removed (only the checkpoint knows)", func(f *tamperFixture) []rawMsg {
			return without(f.msgs, f.b(3))
		}, 4, "checkpoint"},
		{"two events reordered", func(f *tamperFixture) []rawMsg {
			out := slices.Clone(f.msgs)
			out[f.b(1)], out[f.b(2)] = out[f.b(2)], out[f.b(1)]
			return out
		}, 3, "removed"},
		{"altered and rehashed (only the checkpoint knows)", func(f *tamperFixture) []rawMsg {
			return edited(f.msgs, f.b(3), func(b []byte) []byte {
				var evs []eventstore.Event
				_ = json.Unmarshal(b, &evs)
				evs[0].Data = json.RawMessage(`{"i":3,"outcome":"not_awarded"}`)
				evs[0].Hash, _ = eventstore.ComputeHash(evs[0])
				out, _ := json.Marshal(evs)
				return out
			})
		}, 4, "checkpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newTamperFixture(t)
			f.rewrite(t, tc.tamper(f))
			rep := f.verify(t)
			for _, other := range []string{"case.a", "case.c"} {
				if !streamReport(rep, other).Intact {
					t.Fatalf("untouched stream %s reported broken: %+v", other, streamReport(rep, other).Problem)
				}
			}
			b := streamReport(rep, "case.b")
			if tc.wantReason == "" {
				if !rep.Intact || !b.Intact {
					t.Fatalf("untouched history: got %+v, want intact", rep)
				}
				return
			}
			if rep.Intact || b.Intact || b.Problem == nil {
				t.Fatalf("tampering not detected: %+v", rep)
			}
			if b.Problem.Version != tc.wantVersion || !strings.Contains(b.Problem.Reason, tc.wantReason) {
				t.Fatalf("first mismatch: got version %d %q, want version %d containing %q", b.Problem.Version, b.Problem.Reason, tc.wantVersion, tc.wantReason)
			}
		})
	}
}

func TestAuditDetectsForgedCheckpoint(t *testing.T) {
	f := newTamperFixture(t)
	other, _ := audit.LoadOrCreateSigner(t.TempDir() + "/other.key")
	forged := other.Sign(audit.Checkpoint{CreatedAt: time.Now(), Seq: 99, Streams: map[string]audit.StreamHead{}})
	if err := f.cps.Add(context.Background(), forged); err != nil {
		t.Fatal(err)
	}
	rep := f.verify(t)
	if rep.Intact || len(rep.Checkpoints) != 2 || rep.Checkpoints[1].Intact {
		t.Fatalf("forged checkpoint not caught: %+v", rep.Checkpoints)
	}
}
