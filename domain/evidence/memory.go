package evidence

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// MemoryBlobs is an in-memory Blobs for tests that build the services
// without JetStream. It holds whole files, so it is for small ones; it
// passes the same conformance suite (evidence/blobstest) as the JetStream
// store.
type MemoryBlobs struct {
	mu      sync.Mutex
	objects map[string][]byte
	stored  map[string]time.Time
}

// NewMemoryBlobs returns an empty in-memory blob store.
func NewMemoryBlobs() *MemoryBlobs {
	return &MemoryBlobs{objects: map[string][]byte{}, stored: map[string]time.Time{}}
}

// Put implements Blobs.
func (m *MemoryBlobs) Put(_ context.Context, name string, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("put object %s: %w", name, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[name] = b
	m.stored[name] = time.Now()
	return nil
}

// Get implements Blobs.
func (m *MemoryBlobs) Get(_ context.Context, name string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[name]
	if !ok {
		return nil, ErrNoBlob
	}
	return io.NopCloser(bytes.NewReader(b)), nil // b is never written again: Put replaces it
}

// Delete implements Blobs.
func (m *MemoryBlobs) Delete(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objects, name)
	delete(m.stored, name)
	return nil
}

// Walk implements Blobs, in name order.
func (m *MemoryBlobs) Walk(_ context.Context, fn func(name string, stored time.Time) error) error {
	m.mu.Lock()
	names := make([]string, 0, len(m.objects))
	for n := range m.objects {
		names = append(names, n)
	}
	m.mu.Unlock()
	slices.Sort(names)
	for _, n := range names {
		m.mu.Lock()
		at, ok := m.stored[n]
		m.mu.Unlock()
		if !ok {
			continue // deleted since
		}
		if err := fn(n, at); err != nil {
			return err
		}
	}
	return nil
}
