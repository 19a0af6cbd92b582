package accounts

import (
	"context"
	"testing"
	"time"
)

func TestPasswordHashing(t *testing.T) {
	h := HashPassword("correct horse battery")
	if !CheckPassword(h, "correct horse battery") {
		t.Fatal("the right password does not match")
	}
	if CheckPassword(h, "correct horse battery!") {
		t.Fatal("a wrong password matches")
	}
	if h2 := HashPassword("correct horse battery"); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$", "plain", "$bcrypt$x$y$z$w"} {
		if CheckPassword(bad, "x") {
			t.Fatalf("malformed hash %q matched", bad)
		}
	}
}

func TestThrottleSlowsRepeatedFailuresDown(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := &throttle{store: NewMemoryThrottle(), now: func() time.Time { return now }, blind: func(s string) string { return s }}
	blocked := func(account, client string) time.Duration {
		t.Helper()
		w, err := th.blocked(ctx, try{account: account, client: client})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	fail := func(account, client string) {
		t.Helper()
		if err := th.fail(ctx, try{account: account, client: client}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range ClientFailures - 1 {
		fail("a@b.nl", "1.2.3.4")
		if w := blocked("a@b.nl", "1.2.3.4"); w != 0 {
			t.Fatalf("blocked after %d failures", i+1)
		}
	}
	fail("a@b.nl", "1.2.3.4")
	first := blocked("a@b.nl", "1.2.3.4")
	if first <= 0 {
		t.Fatal("not blocked after the free failures")
	}
	if w := blocked("other@b.nl", "1.2.3.4"); w != first {
		t.Fatalf("the client trying another account: blocked %v, want %v", w, first)
	}
	if w := blocked("a@b.nl", "9.9.9.9"); w != 0 {
		t.Fatalf("the account from another client: blocked %v, want 0", w)
	}
	fail("a@b.nl", "1.2.3.4")
	if second := blocked("a@b.nl", "1.2.3.4"); second <= first {
		t.Fatalf("delay did not grow: %v then %v", first, second)
	}
	if blocked("other@b.nl", "5.5.5.5") != 0 {
		t.Fatal("another account from another client is blocked")
	}
	now = now.Add(FailWindow + time.Minute)
	if w := blocked("a@b.nl", "1.2.3.4"); w != 0 {
		t.Fatalf("still blocked after the window: %v", w)
	}
}

func TestNormaliseEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  Ada@Example.ORG ", "ada@example.org"},
		{"ｂｏｂ＠ｘ．ｔｅｓｔ", "bob@x.test"},                        // fullwidth
		{"\u212Aate@x.test", "kate@x.test"},                 // Kelvin sign
		{"STRASSE@x.test", "strasse@x.test"},                // case-folded
		{"straße@x.test", "strasse@x.test"},                 // full case folding
		{"ann@BÜCHER.example", "ann@xn--bcher-kva.example"}, // IDNA domain
		{"ann@xn--bcher-kva.example", "ann@xn--bcher-kva.example"},
	} {
		if got := NormaliseEmail(tc.in); got != tc.want {
			t.Errorf("NormaliseEmail(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCheckEmailRefusesInvisibleCharacters(t *testing.T) {
	for _, bad := range []string{
		"bob@x.test\u200b",     // zero-width space
		"b\u200dob@x.test",     // zero-width joiner
		"bob\u202e@x.test",     // right-to-left override
		"bob\u2066@x.test",     // left-to-right isolate
		"bo\u00adb@x.test",     // soft hyphen
		"bob@x.test\ufeff",     // byte order mark
		"b\u3164ob@x.test",     // Hangul filler
		"bob\ufe0f@x.test",     // variation selector
		"bob\x00@x.test",       // NUL
		"bob\u0085@x.test",     // next line
		"bob\ue000@x.test",     // private use
		"bob\U000e0041@x.test", // tag character
		"bob@x.test\u2028",     // line separator
		"no at sign", "a@", "@x.test", "two words@x.test", "Bob <bob@x.test>",
	} {
		if err := CheckEmail(bad); err == nil {
			t.Errorf("CheckEmail(%q): accepted, want refused", bad)
		}
	}
	for _, good := range []string{"bob@x.test", " bob@x.test ", "ｂｏｂ＠ｘ．ｔｅｓｔ", "josé@bücher.example", "a.b+c@x.test"} {
		if err := CheckEmail(good); err != nil {
			t.Errorf("CheckEmail(%q): %v, want accepted", good, err)
		}
	}
}

func TestCheckNewPassword(t *testing.T) {
	for _, tc := range []struct{ pw, want string }{
		{"éàüöçñéàüöç", ReasonPasswordShort}, // 22 bytes, 11 characters
		{"éàüöçñéàüöçñ", ""},                 // 12 characters
		{"", ReasonPasswordMissing},
		{"            ", ReasonPasswordBlank},
		{"\t\n \u00a0\u3000\t\n \u00a0\u3000  ", ReasonPasswordBlank},
		{"short", ReasonPasswordShort},
		{string(make([]rune, 257)), ReasonPasswordLong},
		{"123qweasdzxc", ReasonPasswordCommon},   // on the list as it is
		{"1QAZ2WSX3EDC", ReasonPasswordCommon},   // in capitals
		{"password1234", ReasonPasswordCommon},   // a common word and digits
		{"P@ssw0rd2024!", ReasonPasswordCommon},  // l33t, digits and a symbol
		{"!!Dragon!!2024", ReasonPasswordCommon}, // symbols around
		{"iloveyou iloveyou", ReasonPasswordCommon},
		{"passwordpassword", ReasonPasswordCommon},
		{"ｐａｓｓｗｏｒｄ１２３４", ReasonPasswordCommon}, // fullwidth
		{"aaaaaaaaaaaa", ReasonPasswordCommon},
		{"abcabcabcabc", ReasonPasswordCommon},
		{"correct horse battery", ""},
		{"a long password", ""},
		{"office-password-1", ""},
		{"Zx9!Lm#Qa2$w", ""},
		{"mijn fiets is groen 42", ""},
	} {
		if got := CheckNewPassword(tc.pw); got != tc.want {
			t.Errorf("CheckNewPassword(%q): got %q, want %q", tc.pw, got, tc.want)
		}
	}
	if n := len(commonPasswords()); n < 10_000 {
		t.Fatalf("common passwords: got %d, want the whole list", n)
	}
}

func TestTokensNameTheirUser(t *testing.T) {
	const id = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
	secret := "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	for _, tc := range []struct {
		token string
		ok    bool
	}{
		{id + "." + secret, true},
		{secret, false},        // the format before user ids
		{id + ".short", false}, // too little secret
		{"01arz3ndektsv4rrffq69g5fav." + secret, false},
		{"../../etc." + secret, false},
		{id + "." + secret + "." + secret, true}, // the rest is the secret; its hash is what counts
	} {
		if got, ok := splitToken(tc.token); ok != tc.ok || ok && got != id {
			t.Errorf("splitToken(%q): got %q, %v; want ok %v", tc.token, got, ok, tc.ok)
		}
	}
}
