package api_test

import (
	"net/http"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestARetryMaySerialiseTheSameJSONAgain: a client that encodes its
// request again for the retry (keys in another order, other spaces) is
// answered as the first, not refused as another request under the key.
func TestARetryMaySerialiseTheSameJSONAgain(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	path := "/api/v1/cases/" + id + "/self-assessment"
	send := func(body string) Response {
		return tm.in.Do(t, Request{Method: http.MethodPut, Path: path, Token: tm.applicant.Token, Body: body,
			Header: map[string]string{"Idempotency-Key": "again", "Content-Type": "application/json"}})
	}
	first := Expect(t, send(`{"categories":[{"category":8,"statement":"Evaluation, once"}]}`), 200)
	again := Expect(t, send("{\n  \"categories\": [ { \"statement\": \"Evaluation, once\", \"category\": 8 } ]\n}"), 200)
	if again.Header.Get("X-Accredit-Seq") != first.Header.Get("X-Accredit-Seq") {
		t.Fatalf("the retry wrote again: seq %s, the first %s", again.Header.Get("X-Accredit-Seq"), first.Header.Get("X-Accredit-Seq"))
	}
	Expect(t, send(`{"categories":[{"category":8,"statement":"Evaluation, twice"}]}`), 422) // another request
}
