package accounts

import (
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
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	for i := range freeFailures - 1 {
		th.fail("a@b.nl", "1.2.3.4")
		if w := th.blocked("a@b.nl", "1.2.3.4"); w != 0 {
			t.Fatalf("blocked after %d failures", i+1)
		}
	}
	th.fail("a@b.nl", "1.2.3.4")
	first := th.blocked("a@b.nl", "9.9.9.9") // the account is blocked from anywhere
	if first <= 0 {
		t.Fatal("not blocked after the free failures")
	}
	th.fail("a@b.nl", "1.2.3.4")
	if second := th.blocked("a@b.nl", "1.2.3.4"); second <= first {
		t.Fatalf("delay did not grow: %v then %v", first, second)
	}
	if th.blocked("other@b.nl", "5.5.5.5") != 0 {
		t.Fatal("another account from another client is blocked")
	}
	now = now.Add(failWindow + time.Minute)
	if w := th.blocked("a@b.nl", "1.2.3.4"); w != 0 {
		t.Fatalf("still blocked after the window: %v", w)
	}
}

func TestNormaliseEmail(t *testing.T) {
	if NormaliseEmail("  Ada@Example.ORG ") != "ada@example.org" {
		t.Fatal("emails are not compared case-insensitively")
	}
}
