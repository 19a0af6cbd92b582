package api_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accreditation"
)

// Handler tests on in-memory stores (apptest.StartInMemory): the same
// server, routes and contract check as the end-to-end tests, without
// JetStream. How to write one: the apptest package doc.

// applicantIn registers and logs in an applicant.
func applicantIn(t *testing.T, in *Instance, email string) User {
	t.Helper()
	u := User{Email: email, Password: "a long password of " + email, Name: "Carla Coach"}
	r := Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": u.Email, "password": u.Password, "name": u.Name}), 201)
	u.ID = r.Map(t)["id"].(string)
	u.Token = in.Login(t, u.Email, u.Password)
	return u
}

func TestInMemoryOpeningACaseRecordsItsEvent(t *testing.T) {
	in := StartInMemory(t)
	carla := applicantIn(t, in, "carla@example.org")
	c := Expect(t, in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)
	if c["state"] != "draft" || c["version"].(float64) != 1 {
		t.Fatalf("opened case: got state %v version %v, want draft 1", c["state"], c["version"])
	}
	evs, err := in.Mem.Events.Load(context.Background(), accreditation.StreamPrefix+"."+c["id"].(string))
	if err != nil || len(evs) != 1 || evs[0].Actor.ID != carla.ID {
		t.Fatalf("stored events: got %+v, %v, want one by %s", evs, err, carla.ID)
	}
}

func TestInMemoryACaseIsReadByItsApplicantOnly(t *testing.T) {
	in := StartInMemory(t)
	carla, dan := applicantIn(t, in, "carla@example.org"), applicantIn(t, in, "dan@example.org")
	id := Expect(t, in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "nl"}), 201).Map(t)["id"].(string)
	got := Expect(t, in.Get(t, "/api/v1/cases/"+id, carla.Token), 200).Map(t)
	if got["id"] != id || got["scheme"] != "EIA" {
		t.Fatalf("case as its applicant: got id %v scheme %v, want %s EIA", got["id"], got["scheme"], id)
	}
	Expect(t, in.Get(t, "/api/v1/cases/"+id, dan.Token), 404)
}

func TestInMemoryNoOrAnEndedLoginIs401(t *testing.T) {
	in := StartInMemory(t)
	carla := applicantIn(t, in, "carla@example.org")
	Expect(t, in.Get(t, "/api/v1/me", carla.Token), 200)
	Expect(t, in.Post(t, "/api/v1/auth/logout", carla.Token, nil), 204)
	for name, tok := range map[string]string{"no token": "", "garbage": "garbage", "logged out": carla.Token} {
		r := Expect(t, in.Get(t, "/api/v1/me", tok), 401)
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("%s: content type %q, want application/problem+json", name, ct)
		}
	}
}

func TestInMemoryAnUnknownSchemeIsAProblemNamingTheField(t *testing.T) {
	in := StartInMemory(t)
	carla := applicantIn(t, in, "carla@example.org")
	r := Expect(t, in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "XYZ", "level": "practitioner", "language": "en"}), 400)
	if !strings.Contains(string(r.Body), `"field":"scheme"`) {
		t.Fatalf("problem does not name the scheme: %s", r.Body)
	}
}

func TestInMemoryEvidenceIsStoredSealedAndReadBackWhole(t *testing.T) {
	in := StartInMemory(t)
	carla := applicantIn(t, in, "carla@example.org")
	id := Expect(t, in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	up := Expect(t, in.Upload(t, id, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections", "categories": "1", "indicators": "31"}, "reflections.pdf", pdf, nil), 201).Map(t)
	evID := up["evidence"].([]any)[0].(map[string]any)["id"].(string)
	sealed, err := in.Mem.Blobs.Get(context.Background(), id+"/"+evID)
	if err != nil {
		t.Fatalf("stored object: %v", err)
	}
	var stored bytes.Buffer
	_, _ = stored.ReadFrom(sealed)
	if bytes.Contains(stored.Bytes(), []byte("%PDF")) {
		t.Fatal("the stored object holds the file in clear")
	}
	got := Expect(t, in.Get(t, "/api/v1/cases/"+id+"/evidence/"+evID+"/file", carla.Token), 200)
	if !bytes.Equal(got.Body, pdf) {
		t.Fatalf("file read back: got %d bytes, want the %d uploaded", len(got.Body), len(pdf))
	}
}
