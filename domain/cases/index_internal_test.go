package cases

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
)

// TestARenewalFollowedAfterAnExpiryKeepsItsDate: the expiry job drops a
// case's end date from the index once it expired the accreditation; a
// renewal in the grace period that the index followed between the expiry's
// commit and that drop kept its new date no longer, so the renewed
// accreditation was never expired, nor reminded, again.
func TestARenewalFollowedAfterAnExpiryKeepsItsDate(t *testing.T) {
	x := &index{idx: newIndexed()}
	stream := accreditation.StreamPrefix + ".C1"
	was := time.Date(2031, 3, 1, 9, 0, 0, 0, time.UTC)
	follow := func(typ accreditation.EventType, payload any) {
		data, _ := json.Marshal(payload)
		x.Follow(eventstore.Commit{Stream: stream, Events: []eventstore.Event{{Stream: stream, Type: string(typ), Data: data, OccurredAt: was}}})
	}
	follow(accreditation.EventAccreditationAwarded, accreditation.AccreditationAwarded{AccreditationID: "A1", ValidUntil: was})
	renewed := was.AddDate(5, 0, 0)
	follow(accreditation.EventAccreditationRenewed, accreditation.AccreditationRenewed{AccreditationID: "A1", ValidUntil: renewed})
	x.expired("C1", was)
	if got, ok := x.idx.Until["C1"]; !ok || !got.Equal(renewed) {
		t.Fatalf("after the expiry of the old period: until %v (held %v), want the renewal's %v", got, ok, renewed)
	}
	x.expired("C1", renewed)
	if got, ok := x.idx.Until["C1"]; ok {
		t.Fatalf("after the expiry of the renewed period: until %v, want none", got)
	}
}
