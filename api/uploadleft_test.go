package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net"
	"net/url"
	"testing"
	"time"
)

// TestAnUploadWhoseClientLeftAfterSendingItIsRecorded: a client that sends
// a whole upload and closes its connection without waiting for the answer
// (a closed tab, a client's own timeout) loses nothing: the server, whose
// request context ends as the connection closes, still records the
// evidence, and stores no object that no event names.
func TestAnUploadWhoseClientLeftAfterSendingItIsRecorded(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	before := len(storedObjects(t, tm.in))

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("kind", "other")
	_ = mw.WriteField("title", "Sent, then the tab was closed")
	f, _ := mw.CreateFormFile("file", "log.txt")
	_, _ = f.Write(bytes.Repeat([]byte("supervision log "), 4096))
	_ = mw.Close()
	u, err := url.Parse(tm.in.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /api/v1/cases/%s/evidence HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		id, u.Host, tm.applicant.Token, mw.FormDataContentType(), body.Len())
	if _, err := conn.Write(body.Bytes()); err != nil {
		t.Fatal(err)
	}
	_ = conn.Close() // gone before the answer

	// The bound is generous: it is there so that a broken build stops.
	for deadline := time.Now().Add(30 * time.Second); evidenceCount(t, tm, id) != 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the upload its client sent whole and left is not recorded (objects stored: %d, before %d)", len(storedObjects(t, tm.in)), before)
		}
	}
	if after := len(storedObjects(t, tm.in)); after != before+1 {
		t.Fatalf("objects stored: %d, want %d (the one recorded)", after, before+1)
	}
}
