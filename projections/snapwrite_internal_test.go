package projections

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections/historygen"
)

// chunkOf is chunk i of a test document: a JSON array of about 64 KiB.
func chunkOf(i int) []byte {
	return must(json.Marshal([]string{fmt.Sprintf("%d:%s", i, bytes.Repeat([]byte{'a' + byte(i%26)}, 64<<10))}))
}

// docFile is a new file for a test document, closed after the test.
func docFile(t *testing.T) *os.File {
	f, err := os.Create(filepath.Join(t.TempDir(), "doc.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func sizedHead(sizes []int) ([]byte, error) {
	return openObject(json.Marshal(sizedChunks{Sizes: sizes}))
}

// TestASnapshotIsWrittenAsItIsEncoded: a chunked document goes to the file
// while its chunks are encoded, so that no more than a batch of them (two a
// core) is ever held; the file reads back as the same document, which in
// memory is exactly {"sizes":[...],"chunks":[...]} as ever.
func TestASnapshotIsWrittenAsItIsEncoded(t *testing.T) {
	const n = 60
	f := docFile(t)
	w := toFile(context.Background(), f, nil)
	writtenAt := make([]int64, n)
	if err := writeChunks(w, n, sizedHead, func(i int) ([]byte, error) {
		writtenAt[i] = w.written()
		return chunkOf(i), nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	held := 2 * runtime.GOMAXPROCS(0)
	before := int64(len(`,"chunks":[`))
	for i := range n {
		if i >= held && writtenAt[i] < before {
			t.Fatalf("chunk %d was encoded with %d bytes in the file, want at least the %d of the chunks up to %d: more than %d chunks held",
				i, writtenAt[i], before, i-held, held)
		}
		if i >= held {
			before += int64(len(chunkOf(i-held))) + 1
		}
	}

	file := must(os.ReadFile(f.Name()))
	chunks, err := splitChunked(file)
	if err != nil {
		t.Fatalf("the file does not read back: %v", err)
	}
	var sizes []int
	for i, c := range chunks {
		if !bytes.Equal(c, chunkOf(i)) {
			t.Fatalf("chunk %d read back differs", i)
		}
		sizes = append(sizes, len(c))
	}
	if len(chunks) != n {
		t.Fatalf("%d chunks read back, want %d", len(chunks), n)
	}

	mem := must(encodeInMemory(func(w *snapWriter) error {
		return writeChunks(w, n, sizedHead, func(i int) ([]byte, error) { return chunkOf(i), nil })
	}))
	head := must(json.Marshal(map[string][]int{"sizes": sizes}))
	want := append(head[:len(head)-1:len(head)-1], `,"chunks":[`...)
	want = append(append(want, bytes.Join(chunks, []byte(","))...), "]}"...)
	if !bytes.Equal(mem, want) {
		t.Fatalf("in memory the document is not as before:\n got %.200s\nwant %.200s", mem, want)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, file); err != nil || !bytes.Equal(compact.Bytes(), want) {
		t.Fatalf("the file is not the same JSON as in memory (%v)", err)
	}
}

// TestASnapshotStopsBetweenBatches: a write told to stop (its context
// ended, or the read side stopping) ends before the next batch of chunks,
// not after encoding them all.
func TestASnapshotStopsBetweenBatches(t *testing.T) {
	const n = 60
	f := docFile(t)
	var encoded, stopped atomic.Int64
	stopping := errors.New("stopping")
	w := toFile(context.Background(), f, func() error {
		if stopped.Load() > 0 {
			return stopping
		}
		return nil
	})
	err := writeChunks(w, n, sizedHead, func(i int) ([]byte, error) {
		if encoded.Add(1) == 1 {
			stopped.Store(1)
		}
		return chunkOf(i), nil
	})
	if !errors.Is(err, stopping) {
		t.Fatalf("got %v, want the stop", err)
	}
	if got := encoded.Load(); got > int64(2*runtime.GOMAXPROCS(0)) {
		t.Fatalf("%d chunks encoded after the stop came with the first", got)
	}
}

// TestAHeadLongerThanItsRoomIsAnError: a head is never written over what
// follows its room.
func TestAHeadLongerThanItsRoomIsAnError(t *testing.T) {
	for _, w := range []*snapWriter{inMemory(), toFile(context.Background(), docFile(t), nil)} {
		h := must(w.reserve(3))
		if err := w.fill(h, []byte(`{"a":1`)); err == nil {
			t.Fatal("a head of 6 bytes filled a room of 3")
		}
	}
}

// TestASaveStoppedByShutdownLeavesNoFile: a save under way when the read
// side stops writes neither the snapshot nor its temporary file.
func TestASaveStoppedByShutdownLeavesNoFile(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 3)
	defer g.Close()
	g.OpenCases(t, 5)
	dir := t.TempDir()
	r := NewRunner(store, NewSet, Options{SnapshotDir: dir, Schema: Schema, SnapshotEvery: 1 << 40})
	r.Start()
	defer r.Stop()
	waitUntil(t, r, lastSeqOf(t, r))
	r.closing.Store(true) // as closeFiles does before it waits
	if err := r.SaveSnapshot(); err == nil {
		t.Fatal("a save went on while the read side stopped")
	}
	if names := must(os.ReadDir(dir)); len(names) != 0 {
		t.Fatalf("the stopped save left %v", names)
	}
}
