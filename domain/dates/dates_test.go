package dates_test

import (
	"testing"
	"time"

	"github.com/emcc/accredit/domain/dates"
)

func TestDatesReadAsWordsInEachLanguage(t *testing.T) {
	at := time.Date(2026, 12, 6, 15, 4, 0, 0, time.FixedZone("CET", 3600))
	for _, c := range []struct{ name, got, want string }{
		{"Date/en", dates.Date("en", at), "6 December 2026"},
		{"Date/nl", dates.Date("nl", at), "6 december 2026"},
		{"Date/unknown language is English", dates.Date("de", at), "6 December 2026"},
		{"DateTime/en in UTC", dates.DateTime("en", at), "6 December 2026 14:04 UTC"},
		{"DateTime/nl in UTC", dates.DateTime("nl", at), "6 december 2026 om 14:04 UTC"},
		{"Date/the UTC day", dates.Date("en", time.Date(2027, 1, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600))), "31 December 2026"},
		{"Clock", dates.Clock(at), "14:04 UTC"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}
