// Package blobstest is the conformance suite of the blob-store port
// (evidence.Blobs): every implementation runs it (the in-memory one and the
// JetStream object store), so a test on one means the same on the other.
package blobstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/internal/porttest"
)

// Harness gives the suite a fresh, empty store per test.
type Harness struct {
	New func(t *testing.T) evidence.Blobs
}

// Run runs the whole suite.
func Run(t *testing.T, h Harness) {
	porttest.Run(t, h.New, []porttest.Test[evidence.Blobs]{
		{Name: "a name with no object is ErrNoBlob", Fn: missing},
		{Name: "put then get returns the same bytes", Fn: putAndGet},
		{Name: "an empty object is stored and read back empty", Fn: empty},
		{Name: "a 1 MiB + 7 byte object, read in small pieces, comes back whole", Fn: large},
		{Name: "a second put replaces the object, larger or smaller", Fn: replace},
		{Name: "delete removes the object; deleting again or a name never stored is not an error", Fn: deleteObject},
		{Name: "a put whose reader fails returns its error and stores nothing", Fn: failedPut},
		{Name: "names that share a prefix are independent", Fn: prefixes},
		{Name: "8 concurrent puts of different names are all kept", Fn: concurrentPuts},
		{Name: "an object closed before its end can be read again", Fn: closedEarly},
		{Name: "walk gives each object stored once, when it was stored, not a deleted one", Fn: walk},
	})
}

func ctx(t *testing.T) context.Context { return porttest.Context(t) }

// content is n bytes that differ from those of another seed.
func content(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

func mustPut(t *testing.T, s evidence.Blobs, name string, b []byte) {
	t.Helper()
	if err := s.Put(ctx(t), name, bytes.NewReader(b)); err != nil {
		t.Fatalf("put %s: %v", name, err)
	}
}

// read reads the object whole, in reads of size bytes.
func read(t *testing.T, s evidence.Blobs, name string, size int) ([]byte, error) {
	t.Helper()
	r, err := s.Get(ctx(t), name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out bytes.Buffer
	buf := make([]byte, size)
	for {
		n, err := r.Read(buf)
		out.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			return out.Bytes(), nil
		}
		if err != nil {
			return out.Bytes(), err
		}
	}
}

func wantObject(t *testing.T, s evidence.Blobs, name string, want []byte) {
	t.Helper()
	got, err := read(t, s, name, 32<<10)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %s: got %d bytes, want %d, or the bytes differ", name, len(got), len(want))
	}
}

func wantNone(t *testing.T, s evidence.Blobs, name string) {
	t.Helper()
	if r, err := s.Get(ctx(t), name); !errors.Is(err, evidence.ErrNoBlob) {
		if r != nil {
			r.Close()
		}
		t.Fatalf("get %s: got %v, want ErrNoBlob", name, err)
	}
}

func missing(t *testing.T, s evidence.Blobs) {
	wantNone(t, s, "01CASE/01NEVER")
}

func putAndGet(t *testing.T, s evidence.Blobs) {
	b := []byte("%PDF-1.7 sealed bytes")
	mustPut(t, s, "case/ev", b)
	wantObject(t, s, "case/ev", b)
}

func empty(t *testing.T, s evidence.Blobs) {
	mustPut(t, s, "case/empty", nil)
	wantObject(t, s, "case/empty", nil)
}

func large(t *testing.T, s evidence.Blobs) {
	b := content(1, 1<<20+7)
	mustPut(t, s, "case/large", b)
	got, err := read(t, s, "case/large", 1000)
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("read in 1000-byte pieces: got %d bytes, %v, want %d", len(got), err, len(b))
	}
}

func replace(t *testing.T, s evidence.Blobs) {
	big, small, again := content(1, 300<<10), []byte("small"), content(2, 200<<10)
	mustPut(t, s, "case/ev", big)
	mustPut(t, s, "case/ev", small)
	wantObject(t, s, "case/ev", small)
	mustPut(t, s, "case/ev", again)
	wantObject(t, s, "case/ev", again)
}

func deleteObject(t *testing.T, s evidence.Blobs) {
	b := content(3, 200<<10)
	mustPut(t, s, "case/ev", b)
	for i := range 2 {
		if err := s.Delete(ctx(t), "case/ev"); err != nil {
			t.Fatalf("delete %d: %v", i+1, err)
		}
	}
	wantNone(t, s, "case/ev")
	if err := s.Delete(ctx(t), "case/never"); err != nil {
		t.Fatalf("delete of a name never stored: %v", err)
	}
	mustPut(t, s, "case/ev", []byte("again"))
	wantObject(t, s, "case/ev", []byte("again"))
}

// failingReader yields n bytes, then fails.
type failingReader struct {
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	k := min(len(p), f.n)
	clear(p[:k])
	f.n -= k
	return k, nil
}

// An upload is sealed as it is stored: a sealing failure part way must not
// leave a truncated file, under a new name or over an existing one.
func failedPut(t *testing.T, s evidence.Blobs) {
	broken := errors.New("sealer failed")
	err := s.Put(ctx(t), "case/new", &failingReader{n: 300 << 10, err: broken})
	if !errors.Is(err, broken) {
		t.Fatalf("put from a failing reader: got %v, want its error", err)
	}
	wantNone(t, s, "case/new")
	old := content(4, 150<<10)
	mustPut(t, s, "case/old", old)
	if err := s.Put(ctx(t), "case/old", &failingReader{n: 10, err: broken}); !errors.Is(err, broken) {
		t.Fatalf("replacing put from a failing reader: got %v, want its error", err)
	}
	wantObject(t, s, "case/old", old)
}

func prefixes(t *testing.T, s evidence.Blobs) {
	names := []string{"01CASE", "01CASE/01EV", "01CASE/01EV0", "01CASE/01EV/x"}
	for _, n := range names {
		mustPut(t, s, n, []byte(n))
	}
	if err := s.Delete(ctx(t), "01CASE/01EV"); err != nil {
		t.Fatal(err)
	}
	wantNone(t, s, "01CASE/01EV")
	for _, n := range []string{"01CASE", "01CASE/01EV0", "01CASE/01EV/x"} {
		wantObject(t, s, n, []byte(n))
	}
}

func concurrentPuts(t *testing.T, s evidence.Blobs) {
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Put(ctx(t), fmt.Sprintf("case/ev%d", i), bytes.NewReader(content(byte(i), 200<<10)))
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("put %d: %v", i, errs[i])
		}
		wantObject(t, s, fmt.Sprintf("case/ev%d", i), content(byte(i), 200<<10))
	}
}

func closedEarly(t *testing.T, s evidence.Blobs) {
	b := content(5, 300<<10)
	mustPut(t, s, "case/ev", b)
	r, err := s.Get(ctx(t), "case/ev")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(r, make([]byte, 1000)); err != nil {
		t.Fatalf("first 1000 bytes: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	wantObject(t, s, "case/ev", b)
}

func walk(t *testing.T, s evidence.Blobs) {
	seen := map[string]int{}
	if err := s.Walk(ctx(t), func(name string, _ time.Time) error { seen[name]++; return nil }); err != nil || len(seen) != 0 {
		t.Fatalf("walk of an empty store: got %v, %v; want nothing", seen, err)
	}
	before := time.Now().Add(-time.Minute) // the store's clock may be another's: a minute's leeway
	for _, n := range []string{"a/1", "a/2", "b/1"} {
		mustPut(t, s, n, []byte(n))
	}
	mustPut(t, s, "a/2", []byte("again")) // replaced: still one object
	if err := s.Delete(ctx(t), "b/1"); err != nil {
		t.Fatal(err)
	}
	after := time.Now().Add(time.Minute)
	if err := s.Walk(ctx(t), func(name string, at time.Time) error {
		seen[name]++
		if at.Before(before) || at.After(after) {
			t.Errorf("%s stored at %v: want about now", name, at)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen["a/1"] != 1 || seen["a/2"] != 1 {
		t.Fatalf("walk: got %v, want a/1 and a/2 once each", seen)
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.Walk(ctx(t), func(string, time.Time) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("walk stopped by its function: got %v after %d calls, want stop after 1", err, calls)
	}
}
