package accreditation

import (
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
)

// TestInForce pins the register's "valid" rule on its boundary: valid up to
// the last instant before valid_until, not at it (when Expire is first
// allowed), and never unless active.
func TestInForce(t *testing.T) {
	until := time.Date(2030, 3, 3, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		status AccreditationStatus
		now    time.Time
		want   bool
	}{
		{"active, a day before", StatusActive, until.AddDate(0, 0, -1), true},
		{"active, a nanosecond before", StatusActive, until.Add(-time.Nanosecond), true},
		{"active, at valid_until", StatusActive, until, false},
		{"active, after valid_until", StatusActive, until.Add(time.Second), false},
		{"active, the same instant in another zone", StatusActive, until.In(time.FixedZone("CET", 3600)), false},
		{"expired, before its date", StatusExpired, until.AddDate(0, 0, -1), false},
		{"withdrawn, before its date", StatusWithdrawn, until.AddDate(0, 0, -1), false},
		{"revoked, before its date", StatusRevoked, until.AddDate(0, 0, -1), false},
	} {
		if got := InForce(tc.status, until, tc.now); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// The boundary is Expire's: it refuses just before valid_until and
	// accepts at it.
	h := given(t, SchemeEIA, awarded)
	a := h.c.Accreditation
	h.now = a.ValidUntil.Add(-time.Nanosecond)
	if !InForce(a.Status, a.ValidUntil, h.now) {
		t.Fatalf("just before valid_until: got not in force, want in force")
	}
	h.fails(domain.System, expireCmd())
	h.now = a.ValidUntil
	if InForce(a.Status, a.ValidUntil, h.now) {
		t.Fatalf("at valid_until: got in force, want not")
	}
	h.do(domain.System, expireCmd())
}

// TestAnAwardOn29FebruaryRunsTo28February: an award is valid ValidityYears
// to the day; one made on 29 February ends on the last day of February of
// a year that has no 29th (as the renewal window's months are counted),
// not on 1 March, a day longer than the years it is given for.
func TestAnAwardOn29FebruaryRunsTo28February(t *testing.T) {
	h := given(t, SchemeEIA, awaitingDecision)
	h.now = time.Date(2028, time.February, 29, 14, 30, 0, 0, time.UTC)
	h.do(officeDecide, with((*Case).Decide, award(framework.Practitioner, "acc-1")))
	if got, want := h.c.Accreditation.ValidUntil, time.Date(2033, time.February, 28, 14, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("awarded on 29 February 2028: valid until %v, want %v", got, want)
	}
}
