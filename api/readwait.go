package api

import "time"

// DefaultReadWait is the read-your-writes bound where none is set.
const DefaultReadWait = 2 * time.Second

// Wait is the read-your-writes bound (ReadWait, ACCREDIT_READ_WAIT in
// accreditd): how long a read given ?min_seq waits, for the write side and
// the read models together (or for the search index), and how long a web
// form waits for the page it redirects to.
func (rs *ReadSide) Wait() time.Duration {
	if rs == nil || rs.ReadWait <= 0 {
		return DefaultReadWait
	}
	return rs.ReadWait
}
