package projections

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"runtime"
	"slices"
)

// A snapshot is written front to back while its models are encoded, a few
// chunks in memory at a time. Encoded whole before it was written, it was
// held in memory once more (634 MB at 1M events): a process's peak, each
// time one was written. Its heads give the sizes of what follows them, so
// a head is reserved before its parts and filled in once they are written:
// in a file as the head followed by spaces up to its room, JSON's
// whitespace before the comma after it (cutHead reads it as part of the
// head); in memory with nothing around it, so a model's Snapshot is the
// same JSON as it ever was.

// snapWriter is where a model's snapshot is encoded: a file or memory.
type snapWriter struct {
	ctx context.Context // checked between batches of chunks
	// stop, when set, also ends the writing between batches.
	stop func() error

	// A file: written through buf; off counts every byte, the room of
	// reserved heads included, and heads are filled in by finish.
	f     *os.File
	buf   *bufio.Writer
	off   int64
	heads []headRoom

	// Memory: the document in pieces; a reserved head is a piece set by
	// fill, and tail says the last piece is not one (Write adds to it).
	pieces [][]byte
	tail   bool
}

// headRoom is a reserved head: where it is and how much room it has.
type headRoom struct {
	at    int64 // in the file
	room  int
	piece int // in memory
	head  []byte
}

// inMemory encodes a snapshot into memory (see bytes).
func inMemory() *snapWriter { return &snapWriter{ctx: context.Background()} }

// toFile encodes a snapshot into f, which finish completes.
func toFile(ctx context.Context, f *os.File, stop func() error) *snapWriter {
	return &snapWriter{ctx: ctx, stop: stop, f: f, buf: bufio.NewWriterSize(f, 1<<20)}
}

func (w *snapWriter) Write(b []byte) (int, error) {
	if w.f == nil {
		if !w.tail {
			w.pieces, w.tail = append(w.pieces, nil), true
		}
		last := len(w.pieces) - 1
		w.pieces[last] = append(w.pieces[last], b...)
		return len(b), nil
	}
	n, err := w.buf.Write(b)
	w.off += int64(n)
	return n, err
}

func (w *snapWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// written is how many bytes a file holds so far (not kept in memory).
func (w *snapWriter) written() int64 { return w.off }

// reserve keeps room for a head of up to room bytes, set by fill.
func (w *snapWriter) reserve(room int) (int, error) {
	h := headRoom{at: w.off, room: room, piece: len(w.pieces)}
	if w.f == nil {
		w.pieces, w.tail = append(w.pieces, nil), false
		w.heads = append(w.heads, h)
		return len(w.heads) - 1, nil
	}
	w.heads = append(w.heads, h)
	for left := room; left > 0; {
		n, err := w.buf.Write(spaces[:min(left, len(spaces))])
		w.off += int64(n)
		if err != nil {
			return 0, err
		}
		left -= n
	}
	return len(w.heads) - 1, nil
}

var spaces = func() []byte {
	b := make([]byte, 4096)
	for i := range b {
		b[i] = ' '
	}
	return b
}()

// fill sets reserved head i, which must fit its room.
func (w *snapWriter) fill(i int, head []byte) error {
	h := &w.heads[i]
	if len(head) > h.room {
		return fmt.Errorf("snapshot head of %d bytes in a room of %d", len(head), h.room)
	}
	if w.f == nil {
		w.pieces[h.piece] = head
	}
	h.head = head
	return nil
}

// unfilled is an error when a reserved head was never filled.
func (w *snapWriter) unfilled() error {
	for _, h := range w.heads {
		if h.head == nil {
			return errors.New("snapshot head reserved and never written")
		}
	}
	return nil
}

// finish writes what is buffered and the heads of a file.
func (w *snapWriter) finish() error {
	if err := w.buf.Flush(); err != nil {
		return err
	}
	if err := w.unfilled(); err != nil {
		return err
	}
	for _, h := range w.heads {
		if _, err := w.f.WriteAt(h.head, h.at); err != nil {
			return err
		}
	}
	return nil
}

// bytes is the document written in memory.
func (w *snapWriter) bytes() []byte {
	n := 0
	for _, p := range w.pieces {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range w.pieces {
		out = append(out, p...)
	}
	return out
}

// goOn says whether the writing may go on: an error once its context has
// ended or stop says so.
func (w *snapWriter) goOn() error {
	if err := w.ctx.Err(); err != nil {
		return fmt.Errorf("snapshot not written: %w", err)
	}
	if w.stop != nil {
		return w.stop()
	}
	return nil
}

// roomFor is the room of a head that headOf makes from sizes: the longest
// it can be, with every size at its widest.
func roomFor(n int, headOf func(sizes []int) ([]byte, error)) (int, error) {
	widest := make([]int, n)
	for i := range widest {
		widest[i] = math.MaxInt64
	}
	b, err := headOf(widest)
	return len(b), err
}

// writeChunks writes a chunked document: the head that headOf makes of the
// chunks' sizes (a JSON object without its closing brace), then
// ,"chunks":[<chunk>,...]}, the n chunks encoded by encode on a worker per
// core, a batch of two a worker at a time, and written in order.
func writeChunks(w *snapWriter, n int, headOf func(sizes []int) ([]byte, error), encode func(i int) ([]byte, error)) error {
	room, err := roomFor(n, headOf)
	if err != nil {
		return err
	}
	head, err := w.reserve(room)
	if err != nil {
		return err
	}
	w.WriteString(`,"chunks":[`)
	sizes := make([]int, n)
	batch := 2 * runtime.GOMAXPROCS(0)
	chunks := make([][]byte, batch)
	for from := 0; from < n; from += batch {
		if err := w.goOn(); err != nil {
			return err
		}
		k := min(batch, n-from)
		if err := eachOnCores(k, func(_ *struct{}, i int) error {
			var err error
			chunks[i], err = encode(from + i)
			return err
		}); err != nil {
			return err
		}
		for i, c := range chunks[:k] {
			if from+i > 0 {
				w.WriteString(",")
			}
			if _, err := w.Write(c); err != nil {
				return err
			}
			sizes[from+i], chunks[i] = len(c), nil
		}
	}
	if _, err := w.WriteString("]}"); err != nil {
		return err
	}
	h, err := headOf(sizes)
	if err != nil {
		return err
	}
	return w.fill(head, h)
}

// openObject is a JSON object's encoding without its closing brace, to
// which fields are added.
func openObject(b []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("%q is not a JSON object", b)
	}
	return b[:len(b)-1], nil
}

// writeWhole writes a document encoded in one piece.
func writeWhole(encode func() ([]byte, error)) func(w *snapWriter) error {
	return func(w *snapWriter) error {
		b, err := encode()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
}

// mapBatch is how many of a map's values writeMap encodes between two
// checks that the writing may go on.
const mapBatch = 1024

// writeMap writes m as json.Marshal writes it ({"key":value,...}, the keys
// in byte order, null for a nil map), a value at a time. Marshalled whole,
// a model of one value per case was held in memory two or three times over
// while it was written (the encoder's buffer as it doubled, then the copy
// Marshal returns): at 1M events, 68 MB of calibration held 128 MB in the
// encoder's buffer alone, the start's peak of memory.
func writeMap[V any](w *snapWriter, m map[string]V) error {
	if m == nil {
		_, err := w.WriteString("null")
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // escapes HTML as Marshal does
	write := func(v any) error {
		buf.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	}
	if _, err := w.WriteString("{"); err != nil {
		return err
	}
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i%mapBatch == 0 {
			if err := w.goOn(); err != nil {
				return err
			}
		}
		if i > 0 {
			w.WriteString(",")
		}
		if err := write(k); err != nil {
			return err
		}
		w.WriteString(":")
		if err := write(m[k]); err != nil {
			return err
		}
	}
	_, err := w.WriteString("}")
	return err
}

// encodeInMemory is a model's snapshot encoded in memory.
func encodeInMemory(encode func(w *snapWriter) error) ([]byte, error) {
	w := inMemory()
	if err := encode(w); err != nil {
		return nil, err
	}
	if err := w.unfilled(); err != nil {
		return nil, err
	}
	return w.bytes(), nil
}

var _ io.Writer = (*snapWriter)(nil)
