package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestAnUploadTheCaseRefusesIsAnsweredBeforeItsFileIsRead: an upload that
// no file could make acceptable (from the office or the case's assessor,
// or to a case that takes no evidence now) is answered while its body is
// still on its way, as an upload past the case's quota is, rather than
// once the whole file has been read, spooled to disk and judged.
func TestAnUploadTheCaseRefusesIsAnsweredBeforeItsFileIsRead(t *testing.T) {
	tm := newTeam(t)
	submitted := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+submitted+"/submit", tm.applicant.Token, declared, 200)
	assessed := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+assessed+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, assessed)
	before := len(storedObjects(t, tm.in))
	for _, tc := range []struct {
		name, caseID, token string
		want                int
	}{
		{"the applicant, to a submitted case", submitted, tm.applicant.Token, http.StatusConflict},
		{"the case's assessor", assessed, tm.assessor.Token, http.StatusForbidden},
		{"the office", assessed, tm.admin, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := partUpload(t, tm.in.URL, tc.caseID, tc.token); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
			if n := tm.in.App.Cases.UploadsInFlight(); n != 0 {
				t.Fatalf("uploads in flight: %d, want 0", n)
			}
		})
	}
	if after := len(storedObjects(t, tm.in)); after != before {
		t.Fatalf("objects stored: %d, want %d", after, before)
	}
}

// partUpload sends an upload's headers, its fields and the first KiB of a
// 1 MiB file, and returns the status answered while the rest is held back.
// The bound is generous: it is there so that a server that waits for the
// rest fails the test rather than hangs it.
func partUpload(t *testing.T, base, caseID, token string) int {
	t.Helper()
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	_ = mw.WriteField("kind", "other")
	_ = mw.WriteField("title", "Sent to a case that takes none")
	_, _ = mw.CreateFormFile("file", "log.txt")
	head.Write(bytes.Repeat([]byte("x"), 1024))
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/cases/%s/evidence HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		caseID, u.Host, token, mw.FormDataContentType(), head.Len()+1<<20)
	if _, err := conn.Write(head.Bytes()); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer while the file is held back: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
