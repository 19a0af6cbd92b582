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

// TestAMapIsWrittenAsMarshalWritesIt: writeMap, which writes a model's
// large maps a value at a time, writes the bytes json.Marshal does: keys
// in byte order and escaped as Marshal escapes them, a nil map as null,
// in memory and to a file alike.
func TestAMapIsWrittenAsMarshalWritesIt(t *testing.T) {
	type value struct {
		N    int               `json:"n"`
		Text string            `json:"text,omitempty"`
		List []string          `json:"list"`
		By   map[string]string `json:"by,omitempty"`
	}
	many := map[string]*value{}
	for i := range 3*mapBatch + 7 {
		many[fmt.Sprintf("case-%05d", (i*7919)%100000)] = &value{N: i, List: []string{fmt.Sprint(i)}}
	}
	for name, m := range map[string]map[string]*value{
		"nil":   nil,
		"empty": {},
		"escaped keys and values": {"b<&>": {N: 1, Text: "<script>&</script>"}, "a\u2028": {N: 2, By: map[string]string{"z": "1", "a": "2"}},
			"é": nil, "A": {N: 3, List: []string{}}, "\"quoted\"": {N: 4}},
		"more than a batch": many,
	} {
		want := must(json.Marshal(m))
		mem := must(encodeInMemory(func(w *snapWriter) error { return writeMap(w, m) }))
		if !bytes.Equal(mem, want) {
			t.Errorf("%s, in memory:\n got %.300s\nwant %.300s", name, mem, want)
		}
		f := docFile(t)
		w := toFile(context.Background(), f, nil)
		if err := writeMap(w, m); err != nil {
			t.Fatal(err)
		}
		if err := w.finish(); err != nil {
			t.Fatal(err)
		}
		if file := must(os.ReadFile(f.Name())); !bytes.Equal(file, want) {
			t.Errorf("%s, in a file:\n got %.300s\nwant %.300s", name, file, want)
		}
	}
}

// TestAMapStopsBetweenBatches: a map's writing told to stop ends within a
// batch of values, not after encoding them all.
func TestAMapStopsBetweenBatches(t *testing.T) {
	m := map[string]int{}
	for i := range 10 * mapBatch {
		m[fmt.Sprint(i)] = i
	}
	f := docFile(t)
	stopping := errors.New("stopping")
	checks := 0
	w := toFile(context.Background(), f, func() error {
		if checks++; checks > 1 {
			return stopping
		}
		return nil
	})
	if err := writeMap(w, m); !errors.Is(err, stopping) {
		t.Fatalf("got %v, want the stop", err)
	}
	if err := w.buf.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(must(os.ReadFile(f.Name())), []byte(":")); n != mapBatch {
		t.Fatalf("%d values written before the stop, want the first batch's %d", n, mapBatch)
	}
}

// TestLargeModelsSnapshotAsMarshalDoes: the models whose snapshots are
// written a value at a time (calibration, the register) write the JSON
// json.Marshal made of them before, from a history with content in every
// part, through Snapshot and through the capture a snapshot file is
// written from: a field added to a model and left out of its writeTo
// fails here.
func TestLargeModelsSnapshotAsMarshalDoes(t *testing.T) {
	t.Parallel()
	_, r, _ := savedSnapshot(t, 11, 40, 900)
	typed := r.cur.Typed()
	if len(typed.Calibration.Cases) == 0 || len(typed.Calibration.Assessors) == 0 || len(typed.Register.Entries) == 0 || len(typed.Register.Cases) == 0 {
		t.Fatalf("the history holds %d calibration cases, %d assessors, %d register entries and %d register cases: too little to show anything",
			len(typed.Calibration.Cases), len(typed.Calibration.Assessors), len(typed.Register.Entries), len(typed.Register.Cases))
	}
	for _, m := range []interface {
		ReadModel
		capturer
	}{typed.Calibration, typed.Register} {
		want := must(json.Marshal(m))
		if got := must(m.Snapshot()); !bytes.Equal(got, want) {
			t.Errorf("%s's Snapshot:\n got %.300s\nwant %.300s", m.Name(), got, want)
		}
		f := docFile(t)
		w := toFile(context.Background(), f, nil)
		if err := m.capture()(w); err != nil {
			t.Fatal(err)
		}
		if err := w.finish(); err != nil {
			t.Fatal(err)
		}
		if got := must(os.ReadFile(f.Name())); !bytes.Equal(got, want) {
			t.Errorf("%s's capture:\n got %.300s\nwant %.300s", m.Name(), got, want)
		}
	}
}
