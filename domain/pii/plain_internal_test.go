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

// FuzzASealedValueIsWrittenAsEncodingJSONWritesIt: MarshalJSON's shortcut
// writes the bytes json.Marshal writes for any subject and data, so a
// snapshot or a deflated case holds what it held before.
func FuzzASealedValueIsWrittenAsEncodingJSONWritesIt(f *testing.F) {
	for _, s := range []Sealed{{}, {Subject: "01JABCDEFGHJKMNPQRSTVWXYZ", Data: []byte("\x00\x01 some sealed bytes \xff")},
		{Subject: "u1"}, {Data: []byte{1, 2, 3}}, {Subject: `u"1`, Data: []byte{1}}, {Subject: "a<b>&c", Data: []byte{9}},
		{Subject: "é", Data: []byte{1}}, {Subject: "\x7f\x00", Data: []byte{}}, {Subject: "\u2028"}} {
		f.Add(s.Subject, s.Data)
	}
	f.Fuzz(func(t *testing.T, subject string, data []byte) {
		s := Sealed{Subject: subject, Data: data}
		got, err := s.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		type plain Sealed
		want, err := json.Marshal(plain(s))
		if err != nil {
			t.Fatal(err)
		}
		if s.IsZero() {
			want = []byte(`""`)
		}
		if string(got) != string(want) {
			t.Fatalf("%q %x: wrote %s, json.Marshal %s", subject, data, got, want)
		}
		// And inside a value json.Marshal writes (which checks what a
		// Marshaler returns).
		if _, err := json.Marshal(struct{ S Sealed }{s}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestReadingASealedValueAllocatesOnlyItsParts: reading a sealed value as
// MarshalJSON writes it allocates its subject and its data, nothing more
// (the replay reads several in most events).
func TestReadingASealedValueAllocatesOnlyItsParts(t *testing.T) {
	written, err := json.Marshal(Sealed{Subject: "01JABCDEFGHJKMNPQRSTVWXYZ0", Data: []byte("sealed bytes, longer than a short string")})
	if err != nil {
		t.Fatal(err)
	}
	var s Sealed
	allocs := testing.AllocsPerRun(100, func() {
		if err := s.UnmarshalJSON(written); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Fatalf("reading %s took %v allocations, want 2 (the subject and the data)", written, allocs)
	}
}
