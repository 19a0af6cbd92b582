package accounts

import (
	"context"
	"sync"
)

// MemorySessions is an in-memory SessionStore for tests that build the
// services without JetStream. It passes the same conformance suite
// (accounts/sessionstest) as the JetStream store.
type MemorySessions struct {
	mu     sync.Mutex
	byUser map[string]map[string]Session // user id -> token hash -> session
}

// NewMemorySessions returns an empty in-memory session store.
func NewMemorySessions() *MemorySessions {
	return &MemorySessions{byUser: map[string]map[string]Session{}}
}

// Put implements SessionStore.
func (m *MemorySessions) Put(_ context.Context, userID, tokenHash string, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byUser[userID] == nil {
		m.byUser[userID] = map[string]Session{}
	}
	m.byUser[userID][tokenHash] = s
	return nil
}

// Get implements SessionStore.
func (m *MemorySessions) Get(_ context.Context, userID, tokenHash string) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.byUser[userID][tokenHash]
	if !ok {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// Delete implements SessionStore.
func (m *MemorySessions) Delete(_ context.Context, userID, tokenHash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.byUser[userID], tokenHash)
	if len(m.byUser[userID]) == 0 {
		delete(m.byUser, userID)
	}
	return nil
}

// List implements SessionStore.
func (m *MemorySessions) List(_ context.Context, userID string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for h := range m.byUser[userID] {
		out = append(out, h)
	}
	return out, nil
}
