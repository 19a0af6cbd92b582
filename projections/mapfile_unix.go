//go:build unix

package projections

import (
	"os"
	"syscall"
)

// mapFile maps the file at path into memory, private and copy-on-write,
// until release is called. A snapshot of hundreds of megabytes read into
// the heap cost its size in fresh pages first (2.5 s for 634 MB at 1M
// events on a 2-core VM, where the restore itself took 6) and held it
// until the collector gave it back; mapped, its pages come from the page
// cache as the decoders reach them and leave with release.
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
	return b, func() { _ = syscall.Munmap(b) }, nil
}
