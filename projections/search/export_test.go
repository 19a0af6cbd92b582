package search

// Passed is how many commits x moved past undecoded.
func Passed(x *Index) uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.passedOver
}

// ResumedFrom is the position x resumed from, its snapshot's (0: none).
func ResumedFrom(x *Index) uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.resumedFrom
}
