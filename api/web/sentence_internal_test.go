package web

import "testing"

// TestADomainMessageReadsAsASentence: the error page shows the domain's
// own message with a capital first letter, the rest as it is, whatever
// the letter.
func TestADomainMessageReadsAsASentence(t *testing.T) {
	for in, want := range map[string]string{
		"a field over its limit": "A field over its limit",
		"élan kept":              "Élan kept",
		`"x" is not a level`:     `"x" is not a level`,
		"Already one":            "Already one",
		"":                       "",
	} {
		if got := sentence(in); got != want {
			t.Errorf("sentence(%q): got %q, want %q", in, got, want)
		}
	}
}
