package projections

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestDropPagesGivesBackOnlyMappedPages: pages of a mapped file that have
// been decoded leave the process's memory (its resident size of the
// mapping falls) and read back as the file's bytes; a slice of the heap
// is left as it is; and a released mapping is no longer dropped from.
func TestDropPagesGivesBackOnlyMappedPages(t *testing.T) {
	t.Parallel()
	page := os.Getpagesize()
	want := bytes.Repeat([]byte("0123456789abcdef"), 64*page/16)
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, want, 0o600); err != nil {
		t.Fatal(err)
	}
	b, release, err := mapFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for i := 0; i < len(b); i += page {
		touched += b[i] // every page resident (kept in a global, or the loop goes)
	}
	before := residentKiB(t, b)
	dropPages(b[page/2:]) // all but the first page, which is cut
	after := residentKiB(t, b)
	if before < 64*page/1024 || after > before-62*page/1024 {
		t.Errorf("resident %d KiB of the mapping before dropping its pages, %d KiB after: want all but a page or two given back", before, after)
	}
	if !bytes.Equal(b, want) {
		t.Error("the mapped file reads otherwise after its pages were dropped")
	}

	heap := bytes.Repeat([]byte{7}, 64*page)
	dropPages(heap)
	if bytes.Count(heap, []byte{7}) != len(heap) {
		t.Fatal("dropPages changed a slice of the heap")
	}
}

var touched byte

// residentKiB is the resident size of the mapping holding b, from
// /proc/self/smaps.
func residentKiB(t *testing.T, b []byte) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	start := fmt.Sprintf("%x-", uintptr(unsafe.Pointer(&b[0])))
	in := false
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if first, _, _ := strings.Cut(line, " "); !strings.HasSuffix(first, ":") { // a mapping's first line
			in = strings.HasPrefix(line, start)
			continue
		}
		if in && strings.HasPrefix(line, "Rss:") {
			n, err := strconv.Atoi(strings.Fields(line)[1])
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no mapping at %s in /proc/self/smaps", start)
	return 0
}
