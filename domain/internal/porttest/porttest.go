// Package porttest runs the conformance suites of the domain's ports
// (keystoretest, blobstest, sessionstest, checkpointstest): each test of a
// suite on a fresh store of the implementation under test.
package porttest

import (
	"context"
	"testing"
	"time"
)

// Test is one behaviour of a port, checked on a fresh store.
type Test[S any] struct {
	Name string
	Fn   func(t *testing.T, s S)
}

// Run runs each test as a subtest on a store from newStore.
func Run[S any](t *testing.T, newStore func(t *testing.T) S, tests []Test[S]) {
	for _, tc := range tests {
		t.Run(tc.Name, func(t *testing.T) { tc.Fn(t, newStore(t)) })
	}
}

// Context is a context for one call of a test, bounded so that a store
// that hangs fails the test instead of the whole run.
func Context(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}
