package api_test

import (
	"mime"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAnUploadsFileNameLosesTheDirectoriesSentWithIt: a file name sent
// with a path (a Windows one, as old browsers and some clients send it,
// or one that climbs) is kept, shown and offered back on download as the
// file's own name, and a name of no file as none; never the path.
func TestAnUploadsFileNameLosesTheDirectoriesSentWithIt(t *testing.T) {
	tm := newTeam(t)
	id := draftCase(t, tm)
	for _, tc := range []struct{ sent, kept string }{
		{`C:\Users\carla\Documents\log.txt`, "log.txt"},
		{`..\..\..\Windows\win.txt`, "win.txt"},
		{`notes\`, "evidence.txt"},
		{`..`, "evidence.txt"},
	} {
		r := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, tc.sent, []byte("a supervision log"), nil), 201)
		ev := r.Header.Get("X-Evidence-Id")
		var name any
		for _, e := range r.Map(t)["evidence"].([]any) {
			if e := e.(map[string]any); e["id"] == ev {
				name = e["file_name"]
			}
		}
		if name != tc.kept {
			t.Errorf("sent as %q: the case names the file %q, want %q", tc.sent, name, tc.kept)
		}
		f := Expect(t, tm.in.Get(t, r.Header.Get("Location"), tm.applicant.Token), 200)
		if _, p, err := mime.ParseMediaType(f.Header.Get("Content-Disposition")); err != nil || p["filename"] != tc.kept {
			t.Errorf("sent as %q: downloaded as %q, want filename %q", tc.sent, f.Header.Get("Content-Disposition"), tc.kept)
		}
	}
}
