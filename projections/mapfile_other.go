//go:build !unix

package projections

import "os"

// mapFile reads the file at path: no mapping off unix.
func mapFile(path string) (data []byte, release func(), err error) {
	b, err := os.ReadFile(path)
	return b, func() {}, err
}

// dropPages does nothing: the file was read into the heap.
func dropPages([]byte) {}
