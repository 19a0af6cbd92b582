package accreditation

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/emcc/accredit/domain/eventstore"
)

// DecodePayload upcasts a stored event and decodes its payload into the
// current version's Go type, for ApplyDecided to apply later. It lets a
// reader of many events (the read side's replay) decode them ahead, on
// other cores, and keep only the applying in order. It returns the upcast
// event; the payload is nil for a type this code does not know.
func DecodePayload(e eventstore.Event) (eventstore.Event, any, error) {
	return DecodePayloadWith(e, json.Unmarshal)
}

// DecodePayloadWith is DecodePayload decoding with unmarshal, which must
// decode as json.Unmarshal does: the read side passes a faster decoder of
// the same semantics, which this package may not import.
func DecodePayloadWith(e eventstore.Event, unmarshal func([]byte, any) error) (eventstore.Event, any, error) {
	e, err := upcast(e)
	if err != nil {
		return e, nil, err
	}
	def, known := events[EventType(e.Type)]
	if !known {
		return e, nil, nil
	}
	p := reflect.New(def.payload)
	if err := unmarshal(e.Data, p.Interface()); err != nil {
		return e, nil, fmt.Errorf("decode %s v%d (event %s): %w", e.Type, e.SchemaVersion, e.ID, err)
	}
	return e, p.Elem().Interface(), nil
}
