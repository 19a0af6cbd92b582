package mail

import (
	"strings"
	"testing"
	"time"
)

// A number in a mail goes with its noun in the right number, in both
// languages: a reminder the day before the end says "1 day", not "1 days".
func TestMailsCountInTheSingularAndThePlural(t *testing.T) {
	until := time.Date(2031, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		kind Kind
		d    Data
		want []string // in the subjects and bodies, English then Dutch
		not  []string
	}{
		{KindRenewalReminder, Data{Days: 1, Until: until}, []string{"runs out in 1 day", "2 March 2031, 1 day from now.", "verloopt over 1 dag", "over 1 dag."},
			[]string{"1 days", "1 dagen"}},
		{KindRenewalReminder, Data{Days: 30, Until: until}, []string{"runs out in 30 days", "30 days from now.", "verloopt over 30 dagen", "over 30 dagen."}, nil},
		{KindPasswordReset, Data{Minutes: 1}, []string{"within 1 minute;", "binnen 1 minuut deze"}, []string{"1 minutes", "1 minuten"}},
		{KindEmailVerification, Data{Minutes: 30}, []string{"within 30 minutes;", "30 minuten deze"}, nil},
	} {
		en, enBody, nl, nlBody := renderBoth(t, c.kind, c.d)
		all := en + "\n" + enBody + "\n" + nl + "\n" + nlBody
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s (%+v): no %q in\n%s", c.kind, c.d, w, all)
			}
		}
		for _, w := range c.not {
			if strings.Contains(all, w) {
				t.Errorf("%s: %q in\n%s", c.kind, w, all)
			}
		}
	}
}
