package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
)

// StreamHead is one stream's head in a checkpoint.
type StreamHead struct {
	Version uint64 `json:"version"`
	Hash    string `json:"hash"`
}

// Checkpoint is a signed record of every stream's head at store position Seq.
type Checkpoint struct {
	CreatedAt time.Time             `json:"created_at"`
	Seq       uint64                `json:"seq"`
	Streams   map[string]StreamHead `json:"streams"`
	KeyID     string                `json:"key_id"`
	Signature []byte                `json:"signature,omitempty"`
}

func (c Checkpoint) signedBytes() []byte {
	c.Signature = nil
	b, _ := json.Marshal(c) // map keys are sorted: canonical
	return b
}

// CheckpointStore keeps checkpoints, oldest first.
type CheckpointStore interface {
	Add(ctx context.Context, c Checkpoint) error
	List(ctx context.Context) ([]Checkpoint, error)
}

// Signer signs checkpoints.
type Signer struct {
	key ed25519.PrivateKey
}

// KeyID is a short fingerprint of a public key.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// LoadOrCreateSigner reads the Ed25519 key at path (PEM), generating it with
// 0600 permissions on first start.
func LoadOrCreateSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		blk, _ := pem.Decode(b)
		if blk == nil || blk.Type != "ACCREDIT ED25519 PRIVATE KEY" || len(blk.Bytes) != ed25519.SeedSize {
			return nil, fmt.Errorf("signing key %s: not an Accredit Ed25519 key", path)
		}
		return &Signer{key: ed25519.NewKeyFromSeed(blk.Bytes)}, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	defer f.Close()
	if err := pem.Encode(f, &pem.Block{Type: "ACCREDIT ED25519 PRIVATE KEY", Bytes: priv.Seed()}); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return &Signer{key: priv}, f.Sync()
}

// Public returns the verification key.
func (s *Signer) Public() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// Sign fills in the checkpoint's key id and signature.
func (s *Signer) Sign(c Checkpoint) Checkpoint {
	c.KeyID = KeyID(s.Public())
	c.Signature = ed25519.Sign(s.key, c.signedBytes())
	return c
}

// Heads follows the feed and knows every stream's head: the checkpoint taker.
type Heads struct {
	mu    sync.Mutex
	seq   uint64
	heads map[string]StreamHead
}

// NewHeads returns an empty head tracker.
func NewHeads() *Heads { return &Heads{heads: map[string]StreamHead{}} }

// Follow implements aggregate.Follower.
func (h *Heads) Follow(c eventstore.Commit) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq = c.Seq
	if n := len(c.Events); n > 0 {
		last := c.Events[n-1]
		h.heads[c.Stream] = StreamHead{Version: last.Version, Hash: last.Hash}
	}
}

// Seq is the store position the heads are at: what a checkpoint taken now
// would say.
func (h *Heads) Seq() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

// Checkpoint signs and stores the current heads, every time it is asked
// (on demand); the periodic checkpoint skips a store that has not changed
// since the last checkpoint (the caller compares Seq with it).
func (h *Heads) Checkpoint(ctx context.Context, s *Signer, store CheckpointStore, now time.Time) (Checkpoint, error) {
	h.mu.Lock()
	c := Checkpoint{CreatedAt: now.UTC(), Seq: h.seq, Streams: maps.Clone(h.heads)}
	h.mu.Unlock()
	c = s.Sign(c)
	if err := store.Add(ctx, c); err != nil {
		return Checkpoint{}, fmt.Errorf("store checkpoint: %w", err)
	}
	return c, nil
}

// Problem is the first event of a stream that does not match.
type Problem struct {
	Version uint64 `json:"version"`
	EventID string `json:"event_id,omitempty"`
	Seq     uint64 `json:"seq,omitempty"`
	Reason  string `json:"reason"`
}

// StreamReport is one stream's verdict.
type StreamReport struct {
	Stream  string   `json:"stream"`
	Events  uint64   `json:"events"`
	Intact  bool     `json:"intact"`
	Problem *Problem `json:"first_mismatch,omitempty"`
}

// CheckpointReport is one checkpoint's verdict.
type CheckpointReport struct {
	Seq       uint64    `json:"seq"`
	CreatedAt time.Time `json:"created_at"`
	Intact    bool      `json:"intact"`
	Problems  []string  `json:"problems,omitempty"`
}

// Report is the result of a verification.
type Report struct {
	Intact      bool               `json:"intact"`
	Commits     uint64             `json:"commits"`
	Streams     []StreamReport     `json:"streams"`
	Checkpoints []CheckpointReport `json:"checkpoints"`
}

type chainState struct {
	report StreamReport
	next   uint64
	prev   string
	hashes map[uint64]string
}

// Verify recomputes every stream's chain from the store and checks every
// checkpoint against it and against pub.
func Verify(ctx context.Context, store eventstore.Store, checkpoints CheckpointStore, pub ed25519.PublicKey) (Report, error) {
	// The checkpoints first, then the store's end: a checkpoint signed
	// while the audit runs names versions past an end taken before it, and
	// would read as events removed.
	cps, err := checkpoints.List(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("read checkpoints: %w", err)
	}
	last, err := store.LastSeq(ctx)
	if err != nil {
		return Report{}, err
	}
	streams := map[string]*chainState{}
	var commits uint64
	err = store.Read(ctx, 0, last, func(c eventstore.Commit) error {
		commits++
		checkCommit(streams, c)
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("read events: %w", err)
	}
	rep := Report{Intact: true, Commits: commits, Streams: []StreamReport{}, Checkpoints: []CheckpointReport{}}
	for _, id := range slices.Sorted(maps.Keys(streams)) {
		st := streams[id]
		st.report.Intact = st.report.Problem == nil
		rep.Intact = rep.Intact && st.report.Intact
		rep.Streams = append(rep.Streams, st.report)
	}
	for _, cp := range cps {
		cr := CheckpointReport{Seq: cp.Seq, CreatedAt: cp.CreatedAt}
		if cp.KeyID != KeyID(pub) || !ed25519.Verify(pub, cp.signedBytes(), cp.Signature) {
			cr.Problems = append(cr.Problems, "signature does not verify")
		}
		for _, id := range slices.Sorted(maps.Keys(cp.Streams)) {
			h := cp.Streams[id]
			st := streams[id]
			var problem string
			switch {
			case st == nil:
				problem = fmt.Sprintf("stream %s is missing (checkpointed at version %d)", id, h.Version)
			case st.hashes[h.Version] == "":
				problem = fmt.Sprintf("stream %s: version %d is missing (events removed)", id, h.Version)
			case st.hashes[h.Version] != h.Hash:
				problem = fmt.Sprintf("stream %s: version %d hash differs from the checkpoint", id, h.Version)
			}
			if problem == "" {
				continue
			}
			cr.Problems = append(cr.Problems, problem)
			if st != nil && st.report.Problem == nil {
				st.report.Problem = &Problem{Version: h.Version, Reason: fmt.Sprintf("does not match checkpoint of seq %d: %s", cp.Seq, problem)}
			}
		}
		cr.Intact = len(cr.Problems) == 0
		rep.Intact = rep.Intact && cr.Intact
		rep.Checkpoints = append(rep.Checkpoints, cr)
	}
	// A checkpoint problem found after the stream reports were made.
	for i := range rep.Streams {
		if st := streams[rep.Streams[i].Stream]; st.report.Problem != nil && rep.Streams[i].Intact {
			rep.Streams[i] = st.report
			rep.Streams[i].Intact = false
			rep.Intact = false
		}
	}
	return rep, nil
}

func checkCommit(streams map[string]*chainState, c eventstore.Commit) {
	st := streams[c.Stream]
	if st == nil {
		st = &chainState{report: StreamReport{Stream: c.Stream}, next: 1, prev: eventstore.GenesisHash, hashes: map[uint64]string{}}
		streams[c.Stream] = st
	}
	if c.Err != nil {
		if st.report.Problem == nil {
			st.report.Problem = &Problem{Version: st.next, Seq: c.Seq, Reason: "commit cannot be decoded: " + c.Err.Error()}
		}
		return
	}
	for _, e := range c.Events {
		st.report.Events++
		if e.Stream != c.Stream && st.report.Problem == nil {
			st.report.Problem = &Problem{Version: e.Version, EventID: e.ID, Seq: c.Seq, Reason: fmt.Sprintf("event names stream %s but is stored on %s", e.Stream, c.Stream)}
		}
		want, err := eventstore.ComputeHash(e)
		switch {
		case st.report.Problem != nil:
		case err != nil || want != e.Hash:
			st.report.Problem = &Problem{Version: e.Version, EventID: e.ID, Seq: c.Seq, Reason: "content does not match its hash (altered)"}
		case e.Version != st.next:
			reason := fmt.Sprintf("version %d where %d was expected (events removed)", e.Version, st.next)
			if e.Version < st.next {
				reason = fmt.Sprintf("version %d after version %d (reordered or duplicated)", e.Version, st.next-1)
			}
			st.report.Problem = &Problem{Version: e.Version, EventID: e.ID, Seq: c.Seq, Reason: reason}
		case e.PrevHash != st.prev:
			st.report.Problem = &Problem{Version: e.Version, EventID: e.ID, Seq: c.Seq, Reason: "previous hash does not match the event before it (removed or reordered)"}
		}
		if st.report.Problem == nil {
			st.hashes[e.Version] = e.Hash
		}
		st.next = e.Version + 1
		st.prev = e.Hash
	}
}

// MemoryCheckpoints is an in-memory CheckpointStore for unit tests.
type MemoryCheckpoints struct {
	mu  sync.Mutex
	cps []Checkpoint
}

// Add implements CheckpointStore.
func (m *MemoryCheckpoints) Add(_ context.Context, c Checkpoint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cps = append(m.cps, c.clone())
	return nil
}

// List implements CheckpointStore.
func (m *MemoryCheckpoints) List(context.Context) ([]Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Checkpoint, len(m.cps))
	for i, c := range m.cps {
		out[i] = c.clone() // as a store's would be: the caller's own
	}
	return out, nil
}

// clone is a copy of c that shares no map or slice with it.
func (c Checkpoint) clone() Checkpoint {
	c.Streams, c.Signature = maps.Clone(c.Streams), slices.Clone(c.Signature)
	return c
}

// savedHeads is the heads in the write-side snapshot.
type savedHeads struct {
	Seq   uint64                `json:"seq"`
	Heads map[string]StreamHead `json:"heads"`
}

// SnapshotName implements aggregate.Snapshotter.
func (h *Heads) SnapshotName() string { return "audit.heads" }

// SnapshotShape implements aggregate.Snapshotter; change it with savedHeads.
func (h *Heads) SnapshotShape() string { return "seq+heads{version,hash}" }

// SaveSnapshot implements aggregate.Snapshotter. A head saved past the
// feed's snapshot position is assigned again, in order, when the feed
// resumes, and ends where it was.
func (h *Heads) SaveSnapshot(_ context.Context, put func(any) error) error {
	h.mu.Lock()
	s := savedHeads{Seq: h.seq, Heads: maps.Clone(h.heads)}
	h.mu.Unlock()
	return put(s)
}

// LoadSnapshot implements aggregate.Snapshotter.
func (h *Heads) LoadSnapshot(more func() bool, next func(any) error) (func(), error) {
	var s savedHeads
	if !more() {
		return nil, errors.New("no heads")
	}
	if err := next(&s); err != nil {
		return nil, err
	}
	if s.Heads == nil {
		s.Heads = map[string]StreamHead{}
	}
	return func() {
		h.mu.Lock()
		h.seq, h.heads = s.Seq, s.Heads
		h.mu.Unlock()
	}, nil
}
