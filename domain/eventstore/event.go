package eventstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
	var data bytes.Buffer
	if len(e.Data) > 0 {
		if err := json.Compact(&data, e.Data); err != nil {
			return "", fmt.Errorf("hash %s: payload: %w", e.ID, err)
		}
	}
	b, err := json.Marshal(hashedContent{
		ID: e.ID, Stream: e.Stream, Version: e.Version, Type: e.Type,
		SchemaVersion: e.SchemaVersion, OccurredAt: e.OccurredAt.UTC().Format(time.RFC3339Nano),
		Actor: e.Actor, CorrelationID: e.CorrelationID, CausationID: e.CausationID,
		CommandID: e.CommandID, Data: data.Bytes(), PrevHash: e.PrevHash,
	})
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", e.ID, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
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
