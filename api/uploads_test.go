package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/natsstore"
)

// storedObjects lists the evidence objects in the store.
func storedObjects(t *testing.T, in *Instance) []string {
	t.Helper()
	ctx := context.Background()
	os, err := in.App.Events.JetStream().ObjectStore(ctx, natsstore.EvidenceBucket)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := os.List(ctx)
	if err != nil && err != jetstream.ErrNoObjectsFound {
		t.Fatal(err)
	}
	var names []string
	for _, i := range infos {
		names = append(names, i.Name)
	}
	return names
}

func evidenceCount(t *testing.T, tm *team, id string) int {
	t.Helper()
	ev, _ := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any) // absent when none
	return len(ev)
}

func draftCase(t *testing.T, tm *team) string {
	t.Helper()
	return tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)["id"].(string)
}

var note = map[string]string{"kind": "other", "title": "Note"}

func TestEvidenceQuotaPerCase(t *testing.T) {
	tm := newTeam(t, func(c *app.Config) { c.MaxCaseFiles = 2; c.MaxCaseBytes = 1000 })
	l := tm.get(t, "/api/v1/evidence/limits", "")
	if l["max_case_files"].(float64) != 2 || l["max_case_bytes"].(float64) != 1000 {
		t.Fatalf("limits do not announce the quota: %v", l)
	}
	t.Run("files: the one past the quota is 422, nothing stored", func(t *testing.T) {
		id := draftCase(t, tm)
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "a.txt", []byte("one"), nil), 201)
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "b.txt", []byte("two"), nil), 201)
		before := len(storedObjects(t, tm.in))
		p := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "c.txt", []byte("three"), nil), 422).Map(t)
		if p["quota"] != "files" || p["max_case_files"].(float64) != 2 || !strings.Contains(p["detail"].(string), "2 files") {
			t.Fatalf("problem: got %v, want the files quota named", p)
		}
		if n := evidenceCount(t, tm, id); n != 2 {
			t.Fatalf("evidence: got %d, want 2", n)
		}
		if after := len(storedObjects(t, tm.in)); after != before {
			t.Fatalf("objects stored: got %d, want %d", after, before)
		}
		// Removing one makes room again.
		ev := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any)[0].(map[string]any)["id"].(string)
		Expect(t, tm.in.Do(t, Request{Method: "DELETE", Path: "/api/v1/cases/" + id + "/evidence/" + ev, Token: tm.applicant.Token}), 200)
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "c.txt", []byte("three"), nil), 201)
	})
	t.Run("bytes: a file that would take the case past the quota is 422", func(t *testing.T) {
		id := draftCase(t, tm)
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "a.txt", bytes.Repeat([]byte("a"), 600), nil), 201)
		before := len(storedObjects(t, tm.in))
		p := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "b.txt", bytes.Repeat([]byte("b"), 401), nil), 422).Map(t)
		if p["quota"] != "bytes" || p["max_case_bytes"].(float64) != 1000 || p["case_bytes"].(float64) != 600 {
			t.Fatalf("problem: got %v, want the bytes quota named", p)
		}
		if after := len(storedObjects(t, tm.in)); after != before {
			t.Fatalf("objects stored: got %d, want %d", after, before)
		}
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "b.txt", bytes.Repeat([]byte("b"), 400), nil), 201) // exactly at the quota
	})
}

func zipFile(t *testing.T, parts map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range parts {
		f, _ := w.Create(name)
		_, _ = f.Write(body)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEvidenceRefusedByContent(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	bomb := zipFile(t, map[string][]byte{"[Content_Types].xml": []byte("<x/>"), "word/document.xml": make([]byte, 15<<20)})
	tests := []struct {
		name, file string
		content    []byte
		detail     string // in the problem's detail
		detected   string // the detected_type, when the name is wrong
	}{
		{"text named .pdf", "fake.pdf", []byte("I am only text."), "TXT", "txt"},
		{"pdf named .docx", "cv.docx", []byte("%PDF-1.7\n"), "PDF", "pdf"},
		{"plain zip named .docx", "a.docx", zipFile(t, map[string][]byte{"notes.txt": []byte("hi")}), "word/document.xml", ""},
		{"odt without content.xml", "a.odt", zipFile(t, map[string][]byte{"mimetype": []byte("application/vnd.oasis.opendocument.text")}), "content.xml", ""},
		{"zip bomb named .docx", "bomb.docx", bomb, "times its size", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(storedObjects(t, tm.in))
			p := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, tc.file, tc.content, nil), 422).Map(t)
			if !strings.Contains(p["detail"].(string), tc.detail) {
				t.Fatalf("detail: got %q, want it to name %q", p["detail"], tc.detail)
			}
			if tc.detected != "" && p["detected_type"] != tc.detected {
				t.Fatalf("detected_type: got %v, want %s", p["detected_type"], tc.detected)
			}
			if after := len(storedObjects(t, tm.in)); after != before {
				t.Fatalf("objects stored: got %d, want %d", after, before)
			}
		})
	}
	if n := evidenceCount(t, tm, id); n != 0 {
		t.Fatalf("evidence: got %d, want 0", n)
	}
	t.Run("a real DOCX and ODT are accepted", func(t *testing.T) {
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "cv.docx", zipFile(t, map[string][]byte{"[Content_Types].xml": []byte("<x/>"), "word/document.xml": []byte("<w/>")}), nil), 201)
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "cv.odt", zipFile(t, map[string][]byte{"mimetype": []byte("application/vnd.oasis.opendocument.text"), "content.xml": []byte("<x/>")}), nil), 201)
	})
}

// TestUploadMistakesAreNamed: an empty file is refused as empty, not as a
// type not accepted; fields sent after the file are named as such, not as
// missing; a file with no fields at all still hears what is required.
// Nothing is stored for any of them.
func TestUploadMistakesAreNamed(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	before := len(storedObjects(t, tm.in))
	r := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "empty.txt", nil, nil), 400)
	if !strings.Contains(string(r.Body), `"errors":[{"field":"file","reason":"empty"}]`) {
		t.Errorf("empty file: %s", r.Body)
	}
	fileFirst := func(fields ...string) Response {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		f, _ := w.CreateFormFile("file", "note.txt")
		_, _ = f.Write([]byte("a note on my practice"))
		for i := 0; i+1 < len(fields); i += 2 {
			_ = w.WriteField(fields[i], fields[i+1])
		}
		_ = w.Close()
		return tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/evidence", Token: tm.applicant.Token,
			RawBody: &b, Header: map[string]string{"Content-Type": w.FormDataContentType()}})
	}
	r = Expect(t, fileFirst("kind", "other", "title", "Late"), 400)
	for _, f := range []string{"kind", "title"} {
		if !strings.Contains(string(r.Body), `{"field":"`+f+`","reason":"sent after the file`) {
			t.Errorf("%s after the file: %s", f, r.Body)
		}
	}
	r = Expect(t, fileFirst(), 400)
	if !strings.Contains(string(r.Body), `"field":"kind"`) || strings.Contains(string(r.Body), "after the file") {
		t.Errorf("a file with no fields: %s", r.Body)
	}
	if after := len(storedObjects(t, tm.in)); after != before {
		t.Errorf("objects stored: got %d, want %d", after, before)
	}
	if n := evidenceCount(t, tm, id); n != 0 {
		t.Errorf("evidence: got %d, want 0", n)
	}
}

// TestWhatFollowsTheFileRefusesTheUpload: a field the upload takes sent
// after the file, or a second file, is a 400 as the document says, and
// nothing is stored: not the first file recorded with the field dropped,
// nor recorded under a 400 that tells the client to send it again.
func TestWhatFollowsTheFileRefusesTheUpload(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	before := len(storedObjects(t, tm.in))
	upload := func(parts ...string) Response {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for i := 0; i+1 < len(parts); i += 2 {
			if parts[i] == "file" {
				f, _ := w.CreateFormFile("file", parts[i+1])
				_, _ = f.Write([]byte("a note on my practice"))
			} else {
				_ = w.WriteField(parts[i], parts[i+1])
			}
		}
		_ = w.Close()
		return tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/evidence", Token: tm.applicant.Token,
			RawBody: &b, Header: map[string]string{"Content-Type": w.FormDataContentType()}})
	}
	r := Expect(t, upload("kind", "other", "title", "Note", "file", "note.txt", "categories", "1,2", "indicators", "31"), 400)
	for _, f := range []string{"categories", "indicators"} {
		if !strings.Contains(string(r.Body), `{"field":"`+f+`","reason":"sent after the file`) {
			t.Errorf("%s after the file: %s", f, r.Body)
		}
	}
	r = Expect(t, upload("kind", "other", "title", "Note", "file", "one.txt", "file", "two.txt"), 400)
	if !strings.Contains(string(r.Body), "one file per upload") {
		t.Errorf("two files: %s", r.Body)
	}
	if after := len(storedObjects(t, tm.in)); after != before {
		t.Errorf("objects stored: got %d, want %d", after, before)
	}
	if n := evidenceCount(t, tm, id); n != 0 {
		t.Errorf("evidence: got %d, want 0", n)
	}
	Expect(t, upload("kind", "other", "title", "Note", "categories", "1,2", "file", "note.txt", "comment", "ignored, as the document says"), 201)
}

// TestAnUploadFieldSentTwiceIsRefused: categories sent as a form sends
// checkboxes, one field each, or a title sent twice, is a 400 naming the
// field, not an upload that keeps the last and drops the others.
func TestAnUploadFieldSentTwiceIsRefused(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	for _, twice := range [][2]string{{"categories", "1"}, {"title", "Note"}} {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for _, f := range [][2]string{{"kind", "other"}, {"title", "Note"}, {"categories", "2"}, twice} {
			_ = w.WriteField(f[0], f[1])
		}
		f, _ := w.CreateFormFile("file", "note.txt")
		_, _ = f.Write([]byte("a note on my practice"))
		_ = w.Close()
		r := tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/evidence", Token: tm.applicant.Token,
			RawBody: &b, Header: map[string]string{"Content-Type": w.FormDataContentType()}})
		if r.Status != 400 || !strings.Contains(string(r.Body), `{"field":"`+twice[0]+`","reason":"sent twice`) {
			t.Errorf("%s sent twice: %d %s; want a 400 naming it", twice[0], r.Status, r.Body)
		}
	}
	if n := evidenceCount(t, tm, id); n != 0 {
		t.Errorf("evidence: got %d, want 0", n)
	}
}

// TestAnEvidenceTitleOrFileNameIsOneLine: an evidence file's title, on
// upload or edit, and its file name are names, shown in lists and on the
// download: a control character or a bidi override in one is a 400 naming
// it, and nothing is stored or changed.
func TestAnEvidenceTitleOrFileNameIsOneLine(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t) // reflections.pdf, titled Reflections 2025
	before := len(storedObjects(t, tm.in))
	for _, tc := range []struct{ title, file, field string }{
		{"Reflections\x002026", "reflections.pdf", "title"},
		{"Reflections\n2026", "reflections.pdf", "title"},
		{"Reflections 2026", "invoice\u202etxt.pdf", "file"},
		{"Reflections 2026", "notes\u0085.pdf", "file"},
	} {
		r := tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "reflective_statement", "title": tc.title, "categories": "1"}, tc.file, pdf, nil)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
			t.Errorf("upload titled %q named %q: %d %s; want a 400 naming %s", tc.title, tc.file, r.Status, r.Body, tc.field)
		}
	}
	ev := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any)
	path := "/api/v1/cases/" + id + "/evidence/" + ev[0].(map[string]any)["id"].(string)
	r := tm.in.Put(t, path, tm.applicant.Token, map[string]any{"kind": "reflective_statement", "title": "Reflections\u20282026", "categories": []int{1}, "indicators": []int{31}})
	if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"title"`) {
		t.Errorf("edit to a title with a line separator: %d %s; want a 400 naming title", r.Status, r.Body)
	}
	ev = tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any)
	if len(ev) != 1 || ev[0].(map[string]any)["title"] != "Reflections 2025" {
		t.Errorf("evidence after the refusals: got %v, want reflections.pdf as it was", ev)
	}
	if after := len(storedObjects(t, tm.in)); after != before {
		t.Errorf("objects stored: got %d, want %d", after, before)
	}
}

// slowUpload starts an upload whose file part stays open until the returned
// function is called; that function then finishes it and returns the status.
func slowUpload(t *testing.T, in *Instance, caseID, token string) (finish func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, _ := http.NewRequest(http.MethodPost, in.URL+"/api/v1/cases/"+caseID+"/evidence", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	status := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			status <- 0
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	_ = mw.WriteField("kind", "other")
	_ = mw.WriteField("title", "Slow")
	f, _ := mw.CreateFormFile("file", "slow.txt")
	_, _ = f.Write(bytes.Repeat([]byte("slow "), 1000))
	return func() int {
		_, _ = f.Write([]byte("end"))
		_ = mw.Close()
		_ = pw.Close()
		return <-status
	}
}

// waitInFlight waits until n uploads are in flight. The bound is generous:
// it is there so that a broken build stops, not to time anything.
func waitInFlight(t *testing.T, in *Instance, n int) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); in.App.Cases.UploadsInFlight() != n; {
		if time.Now().After(deadline) {
			t.Fatalf("uploads in flight: got %d, want %d", in.App.Cases.UploadsInFlight(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestUploadsInFlightBounded(t *testing.T) {
	tm := newTeam(t, func(c *app.Config) { c.UploadsPerUser = 1; c.UploadsInFlight = 2 })
	l := tm.get(t, "/api/v1/evidence/limits", "")
	if l["max_uploads_per_user"].(float64) != 1 || l["max_uploads_in_flight"].(float64) != 2 {
		t.Fatalf("limits do not announce the uploads in flight: %v", l)
	}
	id := draftCase(t, tm)
	reg := func(email string) User {
		r := Expect(t, tm.in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": email, "password": "a long password here", "name": email}), 201)
		u := User{ID: r.Map(t)["id"].(string), Email: email, Password: "a long password here"}
		u.Token = tm.in.Login(t, email, u.Password)
		return u
	}
	bob, eve := reg("bob@example.org"), reg("eve@example.org")
	bobCase := tm.post(t, "/api/v1/cases", bob.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)["id"].(string)
	eveCase := tm.post(t, "/api/v1/cases", eve.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)["id"].(string)

	first := slowUpload(t, tm.in, id, tm.applicant.Token)
	waitInFlight(t, tm.in, 1)
	r := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "b.txt", []byte("second"), nil), 429)
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After: got %q, want seconds", ra)
	}
	if p := r.Map(t); p["max_uploads_per_user"].(float64) != 1 {
		t.Fatalf("problem: got %v, want the per-person limit", p)
	}
	second := slowUpload(t, tm.in, bobCase, bob.Token) // another person still may
	waitInFlight(t, tm.in, 2)
	Expect(t, tm.in.Upload(t, eveCase, eve.Token, note, "e.txt", []byte("eve"), nil), 429) // but not past the total
	if s := first(); s != http.StatusCreated {
		t.Fatalf("the first upload: got %d, want 201", s)
	}
	if s := second(); s != http.StatusCreated {
		t.Fatalf("bob's upload: got %d, want 201", s)
	}
	waitInFlight(t, tm.in, 0)
	Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "b.txt", []byte("second"), nil), 201)
	Expect(t, tm.in.Upload(t, eveCase, eve.Token, note, "e.txt", []byte("eve"), nil), 201)
	if n := evidenceCount(t, tm, id); n != 2 {
		t.Fatalf("evidence: got %d, want 2", n)
	}
}

// Large files go through segmented sealing and come back whole; a file
// stored in the format before (one seal of the whole file) still reads.
func TestEvidenceFileStreamedAndOldFormatRead(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	big := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0123456789abcdef"), 300_000)...) // ~4.6 MB: many segments and chunks
	up := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "big.pdf", big, nil), 201)
	evID := up.Header.Get("X-Evidence-Id")
	f := Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/evidence/"+evID+"/file", tm.applicant.Token), 200)
	if !bytes.Equal(f.Body, big) || f.Header.Get("Content-Length") != fmt.Sprint(len(big)) {
		t.Fatalf("file: got %d bytes (Content-Length %s), want the %d uploaded", len(f.Body), f.Header.Get("Content-Length"), len(big))
	}
	// The test's own object-store calls get a deadline of their own: the
	// client's default of a few seconds is too short for 4.6 MB on a
	// busy machine.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	os, err := tm.in.App.Events.JetStream().ObjectStore(ctx, natsstore.EvidenceBucket)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.GetBytes(ctx, id+"/"+evID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("0123456789abcdef")) {
		t.Fatal("the stored object holds clear text")
	}
	old, err := tm.in.App.Vault.SealBytes(ctx, tm.applicant.ID, big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.PutBytes(ctx, id+"/"+evID, old); err != nil {
		t.Fatal(err)
	}
	f = Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/evidence/"+evID+"/file", tm.applicant.Token), 200)
	if !bytes.Equal(f.Body, big) {
		t.Fatalf("old-format file: got %d bytes, want the %d sealed", len(f.Body), len(big))
	}
}

// TestARetriedUploadNamesTheEvidenceItRecorded: a retried upload (same
// key, same request) is answered with the evidence item its first attempt
// recorded, whose file is there, not an id the retry made up and never
// stored.
func TestARetriedUploadNamesTheEvidenceItRecorded(t *testing.T) {
	in := StartInMemory(t)
	carla := in.CreateUser(t, in.AdminToken(t), "applicant", "carla@example.org", "Carla")
	id := Expect(t, in.Post(t, "/api/v1/cases", carla.Token, eiaCase), 201).Map(t)["id"].(string)
	up := func() Response {
		return in.Upload(t, id, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Log", "categories": "1", "indicators": "2"}, "log.pdf", pdf, keyed("up-1"))
	}
	first := Expect(t, up(), 201)
	retry := Expect(t, up(), 201)
	if a, b := first.Header.Get("X-Evidence-Id"), retry.Header.Get("X-Evidence-Id"); a != b || first.Header.Get("Location") != retry.Header.Get("Location") {
		t.Fatalf("the retry names evidence %s at %s, the first %s at %s", b, retry.Header.Get("Location"), a, first.Header.Get("Location"))
	}
	if f := Expect(t, in.Get(t, retry.Header.Get("Location"), carla.Token), 200); !bytes.Equal(f.Body, pdf) {
		t.Fatalf("the file the retry names: %q", f.Body)
	}
}

// TestARetriedUploadIsAnsweredAsTheFirstAfterTheCaseMovedOn: a retry of a
// recorded upload gets the first answer whatever happened to the case
// since (withdrawn: no upload is allowed now), not the refusal of a new
// upload.
func TestARetriedUploadIsAnsweredAsTheFirstAfterTheCaseMovedOn(t *testing.T) {
	in := StartInMemory(t)
	carla := in.CreateUser(t, in.AdminToken(t), "applicant", "carla@example.org", "Carla")
	id := Expect(t, in.Post(t, "/api/v1/cases", carla.Token, eiaCase), 201).Map(t)["id"].(string)
	up := func() Response {
		return in.Upload(t, id, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Log", "categories": "1", "indicators": "2"}, "log.pdf", pdf, keyed("up-1"))
	}
	first := Expect(t, up(), 201)
	Expect(t, in.Post(t, "/api/v1/cases/"+id+"/withdraw", carla.Token, map[string]any{}), 200)
	if r := up(); r.Status != 201 || r.Header.Get("X-Evidence-Id") != first.Header.Get("X-Evidence-Id") {
		t.Fatalf("retried upload after the case was withdrawn: got %d %s, want 201 naming %s (the recorded answer)", r.Status, r.Body, first.Header.Get("X-Evidence-Id"))
	}
}

// TestAnUploadToAWithdrawnCaseIsAConflictThatAllowsNothing: the 409 of a
// step a finished state allows nothing in lists no actions: "allowed" is
// an empty list, as the OpenAPI document has it (the contract hook checks
// the answer), not null.
func TestAnUploadToAWithdrawnCaseIsAConflictThatAllowsNothing(t *testing.T) {
	in := StartInMemory(t)
	carla := in.CreateUser(t, in.AdminToken(t), "applicant", "carla@example.org", "Carla")
	id := Expect(t, in.Post(t, "/api/v1/cases", carla.Token, eiaCase), 201).Map(t)["id"].(string)
	Expect(t, in.Post(t, "/api/v1/cases/"+id+"/withdraw", carla.Token, map[string]any{}), 200)
	r := Expect(t, in.Upload(t, id, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Log", "categories": "1", "indicators": "2"}, "log.pdf", pdf, nil), 409)
	if allowed, ok := r.Map(t)["allowed"].([]any); !ok || len(allowed) != 0 {
		t.Fatalf("allowed: got %#v, want an empty list", r.Map(t)["allowed"])
	}
}

// An upload is spooled in clear to <data>/tmp while it is checked, and the
// file removed once it is stored. A process killed meanwhile (kill -9, a
// lost machine) leaves the file there: a start removes it, or the
// evidence would stay on disk in clear, past its applicant's erasure too.
func TestAStartRemovesTheUploadsAKilledProcessLeftInClear(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	spool := filepath.Join(tm.in.Cfg.DataDir, "tmp")
	finish := slowUpload(t, tm.in, id, tm.applicant.Token)
	var spooled []byte
	for deadline := time.Now().Add(60 * time.Second); !bytes.Contains(spooled, []byte("slow slow")); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no upload spooled in clear after 60 s: the test proves nothing")
		}
		files, _ := filepath.Glob(filepath.Join(spool, "upload-*"))
		if len(files) == 1 {
			spooled, _ = os.ReadFile(files[0])
		}
	}
	// What the kill leaves (this process goes on and removes its own).
	if err := os.WriteFile(filepath.Join(spool, "upload-2718281828"), spooled, 0o600); err != nil {
		t.Fatal(err)
	}
	if s := finish(); s != http.StatusCreated {
		t.Fatalf("the upload: got %d, want 201", s)
	}
	tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}, 200)

	tm.in.Restart(t)
	if where := diskContains(t, tm.in.Cfg.DataDir, "slow slow"); where != "" {
		t.Fatalf("the erased applicant's evidence in clear on disk after a start: %s", where)
	}
}

// TestAnEvidenceFileSwappedInTheStoreIsNotServed: an object of the store
// replaced by another file of the same applicant (which opens with their
// key as well as its own) is not served as the evidence the case records:
// the download fails, whether the other file is as long, longer or
// shorter, rather than ending as a whole file under the recorded name,
// size and digest.
func TestAnEvidenceFileSwappedInTheStoreIsNotServed(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	upload := func(name, content string) string {
		return Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, name, []byte(content), nil), 201).Header.Get("X-Evidence-Id")
	}
	recorded := upload("recorded.txt", "the supervision log as it was uploaded")
	ctx := t.Context()
	os, err := tm.in.App.Events.JetStream().ObjectStore(ctx, natsstore.EvidenceBucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, other string }{
		{"as long", "the supervision log after an edit here"},
		{"longer", "the supervision log after an edit here and a longer one"},
		{"shorter", "a shorter log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other, err := os.GetBytes(ctx, id+"/"+upload("other.txt", tc.other))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.PutBytes(ctx, id+"/"+recorded, other); err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, tm.in.URL+"/api/v1/cases/"+id+"/evidence/"+recorded+"/file", nil)
			req.Header.Set("Authorization", "Bearer "+tm.applicant.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if resp.StatusCode == http.StatusOK && err == nil {
				t.Fatalf("swapped file: got 200 with %q served whole, want the download to fail before its end", body)
			}
		})
	}
}

// TestManyFieldsBeforeTheFileCostInProportion: an upload's body may hold
// fields the upload ignores, before the gate of uploads in flight admits
// it; many small ones cost the server allocations in proportion to the
// body, not a 64 KiB buffer each (a body of the size limit in parts of a
// few bytes made gigabytes of garbage, seconds of collection, from one
// request).
func TestManyFieldsBeforeTheFileCostInProportion(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	b, contentType := ignoredFieldsBody("v", 2<<20, false)
	size := uint64(b.Len())
	status, got := uploadAllocating(t, tm, id, b, contentType)
	if status != http.StatusBadRequest { // no file
		t.Fatalf("status: got %d, want 400", status)
	}
	if got > 128*size {
		t.Fatalf("a body of %d bytes in small fields allocated %d MiB, want at most %d MiB (128 times the body)", size, got>>20, 128*size>>20)
	}
}

// TestAnUploadFieldOverItsLimitIsRefused: a field the upload takes that is
// longer than the 64 KiB read of it is a 400 naming it, not cut to what
// could still read as a value (a list of categories short of its end);
// a field the upload ignores may be as long as the body allows.
func TestAnUploadFieldOverItsLimitIsRefused(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	for _, tc := range []struct {
		name, value string
		want        int
	}{
		{"categories", "1,2" + strings.Repeat(" ", 64<<10) + ",3", 400},
		{"note", strings.Repeat("n", 100<<10), 201},
	} {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for _, f := range [][2]string{{"kind", "other"}, {"title", "Note"}, {tc.name, tc.value}} {
			_ = w.WriteField(f[0], f[1])
		}
		f, _ := w.CreateFormFile("file", "note.txt")
		_, _ = f.Write([]byte("a note on my practice"))
		_ = w.Close()
		r := tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/evidence", Token: tm.applicant.Token,
			RawBody: &b, Header: map[string]string{"Content-Type": w.FormDataContentType()}})
		if r.Status != tc.want || tc.want == 400 && !strings.Contains(string(r.Body), `{"field":"`+tc.name+`","reason":"at most 65536 bytes"`) {
			t.Errorf("%s of %d bytes: %d %s; want %d", tc.name, len(tc.value), r.Status, r.Body, tc.want)
		}
	}
	if n := evidenceCount(t, tm, id); n != 1 {
		t.Errorf("evidence: got %d, want 1 (the upload with the long field it ignores)", n)
	}
}

// TestFieldsAnUploadIgnoresAreNotHeld: the fields an upload ignores are
// read past, not kept until its file comes: a body of 16 MiB in such
// fields, each under the 64 KiB read of a field, then a file, is stored
// with the server allocating a fraction of the body (it held all of it,
// twice, before the gate of uploads in flight admitted the request).
func TestFieldsAnUploadIgnoresAreNotHeld(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	b, contentType := ignoredFieldsBody(strings.Repeat("p", 60<<10), 16<<20, true)
	size := uint64(b.Len())
	status, got := uploadAllocating(t, tm, id, b, contentType)
	if status != http.StatusCreated {
		t.Fatalf("status: got %d, want 201", status)
	}
	t.Logf("allocated %d KiB", got>>10)
	if got > size/2 {
		t.Fatalf("a body of %d MiB in ignored fields allocated %d MiB, want at most %d MiB (half the body)", size>>20, got>>20, size>>21)
	}
}

// uploadAllocating posts body to the case's evidence as the applicant and
// returns the answer's status and what this process allocated meanwhile
// (the server's share, with the client's small): a plain client streams
// the body, where the harness's (which checks requests against OpenAPI)
// reads it whole, in this process too.
func uploadAllocating(t *testing.T, tm *team, id string, body io.Reader, contentType string) (int, uint64) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, tm.in.URL+"/api/v1/cases/"+id+"/evidence", body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+tm.applicant.Token)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	return resp.StatusCode, after.TotalAlloc - before.TotalAlloc
}

// ignoredFieldsBody is an upload's body: kind and title, then fields the
// upload ignores, each value, until the body is size bytes, then (with
// file) a short text file; and its content type.
func ignoredFieldsBody(value string, size int, file bool) (*bytes.Buffer, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("kind", "other")
	_ = w.WriteField("title", "Note")
	for i := 0; b.Len() < size; i++ {
		_ = w.WriteField(fmt.Sprintf("f%d", i), value)
	}
	if file {
		f, _ := w.CreateFormFile("file", "note.txt")
		_, _ = f.Write([]byte("a note on my practice"))
	}
	_ = w.Close()
	return &b, w.FormDataContentType()
}
