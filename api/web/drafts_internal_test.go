package web

import (
	"io/fs"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accounts"
)

// TestDraftsLastAsLongAsASession: the script drops a draft older than the
// longest a session lives (static/app.js, DRAFT_FOR); a session made
// longer or shorter must move that bound with it.
func TestDraftsLastAsLongAsASession(t *testing.T) {
	b, err := fs.ReadFile(staticFS, "static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`var DRAFT_FOR = (\d+) \* 60 \* 60 \* 1000;`).FindSubmatch(b)
	if m == nil {
		t.Fatal("app.js: no `var DRAFT_FOR = <hours> * 60 * 60 * 1000;`")
	}
	h, _ := strconv.Atoi(string(m[1]))
	if got := time.Duration(h) * time.Hour; got != accounts.SessionTTL {
		t.Fatalf("drafts are kept %v, want the session's lifetime %v (accounts.SessionTTL)", got, accounts.SessionTTL)
	}
}
