package pii

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// TestASealedValueReadsAsEncodingJSONReadsIt: the shortcut for the shape
// MarshalJSON writes gives what encoding/json gives, and any other shape,
// valid or not, is left to encoding/json.
func TestASealedValueReadsAsEncodingJSONReadsIt(t *testing.T) {
	written, err := json.Marshal(Sealed{Subject: "01JABCDEFGHJKMNPQRSTVWXYZ", Data: []byte("\x00\x01 some sealed bytes \xff")})
	if err != nil {
		t.Fatal(err)
	}
	fast := []string{string(written), `{"s":"u1"}`, `{"c":"AAEC"}`, `{"c":"AAE="}`, `{"c":"AA=="}`, `{"s":"u-1.x","c":"AAEC"}`}
	other := []string{`{}`, `{"c":"A"}`, `{"c":"!!"}`, `{"s":"","c":"AAEC"}`, `{"s":"u\"1","c":"AAEC"}`, `{"s":"u\u00e91","c":"AAEC"}`,
		`{"s":"é","c":"AAEC"}`, `{"c":"AAEC","s":"x"}`, `{"s":"u1","c":"AAEC","x":1}`, `{ "s":"u1"}`, `{"s":"u1","c":""}`,
		`{"s":"u1",}`, `{"s":"u1"`, `{"S":"u1"}`, `{"c":"AA\nEC"}`, `{"s":"u1"} `}
	type plain Sealed
	for _, in := range append(fast, other...) {
		var want plain
		wantErr := json.Unmarshal([]byte(in), &want)
		got, ok := readPlain([]byte(in))
		if ok != slices.Contains(fast, in) {
			t.Errorf("%s: read by the shortcut %v, want %v", in, ok, !ok)
		}
		if ok && (wantErr != nil || !reflect.DeepEqual(got, Sealed(want))) {
			t.Errorf("%s: got %+v, encoding/json gives %+v (%v)", in, got, want, wantErr)
		}
		var s Sealed
		if err := s.UnmarshalJSON([]byte(in)); (err == nil) != (wantErr == nil) || (err == nil && !reflect.DeepEqual(s, Sealed(want))) {
			t.Errorf("%s: UnmarshalJSON %+v (%v), encoding/json %+v (%v)", in, s, err, want, wantErr)
		}
	}
}
