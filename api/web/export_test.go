package web

// SetFinishedPageSize sets how many finished cases a page shows, so that a
// test pages through a few; it returns the undo.
func SetFinishedPageSize(n int) (undo func()) {
	old := finishedLimit.Swap(int32(n))
	return func() { finishedLimit.Store(old) }
}
