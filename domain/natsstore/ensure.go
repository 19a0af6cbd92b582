package natsstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Bounds of ensure: the first attempt, the longest one, and all together.
// Two processes creating the same stream at the same moment on a cluster
// can both wait for an answer that does not come, although the stream is
// created: the first attempts are kept short, and grow in case the cluster
// is merely slow.
const (
	ensureFirst   = time.Second
	ensureAttempt = 15 * time.Second
	ensureTotal   = 3 * time.Minute
)

// ensure creates (or looks up) a stream or bucket, retrying with backoff
// what a cluster still forming, or another process creating the same thing
// at the same moment, answers: timeouts, "no responders", "temporarily
// unavailable", "no suitable peers" and "name already in use". Every
// process of a cluster may start at once (the StatefulSet's replicas do), so
// creation must be create-or-lookup and must outlast the first election.
// Any other error (a configuration the server refuses) is returned at once.
func ensure[T any](ctx context.Context, log *slog.Logger, what string, create func(ctx context.Context) (T, error)) (T, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ensureTotal)
		defer cancel()
	}
	backoff := 100 * time.Millisecond
	limit := ensureFirst
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, limit)
		v, err := create(actx)
		cancel()
		if err == nil {
			return v, nil
		}
		if !transient(err) || ctx.Err() != nil {
			var zero T
			return zero, fmt.Errorf("%s (after %d attempts): %w", what, attempt, err)
		}
		if log != nil && attempt%3 == 0 {
			log.Warn("JetStream is not answering yet; still trying", "what", what, "attempt", attempt, "err", err)
		}
		// Jitter, so that processes started together do not retry together.
		sleep := backoff/2 + rand.N(backoff)
		select {
		case <-ctx.Done():
			var zero T
			return zero, fmt.Errorf("%s (after %d attempts): %w", what, attempt, err)
		case <-time.After(sleep):
		}
		backoff = min(2*backoff, 5*time.Second)
		limit = min(2*limit, ensureAttempt)
	}
}

// errNotYet marks a lookup of something just created that the cluster has
// not made visible here yet: worth asking again.
var errNotYet = errors.New("not visible yet")

// transient reports whether a JetStream management error may go away by
// itself while a cluster forms or another process creates the same stream.
func transient(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrJetStreamNotEnabled) ||
		errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) || errors.Is(err, nats.ErrConnectionReconnecting) ||
		errors.Is(err, errNotYet) {
		return true
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode {
		case 10008, // JetStream system temporarily unavailable
			10005,                              // no suitable peers for placement (a node not yet in)
			10023,                              // insufficient resources (peers not yet reported)
			jetstream.JSErrCodeStreamNameInUse: // created by another process just now
			return true
		case 10074: // replicas > 1 on a single server: a configuration error
			return false
		}
		return apiErr.Code >= 500
	}
	return false
}
