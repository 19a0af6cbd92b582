package accounts

import "sort"

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
