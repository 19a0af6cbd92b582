package natsstore

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
)

// encodeChained is json.Marshal(events) for Append and the bulk writer,
// faster: the usual event (plain ASCII ids and names, a compact payload
// without what JSON escapes for HTML) is written directly, in the same
// bytes as json.Marshal's; any other batch goes through json.Marshal. The
// payloads are not validated again: Chain (through Prepare) has compacted
// each one to hash it, which fails on one that is not JSON. A seeding run
// encodes every event it makes, and json.Marshal (reflection, then a second
// scan of each payload) was the largest part of that; in a command it was
// 2 % of the process's CPU.
func encodeChained(events []eventstore.Event) ([]byte, error) {
	size := 2
	for _, e := range events {
		size += 512 + len(e.Data) // the envelope is about 450 bytes
	}
	if b, ok := appendEvents(make([]byte, 0, size), events); ok {
		return b, nil
	}
	return json.Marshal(events)
}

// appendEvents writes events as json.Marshal does, or reports false when
// one is not the usual event (see encodeChained).
func appendEvents(b []byte, events []eventstore.Event) ([]byte, bool) {
	b = append(b, '[')
	for i, e := range events {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendEvent(b, e); !ok {
			return nil, false
		}
	}
	return append(b, ']'), true
}

func appendEvent(b []byte, e eventstore.Event) ([]byte, bool) {
	for _, s := range [...]string{e.ID, e.Stream, e.Type, e.Actor.ID, string(e.Actor.Role), e.CorrelationID, e.CausationID, e.CommandID, e.PrevHash, e.Hash} {
		if !eventstore.PlainJSONString(s) {
			return nil, false
		}
	}
	// time.Time's MarshalJSON is RFC 3339 with nanoseconds, and refuses
	// years and offsets it cannot write so (json.Marshal then says why).
	_, offset := e.OccurredAt.Zone()
	if y := e.OccurredAt.Year(); y < 0 || y > 9999 || offset%60 != 0 || !plainPayload(e.Data) {
		return nil, false
	}
	str := func(key, v string) {
		b = append(b, key...)
		b = append(b, '"')
		b = append(b, v...)
		b = append(b, '"')
	}
	str(`{"id":`, e.ID)
	str(`,"stream":`, e.Stream)
	b = strconv.AppendUint(append(b, `,"version":`...), e.Version, 10)
	str(`,"type":`, e.Type)
	b = strconv.AppendInt(append(b, `,"schema_version":`...), int64(e.SchemaVersion), 10)
	b = append(b, `,"occurred_at":"`...)
	b = append(e.OccurredAt.AppendFormat(b, time.RFC3339Nano), '"')
	str(`,"actor":{"id":`, e.Actor.ID)
	str(`,"role":`, string(e.Actor.Role))
	b = append(b, '}')
	for _, f := range [...]struct{ key, v string }{{`,"correlation_id":`, e.CorrelationID}, {`,"causation_id":`, e.CausationID}, {`,"command_id":`, e.CommandID}} {
		if f.v != "" { // omitempty
			str(f.key, f.v)
		}
	}
	b = append(b, `,"data":`...)
	if e.Data == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, e.Data...)
	}
	str(`,"prev_hash":`, e.PrevHash)
	str(`,"hash":`, e.Hash)
	return append(b, '}'), true
}

// plainPayload reports whether json.Marshal writes data (a RawMessage) as
// it is: nil, or compact (no white space outside strings) and without
// what it escapes for HTML (<, >, &, U+2028, U+2029).
func plainPayload(data []byte) bool {
	if data == nil {
		return true
	}
	if len(data) == 0 {
		return false
	}
	inString, escaped := false, false
	for i, c := range data {
		switch {
		case c == '<' || c == '>' || c == '&':
			return false
		case c == 0xe2 && i+2 < len(data) && data[i+1] == 0x80 && data[i+2]&^1 == 0xa8:
			return false
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return false
		}
	}
	return true
}
