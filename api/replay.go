package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
)

// Commands that record no event (an audit checkpoint, a rebuild, a mailed
// link, notification choices) have no command id in the event store to
// remember an Idempotency-Key by; their answers are kept in a ReplayStore
// instead, so that a retry is answered as the first and does nothing again.

// ReplayStore keeps answers by key, shared by every process of a cluster
// (natsstore.ReplayStore); entries expire by themselves.
type ReplayStore interface {
	// Claim writes v under key unless something is there; then it returns
	// what is (and its revision).
	Claim(ctx context.Context, key string, v []byte) (cur []byte, rev uint64, claimed bool, err error)
	// Update writes v if key is still at rev.
	Update(ctx context.Context, key string, v []byte, rev uint64) (uint64, error)
	Put(ctx context.Context, key string, v []byte) error
	Delete(ctx context.Context, key string) error
}

// How long a retry waits for the first attempt's answer before a 409, and
// after how long without a sign of life a first attempt counts as gone (its
// process stopped) and a retry runs the command itself.
const (
	replayWait  = 10 * time.Second
	replayAlive = 15 * time.Second
	replayStale = time.Minute
	// ReplayTTL is how long an answer is kept: JetStream's duplicate
	// window, as for the commands that record events.
	ReplayTTL = 24 * time.Hour
)

// replay is one entry: a first attempt under way, or its answer.
type replay struct {
	Hash    string            `json:"hash"`
	Pending bool              `json:"pending,omitempty"`
	At      time.Time         `json:"at"`
	Status  int               `json:"status,omitempty"`
	Header  map[string]string `json:"header,omitempty"`
	Body    []byte            `json:"body,omitempty"`
}

// replayedHeaders are the answer's headers a replay sends again.
var replayedHeaders = []string{echo.HeaderContentType, echo.HeaderLocation, "ETag", "X-Accredit-Seq"}

// replayKey scopes a key like meta's command id: to the caller and the
// endpoint. Anonymous callers all share the empty actor, so for them the
// request's hash is part of the scope too: another caller's request under
// the same key is another entry, never answered with the first's answer
// nor refused for it; only the very same request is answered as the first.
func replayKey(c echo.Context, key string) string {
	a, req := actor(c), c.Request()
	s := a.ID + "\x00" + req.Method + "\x00" + req.URL.Path + "\x00" + key
	if a.ID == "" {
		s += "\x00" + requestHashOf(c)
	}
	sum := sha256.Sum256([]byte(s))
	return "r." + hex.EncodeToString(sum[:16])
}

func requestHashOf(c echo.Context) string {
	h, _ := c.Get("request_hash").(string)
	return h
}

// replayed answers a retried command with the first attempt's answer and
// runs it only once per key. Only a 2xx answer is kept: a refusal records
// nothing, so its retry is tried again.
func (s *Server) replayed(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		k, hash := c.Request().Header.Get("Idempotency-Key"), requestHashOf(c)
		if k == "" || hash == "" { // no key, or a body bind will refuse
			return next(c)
		}
		ctx, key := c.Request().Context(), replayKey(c, k)
		mine, _ := json.Marshal(replay{Hash: hash, Pending: true, At: time.Now()})
		deadline := time.Now().Add(replayWait)
		var rev uint64
		for {
			cur, r, claimed, err := s.replays.Claim(ctx, key, mine)
			if err != nil {
				return err
			}
			if claimed {
				rev = r
				break
			}
			var first replay
			if json.Unmarshal(cur, &first) != nil {
				first = replay{Hash: hash, Pending: true} // unreadable: taken over below
			}
			if first.Hash != hash {
				e := domain.Errorf(domain.Unprocessable, "this Idempotency-Key was already used for a different request; use a new key for a new request")
				e.Fields = []domain.FieldError{{Field: "Idempotency-Key", Reason: "already used with another method, path or body"}}
				return e
			}
			if !first.Pending {
				for _, h := range replayedHeaders {
					if v, ok := first.Header[h]; ok {
						c.Response().Header().Set(h, v)
					}
				}
				return c.Blob(first.Status, first.Header[echo.HeaderContentType], first.Body)
			}
			if time.Since(first.At) > replayStale {
				if r, err := s.replays.Update(ctx, key, mine, r); err == nil {
					rev = r
					break
				}
				continue // another retry took it over first
			}
			if time.Now().After(deadline) {
				e := domain.Errorf(domain.Conflict, "a request with this Idempotency-Key is still being answered; retry it with the same key")
				e.RetryAfter = 1
				return e
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
		return s.runOnce(c, next, key, hash, rev)
	}
}

// runOnce runs the claimed command, saying it is alive while it runs (a
// rebuild takes minutes), and keeps its answer or gives the key up.
func (s *Server) runOnce(c echo.Context, next echo.HandlerFunc, key, hash string, rev uint64) error {
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(replayAlive)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				v, _ := json.Marshal(replay{Hash: hash, Pending: true, At: time.Now()})
				mu.Lock()
				if r, err := s.replays.Update(context.Background(), key, v, rev); err == nil {
					rev = r
				}
				mu.Unlock()
			}
		}
	}()
	w := &teeWriter{ResponseWriter: c.Response().Writer}
	c.Response().Writer = w
	err := next(c)
	close(stop)
	<-done
	// Kept or given up whatever the client does now: a client that went
	// away is the one that retries.
	ctx := context.WithoutCancel(c.Request().Context())
	status := c.Response().Status
	if err != nil || !c.Response().Committed || status < 200 || status > 299 {
		if derr := s.replays.Delete(ctx, key); derr != nil {
			s.deps.Log.Warn("api: idempotency key not released", "err", derr)
		}
		return err
	}
	h := map[string]string{}
	for _, n := range replayedHeaders {
		if v := c.Response().Header().Get(n); v != "" {
			h[n] = v
		}
	}
	v, _ := json.Marshal(replay{Hash: hash, At: time.Now(), Status: status, Header: h, Body: w.buf.Bytes()})
	if perr := s.replays.Put(ctx, key, v); perr != nil {
		// Answered already: a retry runs the command again.
		s.deps.Log.Warn("api: answer not kept for its Idempotency-Key", "err", perr)
	}
	return nil
}

// teeWriter keeps a copy of what is written.
type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

// memReplays is the ReplayStore of a server given none: retries are then
// answered as the first on the same process only.
type memReplays struct {
	mu sync.Mutex
	m  map[string]memReplay
}

type memReplay struct {
	v   []byte
	rev uint64
	at  time.Time
}

func (m *memReplays) Claim(_ context.Context, key string, v []byte) ([]byte, uint64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire()
	if e, ok := m.m[key]; ok {
		return e.v, e.rev, false, nil
	}
	m.m[key] = memReplay{v: v, rev: 1, at: time.Now()}
	return nil, 1, true, nil
}

func (m *memReplays) Update(_ context.Context, key string, v []byte, rev uint64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.m[key]; !ok || e.rev != rev {
		return 0, domain.Errorf(domain.Conflict, "replay entry changed")
	}
	m.m[key] = memReplay{v: v, rev: rev + 1, at: time.Now()}
	return rev + 1, nil
}

func (m *memReplays) Put(_ context.Context, key string, v []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = memReplay{v: v, rev: m.m[key].rev + 1, at: time.Now()}
	return nil
}

func (m *memReplays) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
	return nil
}

// expire drops the entries older than ReplayTTL (with mu held).
func (m *memReplays) expire() {
	for k, e := range m.m {
		if time.Since(e.at) > ReplayTTL {
			delete(m.m, k)
		}
	}
}
