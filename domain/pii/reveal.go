package pii

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Reveal opens s for a view: the clear text, Erased when its subject was
// erased, or Unavailable when it cannot be opened for another reason (the
// key store does not answer): a view never fails on one unreadable field,
// and never reads a person's data as erased when it is not. The failure is
// logged (the subject, never a value or a key) and recorded on a Strict
// context. What is kept or sent opens with OpenOrErased, or reads views on
// a Strict context, instead.
func (v *Vault) Reveal(ctx context.Context, s Sealed) string {
	if s.Subject != "" && len(s.Data) == 0 {
		return Erased // ErasedValue
	}
	p, err := v.OpenOrErased(ctx, s)
	if err != nil {
		if r, ok := ctx.Value(strictKey{}).(*strictRecord); ok {
			r.add(err)
		}
		v.warn(s.Subject, err)
		return Unavailable
	}
	return p
}

// OpenOrErased opens s: the clear text, Erased when its subject was
// erased, or the error when it cannot be opened for now. For what is kept
// or sent: a transient failure is an error to retry, never Erased.
func (v *Vault) OpenOrErased(ctx context.Context, s Sealed) (string, error) {
	p, err := v.Open(ctx, s)
	if errors.Is(err, ErrErased) {
		return Erased, nil
	}
	return p, err
}

// SetLogger sets where Reveal's warnings go (slog.Default when unset).
func (v *Vault) SetLogger(l *slog.Logger) { v.log.Store(l) }

// warn logs, at most once a second, that a value of subject could not be
// opened (a key store down makes every view fail so: one line a second
// says it, with how many were not logged).
func (v *Vault) warn(subject string, err error) {
	now := time.Now().UnixNano()
	last := v.warned.Load()
	if now-last < int64(time.Second) || !v.warned.CompareAndSwap(last, now) {
		v.unlogged.Add(1)
		return
	}
	l := v.log.Load()
	if l == nil {
		l = slog.Default()
	}
	l.Warn("personal data shown as unavailable: it cannot be opened for now", "subject", subject, "err", err,
		"more_since_last_warning", v.unlogged.Swap(0))
}

type strictKey struct{}

// strictRecord is the first failure Reveal met on a Strict context.
type strictRecord struct {
	mu  sync.Mutex
	err error
}

func (r *strictRecord) add(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

// Strict returns a context on which Reveal (and RevealTree) records the
// first value it could not open for a reason other than erasure, and a
// function that returns that error (nil when there was none). A path that
// keeps or sends what a view gives (an export, a mail) reads the view on
// it and fails on the error, rather than keep Unavailable for the
// person's data.
func Strict(ctx context.Context) (context.Context, func() error) {
	r := &strictRecord{}
	return context.WithValue(ctx, strictKey{}, r), func() error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.err != nil {
			return fmt.Errorf("personal data cannot be opened for now: %w", r.err)
		}
		return nil
	}
}

// RevealTree replaces every sealed value in a decoded JSON tree (objects of
// exactly "s" and "c") with what Reveal shows of it, in place, and the
// value of every secret field (secretFields), sealed or not, with Withheld.
// Views use it so that they never need to know which fields are personal:
// the events' types already say so.
func RevealTree(ctx context.Context, v *Vault, tree any) any {
	switch x := tree.(type) {
	case map[string]any:
		if len(x) == 2 {
			subj, ok1 := x["s"].(string)
			data, ok2 := x["c"].(string)
			if ok1 && ok2 {
				b, err := base64.StdEncoding.DecodeString(data)
				if err != nil {
					return Erased
				}
				return v.Reveal(ctx, Sealed{Subject: subj, Data: b})
			}
		}
		for k, e := range x {
			if secretFields[k] {
				x[k] = Withheld
				continue
			}
			x[k] = RevealTree(ctx, v, e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = RevealTree(ctx, v, e)
		}
		return x
	}
	return tree
}
