package web

// SetFinishedPageSize sets how many finished cases a page shows, so that a
// test pages through a few; it returns the undo.
func SetFinishedPageSize(n int) (undo func()) {
	old := finishedLimit.Swap(int32(n))
	return func() { finishedLimit.Store(old) }
}

// SetRegisterPageSize sets how many rows a page of the public register
// shows; it returns the undo.
func SetRegisterPageSize(n int) (undo func()) {
	old := registerPage.Swap(int32(n))
	return func() { registerPage.Store(old) }
}

// SetOfficeQueuePageSize sets how many cases a page of the office's queue
// shows; it returns the undo.
func SetOfficeQueuePageSize(n int) (undo func()) {
	old := officeQueuePage.Swap(int32(n))
	return func() { officeQueuePage.Store(old) }
}

// SetAssessorQueuePageSize sets how many cases each list of an assessor's
// queue page shows; it returns the undo.
func SetAssessorQueuePageSize(n int) (undo func()) {
	old := assessorQueuePage.Swap(int32(n))
	return func() { assessorQueuePage.Store(old) }
}
