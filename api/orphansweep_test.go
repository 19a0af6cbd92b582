package api_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/natsstore"
)

// TestRetentionSweepsOrphanEvidence: the daily retention job deletes an
// evidence object that no case names once it is older than the margin (an
// upload's object whose event never came: a stop between the two writes),
// in the real object store; it keeps an object a case names, however old,
// one younger than the margin, and one whose name is not an evidence
// object's.
func TestRetentionSweepsOrphanEvidence(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	objects, err := tm.in.App.Events.JetStream().ObjectStore(ctx, natsstore.EvidenceBucket)
	if err != nil {
		t.Fatal(err)
	}
	put := func(name string) {
		t.Helper()
		if _, err := objects.PutBytes(ctx, name, []byte("sealed bytes")); err != nil {
			t.Fatal(err)
		}
	}
	id := draftCase(t, tm)
	up := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, note, "kept.txt", []byte("named by its event"), nil), 201).Map(t)
	ev := up["evidence"].([]any)[0].(map[string]any)
	named := ev["object"].(string)
	orphan := id + "/" + ulid.Make().String()                    // its upload stopped before its event
	nowhere := ulid.Make().String() + "/" + ulid.Make().String() // of no case at all
	stray := "not-evidence"
	for _, n := range []string{orphan, nowhere, stray} {
		put(n)
	}
	// Everything above is older than the margin once the clock is a margin
	// past now; what is put after now is younger.
	old := time.Now()
	for !time.Now().After(old) {
		time.Sleep(time.Millisecond)
	}
	young := id + "/" + ulid.Make().String()
	put(young)

	// A sweep whose window has passed them (a week after the day it
	// looks back from) judges none of them: the runs before did.
	tm.setClock(t, old.Add(cases.OrphanMargin+cases.OrphanWindow+time.Hour))
	if _, err := tm.in.App.RunRetention(ctx); err != nil {
		t.Fatal(err)
	}
	if got := storedObjects(t, tm.in); len(got) != 5 {
		t.Fatalf("objects after a sweep whose window is past them: got %v, want all 5", got)
	}
	tm.setClock(t, old.Add(cases.OrphanMargin))
	if _, err := tm.in.App.RunRetention(ctx); err != nil {
		t.Fatal(err)
	}
	got := storedObjects(t, tm.in)
	slices.Sort(got)
	want := []string{named, stray, young}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("objects after the sweep: got %v, want %v (the named, the young and the stray kept; %s and %s deleted)", got, want, orphan, nowhere)
	}
	// The named file still opens.
	r := Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/evidence/"+ev["id"].(string)+"/file", tm.applicant.Token), 200)
	if string(r.Body) != "named by its event" {
		t.Fatalf("the named file: got %q", r.Body)
	}
	// Run again: nothing more goes.
	if _, err := tm.in.App.RunRetention(ctx); err != nil {
		t.Fatal(err)
	}
	if again := storedObjects(t, tm.in); len(again) != 3 {
		t.Fatalf("objects after a second sweep: got %v, want the 3 kept", again)
	}
}
