package api_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// raw sends a request as is, past the contract's check of what tests send:
// these bodies are what a careless client sends, not what the document
// allows.
func raw(t *testing.T, method, url, token, contentType string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAJSONBodyNotInUTF8IsRefused: JSON is UTF-8; a body declared in
// another charset, or bytes that are not UTF-8, is refused naming why,
// rather than stored with U+FFFD in place of the letters.
func TestAJSONBodyNotInUTF8IsRefused(t *testing.T) {
	tm := newTeam(t)
	latin1 := []byte("{\"email\":\"zoe@example.org\",\"password\":\"a long enough password\",\"name\":\"Zo\xeb \xc5ngstr\xf6m\"}")
	for ct, want := range map[string]string{"application/json; charset=iso-8859-1": `not charset \"iso-8859-1\"`, "application/json": "not valid UTF-8"} {
		status, body := raw(t, "POST", tm.in.URL+"/api/v1/auth/register", "", ct, bytes.NewReader(latin1))
		if status != 400 || !strings.Contains(body, want) || !strings.Contains(body, `"status":400`) {
			t.Errorf("a Latin-1 body as %s: %d %s; want a 400 problem saying %s", ct, status, body, want)
		}
	}
	utf8 := strings.Replace(string(latin1), "Zo\xeb \xc5ngstr\xf6m", "Zoë Ångström", 1)
	if status, body := raw(t, "POST", tm.in.URL+"/api/v1/auth/register", "", "application/json; charset=UTF-8", strings.NewReader(utf8)); status != 201 || !strings.Contains(body, "Zoë Ångström") {
		t.Fatalf("the same in UTF-8: %d %s", status, body)
	}
}

// TestAnEmptyChunkedBodyIsNoBody: a command whose body may be left out
// takes an empty body sent chunked (no length) as it takes none.
func TestAnEmptyChunkedBodyIsNoBody(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	chunked := struct{ io.Reader }{strings.NewReader("")} // no length known: sent chunked
	if status, body := raw(t, "POST", tm.in.URL+"/api/v1/cases/"+id+"/withdraw", tm.applicant.Token, "application/json", chunked); status != 200 {
		t.Fatalf("withdraw with an empty chunked body: %d %s; want 200 as with no body", status, body)
	}
}
