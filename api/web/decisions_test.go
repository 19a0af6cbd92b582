package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheDecisionsPageGoesOnFromACursor: the office's decisions page shows
// a page at a time, newest first; a page that goes on from a cursor links
// back to the newest, and past the last decision shows none.
func TestTheDecisionsPageGoesOnFromACursor(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _, _ := w.awardedCase(t, carla)
	office := w.officeClient(t)
	first := office.get("/office/decisions")
	if !strings.Contains(first.Body, ">1 decision</h2>") || !strings.Contains(first.Body, `<code class="case-id">`+caseID) || strings.Contains(first.Body, `class="pager"`) {
		i := strings.Index(first.Body, "<main")
		t.Fatalf("the first page: %.3000s", first.Body[max(i, 0):])
	}
	d := Expect(t, w.in.Get(t, "/api/v1/decisions", w.admin), 200).Map(t)["decisions"].([]any)[0].(map[string]any)
	at, err := time.Parse(time.RFC3339Nano, d["decided_at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	past := office.get(fmt.Sprintf("/office/decisions?outcome=awarded&before=%d.%d.%s", at.UnixNano(), int(d["number"].(float64)), caseID))
	if strings.Contains(past.Body, `<code class="case-id">`+caseID) || !strings.Contains(past.Body, "No decision matches.") ||
		!strings.Contains(past.Body, `href="/office/decisions?outcome=awarded">Newest decisions</a>`) {
		i := strings.Index(past.Body, "<main")
		t.Fatalf("the page past the last decision: %.3000s", past.Body[max(i, 0):])
	}
	if a := office.get("/office/decisions?before=nonsense"); !strings.Contains(a.Body, `<code class="case-id">`+caseID) {
		t.Fatalf("a cursor that is not one is the first page: %.600s", a.Body)
	}
}
