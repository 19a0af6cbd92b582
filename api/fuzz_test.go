package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
)

// fuzzServer starts one accreditd for a fuzz target (per fuzzing process)
// with an applicant and a draft case, and quotas out of the way.
func fuzzServer(f *testing.F) (in *Instance, token, caseID string) {
	cfg := Config(f.TempDir())
	cfg.MaxCaseFiles, cfg.MaxCaseBytes, cfg.UploadsPerUser = 10_000, 1<<40, 100
	in = StartWith(f, cfg, app.Options{})
	Expect(f, in.Post(f, "/api/v1/auth/register", "", map[string]string{"email": "fuzz@example.org", "password": "a long fuzzing password", "name": "Fuzz"}), 201)
	token = in.Login(f, "fuzz@example.org", "a long fuzzing password")
	caseID = Expect(f, in.Post(f, "/api/v1/cases", token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(f)["id"].(string)
	return in, token, caseID
}

func multipartBody(fields [][2]string, fileName string, content []byte) []byte {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.SetBoundary("BOUNDARY")
	for _, kv := range fields {
		_ = w.WriteField(kv[0], kv[1])
	}
	if fileName != "" {
		fw, _ := w.CreateFormFile("file", fileName)
		_, _ = fw.Write(content)
	}
	_ = w.Close()
	return b.Bytes()
}

// FuzzEvidenceUpload sends any multipart body to the evidence upload of a
// real server: the answer is 201 or a 4xx problem document, never a 5xx.
func FuzzEvidenceUpload(f *testing.F) {
	ok := [][2]string{{"kind", "other"}, {"title", "A note"}, {"categories", "1,2"}, {"indicators", "31"}}
	f.Add(multipartBody(ok, "a.txt", []byte("some text")))
	f.Add(multipartBody(ok, "fake.pdf", []byte("some text")))
	f.Add(multipartBody(ok, "a.docx", []byte("PK\x03\x04")))
	f.Add(multipartBody([][2]string{{"kind", "nope"}, {"categories", "[1,x]"}}, "a.pdf", []byte("%PDF-1.7")))
	f.Add(multipartBody(ok, "", nil))
	f.Add([]byte("--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc"))
	f.Add([]byte("--BOUNDARY--"))
	f.Add([]byte{})
	in, token, caseID := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, _ := http.NewRequest(http.MethodPost, in.URL+"/api/v1/cases/"+caseID+"/evidence", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=BOUNDARY")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		switch {
		case resp.StatusCode == http.StatusCreated:
		case resp.StatusCode >= 400 && resp.StatusCode < 500:
			var p map[string]any
			if resp.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(b, &p) != nil || p["detail"] == "" {
				t.Fatalf("%d without a problem document: %s", resp.StatusCode, b)
			}
		default:
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
	})
}

var fuzzStreams atomic.Int64

// FuzzAuditExport appends an event with any note and actor id, then reads
// the audit export as CSV and as JSON lines: every CSV record has its 11
// fields, every line is JSON, and the event comes back as it was stored.
func FuzzAuditExport(f *testing.F) {
	f.Add("a plain note", "user-1")
	f.Add("comma, \"quotes\"\nand a new line\r\n", "user,2")
	f.Add("=HYPERLINK(\"http://x\")", "\x00\xff")
	f.Add(strings.Repeat("é", 300), "")
	in, _, _ := fuzzServer(f)
	admin := in.AdminToken(f)
	f.Fuzz(func(t *testing.T, note, actorID string) {
		data, _ := json.Marshal(map[string]string{"note": note})
		var norm struct{ Note, Actor string } // what JSON makes of invalid UTF-8
		nb, _ := json.Marshal(map[string]string{"Note": note, "Actor": actorID})
		_ = json.Unmarshal(nb, &norm)
		id := ulid.Make().String()
		stream := fmt.Sprintf("fuzz.%d.%d", time.Now().UnixNano(), fuzzStreams.Add(1))
		_, err := in.App.Events.Append(context.Background(), eventstore.AppendRequest{Stream: stream, Events: []eventstore.Event{{
			ID: id, Type: "fuzz.noted", SchemaVersion: 1, OccurredAt: time.Now().UTC(), Actor: domain.Actor{ID: actorID, Role: domain.RoleApplicant}, Data: data}}})
		if err != nil {
			t.Skipf("append refused: %v", err) // the store's business, not the export's
		}
		get := func(accept string) (string, http.Header) {
			req, _ := http.NewRequest(http.MethodGet, in.URL+"/api/v1/audit?type=fuzz.noted", nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			req.Header.Set("Accept", accept)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || resp.Trailer.Get("X-Accredit-Export-Complete") != "true" {
				t.Fatalf("%s export: %d, complete %q", accept, resp.StatusCode, resp.Trailer.Get("X-Accredit-Export-Complete"))
			}
			return string(b), resp.Header
		}
		body, _ := get("text/csv")
		records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("CSV export does not parse: %v", err)
		}
		found := false
		for _, r := range records {
			if len(r) != 11 {
				t.Fatalf("CSV record of %d fields: %q", len(r), r)
			}
			if r[2] != id {
				continue
			}
			found = true
			var d map[string]string
			if err := json.Unmarshal([]byte(r[10]), &d); err != nil || d["note"] != norm.Note || r[8] != norm.Actor {
				t.Fatalf("CSV row: actor %q data %q (%v), want %q and the note %q", r[8], r[10], err, norm.Actor, norm.Note)
			}
		}
		if !found {
			t.Fatal("the event is not in the CSV export")
		}
		body, _ = get("application/x-ndjson")
		found = false
		for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
			var row struct {
				ID    string `json:"id"`
				Actor struct {
					ID string `json:"id"`
				} `json:"actor"`
				Data map[string]string `json:"data"`
			}
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				t.Fatalf("NDJSON line does not parse: %v: %q", err, line)
			}
			if row.ID == id {
				found = true
				if row.Data["note"] != norm.Note {
					t.Fatalf("NDJSON row: note %q, want %q", row.Data["note"], norm.Note)
				}
			}
		}
		if !found {
			t.Fatal("the event is not in the NDJSON export")
		}
	})
}
