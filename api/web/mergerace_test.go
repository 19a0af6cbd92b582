package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestTwoTabsSavingOtherCategoriesAtOnceKeepBoth: two tabs of one
// self-assessment, shown at one version, each changing another category,
// sent at the same moment: both are saved, as they are one after the
// other (merge). One was refused as changed since it was opened, "your
// changes were not saved", when the other's save landed between its
// reading of the case and its own.
func TestTwoTabsSavingOtherCategoriesAtOnceKeepBoth(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	a, b := w.client(t), w.client(t)
	a.login(carla.Email, carla.Password)
	b.login(carla.Email, carla.Password)
	base := "/applications/" + caseID + "/self-assessment"
	for i := range 10 {
		shown := shownVersion(t, a.get(base))
		fa := formOf(t, a.get(base), url.Values{"version": {shown}, "statement_3": {"A " + itoa(i)}})
		fb := formOf(t, b.get(base), url.Values{"version": {shown}, "statement_4": {"B " + itoa(i)}})
		for n := 1; n <= 8; n++ {
			if n != 3 {
				fa.Set("statement_"+itoa(n), selfStatement(t, w, carla, caseID, n))
			}
			if n != 4 {
				fb.Set("statement_"+itoa(n), selfStatement(t, w, carla, caseID, n))
			}
		}
		rs := sendAtOnce(t, base, []*client{a, b}, []url.Values{fa, fb})
		if rs[0].Status != http.StatusSeeOther || rs[1].Status != http.StatusSeeOther {
			t.Fatalf("round %d: %d and %d, want both saved: %q %q", i, rs[0].Status, rs[1].Status, rs[0].Location, rs[1].Location)
		}
		if a, b := selfStatement(t, w, carla, caseID, 3), selfStatement(t, w, carla, caseID, 4); a != "A "+itoa(i) || b != "B "+itoa(i) {
			t.Fatalf("round %d: categories 3 and 4 read %q and %q", i, a, b)
		}
	}
}
