package natsstore

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
)

// commitsOf makes the commits a case is tried in: its event alone, and
// after another.
func commitsOf(base eventstore.Event, change func(e *eventstore.Event)) [][]eventstore.Event {
	e := base
	change(&e)
	second := base
	second.Version, second.ID = 8, "01JD7Q2M3N4P5Q6R7S8T9V0W20"
	return [][]eventstore.Event{{e}, {second, e}}
}

// encodingCases are the usual event (base) and the ways one may differ
// from it, for the direct encoding's and decoding's tests.
func encodingCases() (eventstore.Event, map[string]func(e *eventstore.Event)) {
	base := eventstore.Event{ID: "01JD7Q2M3N4P5Q6R7S8T9V0W1X", Stream: "accreditation.01JD7Q2M3N4P5Q6R7S8T9V0W1Y", Version: 7,
		Type: "accreditation.case_opened", SchemaVersion: 1, OccurredAt: time.Date(2026, 3, 4, 5, 6, 7, 891000000, time.UTC),
		Actor: domain.Actor{ID: "01JD7Q2M3N4P5Q6R7S8T9V0W1Z", Role: domain.RoleApplicant}, CorrelationID: "req-1",
		Data:     json.RawMessage(`{"case_id":"x","n":[1,2,3],"s":{"s":"u \" \\ \n","c":"AAEC"}}`),
		PrevHash: eventstore.GenesisHash, Hash: "3f0c1d", Seq: 99}
	cases := map[string]func(e *eventstore.Event){
		"plain":                         func(*eventstore.Event) {},
		"no payload":                    func(e *eventstore.Event) { e.Data = nil },
		"empty payload":                 func(e *eventstore.Event) { e.Data = json.RawMessage{} },
		"null payload":                  func(e *eventstore.Event) { e.Data = json.RawMessage(`null`) },
		"every optional id":             func(e *eventstore.Event) { e.CausationID, e.CommandID = "cause", "cmd-1" },
		"no optional id":                func(e *eventstore.Event) { e.CorrelationID = "" },
		"whole seconds":                 func(e *eventstore.Event) { e.OccurredAt = e.OccurredAt.Truncate(time.Second) },
		"not UTC":                       func(e *eventstore.Event) { e.OccurredAt = e.OccurredAt.In(time.FixedZone("CET", 3600)) },
		"an offset with seconds":        func(e *eventstore.Event) { e.OccurredAt = e.OccurredAt.In(time.FixedZone("LMT", 3601)) },
		"zero time":                     func(e *eventstore.Event) { e.OccurredAt = time.Time{} },
		"spaces in the payload":         func(e *eventstore.Event) { e.Data = json.RawMessage(`{"a": [1, 2] }`) },
		"a newline in the payload":      func(e *eventstore.Event) { e.Data = json.RawMessage("{\"a\":\n1}") },
		"spaces in a payload's string":  func(e *eventstore.Event) { e.Data = json.RawMessage(`{"a":" x \t y "}`) },
		"escaped quote, then a space":   func(e *eventstore.Event) { e.Data = json.RawMessage(`{"a":"\\\" ", "b":1}`) },
		"html in the payload":           func(e *eventstore.Event) { e.Data = json.RawMessage(`{"a":"<b> & </b>"}`) },
		"escaped html in the payload":   func(e *eventstore.Event) { e.Data = json.RawMessage(`{"a":"\u003cb\u003e"}`) },
		"line separator in the payload": func(e *eventstore.Event) { e.Data = json.RawMessage("{\"a\":\"x\u2028y\u2029\"}") },
		"unicode in the payload":        func(e *eventstore.Event) { e.Data = json.RawMessage(`{"name":"Zsófia Nagy 日本"}`) },
		"quote in an id":                func(e *eventstore.Event) { e.CommandID = `a"b` },
		"backslash in an id":            func(e *eventstore.Event) { e.CommandID = `a\b` },
		"html in an id":                 func(e *eventstore.Event) { e.CorrelationID = "<script>&" },
		"unicode in an actor":           func(e *eventstore.Event) { e.Actor.ID = "zsófia" },
		"control character in a type":   func(e *eventstore.Event) { e.Type = "a\tb\x01" },
		"invalid UTF-8 in a hash":       func(e *eventstore.Event) { e.Hash = "a\xffb" },
		"delete character":              func(e *eventstore.Event) { e.PrevHash = "a\x7fb" },
	}
	return base, cases
}

// The bulk writer's own encoding of a commit is json.Marshal's byte for
// byte, for the usual events it writes directly and for every other kind,
// which take json.Marshal's way: a seeded store reads as any other.
func TestBulkEncodingIsJSONMarshalsByteForByte(t *testing.T) {
	base, cases := encodingCases()
	// These are written directly (the rest by json.Marshal): the fast way
	// is taken, and it is what is checked.
	direct := map[string]bool{"plain": true, "no payload": true, "null payload": true, "every optional id": true,
		"no optional id": true, "whole seconds": true, "not UTC": true, "spaces in a payload's string": true,
		"unicode in the payload": true, "zero time": true, "escaped html in the payload": true}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			for _, events := range commitsOf(base, change) {
				got, gotErr := encodeChained(events)
				want, wantErr := json.Marshal(events)
				if (gotErr != nil) != (wantErr != nil) || string(got) != string(want) {
					t.Fatalf("encoded\n%s (%v)\njson.Marshal\n%s (%v)", got, gotErr, want, wantErr)
				}
				if _, ok := appendEvents(nil, events); ok != direct[name] {
					t.Fatalf("written directly: %v, want %v", ok, direct[name])
				}
			}
		})
	}
}

// A prepared commit counts against the largest commit what its message
// (with a one-digit expected sequence) counts, as Append's check does.
func TestBulkCommitSizeIsItsMessages(t *testing.T) {
	c := BulkCommit{stream: "accreditation.01JD7Q2M3N4P5Q6R7S8T9V0W1Y", body: []byte(`[{"id":"x"}]`), version: 12, hash: "3f0c1d"}
	m := c.message(7)
	if got, want := c.size(), m.Size()-len(m.Subject); got != want {
		t.Fatalf("size %d, the message's %d", got, want)
	}
}
