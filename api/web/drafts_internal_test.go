package web

import (
	"io/fs"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accounts"
)

// TestDraftsOutliveASession: the script drops a draft last saved longer
// ago than DRAFT_FOR (static/app.js); a session made to live longer than
// that would lose the drafts its assessor should find at the next login.
func TestDraftsOutliveASession(t *testing.T) {
	b, err := fs.ReadFile(staticFS, "static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`var DRAFT_FOR = (\d+) \* 24 \* 60 \* 60 \* 1000;`).FindSubmatch(b)
	if m == nil {
		t.Fatal("app.js: no `var DRAFT_FOR = <days> * 24 * 60 * 60 * 1000;`")
	}
	d, _ := strconv.Atoi(string(m[1]))
	if got := time.Duration(d) * 24 * time.Hour; got <= accounts.SessionTTL {
		t.Fatalf("drafts are kept %v, want longer than a session lives, %v (accounts.SessionTTL)", got, accounts.SessionTTL)
	}
}
