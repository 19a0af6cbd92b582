package accreditation

import (
	"encoding/json"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
)

// DecodePayload upcasts an old version first, gives no payload for an
// unknown type, and fails on a payload that does not decode.
func TestDecodePayloadUpcastsAndRefuses(t *testing.T) {
	v0 := withV0CaseOpened(t)
	up, payload, err := DecodePayload(v0)
	opened, ok := payload.(CaseOpened)
	if err != nil || !ok || opened.Language != "nl" || up.SchemaVersion != SchemaVersion(EventCaseOpened) {
		t.Fatalf("v0 case_opened: got payload %#v (version %d), err %v; want a CaseOpened in language nl at the current version", payload, up.SchemaVersion, err)
	}
	if _, payload, err := DecodePayload(eventstore.Event{Type: "accreditation.unknown", Data: json.RawMessage(`{}`)}); payload != nil || err != nil {
		t.Fatalf("unknown type: got payload %v, err %v; want neither", payload, err)
	}
	bad := v0
	bad.SchemaVersion, bad.Data = SchemaVersion(EventCaseOpened), json.RawMessage(`{"case_id":7}`)
	if _, payload, err := DecodePayload(bad); payload != nil || err == nil {
		t.Fatalf("undecodable payload: got payload %v, err %v; want an error", payload, err)
	}
}
