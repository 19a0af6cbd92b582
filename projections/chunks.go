package projections

import (
	"bytes"
	"encoding/json"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/emcc/accredit/domain/accreditation"
)

// The cases are most of the read-model snapshot (150 MB at 10k cases),
// and one JSON document is encoded and decoded on one core: that took most
// of a start from the snapshot and most of a stop. So the cases go in
// chunks of a fixed number, in id order (the same models give the same
// bytes), encoded and decoded by a worker per core.

// chunkCases is how many cases one chunk holds.
const chunkCases = 1024

// casesFile is the Cases snapshot.
type casesFile struct {
	Errors int               `json:"errors"`
	Chunks []json.RawMessage `json:"chunks"` // each a map of case id to case
}

// eachOnCores runs fn(i) for i in [0, n) on a worker per core and returns
// the first error.
func eachOnCores(n int, fn func(i int) error) error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := range next {
				errs[i] = fn(i)
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

func encodeCases(byID map[string]*accreditation.Case, errors int) ([]byte, error) {
	ids := slices.Sorted(maps.Keys(byID))
	chunks := make([][]byte, (len(ids)+chunkCases-1)/chunkCases)
	err := eachOnCores(len(chunks), func(i int) error {
		part := make(map[string]*accreditation.Case, chunkCases)
		for _, id := range ids[i*chunkCases : min((i+1)*chunkCases, len(ids))] {
			part[id] = byID[id]
		}
		var err error
		chunks[i], err = json.Marshal(part)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Joined by hand: json.Marshal would scan every chunk again.
	var b bytes.Buffer
	b.WriteString(`{"errors":` + strconv.Itoa(errors) + `,"chunks":[`)
	for i, c := range chunks {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(c)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

func decodeCases(data []byte) (map[string]*accreditation.Case, int, error) {
	var f casesFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, 0, err
	}
	parts := make([]map[string]*accreditation.Case, len(f.Chunks))
	err := eachOnCores(len(parts), func(i int) error { return json.Unmarshal(f.Chunks[i], &parts[i]) })
	if err != nil {
		return nil, 0, err
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	byID := make(map[string]*accreditation.Case, n)
	for _, p := range parts {
		maps.Copy(byID, p)
	}
	return byID, f.Errors, nil
}
