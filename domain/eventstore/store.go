package eventstore

import (
	"context"
	"errors"
	"fmt"
)

// AppendRequest is one atomic append to one stream.
type AppendRequest struct {
	Stream string
	// Expected is the head the caller decided from. A store rejects the
	// append with a *ConflictError when the stream has moved past it.
	Expected Head
	// CommandID makes the append idempotent: a second append with the same
	// id returns the first result and writes nothing.
	CommandID string
	// RequestHash binds CommandID to one request (a keyed digest of what the
	// caller sent): a retry carrying the same command id and another
	// RequestHash is refused with ErrCommandReused instead of answering the
	// first result. Empty matches anything (commits from before it existed).
	RequestHash string
	// Events to append: ID, Type, SchemaVersion, OccurredAt, Actor, the
	// correlation ids and Data set; the store sets the rest (see Chain).
	Events []Event
}

// Result is what an append wrote (or, for a duplicate, had written).
type Result struct {
	Head      Head
	Duplicate bool
	// Stream is the stream the command wrote to. For a duplicate it is the
	// first attempt's, which differs from the request's when the retry chose
	// a new id (a new case); callers answer with this one.
	Stream string
	// Events are the events as this append stored them (chained, the
	// command id and Seq set), for a caller that applies them to the state
	// it decided on; nil for a duplicate. Callers must not change them.
	Events []Event
}

// ErrCommandReused is returned when a command id comes back with another
// request than the one it was first used for.
var ErrCommandReused = errors.New("command id already used for a different request")

// ConflictError reports a stale expected head.
type ConflictError struct {
	Stream   string
	Expected Head
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("conflict on stream %s: expected version %d (seq %d) is stale", e.Stream, e.Expected.Version, e.Expected.Seq)
}

// ErrConflict matches every *ConflictError with errors.Is.
var ErrConflict = errors.New("stream version conflict")

func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// TooLargeError reports a commit larger than the store accepts.
type TooLargeError struct {
	Stream string
	Size   int // bytes the commit would take
	Max    int // bytes the store accepts in one commit
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("commit to stream %s is %d bytes, over the store's limit of %d", e.Stream, e.Size, e.Max)
}

// ErrTooLarge matches every *TooLargeError with errors.Is.
var ErrTooLarge = errors.New("commit too large")

func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// Store is the event-store port.
type Store interface {
	// Append writes the request's events atomically. Errors: *ConflictError
	// for a stale head, *TooLargeError for a commit over the store's size
	// limit (nothing is written), ErrCommandReused for a command id first
	// used with another RequestHash, a wrapped error for anything else.
	Append(ctx context.Context, req AppendRequest) (Result, error)
	// Load returns every event of a stream in order; none for an unknown one.
	Load(ctx context.Context, stream string) ([]Event, error)
	// Head returns where a stream stands now, read from the store itself.
	Head(ctx context.Context, stream string) (Head, error)
	// Get returns the commit at position seq; an error when there is none.
	Get(ctx context.Context, seq uint64) (Commit, error)
	// LastSeq returns the position of the newest commit in the store.
	LastSeq(ctx context.Context) (uint64, error)
	// Subscribe calls fn with every commit after position from, in order,
	// first the stored ones and then new ones as they come, until ctx ends
	// or fn returns an error (which Subscribe returns). fn reads the commit
	// and never changes it: a store may hand one decoded commit to each of
	// its subscribers.
	Subscribe(ctx context.Context, from uint64, fn func(Commit) error) error
	// Read calls fn with every stored commit after position from up to and
	// including to, in order, then returns; it holds nothing in the store
	// once it has returned. to must be a position the store holds (from
	// LastSeq). It returns fn's error, or the store's.
	Read(ctx context.Context, from, to uint64, fn func(Commit) error) error
}

// ValidStreamID reports whether id can name a stream: dot-separated tokens of
// letters, digits, '-' and '_', at most 200 bytes.
func ValidStreamID(id string) bool { return len(id) <= 200 && validTokens(id) }

// ValidStreamIDIn reports whether prefix + "." + id can name a stream,
// without making the name: a repository asks it on every read.
func ValidStreamIDIn(prefix, id string) bool {
	return len(prefix)+1+len(id) <= 200 && validTokens(prefix) && validTokens(id)
}

// validTokens reports whether s is dot-separated non-empty tokens of ASCII
// letters, digits, '-' and '_'.
func validTokens(s string) bool {
	prev := byte('.')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if prev == '.' {
				return false
			}
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_':
		default:
			return false
		}
		prev = c
	}
	return prev != '.' // also false for ""
}

// CheckRequest validates an append before any store work.
func CheckRequest(req AppendRequest) error {
	if !ValidStreamID(req.Stream) {
		return fmt.Errorf("append: invalid stream id %q", req.Stream)
	}
	if len(req.Events) == 0 {
		return fmt.Errorf("append %s: no events", req.Stream)
	}
	// A head is whole (a stream's last version, sequence and hash) or zero
	// (a new stream). JetStream checks only the sequence, and the events
	// are chained from the version and hash given: a partial head would be
	// written as a broken chain rather than refused.
	if h := req.Expected; (h.Seq == 0) != (h.Version == 0) || (h.Version == 0) != (h.Hash == "") {
		return fmt.Errorf("append %s: expected head (version %d, seq %d, hash %q) is partial: a stream's head has all three, a new stream none", req.Stream, h.Version, h.Seq, h.Hash)
	}
	for _, e := range req.Events {
		if e.ID == "" || e.Type == "" {
			return fmt.Errorf("append %s: event without id or type", req.Stream)
		}
	}
	return nil
}
