package natsstore

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ackStreamSeq reads the stream sequence of both forms of acknowledgement
// subject, and refuses what jetstream's metadata parser refuses.
func TestAckStreamSeqReadsBothFormsOfTheReplySubject(t *testing.T) {
	for _, c := range []struct {
		reply string
		seq   uint64
		ok    bool
	}{
		{"$JS.ACK.EVENTS.cons.1.42.7.1733300000000000000.0", 42, true},                   // before domains
		{"$JS.ACK._.ACC0HASH.EVENTS.cons.1.42.7.1733300000000000000.0.Rand0m", 42, true}, // a server of today
		{"$JS.ACK.hub.ACC0HASH.EVENTS.cons.3.18446744073709551615.9.17.0", 18446744073709551615, true},
		{"$JS.ACK.EVENTS.cons.1.4x2.7.17.0", 0, true}, // not digits: 0, as jetstream reads it
		{"$JS.ACK.EVENTS.cons.1..7.17.0", 0, true},
		{"$JS.ACK.EVENTS.cons.1.42.7.17.0.x", 0, false}, // ten tokens
		{"$JS.ACK.EVENTS.cons.1.42.7.17", 0, false},     // eight
		{"_INBOX.abc.EVENTS.cons.1.42.7.17.0", 0, false},
		{"", 0, false},
	} {
		if seq, ok := ackStreamSeq(c.reply); seq != c.seq || ok != c.ok {
			t.Errorf("%q: got %d, %v; want %d, %v", c.reply, seq, ok, c.seq, c.ok)
		}
	}
}

// seqOf gives what Metadata gives for messages a real server delivers, to
// an ordered consumer (as the tail and a catch-up read) and to a durable
// one, and allocates nothing doing it.
func TestSeqOfIsTheMetadatasStreamSequenceWithoutAllocating(t *testing.T) {
	js := jetStreamOnAServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	for i := range n {
		if _, err := js.Publish(ctx, "s."+strconv.Itoa(i%3), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	ordered, err := js.OrderedConsumer(ctx, "S", jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: 5})
	if err != nil {
		t.Fatal(err)
	}
	durable, err := stream.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "d", FilterSubject: "s.1"})
	if err != nil {
		t.Fatal(err)
	}
	var last jetstream.Msg
	for name, cons := range map[string]jetstream.Consumer{"ordered": ordered, "durable": durable} {
		want := map[string]int{"ordered": n - 4, "durable": 13}[name]
		batch, err := cons.Fetch(want, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for m := range batch.Messages() {
			got++
			md, err := m.Metadata()
			if err != nil {
				t.Fatal(err)
			}
			seq, err := seqOf(m)
			if err != nil || seq != md.Sequence.Stream {
				t.Fatalf("%s consumer, reply %q: seqOf gave %d, %v; Metadata %d", name, m.Reply(), seq, err, md.Sequence.Stream)
			}
			last = m
		}
		if got != want {
			t.Fatalf("%s consumer: %d messages; want %d", name, got, want)
		}
	}
	// AllocsPerRun counts every goroutine's allocations, the server's
	// included: the least of a few tries is seqOf's own.
	call := func() { _, _ = seqOf(last) }
	least := testing.AllocsPerRun(100, call)
	for range 4 {
		least = min(least, testing.AllocsPerRun(100, call))
	}
	if least != 0 {
		t.Fatalf("seqOf allocated %.2f times a call", least)
	}
}
