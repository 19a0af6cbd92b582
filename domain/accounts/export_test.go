package accounts

import (
	"sort"
	"sync/atomic"
)

// LegacyAddresses are the addresses, in the clear, by which the service
// finds users of the old directory stream.
func LegacyAddresses(s *Service) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for k := range s.dir.legacy {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CountHashes makes s count the new password hashes it makes (the slow
// KDF; not the checks of a password against a stored hash) and returns
// the count. Call it before s is used.
func CountHashes(s *Service) *atomic.Int64 {
	n, hash := new(atomic.Int64), s.hash
	s.hash = func(password string) string {
		n.Add(1)
		return hash(password)
	}
	return n
}
