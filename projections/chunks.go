package projections

import (
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"

	"github.com/emcc/accredit/domain/accreditation"
)

// The cases are most of the read-model snapshot (150 MB at 10k cases),
// and one JSON document is encoded and decoded on one core: that took most
// of a start from the snapshot and most of a stop. So the cases go in
// chunks of a fixed number, in id order (the same models give the same
// bytes), encoded and decoded by a worker per core. Each case is its
// summary and its JSON compressed: a cold case's is written as the model
// holds it, and read back without being decoded (see casestore.go).

// chunkCases is how many cases one chunk holds.
const chunkCases = 1024

// casesHead is what the Cases snapshot says before its chunks, each a map
// of case id to caseEntry: their sizes (see sized.go).
type casesHead struct {
	Errors int   `json:"errors"`
	Sizes  []int `json:"sizes"`
}

// eachOnCores runs fn(w, i) for i in [0, n) on a worker per core and
// returns the first error. Each worker has a W of its own, zero at first,
// and runs its calls one after another: what fn keeps in w between them
// is that worker's alone.
func eachOnCores[W any](n int, fn func(w *W, i int) error) error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			var w W
			for i := range next {
				errs[i] = fn(&w, i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// caseEntry is one case in a chunk: its summary and its JSON, compressed.
type caseEntry struct {
	Summary *summary `json:"s"`
	Case    []byte   `json:"c"`
}

func encodeCases(w *snapWriter, m *Cases) error {
	ids := slices.Sorted(maps.Keys(m.sums))
	headOf := func(sizes []int) ([]byte, error) {
		return openObject(json.Marshal(casesHead{Errors: m.Errors, Sizes: sizes}))
	}
	return writeChunks(w, (len(ids)+chunkCases-1)/chunkCases, headOf, func(i int) ([]byte, error) {
		chunk := ids[i*chunkCases : min((i+1)*chunkCases, len(ids))]
		// The chunk's cases read back from the spill go in one buffer.
		spilled := 0
		for _, id := range chunk {
			if c, ok := m.cold[id]; ok && c.s != nil {
				spilled += c.n
			}
		}
		buf := make([]byte, 0, spilled)
		part := make(map[string]caseEntry, chunkCases)
		for _, id := range chunk {
			e := caseEntry{Summary: m.sums[id]}
			if h, ok := m.hot[id]; ok {
				var err error
				if e.Case, err = compressCase(h.c); err != nil {
					return nil, err
				}
			} else if c, ok := m.cold[id]; ok && c.s == nil {
				e.Case = c.b
			} else if ok {
				at := len(buf)
				buf = buf[:at+c.n]
				if err := c.readInto(buf[at:]); err != nil {
					return nil, fmt.Errorf("case %s: %w", id, err)
				}
				e.Case = buf[at:]
			}
			part[id] = e
		}
		return json.Marshal(part)
	})
}

// decodeCases fills m, reset, from data: the cases cold, but for those the
// queues and renewal lists read, folded.
func decodeCases(data []byte, m *Cases) error {
	var f casesHead
	h, _, err := cutHead(data, "chunks", '[')
	if err != nil {
		return err
	}
	if err := json.Unmarshal(h, &f); err != nil {
		return err
	}
	chunks, err := splitSized(data, "chunks", '[', ']', nil, f.Sizes)
	if err != nil {
		return err
	}
	parts := make([]map[string]caseEntry, len(chunks))
	folded := make([]map[string]*accreditation.Case, len(chunks))
	cold := make([]map[string]coldCase, len(chunks))
	sp := m.spills.file()
	err = eachOnCores(len(parts), func(w *stowing, i int) error {
		if err := unmarshal(chunks[i], &parts[i]); err != nil {
			return err
		}
		dropPages(chunks[i])
		folded[i], cold[i] = map[string]*accreditation.Case{}, map[string]coldCase{}
		size := 0
		if sp != nil {
			size = len(chunks[i]) * 3 / 4 // the chunk's bytes, base64 decoded
		}
		w.reuse(size)
		for id, e := range parts[i] {
			if e.Summary == nil {
				return fmt.Errorf("case %s has no summary", id)
			}
			switch {
			case e.Summary.pinned():
				c, err := decompressCase(e.Case)
				if err != nil {
					return fmt.Errorf("case %s: %w", id, err)
				}
				folded[i][id] = c
			case sp == nil:
				cold[i][id] = coldCase{n: len(e.Case), b: e.Case}
			default:
				w.addBytes(id, e.Case)
				// The spill's copy is the only one kept: the decoded bytes
				// go with the chunk, not with every chunk at the end.
				parts[i][id] = caseEntry{Summary: e.Summary}
			}
		}
		if sp != nil {
			for k, c := range w.place(sp) {
				cold[i][w.ids[k]] = c
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.Errors = f.Errors
	for i, p := range parts {
		for id, e := range p {
			m.sums[id] = e.Summary
			if c, ok := folded[i][id]; ok {
				m.hot[id] = &hotCase{c: c, gen: m.gen}
			} else {
				m.putCold(id, cold[i][id])
			}
		}
	}
	return nil // the folded cases are the pinned ones: none idle
}
