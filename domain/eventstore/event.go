package eventstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/emcc/accredit/domain"
)

// Event is one recorded fact: the envelope around a JSON payload.
type Event struct {
	ID            string          `json:"id"` // ULID
	Stream        string          `json:"stream"`
	Version       uint64          `json:"version"` // 1-based position in its stream
	Type          string          `json:"type"`
	SchemaVersion int             `json:"schema_version"`
	OccurredAt    time.Time       `json:"occurred_at"`
	Actor         domain.Actor    `json:"actor"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	CausationID   string          `json:"causation_id,omitempty"`
	CommandID     string          `json:"command_id,omitempty"`
	Data          json.RawMessage `json:"data"`
	PrevHash      string          `json:"prev_hash"`
	Hash          string          `json:"hash"`

	// Seq is the store position of the commit holding the event. It is set
	// when the event is read and is not part of the hashed content.
	Seq uint64 `json:"-"`
}

// Commit is what one append wrote: the events of one stream, in order, at one
// store position.
type Commit struct {
	Seq    uint64
	Stream string
	Events []Event
	// Err is set, and Events empty, when the commit could not be decoded;
	// readers report it and go on rather than stop the feed.
	Err error
	// RequestHash is the append's RequestHash, kept beside the events (not
	// in them: it is not part of the record, only of idempotency).
	RequestHash string
}

// Head is where a stream stands: its version, the store position of its last
// commit and the hash of its last event. The zero Head is a new stream.
type Head struct {
	Version uint64 `json:"version"`
	Seq     uint64 `json:"seq"`
	Hash    string `json:"hash"`
}

// Advance returns the head after c.
func (h Head) Advance(c Commit) Head {
	if len(c.Events) == 0 {
		return h
	}
	last := c.Events[len(c.Events)-1]
	return Head{Version: last.Version, Seq: c.Seq, Hash: last.Hash}
}

// GenesisHash is the previous hash of the first event of every stream.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// hashedContent is the canonical form the hash is computed over: every field
// of the envelope but the hash itself, in a fixed order, the payload compacted.
type hashedContent struct {
	ID            string          `json:"id"`
	Stream        string          `json:"stream"`
	Version       uint64          `json:"version"`
	Type          string          `json:"type"`
	SchemaVersion int             `json:"schema_version"`
	OccurredAt    string          `json:"occurred_at"`
	Actor         domain.Actor    `json:"actor"`
	CorrelationID string          `json:"correlation_id"`
	CausationID   string          `json:"causation_id"`
	CommandID     string          `json:"command_id"`
	Data          json.RawMessage `json:"data"`
	PrevHash      string          `json:"prev_hash"`
}

// ComputeHash returns the hex SHA-256 of the event's canonical content.
func ComputeHash(e Event) (string, error) {
	bp := canonicalBufs.Get().(*[]byte)
	b, err := appendCanonicalContent((*bp)[:0], e)
	if err != nil {
		canonicalBufs.Put(bp)
		return "", err
	}
	sum := sha256.Sum256(b)
	if cap(b) <= maxPooledCanonical {
		*bp = b[:0]
		canonicalBufs.Put(bp)
	}
	return hex.EncodeToString(sum[:]), nil
}

// canonicalBufs holds the buffers the canonical content is written into:
// it is hashed and dropped, once for every event appended and every event
// an audit verifies, and a fresh buffer each time was about a KiB of
// garbage an event.
var canonicalBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledCanonical is the largest buffer kept for reuse: an event with a
// large payload does not leave its buffer held for every later one.
const maxPooledCanonical = 64 << 10

// appendCanonicalContent appends to dst the canonical content of e, what
// the hash is computed over: json.Marshal of the hashedContent, the payload
// compacted. Every event is hashed when it is appended and again when the
// chain is verified, so the usual event (plain ASCII ids and names, a
// payload without characters that JSON escapes for HTML) is written
// directly, in the same bytes; any other goes through json.Marshal. A
// payload already compact (isCompactJSON) is used as it is.
func appendCanonicalContent(dst []byte, e Event) ([]byte, error) {
	var data []byte // nil when empty: "null", as json.Marshal writes it
	if len(e.Data) > 0 {
		data = e.Data
	}
	if data != nil && !isCompactJSON(data) {
		var b bytes.Buffer
		b.Grow(len(data))
		if err := json.Compact(&b, data); err != nil {
			return nil, fmt.Errorf("hash %s: payload: %w", e.ID, err)
		}
		data = b.Bytes()
	}
	at := e.OccurredAt.UTC().Format(time.RFC3339Nano)
	if b, ok := appendCanonical(slices.Grow(dst, 400+len(data)), e, at, data); ok {
		return b, nil
	}
	b, err := json.Marshal(hashedContent{
		ID: e.ID, Stream: e.Stream, Version: e.Version, Type: e.Type,
		SchemaVersion: e.SchemaVersion, OccurredAt: at,
		Actor: e.Actor, CorrelationID: e.CorrelationID, CausationID: e.CausationID,
		CommandID: e.CommandID, Data: data, PrevHash: e.PrevHash,
	})
	if err != nil {
		return nil, fmt.Errorf("hash %s: %w", e.ID, err)
	}
	return append(dst, b...), nil
}

// appendCanonical writes what json.Marshal writes for the hashedContent of
// e, when every text is plain (PlainJSONString) and the compacted payload has no
// byte JSON escapes for HTML; false otherwise.
func appendCanonical(b []byte, e Event, at string, data []byte) ([]byte, bool) {
	for _, s := range []string{e.ID, e.Stream, e.Type, at, e.Actor.ID, string(e.Actor.Role), e.CorrelationID, e.CausationID, e.CommandID, e.PrevHash} {
		if !PlainJSONString(s) {
			return nil, false
		}
	}
	if htmlEscaped(data) {
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
	str(`,"occurred_at":`, at)
	str(`,"actor":{"id":`, e.Actor.ID)
	str(`,"role":`, string(e.Actor.Role))
	str(`},"correlation_id":`, e.CorrelationID)
	str(`,"causation_id":`, e.CausationID)
	str(`,"command_id":`, e.CommandID)
	b = append(b, `,"data":`...)
	if len(data) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, data...)
	}
	str(`,"prev_hash":`, e.PrevHash)
	return append(b, '}'), true
}

// htmlEscaped reports whether data holds what json.Marshal escapes in a
// payload: <, >, & and the line and paragraph separators (U+2028, U+2029).
func htmlEscaped(data []byte) bool {
	for i, c := range data {
		switch {
		case c == '<' || c == '>' || c == '&':
			return true
		case c == 0xe2 && i+2 < len(data) && data[i+1] == 0x80 && data[i+2]&^1 == 0xa8:
			return true
		}
	}
	return false
}

// PlainJSONString reports whether encoding/json writes s as it is, between
// quotes: printable ASCII without the quote, the backslash and what it
// escapes for HTML. The hash's canonical content and the bulk writer's
// encoder both write such strings directly.
func PlainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// Chain numbers events after head and links their hashes: it sets Stream,
// Version, PrevHash and Hash on each. Every Store calls it, so the chain is
// computed the same way whatever the adapter.
func Chain(stream string, head Head, events []Event) ([]Event, error) {
	prev := head.Hash
	if head.Version == 0 || prev == "" {
		prev = GenesisHash
	}
	out := make([]Event, len(events))
	for i, e := range events {
		e.Stream = stream
		e.Version = head.Version + uint64(i) + 1
		e.PrevHash = prev
		e.OccurredAt = e.OccurredAt.UTC()
		h, err := ComputeHash(e)
		if err != nil {
			return nil, err
		}
		e.Hash = h
		prev = h
		out[i] = e
	}
	return out, nil
}

// Prepare stamps the request's command id on its events and chains them after head.
func Prepare(req AppendRequest, head Head) ([]Event, error) {
	events := make([]Event, len(req.Events))
	for i, e := range req.Events {
		e.CommandID = req.CommandID
		events[i] = e
	}
	return Chain(req.Stream, head, events)
}
