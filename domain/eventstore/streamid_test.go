package eventstore_test

import (
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
)

// A stream name is dot-separated tokens of ASCII letters, digits, '-' and
// '_', at most 200 bytes; ValidStreamIDIn says the same of prefix.id
// without making the name (a repository asks it on every read).
func TestValidStreamID(t *testing.T) {
	for id, want := range map[string]bool{
		"accreditation.01M4KZNMC1XPZG78DTR6G18TN3": true, "a": true, "a-b_c.D9": true,
		strings.Repeat("a", 200): true, strings.Repeat("a", 201): false,
		"": false, ".": false, "a.": false, ".a": false, "a..b": false, "a b": false,
		"a.*": false, "a.>": false, ">": false, "é": false, "a\x00": false, "a/b": false,
	} {
		if got := eventstore.ValidStreamID(id); got != want {
			t.Errorf("ValidStreamID(%q) = %v, want %v", id, got, want)
		}
		if i := strings.IndexByte(id, '.'); i > 0 {
			if got := eventstore.ValidStreamIDIn(id[:i], id[i+1:]); got != want {
				t.Errorf("ValidStreamIDIn(%q, %q) = %v, want %v", id[:i], id[i+1:], got, want)
			}
		}
	}
	if eventstore.ValidStreamIDIn("accounts.user", strings.Repeat("a", 200-len("accounts.user."))+"a") {
		t.Error("ValidStreamIDIn: a name over 200 bytes")
	}
	if n := testing.AllocsPerRun(100, func() { validSink = eventstore.ValidStreamIDIn("accreditation", "01M4KZNMC1XPZG78DTR6G18TN3") }); n != 0 {
		t.Errorf("ValidStreamIDIn allocates %v times", n)
	}
}

// validSink keeps the measured call's result, so that it is not dropped.
var validSink bool
