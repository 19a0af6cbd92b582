package api_test

import (
	"fmt"
	"net/http"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestIfMatchComparesStrongly: If-Match uses the strong comparison (RFC
// 9110 13.1.1), so a weak tag never matches, even the current version's;
// a list matches when any of its strong tags does; * asks only that the
// case exist.
func TestIfMatchComparesStrongly(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	put := func(im string) Response {
		return tm.in.Do(t, Request{Method: http.MethodPut, Path: "/api/v1/cases/" + id + "/portfolio", Token: tm.applicant.Token,
			Body: eiaPortfolio(), Header: map[string]string{"If-Match": im}})
	}
	v := int(tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["version"].(float64))
	Expect(t, put(fmt.Sprintf(`W/"%d"`, v)), 412)
	Expect(t, put(fmt.Sprintf(`W/"%d", "%d"`, v, v+7)), 412) // only weak matches
	for _, list := range []string{`"%d", "999"`, `"999",W/"2" , "%d"`, "*"} {
		v = int(tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["version"].(float64))
		im := list
		if list != "*" {
			im = fmt.Sprintf(list, v)
		}
		Expect(t, put(im), 200)
	}
	Expect(t, put(`"1", abc`), 400)
	// * on a case that does not exist: 404, as without it (RFC 9110 13.2.1).
	Expect(t, tm.in.Do(t, Request{Method: http.MethodPut, Path: "/api/v1/cases/01ARZ3NDEKTSV4RRFFQ69G5FAV/portfolio", Token: tm.applicant.Token,
		Body: eiaPortfolio(), Header: map[string]string{"If-Match": "*"}}), 404)
}
