package natsstore

import (
	"encoding/json"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/emcc/accredit/domain/eventstore"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// sameAsTheGeneralDecoder fails t unless the direct decoding of data, when
// it takes it, is what the general decoder makes of it.
func sameAsTheGeneralDecoder(t *testing.T, stream string, data []byte) (direct bool) {
	t.Helper()
	got, ok := decodeChained(stream, data)
	if !ok {
		return false
	}
	var want []eventstore.Event
	if err := jsonv1.Unmarshal(data, &want); err != nil {
		t.Fatalf("decoded directly, but the general decoder refuses it (%v):\n%s", err, data)
	}
	if len(got) != len(want) {
		t.Fatalf("%d events, the general decoder %d:\n%s", len(got), len(want), data)
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.OccurredAt.Equal(w.OccurredAt) || g.OccurredAt.String() != w.OccurredAt.String() {
			t.Fatalf("event %d occurred at %v, the general decoder %v", i, g.OccurredAt, w.OccurredAt)
		}
		g.OccurredAt = w.OccurredAt
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("event %d\n%+v\nthe general decoder\n%+v", i, g, w)
		}
	}
	return true
}

// What Append and the bulk writer write (json.Marshal's bytes) decodes as
// the general decoder decodes it, the usual events directly; any other
// goes the general way. A commit's stream is shared by its events.
func TestTheDirectDecodingIsTheGeneralDecodersAnswer(t *testing.T) {
	base, cases := encodingCases()
	// Read the general way: a payload that is not an object, an id or name
	// json.Marshal escapes or that is not ASCII. Every other is read
	// directly (json.Marshal has compacted and escaped the payloads).
	general := map[string]bool{"no payload": true, "empty payload": true, "null payload": true, "quote in an id": true,
		"backslash in an id": true, "html in an id": true, "unicode in an actor": true, "control character in a type": true,
		"invalid UTF-8 in a hash": true, "delete character": true}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			for _, events := range commitsOf(base, change) {
				body, err := json.Marshal(events)
				if err != nil {
					return // not a commit Append could write
				}
				if got := sameAsTheGeneralDecoder(t, base.Stream, body); got == general[name] {
					t.Fatalf("decoded directly: %v, want %v", got, !general[name])
				}
				if general[name] {
					continue
				}
				c, err := DecodeCommit(subjectPrefix+base.Stream, 42, body)
				if err != nil || len(c.Events) != len(events) {
					t.Fatalf("DecodeCommit: %d events, %v", len(c.Events), err)
				}
				for _, got := range c.Events {
					if got.Seq != 42 || got.Stream != c.Stream {
						t.Fatalf("event seq %d stream %q, commit %q", got.Seq, got.Stream, c.Stream)
					}
				}
			}
		})
	}
	for _, body := range []string{`[]`, `[ ]`, `null`, `{}`, `[]x`, ``} {
		sameAsTheGeneralDecoder(t, "s", []byte(body))
	}
}

// TestStreamNameIsNoPartOfItsSubject: a commit's stream name, which its
// events share, is a string apart from the message's subject, so that a
// map keyed by stream names keeps no subject alive (after a start at 1M
// events, 344k subjects and 21 MB of them did).
func TestStreamNameIsNoPartOfItsSubject(t *testing.T) {
	base, _ := encodingCases()
	body, err := json.Marshal([]eventstore.Event{base})
	if err != nil {
		t.Fatal(err)
	}
	decode := func() eventstore.Commit {
		subject := strings.Clone(subjectPrefix + base.Stream) // as each message has its own
		c, err := DecodeCommit(subject, 1, body)
		if err != nil || c.Stream != base.Stream || len(c.Events) != 1 {
			t.Fatalf("decoded %q with %d events, %v; want %q with one", c.Stream, len(c.Events), err, base.Stream)
		}
		from := uintptr(unsafe.Pointer(unsafe.StringData(subject)))
		for _, name := range []string{c.Stream, c.Events[0].Stream} {
			if at := uintptr(unsafe.Pointer(unsafe.StringData(name))); at >= from && at < from+uintptr(len(subject)) {
				t.Fatal("the stream's name is a part of the message's subject")
			}
		}
		runtime.KeepAlive(subject)
		return c
	}
	if c := decode(); unsafe.StringData(c.Events[0].Stream) != unsafe.StringData(c.Stream) {
		t.Fatal("a commit and its event hold the stream's name in strings of their own")
	}
}

// FuzzDecodeChainedIsTheGeneralDecoder: whatever the direct decoding takes,
// the general decoder decodes to the same events.
func FuzzDecodeChainedIsTheGeneralDecoder(f *testing.F) {
	base, cases := encodingCases()
	for _, change := range cases {
		e := base
		change(&e)
		if body, err := json.Marshal([]eventstore.Event{base, e}); err == nil {
			f.Add(base.Stream, body)
		}
	}
	f.Add("s", []byte(`[{"id":"a","stream":"s","version":01,"type":"t","schema_version":1,"occurred_at":"2026-01-02T03:04:05Z","actor":{"id":"u","role":"r"},"data":{},"prev_hash":"p","hash":"h"}]`))
	f.Add("s", []byte(`[{"id":"a","stream":"s","version":1,"type":"t","schema_version":18446744073709551615,"occurred_at":"2026-01-02T24:04:05Z","actor":{"id":"u","role":"r"},"data":{"a":[1,{"b":null}]},"prev_hash":"p","hash":"h"}]`))
	f.Fuzz(func(t *testing.T, stream string, data []byte) {
		sameAsTheGeneralDecoder(t, stream, data)
	})
}

// BenchmarkDecodeCommit: a commit of three usual events, decoded directly
// and by the general decoder.
func BenchmarkDecodeCommit(b *testing.B) {
	base, _ := encodingCases()
	events := []eventstore.Event{base, base, base}
	for i := range events {
		events[i].Version = uint64(i + 1)
	}
	body, err := json.Marshal(events)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := decodeChained(base.Stream, body); !ok {
				b.Fatal("not decoded directly")
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
	})
	b.Run("general", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var got []eventstore.Event
			if err := jsonv1.Unmarshal(body, &got); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
	})
}

// TestCommonStringsAreMadeOnceAndBounded: an event's type read twice is
// one string, and a store holding more kinds than commonMax still reads
// each as it is, the set no larger.
func TestCommonStringsAreMadeOnceAndBounded(t *testing.T) {
	a, b := commonString([]byte("case_opened_common_test")), commonString([]byte("case_opened_common_test"))
	if a != "case_opened_common_test" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Fatalf("read twice: %q and %q, not one string", a, b)
	}
	base, _ := encodingCases()
	body, err := json.Marshal([]eventstore.Event{base})
	if err != nil {
		t.Fatal(err)
	}
	first, ok1 := decodeChained(base.Stream, body)
	again, ok2 := decodeChained(base.Stream, body)
	if !ok1 || !ok2 || unsafe.StringData(first[0].Type) != unsafe.StringData(again[0].Type) ||
		unsafe.StringData(string(first[0].Actor.Role)) != unsafe.StringData(string(again[0].Actor.Role)) {
		t.Fatal("a commit decoded twice made its event's type and actor's role twice")
	}
	for i := 0; len(*commonStrings.Load()) < commonMax; i++ {
		commonString([]byte("filler_" + strconv.Itoa(i)))
	}
	if s := commonString([]byte("one_more_kind")); s != "one_more_kind" || len(*commonStrings.Load()) != commonMax {
		t.Fatalf("past the bound: %q, %d kept", s, len(*commonStrings.Load()))
	}
}
