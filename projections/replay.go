package projections

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
)

// A replay is a pipeline, because one goroutine doing all of it was most of
// why a rebuild ran at a fraction of the store's own ordered replay: the
// store's goroutine only hands the commits over, undecoded when the store
// can (eventstore.DeferredSubscriber); workers on every core decode the
// commits and their case events' payloads ahead, a batch each; one
// goroutine applies the batches in store order, taking each payload as
// decoded (Case.ApplyDecided). The payloads are decoded with encoding/json's
// semantics on its successor's decoder (jsonv1), in a third of the time.

// batchMax bounds a batch: the commits applied under one hold of the read
// lock while following, and the work one decoding worker takes at a time.
const batchMax = 128

// batch is a run of consecutive commits with their case payloads decoded.
type batch struct {
	pending []eventstore.Deferred
	commits []eventstore.Commit // decoded, once ready
	decoded [][]decodedEvent    // per commit, per event; nil for a commit of no case
	ready   chan struct{}       // closed once decoded
}

// decodedEvent is a case event upcast, with its payload decoded (nil when
// it did not decode: applying it then falls back to Apply, which counts it).
type decodedEvent struct {
	event   eventstore.Event
	payload any
}

func (b *batch) decode() {
	b.commits = make([]eventstore.Commit, len(b.pending))
	for i, d := range b.pending {
		b.commits[i] = d.Decode()
	}
	b.pending = nil
	b.decoded = make([][]decodedEvent, len(b.commits))
	// One array for the batch's case events, each commit's a part of it:
	// a rebuild's commits hold an event or two each, and an array apiece
	// was an allocation for every commit.
	n := 0
	for _, c := range b.commits {
		if isCase(c) {
			n += len(c.Events)
		}
	}
	all := make([]decodedEvent, n)
	for i, c := range b.commits {
		if !isCase(c) {
			continue
		}
		out := all[:len(c.Events):len(c.Events)]
		all = all[len(c.Events):]
		for j, e := range c.Events {
			up, payload, err := accreditation.DecodePayloadWith(e, unmarshalPayload)
			if err != nil {
				up, payload = e, nil
			}
			out[j] = decodedEvent{event: up, payload: payload}
		}
		b.decoded[i] = out
	}
	close(b.ready)
}

// unmarshalPayload decodes a case event's payload with jsonv2's defaults
// rather than with encoding/json's semantics on the same decoder (jsonv1),
// which took 4.5 to 4.9 µs a payload against 3.5 to 3.8 over 2,000
// generated cases' events. The payloads are encoding/json's output of the
// same Go types, and on that the two read the same (names matched
// exactly, no duplicate names, valid UTF-8, no time.Duration in a
// payload): TestTheReplayDecodesPayloadsAsEncodingJSONDoes holds it over
// generated histories, TestEveryPayloadTypeDecodesAsEncodingJSONDoes over
// every payload type's fields. A payload jsonv2 refuses is applied by
// Apply, which decodes it with encoding/json.
func unmarshalPayload(data []byte, v any) error { return jsonv2.Unmarshal(data, v) }

// isCase reports whether c is a commit of a case's stream, whose events'
// payloads the workers decode.
func isCase(c eventstore.Commit) bool {
	return strings.HasPrefix(c.Stream, accreditation.StreamPrefix+".")
}

// replay delivers the store's commits after from to apply, in order, in
// batches, until apply returns an error (returned as is), the store fails
// or ctx ends. Whatever the store delivered before it failed is applied
// before replay returns, so the caller's position is where to resume.
func replay(ctx context.Context, store eventstore.Store, from uint64, apply func(*batch) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	commits := make(chan eventstore.Deferred, 4*batchMax)
	work := make(chan *batch, runtime.GOMAXPROCS(0))
	ordered := make(chan *batch, 2*runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for b := range work {
				b.decode()
			}
		})
	}
	wg.Go(func() { batches(ctx, commits, work, ordered) })
	applied := make(chan error, 1)
	go func() {
		var err error
		for b := range ordered {
			<-b.ready
			if err == nil && ctx.Err() == nil {
				if err = apply(b); err != nil {
					cancel() // stops the store's delivery and the batching
				}
			}
		}
		applied <- err
	}()
	err := eventstore.SubscribeDeferred(ctx, store, from, func(c eventstore.Deferred) error {
		select {
		case commits <- c:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(commits)
	wg.Wait()
	if aerr := <-applied; aerr != nil {
		return aerr
	}
	return err
}

// batches groups the commits into batches of what has arrived, up to
// batchMax, and hands each to a decoding worker and, in order, to the
// applier; it closes both channels when the commits end or ctx does.
func batches(ctx context.Context, commits <-chan eventstore.Deferred, work, ordered chan<- *batch) {
	defer close(work)
	defer close(ordered)
	// Gathered in scratch and copied out at their size: while following the
	// store a batch is one commit, and room for batchMax each was over half
	// of what the read models allocated per command.
	scratch := make([]eventstore.Deferred, 0, batchMax)
	for c := range commits {
		scratch = append(scratch[:0], c)
	more:
		for len(scratch) < batchMax {
			select {
			case c, ok := <-commits:
				if !ok {
					break more
				}
				scratch = append(scratch, c)
			default:
				break more
			}
		}
		b := &batch{pending: slices.Clone(scratch), ready: make(chan struct{})}
		clear(scratch) // let the commits go with their batch
		// To a worker first: a batch the applier holds is always decoded.
		select {
		case work <- b:
		case <-ctx.Done():
			return
		}
		select {
		case ordered <- b:
		case <-ctx.Done():
			return
		}
	}
}
