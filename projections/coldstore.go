package projections

import (
	"bytes"
	"fmt"
	"os"
	"sync"

	"github.com/emcc/accredit/domain/accreditation"
)

// The cold cases' compressed JSON (deflated then, about 5.6 KiB each) was a
// fifth of the live heap at 100k cases (427 MB of 2.1 GB), and with the collector's
// headroom twice that in memory held: memory that grew with every case
// ever opened, though most are finished and read rarely. With a snapshot
// directory, the cases model keeps them in a scratch file there instead
// (a spill), and the heap holds only where each is: a read of a cold
// case reads its bytes back (from the page cache, which the system can
// reclaim), as it inflated them before. Without a directory (tests, a
// read side with no snapshot) they stay on the heap.
//
// The file is unlinked as soon as it is created: it is nobody's data,
// the snapshot keeps the cases, and a crash leaves nothing to clean. It
// is closed when nothing refers to it any more (os.File's cleanup): a
// snapshot's capture may still read it after the model has moved on.
//
// A spill only grows: a case warmed again, or compressed anew, leaves its
// old bytes behind. Once its garbage outweighs what the model still
// reads there (and spillSlack), the model starts a new file and moves the
// cases left in the old one a batch at a time, as it applies events
// (migrateBatch): a move of every case at once held the follower, and
// every reader, for the time it takes to copy hundreds of megabytes.

// spillSlack is how much garbage a spill may hold before it is replaced,
// whatever its live size: a small model is not copied again and again.
// A variable for the tests.
var spillSlack int64 = 64 << 20

// migrateBatch is how many cases are moved from a replaced spill each
// time the model applies an event (about 1.4 MB, a millisecond or so).
// A variable for the tests.
var migrateBatch = 256

// spill is a scratch file of compressed cases, appended to.
type spill struct {
	f   *os.File
	mu  sync.Mutex // end, for the restore's workers that append at once
	end int64
	// live is how many of its bytes the model still refers to; the
	// follower alone changes it (and the restore, before the follower).
	live int64
}

// newSpill creates a spill in dir, already unlinked.
func newSpill(dir string) (*spill, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "cold-cases-*.tmp")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		// A system that cannot unlink an open file: the heap it is.
		f.Close()
		_ = os.Remove(f.Name())
		return nil, err
	}
	return &spill{f: f}, nil
}

// append writes b at the file's end and returns where.
func (s *spill) append(b []byte) (int64, error) {
	s.mu.Lock()
	off := s.end
	s.end += int64(len(b))
	s.mu.Unlock()
	if _, err := s.f.WriteAt(b, off); err != nil {
		return 0, err
	}
	return off, nil
}

// size is how many bytes the file holds.
func (s *spill) size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end
}

// coldCase is where a cold case's compressed JSON is: n bytes at off in a
// spill, or b on the heap.
type coldCase struct {
	s   *spill
	off int64
	n   int
	b   []byte
}

// read returns the bytes, in buf (grown to fit) when they are in a spill.
func (c coldCase) read(buf []byte) ([]byte, error) {
	if c.s == nil {
		return c.b, nil
	}
	if cap(buf) < c.n {
		buf = make([]byte, c.n)
	}
	buf = buf[:c.n]
	return buf, c.readInto(buf)
}

// readInto reads the bytes of a case in a spill into dst, of its length.
func (c coldCase) readInto(dst []byte) error {
	if n, err := c.s.f.ReadAt(dst, c.off); n < c.n {
		return fmt.Errorf("reading a cold case back: %d of %d bytes: %w", n, c.n, err)
	}
	return nil
}

// readBufs holds buffers for reading cold cases out of a spill.
var readBufs sync.Pool

// decompressCold decodes a cold case wherever it is.
func decompressCold(c coldCase) (*accreditation.Case, error) {
	if c.s == nil {
		return decompressCase(c.b)
	}
	p, _ := readBufs.Get().(*[]byte)
	if p == nil {
		p = new([]byte)
	}
	defer readBufs.Put(p)
	b, err := c.read(*p)
	if err != nil {
		return nil, err
	}
	*p = b
	return decompressCase(b)
}

// stowing gathers what a model spills (compressed cases, decision records'
// JSON) to write to a spill in one write.
type stowing struct {
	ids  []string
	ends []int // each case's end in buf
	buf  bytes.Buffer
}

// add compresses c into the batch.
func (w *stowing) add(id string, c *accreditation.Case) error {
	mark := w.buf.Len()
	if err := compressInto(c, &w.buf); err != nil {
		w.buf.Truncate(mark)
		return err
	}
	w.ids, w.ends = append(w.ids, id), append(w.ends, w.buf.Len())
	return nil
}

// reuse empties w for another batch of about size bytes, keeping its
// buffer: a restore's worker gathers chunk after chunk in one, each placed
// (in the spill, or copied out) before the next. A fresh buffer a chunk
// was allocated and cleared each time, and the decision records' grew by
// doubling: 1.7 s of the 11.9 s of CPU sampled over a restart at 1M events.
func (w *stowing) reuse(size int) {
	w.ids, w.ends = w.ids[:0], w.ends[:0]
	w.buf.Reset()
	w.buf.Grow(size)
}

// addBytes adds bytes as they are (a case already compressed, a record).
func (w *stowing) addBytes(id string, b []byte) {
	w.buf.Write(b)
	w.ids, w.ends = append(w.ids, id), append(w.ends, w.buf.Len())
}

// place writes the batch to s and returns where each case is, in the
// order added (w.ids); with no spill, or when the write fails, each case's
// bytes stay on the heap.
func (w *stowing) place(s *spill) []coldCase {
	data := w.buf.Bytes()
	var base int64
	var err error
	if s != nil && len(data) > 0 {
		base, err = s.append(data)
	}
	at := make([]coldCase, len(w.ids))
	from := 0
	for i, end := range w.ends {
		if s == nil || err != nil {
			at[i] = coldCase{n: end - from, b: bytes.Clone(data[from:end])}
		} else {
			at[i] = coldCase{s: s, off: base + int64(from), n: end - from}
		}
		from = end
	}
	return at
}

// spillPlace is where a model spills: a directory, and the spill now
// written there, made at first use.
type spillPlace struct {
	dir    string // "" keeps everything on the heap
	cur    *spill
	failed bool // the file could not be made: not tried again for every batch
}

// file returns the current spill; nil without a directory or when the
// file cannot be made (the heap then holds what it would have).
func (p *spillPlace) file() *spill {
	if p.cur != nil || p.dir == "" || p.failed {
		return p.cur
	}
	s, err := newSpill(p.dir)
	if err != nil {
		p.failed = true
		return nil
	}
	p.cur = s
	return s
}

// putCold records where cold case id is.
func (m *Cases) putCold(id string, c coldCase) {
	m.dropCold(id)
	m.cold[id] = c
	if c.s != nil {
		c.s.live += int64(c.n)
	}
}

// dropCold forgets cold case id (warmed, or compressed anew).
func (m *Cases) dropCold(id string) {
	if c, ok := m.cold[id]; ok {
		if c.s != nil {
			c.s.live -= int64(c.n)
		}
		delete(m.cold, id)
	}
}

// stow writes a batch of compressed cases to the spill and records them.
func (m *Cases) stow(w *stowing) {
	m.putAll(w)
	m.tidySpill()
}

// putAll writes a batch to the spill and records where each case is.
func (m *Cases) putAll(w *stowing) {
	for i, c := range w.place(m.spills.file()) {
		m.putCold(w.ids[i], c)
	}
}

// tidySpill replaces the spill once its garbage outweighs what is still
// read there, and moves a batch of the cases left in a replaced one.
func (m *Cases) tidySpill() {
	if cur := m.spills.cur; m.oldSpill == nil && cur != nil {
		if end := cur.size(); end-cur.live > cur.live+spillSlack {
			m.oldSpill, m.spills.cur = cur, nil
			m.spillsReplaced++
			m.moving = m.moving[:0]
			for id, c := range m.cold {
				if c.s == m.oldSpill {
					m.moving = append(m.moving, id)
				}
			}
		}
	}
	if m.oldSpill == nil {
		return
	}
	var w stowing
	var buf []byte
	for len(m.moving) > 0 && len(w.ids) < migrateBatch {
		id := m.moving[len(m.moving)-1]
		m.moving = m.moving[:len(m.moving)-1]
		c, ok := m.cold[id]
		if !ok || c.s != m.oldSpill {
			continue // warmed, or compressed anew, since
		}
		b, err := c.read(buf)
		if err != nil {
			continue // stays where it is, read from the old file
		}
		buf = b
		w.addBytes(id, b)
	}
	m.putAll(&w)
	if len(m.moving) == 0 {
		m.oldSpill = nil // closed once no capture reads it
	}
}

// dropSpills forgets the spills (a reset): whatever still reads them (a
// capture) keeps them open until it is done.
func (m *Cases) dropSpills() {
	m.spills = spillPlace{dir: m.spills.dir}
	m.oldSpill, m.moving = nil, nil
}
