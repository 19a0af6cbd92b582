package accreditation

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
)

// An interview scheduled before its place was sealed holds the place in
// clear in its event: the case still replays it, shows it as the next
// step, and keeps it through a snapshot of the case.
func TestAnInterviewScheduledWithThePlaceInClearStillReads(t *testing.T) {
	h := seniorCase(t, inAssessment)
	at := h.now.Add(48 * time.Hour).UTC()
	old := `{"at":"` + at.Format(time.RFC3339) + `","place":"Kerkstraat 12, Utrecht"}`
	e := eventstore.Event{ID: "old-1", Stream: StreamPrefix + ".case-1", Type: string(EventInterviewScheduled), SchemaVersion: 1,
		OccurredAt: h.now, Actor: officeScreen, Data: json.RawMessage(old)}
	if err := h.c.Apply(e); err != nil {
		t.Fatalf("apply the old event: %v", err)
	}
	if got := h.c.Interview.Place.Open(unseal); got != "Kerkstraat 12, Utrecht" || !h.c.Interview.At.Equal(at) {
		t.Fatalf("interview: got %q at %s, want the clear place at %s", got, h.c.Interview.At, at)
	}
	if got := h.c.Next(h.now).RevealPlace(unseal); got.InterviewPlace != "Kerkstraat 12, Utrecht" {
		t.Fatalf("next step: got %+v, want the clear place", got)
	}
	b, err := json.Marshal(h.c)
	if err != nil {
		t.Fatal(err)
	}
	var back Case
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("the case's snapshot: %v", err)
	}
	if got := back.Interview.Place.Open(unseal); got != "Kerkstraat 12, Utrecht" {
		t.Fatalf("after a snapshot: got %q, want the clear place", got)
	}
}
