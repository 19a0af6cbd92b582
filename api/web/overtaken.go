package web

import (
	"errors"
	"maps"
	"slices"

	"github.com/emcc/accredit/domain"
)

// A form that merges (merge, mergeProfile) reads what it replaces, then
// saves against the version it read. Another save landing in between (two
// tabs sent at the same moment) made it stale though it changed other
// fields, and the page said it was not saved; a moment later it would
// have been merged and saved. againIfOvertaken runs such a form's handler
// once more, on the form as sent, when its save was refused so: merged
// with what was saved in between it goes through, and a field changed
// both ways is refused the second time as it would have been the first.

// errOvertaken is what a merging handler returns, on its first run, for a
// save refused as stale (overtaken), for againIfOvertaken to run it again.
var errOvertaken = errors.New("web: a merging save was overtaken")

// overtaken reports that err refuses this request's merging save as stale
// on its first run.
func (x *ctx) overtaken(err error) bool {
	return !x.again && domain.Is(err, domain.PreconditionFailed)
}

// againIfOvertaken is h run again once, on the form as it was sent (a
// merge changes x.form), when it returns errOvertaken.
func againIfOvertaken(h func(*ctx) error) func(*ctx) error {
	return func(x *ctx) error {
		sent := make(map[string][]string, len(x.form))
		for k, v := range x.form {
			sent[k] = slices.Clone(v)
		}
		err := h(x)
		if !errors.Is(err, errOvertaken) {
			return err
		}
		x.form, x.again = maps.Clone(sent), true
		return h(x)
	}
}
