package accreditation

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
)

// FuzzApply: a stored event of any type, schema version and payload is
// upcast and applied, or refused with the case left as it was; never a
// panic. The stream is outside input for a process that replays it.
func FuzzApply(f *testing.F) {
	types := EventTypes()
	slices.Sort(types)
	f.Add(uint8(0), 1, []byte(`{"case_id":"c-1","scheme":"EIA","level":"foundation","language":"nl","applicant_id":"app-1"}`))
	f.Add(uint8(1), 1, []byte(`{"id":"ev-1","kind":"other","size":-5,"categories":[99],"indicators":null}`))
	f.Add(uint8(2), 0, []byte(`{}`))
	f.Add(uint8(3), 9, []byte(`null`))
	f.Add(uint8(4), -1, []byte(`[1,2,3]`))
	f.Add(uint8(5), 1, []byte(`{"level":"nonsense","state":"awarded"}`))
	f.Fuzz(func(t *testing.T, typ uint8, version int, data []byte) {
		c := New("c-1")
		opened := eventstore.Event{ID: "e0", Type: string(EventCaseOpened), SchemaVersion: 1, OccurredAt: t0, Actor: applicant,
			Data: json.RawMessage(`{"case_id":"c-1","scheme":"EIA","level":"practitioner","language":"en","applicant_id":"app-1"}`)}
		if err := c.Apply(opened); err != nil {
			t.Fatal(err)
		}
		before := c.Clone()
		e := eventstore.Event{ID: "e1", Type: string(types[int(typ)%len(types)]), SchemaVersion: version, OccurredAt: t0, Actor: applicant, Data: data}
		if typ >= 200 {
			e.Type = "accreditation.not_a_type"
		}
		if err := c.Apply(e); err != nil && !reflect.DeepEqual(c, before) {
			t.Fatalf("%s refused (%v) but the case changed", e.Type, err)
		}
		_ = c.Clone() // whatever state it reached can still be copied
	})
}
