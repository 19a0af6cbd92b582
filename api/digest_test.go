package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// A download names the file's SHA-256 twice: in Digest as this API has
// published it (hex), and in Repr-Digest as RFC 9530 writes it (base64
// between colons), for a client that checks by the standard. Both are the
// hash of the bytes served.
func TestADownloadNamesItsDigestAsTheStandardWritesIt(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	up := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "note.txt", []byte("a note on my practice"), nil), 201).Map(t)
	ev := up["evidence"].([]any)[0].(map[string]any)["id"].(string)
	r := Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/evidence/"+ev+"/file", tm.applicant.Token), 200)
	sum := sha256.Sum256(r.Body)
	if got, want := r.Header.Get("Digest"), "sha-256="+hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("Digest: %q, want %q", got, want)
	}
	if got, want := r.Header.Get("Repr-Digest"), "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":"; got != want {
		t.Fatalf("Repr-Digest: %q, want %q", got, want)
	}
}
