package natsstore

import (
	"maps"
	"strconv"
	"sync/atomic"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
)

// decodeChained is the reverse of encodeChained: it reads a commit body
// that is exactly what appendEvent writes (its keys in its order, ASCII
// strings without escapes, a compact object as payload) and reports false
// for any other, which DecodeCommit then decodes with the general decoder.
// What it accepts it decodes to what that decoder gives (the fuzz test
// holds it to that). Every commit is decoded when the read side replays
// the store, and the reflecting decoder was a third of a rebuild's CPU.
// The events of a commit share the strings they repeat: stream (the
// commit's own), the actor, the request's ids, and each one's previous hash
// (the hash of the event before it).
func decodeChained(stream string, d []byte) ([]eventstore.Event, bool) {
	r := chainReader{d: d}
	if !r.lit("[") {
		return nil, false
	}
	if r.lit("]") {
		return r.end([]eventstore.Event{})
	}
	events := make([]eventstore.Event, 0, 1+len(d)/700)
	prev := eventstore.Event{Stream: stream}
	for {
		e, ok := r.event(&prev)
		if !ok {
			return nil, false
		}
		events = append(events, e)
		prev = e
		if r.lit("]") {
			return r.end(events)
		}
		if !r.lit(",") {
			return nil, false
		}
	}
}

// end gives events when nothing follows the list, and nothing otherwise.
func (r *chainReader) end(events []eventstore.Event) ([]eventstore.Event, bool) {
	if r.i != len(r.d) {
		return nil, false
	}
	return events, true
}

// chainReader reads d from i; each method reports false, and need not
// leave i anywhere useful, when d is not as appendEvent writes it.
type chainReader struct {
	d []byte
	i int
}

// event reads one event; prev is the one before it in the commit (or only
// the commit's stream), whose strings it reuses where they are the same.
func (r *chainReader) event(prev *eventstore.Event) (e eventstore.Event, ok bool) {
	if !r.lit(`{"id":`) {
		return e, false
	}
	if e.ID, ok = r.str(); !ok || !r.lit(`,"stream":`) {
		return e, false
	}
	if e.Stream, ok = r.strAs(prev.Stream); !ok || !r.lit(`,"version":`) {
		return e, false
	}
	if e.Version, ok = r.uint(); !ok || !r.lit(`,"type":`) {
		return e, false
	}
	if e.Type, ok = r.common(); !ok || !r.lit(`,"schema_version":`) {
		return e, false
	}
	var v uint64
	if v, ok = r.uint(); !ok || v > uint64(int(^uint(0)>>1)) || !r.lit(`,"occurred_at":`) {
		return e, false
	}
	e.SchemaVersion = int(v)
	start := r.i
	if _, ok = r.raw(); !ok || e.OccurredAt.UnmarshalJSON(r.d[start:r.i]) != nil {
		return e, false
	}
	if !r.lit(`,"actor":{"id":`) {
		return e, false
	}
	if e.Actor.ID, ok = r.strAs(prev.Actor.ID); !ok || !r.lit(`,"role":`) {
		return e, false
	}
	var role string
	if role, ok = r.common(); !ok || !r.lit(`}`) {
		return e, false
	}
	e.Actor.Role = domain.Role(role)
	for _, f := range [...]struct {
		key     string
		v, prev *string
	}{{`,"correlation_id":`, &e.CorrelationID, &prev.CorrelationID}, {`,"causation_id":`, &e.CausationID, &prev.CausationID}, {`,"command_id":`, &e.CommandID, &prev.CommandID}} {
		if r.lit(f.key) {
			if *f.v, ok = r.strAs(*f.prev); !ok {
				return e, false
			}
		}
	}
	if !r.lit(`,"data":`) || r.i >= len(r.d) || r.d[r.i] != '{' {
		return e, false
	}
	end, ok := eventstore.CompactValueEnd(r.d, r.i)
	if !ok {
		return e, false
	}
	e.Data = append([]byte(nil), r.d[r.i:end]...) // the message's buffer is not kept
	r.i = end
	if !r.lit(`,"prev_hash":`) {
		return e, false
	}
	if e.PrevHash, ok = r.strAs(prev.Hash); !ok || !r.lit(`,"hash":`) {
		return e, false
	}
	if e.Hash, ok = r.str(); !ok || !r.lit(`}`) {
		return e, false
	}
	return e, true
}

// lit consumes s if d continues with it.
func (r *chainReader) lit(s string) bool {
	if len(r.d)-r.i < len(s) || string(r.d[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// raw reads a string of printable ASCII without escapes and returns its
// bytes, quotes excluded.
func (r *chainReader) raw() ([]byte, bool) {
	if r.i >= len(r.d) || r.d[r.i] != '"' {
		return nil, false
	}
	for j := r.i + 1; j < len(r.d); j++ {
		switch c := r.d[j]; {
		case c == '"':
			s := r.d[r.i+1 : j]
			r.i = j + 1
			return s, true
		case c < 0x20 || c > 0x7e || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

func (r *chainReader) str() (string, bool) {
	s, ok := r.raw()
	return string(s), ok
}

// strAs is str, giving same rather than a new string when it is the same.
func (r *chainReader) strAs(same string) (string, bool) {
	s, ok := r.raw()
	if !ok || string(s) == same {
		return same, ok
	}
	return string(s), true
}

// common is str for a string from a small set, an event's type or its
// actor's role: each is made once, not once an event (a commit of three
// events took 16 allocations rather than 20).
func (r *chainReader) common() (string, bool) {
	s, ok := r.raw()
	if !ok {
		return "", false
	}
	return commonString(s), true
}

// commonStrings are the strings common has made, in a map replaced whole
// when one is added, so that the replay's decoding workers read it without
// a lock. A store written by hand could hold any number of types: past
// commonMax, strings are made as str makes them.
var commonStrings atomic.Pointer[map[string]string]

const commonMax = 1024

func commonString(b []byte) string {
	for {
		old := commonStrings.Load()
		if old != nil {
			if s, ok := (*old)[string(b)]; ok {
				return s
			}
			if len(*old) >= commonMax {
				return string(b)
			}
		}
		s := string(b)
		m := make(map[string]string, 1)
		if old != nil {
			m = maps.Clone(*old)
		}
		m[s] = s
		if commonStrings.CompareAndSwap(old, &m) {
			return s
		}
	}
}

// uint reads a JSON number that is a plain unsigned integer (no sign, no
// leading zero, no fraction or exponent) and fits in 64 bits.
func (r *chainReader) uint() (uint64, bool) {
	j := r.i
	for j < len(r.d) && r.d[j] >= '0' && r.d[j] <= '9' {
		j++
	}
	digits := r.d[r.i:j]
	if len(digits) == 0 || len(digits) > 1 && digits[0] == '0' {
		return 0, false
	}
	if j < len(r.d) && (r.d[j] == '.' || r.d[j] == 'e' || r.d[j] == 'E') {
		return 0, false
	}
	v, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil {
		return 0, false
	}
	r.i = j
	return v, true
}
