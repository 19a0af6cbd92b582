package natsstore

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// seqMsg is a delivered message that only knows its stream seq.
type seqMsg struct {
	jetstream.Msg
	seq uint64
}

func (m seqMsg) Metadata() (*jetstream.MsgMetadata, error) {
	return &jetstream.MsgMetadata{Sequence: jetstream.SequencePair{Stream: m.seq}}, nil
}

// Reply is an acknowledgement subject of its seq, which the store reads the
// seq from (seqOf).
func (m seqMsg) Reply() string {
	return "$JS.ACK._.ACC.EVENTS.c.1." + strconv.FormatUint(m.seq, 10) + ".1.0.0.x"
}

func newTestTail(start uint64) *tail { return newTail(start) }

// followed gives what follow hands a subscriber at pos joining t, up to
// the ring's head, and where it stopped.
func followed(tb testing.TB, t *tail, pos uint64) ([]uint64, bool) {
	tb.Helper()
	i, ok := t.join(pos)
	if !ok {
		return nil, false
	}
	var got []uint64
	ctx, cancel := context.WithCancel(context.Background())
	h := t.head.Load()
	_, err := t.follow(ctx, i, pos, func(m jetstream.Msg) error {
		md, _ := m.Metadata()
		got = append(got, md.Sequence.Stream)
		if md.Sequence.Stream == t.slots[h%tailSlots].Load().seq {
			cancel()
		}
		return nil
	})
	if err != nil && err != context.Canceled {
		tb.Fatal(err)
	}
	cancel()
	return got, true
}

// TestTheTailGoesOverHolesInTheStream: a stream's seqs may have holes (a
// message deleted, where the stream allows it); a subscriber joins the
// ring at any position the ring reaches back to, a hole included, and is
// given every entry after it; one before the tail's start is not let in.
func TestTheTailGoesOverHolesInTheStream(t *testing.T) {
	tl := newTestTail(10)
	if _, ok := tl.join(9); ok {
		t.Fatal("a subscriber at 9 joined a tail begun after 10")
	}
	if i, ok := tl.join(10); !ok || i != 1 {
		t.Fatalf("at the tail's start, on an empty ring: join gave %d, %v; want 1, true", i, ok)
	}
	for _, seq := range []uint64{11, 12, 14, 17} {
		tl.add(seq, seqMsg{seq: seq}, 1000)
	}
	for pos, want := range map[uint64][]uint64{
		10: {11, 12, 14, 17},
		12: {14, 17},
		13: {14, 17}, // a hole
		15: {17},
		16: {17},
	} {
		got, ok := followed(t, tl, pos)
		if !ok || !slices.Equal(got, want) {
			t.Fatalf("from %d: given %v (joined %v), want %v", pos, got, ok, want)
		}
	}
	if i, ok := tl.join(17); !ok || i != 5 {
		t.Fatalf("at the ring's last: join gave %d, %v; want the next entry, 5", i, ok)
	}
	if i, ok := tl.join(30); !ok || i != 5 {
		t.Fatalf("past the ring's last: join gave %d, %v; want the next entry, 5", i, ok)
	}
	if !tl.reaches(10) || tl.reaches(9) {
		t.Fatal("the ring reaches back to its start and no further")
	}
}

// TestTheTailLapsAndRefusesWhatItNoLongerHolds: once the ring has gone
// round, a subscriber behind what it holds is refused (it catches up on
// its own), one within joins inside the ring by joinMargin, and one
// lapped while it follows is told where it stopped.
func TestTheTailLapsAndRefusesWhatItNoLongerHolds(t *testing.T) {
	tl := newTestTail(0)
	const n = tailSlots + 1000
	for seq := uint64(1); seq <= n; seq++ {
		tl.add(seq, seqMsg{seq: seq}, 1000)
	}
	oldest := uint64(n - tailSlots + 1) // the ring's oldest entry
	joinable := oldest + joinMargin - 1 // the prev of the first it lets in
	if _, ok := tl.join(joinable - 1); ok || tl.reaches(joinable-1) {
		t.Fatalf("a subscriber at %d joined a ring whose entry after the margin is %d", joinable-1, joinable+1)
	}
	if !tl.reaches(joinable) {
		t.Fatalf("a subscriber at %d is not let in", joinable)
	}
	got, ok := followed(t, tl, joinable)
	if !ok || len(got) != int(n-joinable) || got[0] != joinable+1 || got[len(got)-1] != n {
		t.Fatalf("from %d: joined %v, given %d commits from %v", joinable, ok, len(got), got[:1])
	}

	// Lapped while following: follow returns at the last it gave.
	i, _ := tl.join(n - 10)
	var given uint64
	pos, err := tl.follow(context.Background(), i, n-10, func(m jetstream.Msg) error {
		md, _ := m.Metadata()
		given = md.Sequence.Stream
		if given == n-5 {
			for seq := uint64(n + 1); seq <= n+tailSlots; seq++ {
				tl.add(seq, seqMsg{seq: seq}, 1000)
			}
		}
		return nil
	})
	if err != nil || pos != n-5 || given != n-5 {
		t.Fatalf("lapped at %d: follow returned %d, %v after giving %d", n-5, pos, err, given)
	}
}

// TestTheTailHoldsNoMoreThanItsBytes: large commits make the ring let its
// oldest entries go (their messages no longer held) once their bodies pass
// tailBytes, whatever the count; the newest stays, however large; a
// subscriber behind what is left catches up on its own.
func TestTheTailHoldsNoMoreThanItsBytes(t *testing.T) {
	tl := newTestTail(0)
	third := tailBytes / 3
	for seq := uint64(1); seq <= 5; seq++ {
		tl.add(seq, seqMsg{seq: seq}, third)
	}
	if tl.bytes > tailBytes || tl.low.Load() != 3 {
		t.Fatalf("after five commits of a third of the bound: %d bytes held from entry %d, want at most %d from 3", tl.bytes, tl.low.Load(), tailBytes)
	}
	for n := uint64(1); n < 3; n++ {
		if tl.slots[n%tailSlots].Load() != nil {
			t.Fatalf("entry %d let go but still held", n)
		}
	}
	if _, ok := tl.join(1); ok {
		t.Fatal("a subscriber at 1 joined a ring that let 2 go")
	}
	if got, ok := followed(t, tl, 4); !ok || !slices.Equal(got, []uint64{5}) {
		t.Fatalf("from 4: given %v (joined %v), want [5]", got, ok)
	}
	tl.add(6, seqMsg{seq: 6}, 2*tailBytes)
	if tl.low.Load() != 6 || tl.bytes != 2*tailBytes {
		t.Fatalf("after one commit over the bound: held from %d (%d bytes), want that one alone", tl.low.Load(), tl.bytes)
	}
	if got, ok := followed(t, tl, 5); !ok || !slices.Equal(got, []uint64{6}) {
		t.Fatalf("from 5: given %v (joined %v), want [6]", got, ok)
	}
}
