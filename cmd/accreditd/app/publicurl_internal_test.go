package app

import "testing"

// The domains RFC 2606 keeps for examples are told apart from real ones,
// so that only a placeholder address is warned of.
func TestReservedExampleHost(t *testing.T) {
	for host, want := range map[string]bool{"accredit.example.org": true, "example.com": true, "EXAMPLE.NET.": true, "a.b.example": true,
		"accredit.emccglobal.org": false, "example.org.evil.com": false, "myexample.org": false, "127.0.0.1": false, "": false} {
		if got := reservedExampleHost(host); got != want {
			t.Errorf("reservedExampleHost(%q) = %v, want %v", host, got, want)
		}
	}
}
