package openapitest_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/emcc/accredit/api/openapi/openapitest"
)

// The checker on made-up exchanges: what it lets through and what it catches.
func TestCheck(t *testing.T) {
	c := openapitest.MustDefault(t)
	jsonH := http.Header{"Content-Type": {"application/json"}}
	problemH := http.Header{"Content-Type": {"application/problem+json"}}
	problem := func(status int) string {
		return `{"type":"urn:accredit:problem:invalid","title":"x","status":` + strconv.Itoa(status) + `,"detail":"d","instance":"/x","request_id":"r"}`
	}
	upload := func(withFile bool) (string, []byte) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.WriteField("kind", "other")
		_ = w.WriteField("title", "T")
		_ = w.WriteField("categories", "1,2")
		if withFile {
			f, _ := w.CreateFormFile("file", "a.pdf")
			_, _ = f.Write([]byte("%PDF-1.7"))
		}
		_ = w.Close()
		return w.FormDataContentType(), b.Bytes()
	}
	okCT, okUpload := upload(true)
	noFileCT, noFile := upload(false)
	caseID := "01J00000000000000000000000"
	tests := []struct {
		name       string
		method     string
		path       string
		reqHeader  map[string]string
		reqBody    string
		status     int
		respHeader http.Header
		respBody   string
		wantErr    string // "" for none
	}{
		{"healthz as documented", "GET", "/healthz", nil, "", 200, jsonH, `{"status":"ok"}`, ""},
		{"a renamed response field", "GET", "/healthz", nil, "", 200, jsonH, `{"state":"ok"}`, "doesn't match schema"},
		{"an undocumented status", "GET", "/healthz", nil, "", 418, problemH, problem(418), "status is not supported"},
		{"an undocumented route that answers", "GET", "/api/v1/nothing", nil, "", 200, jsonH, `{}`, "not in the OpenAPI document"},
		{"an unknown route's 404 problem", "GET", "/api/v1/nothing", nil, "", 404, problemH, problem(404), ""},
		{"an unknown route's 404 that is no problem document", "GET", "/api/v1/nothing", nil, "", 404, jsonH, `{}`, "not application/problem+json"},
		{"a web page is not the contract's", "GET", "/applicant/cases", nil, "", 200, http.Header{"Content-Type": {"text/html"}}, `<p>`, ""},
		{"no token yet 200", "GET", "/api/v1/me", nil, "", 200, jsonH, `{"id":"01J00000000000000000000000","email":"a@b.c","name":"A","role":"office"}`, "requires a bearer token"},
		{"no token and 401", "GET", "/api/v1/me", nil, "", 401, problemH, problem(401), ""},
		{"a request the document rejects yet 201", "POST", "/api/v1/auth/register", map[string]string{"Content-Type": "application/json"}, `{"email":"a@b.c"}`, 201, jsonH, `{}`, "accepted (201) a request the OpenAPI document rejects"},
		{"an unknown field rejected with 400", "POST", "/api/v1/auth/login", map[string]string{"Content-Type": "application/json"}, `{"email":"a","password":"b","admin":true}`, 400, problemH, problem(400), ""},
		{"a problem document without a title", "POST", "/api/v1/auth/login", map[string]string{"Content-Type": "application/json"}, `{}`, 400, problemH, `{"type":"urn:accredit:problem:invalid","status":400,"detail":"d","instance":"/x","request_id":"r"}`, "doesn't match schema"},
		{"an evidence upload", "POST", "/api/v1/cases/" + caseID + "/evidence", map[string]string{"Content-Type": okCT, "Authorization": "Bearer t"}, string(okUpload), 404, problemH, problem(404), ""},
		{"an upload without its file yet 201", "POST", "/api/v1/cases/" + caseID + "/evidence", map[string]string{"Content-Type": noFileCT, "Authorization": "Bearer t"}, string(noFile), 201, jsonH, `{}`, "rejects"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, "http://127.0.0.1:1"+tc.path, strings.NewReader(tc.reqBody))
			for k, v := range tc.reqHeader {
				req.Header.Set(k, v)
			}
			err := c.Check(req, []byte(tc.reqBody), tc.status, tc.respHeader, []byte(tc.respBody))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("got no error, want one with %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestPathTemplate(t *testing.T) {
	if got := openapitest.PathTemplate("/api/v1/cases/:id/evidence/:evidence_id"); got != "/api/v1/cases/{id}/evidence/{evidence_id}" {
		t.Fatalf("got %s", got)
	}
}
