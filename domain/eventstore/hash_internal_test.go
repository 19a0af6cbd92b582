package eventstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
)

// reflectHash is the hash as json.Marshal of the hashedContent gives it,
// the definition appendCanonicalContent's direct writing must match byte for byte.
func reflectHash(t *testing.T, e Event) string {
	t.Helper()
	var data bytes.Buffer
	if len(e.Data) > 0 {
		if err := json.Compact(&data, e.Data); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(hashedContent{ID: e.ID, Stream: e.Stream, Version: e.Version, Type: e.Type,
		SchemaVersion: e.SchemaVersion, OccurredAt: e.OccurredAt.UTC().Format(time.RFC3339Nano),
		Actor: e.Actor, CorrelationID: e.CorrelationID, CausationID: e.CausationID,
		CommandID: e.CommandID, Data: data.Bytes(), PrevHash: e.PrevHash})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// The hash written directly equals json.Marshal's for plain events, and
// events with texts JSON escapes take json.Marshal's way: the hash of every
// event stored so far is unchanged.
func TestTheCanonicalContentIsJSONMarshalsByteForByte(t *testing.T) {
	base := Event{ID: "01JD7Q2M3N4P5Q6R7S8T9V0W1X", Stream: "accreditation.01JD7Q2M3N4P5Q6R7S8T9V0W1Y", Version: 7,
		Type: "accreditation.case_opened", SchemaVersion: 1, OccurredAt: time.Date(2026, 3, 4, 5, 6, 7, 891000000, time.FixedZone("CET", 3600)),
		Actor: domain.Actor{ID: "01JD7Q2M3N4P5Q6R7S8T9V0W1Z", Role: domain.RoleApplicant}, CorrelationID: "req-1",
		Data: json.RawMessage(`{"case_id": "x", "n": [1, 2 ,3], "s": {"s":"u","c":"AAEC"}}`), PrevHash: GenesisHash}
	cases := map[string]func(e *Event){
		"plain":                      func(*Event) {},
		"no payload":                 func(e *Event) { e.Data = nil },
		"null payload":               func(e *Event) { e.Data = json.RawMessage(`null`) },
		"empty payload":              func(e *Event) { e.Data = json.RawMessage{} },
		"empty payload, html id":     func(e *Event) { e.Data, e.CommandID = json.RawMessage{}, "<b>" },
		"compact payload":            func(e *Event) { e.Data = json.RawMessage(`{"a":[1,2.5e3,true,null],"b":"c d"}`) },
		"compact payload, html id":   func(e *Event) { e.Data, e.CommandID = json.RawMessage(`{"a":[1]}`), "<b>" },
		"every optional id":          func(e *Event) { e.CausationID, e.CommandID = "cause", "cmd-1" },
		"no correlation":             func(e *Event) { e.CorrelationID = "" },
		"whole seconds":              func(e *Event) { e.OccurredAt = e.OccurredAt.Truncate(time.Second) },
		"html in the payload":        func(e *Event) { e.Data = json.RawMessage(`{"a":"<b> & </b>"}`) },
		"escaped html in payload":    func(e *Event) { e.Data = json.RawMessage(`{"a":"\u003cb\u003e"}`) },
		"line separator in payload":  func(e *Event) { e.Data = json.RawMessage("{\"a\":\"x\u2028y\u2029\"}") },
		"unicode in the payload":     func(e *Event) { e.Data = json.RawMessage(`{"name":"Zsófia Nagy 日本"}`) },
		"quote in an id":             func(e *Event) { e.CommandID = `a"b` },
		"backslash in an id":         func(e *Event) { e.CommandID = `a\b` },
		"html in an id":              func(e *Event) { e.CorrelationID = "<script>&" },
		"unicode in an actor":        func(e *Event) { e.Actor.ID = "zsófia" },
		"control character in type":  func(e *Event) { e.Type = "a\tb\x01" },
		"invalid UTF-8 in a command": func(e *Event) { e.CommandID = "a\xffb" },
		"delete character":           func(e *Event) { e.CommandID = "a\x7fb" },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			e := base
			change(&e)
			got, err := ComputeHash(e)
			if err != nil {
				t.Fatal(err)
			}
			if want := reflectHash(t, e); got != want {
				t.Fatalf("hash %s, json.Marshal's %s", got, want)
			}
		})
	}
}
