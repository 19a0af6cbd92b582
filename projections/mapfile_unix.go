//go:build unix

package projections

import (
	"os"
	"slices"
	"sync"
	"syscall"
	"unsafe"
)

// mapFile maps the file at path into memory, private and copy-on-write,
// until release is called. A snapshot of hundreds of megabytes read into
// the heap cost its size in fresh pages first (2.5 s for 634 MB at 1M
// events on a 2-core VM, where the restore itself took 6) and held it
// until the collector gave it back; mapped, its pages come from the page
// cache as the decoders reach them and leave with release (or before, see
// dropPages).
//
// What is read from the mapping must not be kept past release: the
// models' Restore decode into values of their own (the JSON decoders copy
// strings and bytes; TestRestoredModelsKeepNothingOfTheFile).
func mapFile(path string) (data []byte, release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() == 0 || int64(int(st.Size())) != st.Size() {
		b, err := os.ReadFile(path) // nothing to map (or too much for int)
		return b, func() {}, err
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		b, err := os.ReadFile(path)
		return b, func() {}, err
	}
	m := span{start: uintptr(unsafe.Pointer(&b[0])), end: uintptr(unsafe.Pointer(&b[0])) + uintptr(len(b))}
	mappings.Lock()
	mappings.spans = append(mappings.spans, m)
	mappings.Unlock()
	return b, func() {
		mappings.Lock()
		mappings.spans = slices.DeleteFunc(mappings.spans, func(s span) bool { return s == m })
		mappings.Unlock()
		_ = syscall.Munmap(b)
	}, nil
}

type span struct{ start, end uintptr }

// mappings are the files mapped by mapFile and not yet released.
var mappings struct {
	sync.Mutex
	spans []span
}

// dropPages gives back the pages wholly inside b once it has been decoded,
// when b lies in a file mapFile mapped: they leave the process's memory at
// once rather than at release, so the restore's peak does not hold the
// whole file beside the models it grows (a read of them again gets the
// file's bytes back from the page cache). Anywhere else (the heap) it does
// nothing.
func dropPages(b []byte) {
	page := uintptr(os.Getpagesize())
	if uintptr(len(b)) < 2*page {
		return
	}
	start := uintptr(unsafe.Pointer(&b[0]))
	end := start + uintptr(len(b))
	// Not held across the madvise: the decoding goroutines drop their
	// parts at once, and a mapping is released only after they are done.
	mappings.Lock()
	mapped := slices.ContainsFunc(mappings.spans, func(s span) bool { return s.start <= start && end <= s.end })
	mappings.Unlock()
	if !mapped {
		return
	}
	from, to := (start+page-1)&^(page-1), end&^(page-1)
	if to <= from {
		return
	}
	_ = syscall.Madvise(b[from-start:to-start], syscall.MADV_DONTNEED)
}
