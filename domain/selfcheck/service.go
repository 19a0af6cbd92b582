package selfcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// Service keeps the self-checks of logged-in users. Only the user sees
// their own: every method takes the caller, and no role reads another's.
type Service struct {
	repo  *aggregate.Repository[*History]
	vault *pii.Vault
	cat   *framework.Catalogue
}

// NewService wires the self-checks into feed; call before the feed runs.
func NewService(store eventstore.Store, feed *aggregate.Feed, vault *pii.Vault, cat *framework.Catalogue, now func() time.Time) *Service {
	return &Service{repo: aggregate.NewRepository(StreamPrefix, store, feed, now, newHistory), vault: vault, cat: cat}
}

// Catalogue is the framework the self-checks rate.
func (s *Service) Catalogue() *framework.Catalogue { return s.cat }

// Saved is one saved self-check with its result.
type Saved struct {
	ID        string    `json:"id"`
	TakenAt   time.Time `json:"taken_at"`
	Framework string    `json:"framework"`
	Ratings   []Input   `json:"ratings"`
	Result
	ratings Ratings
}

// Rating is the rating of indicator n in the check.
func (s Saved) Rating(n int) Rating { return s.ratings.Of(n) }

// Save records the caller's self-check with today's date. Errors: Invalid
// (a bad rating, see Parse), Unauthorized (no caller), Unprocessable (too
// many kept), Unavailable.
func (s *Service) Save(ctx context.Context, m aggregate.Meta, inputs []Input) (Saved, aggregate.Result, error) {
	if m.Actor.ID == "" {
		return Saved{}, aggregate.Result{}, domain.Errorf(domain.Unauthorized, "log in to keep a self-check")
	}
	rs, err := Parse(s.cat, inputs)
	if err != nil {
		return Saved{}, aggregate.Result{}, err
	}
	plain, err := json.Marshal(rs.Inputs())
	if err != nil {
		return Saved{}, aggregate.Result{}, err
	}
	sealed, err := s.seal(ctx, m.Actor.ID, plain)
	if err != nil {
		return Saved{}, aggregate.Result{}, domain.Wrap(domain.Unavailable, err, "cannot seal the self-check")
	}
	in := Recorded{CheckID: ulid.Make().String(), Framework: s.cat.Version, Ratings: sealed}
	res, err := s.repo.Update(ctx, m.Actor.ID, m, func(h *History, _ uint64) ([]aggregate.Change, error) {
		return h.record(in)
	})
	if err != nil {
		return Saved{}, res, err
	}
	h, ok := aggregate.StateOf[*History](res)
	if !ok { // a retried command: answer with what the first one saved
		if h, err = s.history(ctx, m.Actor); err != nil {
			return Saved{}, res, err
		}
		if in.CheckID, err = s.recordedCheck(ctx, res); err != nil {
			return Saved{}, res, err
		}
	}
	r, ok := h.find(in.CheckID)
	if !ok {
		return Saved{}, res, domain.Errorf(domain.Internal, "self-check saved but not found")
	}
	saved, err := s.open(ctx, h.UserID, r)
	return saved, res, err
}

// recordedCheck is the id of the self-check the command that answered res
// saved: a retry names that one, not the user's latest (saved since, by
// another command).
func (s *Service) recordedCheck(ctx context.Context, res aggregate.Result) (string, error) {
	events, err := s.repo.Recorded(ctx, res)
	if err != nil {
		return "", err
	}
	for _, e := range events {
		var d Recorded
		if e.Type == EventRecorded && json.Unmarshal(e.Data, &d) == nil && d.CheckID != "" {
			return d.CheckID, nil
		}
	}
	return "", domain.Errorf(domain.Internal, "the self-check this save recorded (seq %d) cannot be read", res.Seq)
}

// seal seals plain with subject's key, as a file.
func (s *Service) seal(ctx context.Context, subject string, plain []byte) ([]byte, error) {
	var b bytes.Buffer
	w, err := s.vault.SealFile(ctx, subject, &b)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// List returns the caller's saved self-checks, newest first. Errors:
// Unauthorized, Unavailable.
func (s *Service) List(ctx context.Context, actor domain.Actor) ([]Saved, error) {
	h, err := s.history(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]Saved, 0, len(h.Checks))
	for _, r := range slices.Backward(h.Checks) {
		sv, err := s.open(ctx, h.UserID, r)
		if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, nil
}

// Get returns the caller's saved self-check id and the one saved before it
// (ok false when there is none), for a comparison. Errors: NotFound (none
// of theirs), Unauthorized, Unavailable.
func (s *Service) Get(ctx context.Context, actor domain.Actor, id string) (cur, prev Saved, hasPrev bool, err error) {
	h, err := s.history(ctx, actor)
	if err != nil {
		return Saved{}, Saved{}, false, err
	}
	i := slices.IndexFunc(h.Checks, func(r Record) bool { return r.ID == id })
	if i < 0 {
		return Saved{}, Saved{}, false, domain.Errorf(domain.NotFound, "no self-check %q of yours", id)
	}
	if cur, err = s.open(ctx, h.UserID, h.Checks[i]); err != nil || i == 0 {
		return cur, Saved{}, false, err
	}
	prev, err = s.open(ctx, h.UserID, h.Checks[i-1])
	return cur, prev, err == nil, err
}

func (s *Service) history(ctx context.Context, actor domain.Actor) (*History, error) {
	if actor.ID == "" {
		return nil, domain.Errorf(domain.Unauthorized, "log in to see your self-checks")
	}
	h, _, ok, err := s.repo.Find(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return newHistory(actor.ID), nil
	}
	return h, nil
}

// open reads a record's ratings and applies the rule. A record of an erased
// user has no ratings left.
func (s *Service) open(ctx context.Context, subject string, r Record) (Saved, error) {
	plain, err := s.vault.OpenFile(ctx, subject, bytes.NewReader(r.Ratings))
	if errors.Is(err, pii.ErrErased) {
		plain = strings.NewReader("[]")
	} else if err != nil {
		return Saved{}, domain.Wrap(domain.Unavailable, err, "cannot open the self-check")
	}
	var inputs []Input
	if err := json.NewDecoder(plain).Decode(&inputs); err != nil {
		return Saved{}, domain.Wrap(domain.Internal, err, "self-check %s unreadable", r.ID)
	}
	rs := Ratings{}
	for _, in := range inputs {
		rs[in.Indicator] = Rating(in.Rating)
	}
	return Saved{ID: r.ID, TakenAt: r.At, Framework: r.Framework, Ratings: rs.Inputs(), Result: Evaluate(s.cat, rs), ratings: rs}, nil
}
