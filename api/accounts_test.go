package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// spray tries one wrong password on each of n accounts, every try claiming
// another client address in X-Forwarded-For and X-Real-IP (unless fixed is
// set), and returns the statuses.
func spray(t *testing.T, in *Instance, n int, fixed string) []int {
	t.Helper()
	var out []int
	for i := range n {
		ip := fixed
		if ip == "" {
			ip = fmt.Sprintf("203.0.113.%d", i+1)
		}
		r := in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body:   map[string]string{"email": fmt.Sprintf("victim%d@example.org", i), "password": "wrong password!"},
			Header: map[string]string{"X-Forwarded-For": ip, "X-Real-IP": ip}})
		out = append(out, r.Status)
	}
	return out
}

func TestRotatedForwardedForDoesNotEscapeTheLoginThrottle(t *testing.T) {
	// no trusted proxy: the client is the connection's address. The clock
	// stands still: the throttle's first delay is a second, which slow
	// logins on a busy machine outlasted (the 6th try then got a 401).
	in := StartWith(t, Config(t.TempDir()), app.Options{Now: NewClock(time.Now()).Now})
	got := spray(t, in, 6, "")
	for i, s := range got[:5] {
		if s != http.StatusUnauthorized {
			t.Fatalf("try %d: got %d, want 401", i+1, s)
		}
	}
	if got[5] != http.StatusTooManyRequests {
		t.Fatalf("6th try from one connection with a new X-Forwarded-For: got %d, want 429", got[5])
	}
}

// TestWrongPasswordsSlowOnlyTheirOwnAccountsChange: a user who gives a
// wrong current password over and over is slowed down, and no other user
// is: one applicant's wrong tries once blocked everyone's change of password.
func TestWrongPasswordsSlowOnlyTheirOwnAccountsChange(t *testing.T) {
	in := StartWith(t, Config(t.TempDir()), app.Options{Now: NewClock(time.Now()).Now}) // still, as above
	admin := in.AdminToken(t)
	mallory := in.CreateUser(t, admin, "applicant", "mallory@example.org", "Mallory")
	victim := in.CreateUser(t, admin, "assessor", "victim@example.org", "Victim")
	change := func(u User, current string) int {
		return in.Post(t, "/api/v1/me/password", u.Token, map[string]string{"current_password": current, "new_password": "a fresh long passphrase"}).Status
	}
	var got []int
	for range 6 {
		got = append(got, change(mallory, "not my password at all"))
	}
	if !slices.Equal(got, []int{401, 401, 401, 401, 401, 429}) {
		t.Fatalf("wrong current passwords: got %v, want five 401s and a 429", got)
	}
	if s := change(victim, victim.Password); s != http.StatusNoContent {
		t.Fatalf("another user's change, with the right password: got %d, want 204", s)
	}
}

func TestATrustedProxyNamesTheClient(t *testing.T) {
	cfg := Config(t.TempDir())
	nets, err := app.ParseCIDRs("127.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.TrustedProxies = nets
	in := StartWith(t, cfg, app.Options{Now: NewClock(time.Now()).Now}) // still, as above
	// Many clients behind the proxy are many clients.
	for i, s := range spray(t, in, 6, "") {
		if s != http.StatusUnauthorized {
			t.Fatalf("try %d from its own address: got %d, want 401", i+1, s)
		}
	}
	// One client behind the proxy is slowed down, and only that one.
	if got := spray(t, in, 6, "198.51.100.7"); got[5] != http.StatusTooManyRequests {
		t.Fatalf("6th try of one forwarded client: got %v, want 429 last", got)
	}
	if got := spray(t, in, 1, "198.51.100.8"); got[0] != http.StatusUnauthorized {
		t.Fatalf("another forwarded client: got %d, want 401", got[0])
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		bad  bool
	}{
		{"", 0, false},
		{"10.0.0.0/8", 1, false},
		{"10.0.0.0/8,192.168.1.10 fd00::/8", 3, false},
		{"not-an-ip", 0, true},
		{"10.0.0.0/33", 0, true},
	} {
		got, err := app.ParseCIDRs(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && len(got) != tc.want) {
			t.Errorf("ParseCIDRs(%q): got %v, %v; want %d nets, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
	if _, err := app.Parse(nil, func(k string) string {
		if k == "ACCREDIT_TRUSTED_PROXIES" {
			return "nonsense"
		}
		return ""
	}); err == nil {
		t.Error("a bad ACCREDIT_TRUSTED_PROXIES was accepted")
	}
}

func TestHSTSWhenCookiesAreSecure(t *testing.T) {
	for _, secure := range []bool{true, false} {
		cfg := Config(t.TempDir())
		cfg.SecureCookies = secure
		in := StartWith(t, cfg, app.Options{})
		for _, path := range []string{"/healthz", "/login"} {
			got := in.Get(t, path, "").Header.Get("Strict-Transport-Security")
			if secure && got != "max-age=31536000" {
				t.Errorf("secure cookies, %s: Strict-Transport-Security %q, want max-age=31536000", path, got)
			}
			if !secure && got != "" {
				t.Errorf("plain HTTP, %s: Strict-Transport-Security %q, want none", path, got)
			}
		}
	}
}

func register(t *testing.T, in *Instance, email string) Response {
	t.Helper()
	return in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": email, "password": "a long password", "name": "Bob"})
}

func TestLookalikeEmailsMakeNoSecondAccount(t *testing.T) {
	in := Start(t)
	Expect(t, register(t, in, "bob@x.test"), 201)
	Expect(t, register(t, in, "kate@x.test"), 201)
	for _, tc := range []struct {
		email string
		want  int
	}{
		{"bob@x.test\u200b", 400}, // zero-width space
		{"bob\u202e@x.test", 400}, // bidi override
		{"ｂｏｂ＠ｘ．ｔｅｓｔ", 409},       // fullwidth copy
		{"BOB@X.TEST", 409},       // case
		{"\u212Aate@x.test", 409}, // Kelvin sign K
		{" bob@x.test\t", 409},    // blanks around
		{"bob@X.test\u2028", 400}, // line separator
		{"b\u3164ob@x.test", 400}, // Hangul filler, renders as nothing
		{"bob@y.test", 201},       // another address altogether
	} {
		r := Expect(t, register(t, in, tc.email), tc.want)
		if tc.want != 201 && !strings.Contains(string(r.Body), `"field":"email"`) {
			t.Errorf("%q: the problem does not name the email: %s", tc.email, r.Body)
		}
	}
	// The lookalikes log in to the one account.
	for _, e := range []string{"ｂｏｂ＠ｘ．ｔｅｓｔ", "BOB@x.test"} {
		tok := in.Login(t, e, "a long password")
		if me := Expect(t, in.Get(t, "/api/v1/me", tok), 200).Map(t); me["email"] != "bob@x.test" {
			t.Fatalf("login as %q: got %v, want bob@x.test", e, me["email"])
		}
	}
}

// An account stored before emails were normalised, with the address as it
// was typed then, is still found by its normalised form, and its address
// stays its own.
func TestAccountsStoredBeforeNormalisationAreFound(t *testing.T) {
	in := Start(t)
	ctx := context.Background()
	const stream = accounts.StreamPrefix + "." + accounts.DirectoryID
	id := ulid.Make().String()
	seal := func(s string) pii.Sealed {
		v, err := in.App.Vault.Seal(ctx, id, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	data, _ := json.Marshal(accounts.UserRegistered{UserID: id, Role: domain.RoleApplicant,
		Email: seal("Ｏld\u212Aate@Example.ORG"), Name: seal("Old Kate"), PasswordHash: seal(accounts.HashPassword("an old long password"))})
	head, err := in.App.Events.Head(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	res, err := in.App.Events.Append(ctx, eventstore.AppendRequest{Stream: stream, Expected: head, Events: []eventstore.Event{{
		ID: ulid.Make().String(), Type: accounts.EventUserRegistered, SchemaVersion: 1, OccurredAt: time.Now().UTC(),
		Actor: domain.Actor{ID: id, Role: domain.RoleApplicant}, Data: data}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.App.Feed.WaitFor(ctx, res.Head.Seq); err != nil {
		t.Fatal(err)
	}
	for _, restart := range []bool{false, true} {
		if restart {
			in.Restart(t) // the index is built again from the stream
		}
		in.Login(t, "oldkate@example.org", "an old long password")
		Expect(t, register(t, in, "oldkate@example.org"), 409)
	}
}

func TestWeakPasswordsAreRefused(t *testing.T) {
	in := Start(t)
	for _, tc := range []struct{ pw, reason string }{
		{"éàüöçñ", "at least 12 characters"}, // 12 bytes, 6 characters
		{"", "required, at least 12 characters"},
		{"            ", "must not be only spaces"},
		{"password1234", "a common password, or made from one"},
		{"P@ssw0rd2024!", "a common password, or made from one"},
	} {
		r := Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "weak@example.org", "password": tc.pw, "name": "W"}), 400)
		if want := `{"field":"password","reason":"` + tc.reason + `"}`; !strings.Contains(string(r.Body), want) {
			t.Errorf("register with %q: got %s, want %s", tc.pw, r.Body, want)
		}
	}
	Expect(t, register(t, in, "weak@example.org"), 201)
	tok := in.Login(t, "weak@example.org", "a long password")
	r := Expect(t, in.Post(t, "/api/v1/me/password", tok, map[string]string{"current_password": "a long password", "new_password": "qwerty123456"}), 400)
	if !strings.Contains(string(r.Body), `{"field":"new_password","reason":"a common password, or made from one"}`) {
		t.Errorf("change to a common password: %s", r.Body)
	}
	Expect(t, in.Post(t, "/api/v1/me/password", tok, map[string]string{"current_password": "a long password", "new_password": "ééééééé ççççç"}), 204)
}

func TestChangingThePasswordEndsTheOtherSessions(t *testing.T) {
	in := Start(t)
	Expect(t, register(t, in, "two@example.org"), 201)
	here := in.Login(t, "two@example.org", "a long password")
	there := in.Login(t, "two@example.org", "a long password")
	other := in.CreateUser(t, in.AdminToken(t), "applicant", "other@example.org", "Other")
	Expect(t, in.Post(t, "/api/v1/me/password", here, map[string]string{"current_password": "a long password", "new_password": "a brand new passphrase"}), 204)
	Expect(t, in.Get(t, "/api/v1/me", here), 200)  // the session it was changed in goes on
	Expect(t, in.Get(t, "/api/v1/me", there), 401) // the other one ends
	Expect(t, in.Get(t, "/api/v1/me", other.Token), 200)
	// A wrong current password ends nothing.
	again := in.Login(t, "two@example.org", "a brand new passphrase")
	Expect(t, in.Post(t, "/api/v1/me/password", here, map[string]string{"current_password": "not the password", "new_password": "yet another passphrase"}), 401)
	Expect(t, in.Get(t, "/api/v1/me", again), 200)
}

func TestOfficeEndsEverySessionOfAUser(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	u := in.CreateUser(t, admin, "assessor", "many@example.org", "Many Sessions")
	second := in.Login(t, u.Email, u.Password)
	other := in.CreateUser(t, admin, "applicant", "bystander@example.org", "Bystander")
	path := "/api/v1/users/" + u.ID + "/sessions/revocation"
	Expect(t, in.Post(t, path, u.Token, nil), 403) // not the user themselves
	r := Expect(t, in.Post(t, path, admin, nil), 200)
	if m := r.Map(t); m["user_id"] != u.ID || m["sessions_ended"] != float64(2) {
		t.Fatalf("got %v, want 2 sessions of %s ended", m, u.ID)
	}
	if r.Header.Get("X-Accredit-Seq") == "" {
		t.Error("no X-Accredit-Seq: the ending is not recorded")
	}
	Expect(t, in.Get(t, "/api/v1/me", u.Token), 401)
	Expect(t, in.Get(t, "/api/v1/me", second), 401)
	Expect(t, in.Get(t, "/api/v1/me", other.Token), 200)
	Expect(t, in.Get(t, "/api/v1/me", admin), 200)
	// They can log in again: the password is unchanged.
	Expect(t, in.Get(t, "/api/v1/me", in.Login(t, u.Email, u.Password)), 200)
	Expect(t, in.Post(t, "/api/v1/users/01ARZ3NDEKTSV4RRFFQ69G5FAV/sessions/revocation", admin, nil), 404)
	// Disabling a user ends their sessions too.
	Expect(t, in.Post(t, "/api/v1/users/"+other.ID+"/disable", admin, map[string]string{"reason": "left"}), 200)
	if got := Expect(t, in.Post(t, "/api/v1/users/"+other.ID+"/sessions/revocation", admin, nil), 200).Map(t)["sessions_ended"]; got != float64(0) {
		t.Errorf("sessions left after disabling: got %v, want 0", got)
	}
}

// TestAUserLogsOutEverywhereElse: a user sees how many other sessions they
// have and ends them all but the one asking (a phone lost); recorded once
// in their history; a replay of the same key records and ends nothing.
func TestAUserLogsOutEverywhereElse(t *testing.T) {
	clock := NewClock(time.Now())
	in := StartWith(t, Config(t.TempDir()), app.Options{Now: clock.Now})
	Expect(t, register(t, in, "three@example.org"), 201)
	here := in.Login(t, "three@example.org", "a long password")
	phone := in.Login(t, "three@example.org", "a long password")
	laptop := in.Login(t, "three@example.org", "a long password")
	other := in.CreateUser(t, in.AdminToken(t), "applicant", "bystander@example.org", "Bystander")
	count := func(tok string) any {
		return Expect(t, in.Get(t, "/api/v1/me/sessions", tok), 200).Map(t)["other_sessions"]
	}
	if got := count(here); got != float64(2) {
		t.Fatalf("other sessions: got %v, want 2", got)
	}
	end := func() Response {
		return in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/me/sessions/revocation", Token: here,
			Header: map[string]string{"Idempotency-Key": "lost-phone"}})
	}
	r := Expect(t, end(), 200)
	if m := r.Map(t); m["sessions_ended"] != float64(2) || r.Header.Get("X-Accredit-Seq") == "" {
		t.Fatalf("got %v (X-Accredit-Seq %q), want 2 sessions ended and recorded", m, r.Header.Get("X-Accredit-Seq"))
	}
	Expect(t, in.Get(t, "/api/v1/me", here), 200) // the one asking goes on
	Expect(t, in.Get(t, "/api/v1/me", phone), 401)
	Expect(t, in.Get(t, "/api/v1/me", laptop), 401)
	Expect(t, in.Get(t, "/api/v1/me", other.Token), 200)
	if got := count(here); got != float64(0) {
		t.Fatalf("other sessions after: got %v, want 0", got)
	}

	// A replay answers as the first did (the same record) and ends nothing:
	// a session opened since goes on.
	clock.Advance(time.Second) // a session's opening is known to the second
	again := in.Login(t, "three@example.org", "a long password")
	if re := Expect(t, end(), 200); re.Header.Get("X-Accredit-Seq") != r.Header.Get("X-Accredit-Seq") || re.Header.Get("ETag") != r.Header.Get("ETag") {
		t.Errorf("the replay: X-Accredit-Seq %q ETag %q, want the first's %q %q", re.Header.Get("X-Accredit-Seq"), re.Header.Get("ETag"),
			r.Header.Get("X-Accredit-Seq"), r.Header.Get("ETag"))
	}
	Expect(t, in.Get(t, "/api/v1/me", again), 200)
	var doc struct {
		History []struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		} `json:"account_history"`
	}
	Expect(t, in.Get(t, "/api/v1/me/export", here), 200).JSON(t, &doc)
	ended := 0
	for _, e := range doc.History {
		if e.Type == "accounts.sessions_ended" {
			ended++
			if e.Data["kept_current"] != true {
				t.Errorf("the record does not say the current session was kept: %v", e.Data)
			}
		}
	}
	if ended != 1 {
		t.Fatalf("sessions_ended records: got %d, want 1 (the retry writes nothing)", ended)
	}
}

// The office lists users a page at a time, oldest first; without a limit,
// every user as before.
func TestUsersAreListedAPageAtATime(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	for i := range 3 {
		Expect(t, in.Post(t, "/api/v1/users", admin, map[string]string{"email": fmt.Sprintf("p%d@example.org", i),
			"name": "P", "role": "applicant", "password": "a long password"}), 201)
	}
	type page struct {
		Users []struct {
			ID string `json:"id"`
		} `json:"users"`
		Next string `json:"next_cursor"`
	}
	var all, first, second page
	Expect(t, in.Get(t, "/api/v1/users", admin), 200).JSON(t, &all)
	if len(all.Users) != 4 || all.Next != "" {
		t.Fatalf("every user: got %d, next %q; want 4 (the office user and 3), no next", len(all.Users), all.Next)
	}
	Expect(t, in.Get(t, "/api/v1/users?limit=3", admin), 200).JSON(t, &first)
	if len(first.Users) != 3 || first.Next != first.Users[2].ID {
		t.Fatalf("first page: got %d users, next %q", len(first.Users), first.Next)
	}
	Expect(t, in.Get(t, "/api/v1/users?limit=3&cursor="+first.Next, admin), 200).JSON(t, &second)
	if len(second.Users) != 1 || second.Users[0].ID != all.Users[3].ID || second.Next != "" {
		t.Fatalf("second page: got %+v, want the last user and no next", second)
	}
	for i, u := range first.Users {
		if u.ID != all.Users[i].ID {
			t.Fatalf("page order: got %s at %d, want %s", u.ID, i, all.Users[i].ID)
		}
	}
	r := Expect(t, in.Get(t, "/api/v1/users?limit=0", admin), 400)
	if !strings.Contains(string(r.Body), `"field":"limit"`) {
		t.Fatalf("a bad limit is not named: %s", r.Body)
	}
}

// TestTheUsersListHonoursMinSeq: GET /api/v1/users documents min_seq, and
// honours it with q; without q it was not read at all, so a bad one was
// answered with every user and a caller's write was not waited for.
func TestTheUsersListHonoursMinSeq(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	r := Expect(t, in.Post(t, "/api/v1/users", admin, map[string]string{"email": "seq@example.org",
		"name": "Sequence", "role": "assessor", "password": "a long password"}), 201)
	seq := r.Header.Get("X-Accredit-Seq")
	var list struct {
		Users []struct {
			Email string `json:"email"`
		} `json:"users"`
	}
	Expect(t, in.Get(t, "/api/v1/users?role=assessor&min_seq="+seq, admin), 200).JSON(t, &list)
	if len(list.Users) != 1 || list.Users[0].Email != "seq@example.org" {
		t.Fatalf("the assessors at min_seq %s: got %+v, want the one just made", seq, list.Users)
	}
	for _, bad := range []string{"abc", "-1", "999999999"} {
		r := Expect(t, in.Get(t, "/api/v1/users?min_seq="+bad, admin), 400)
		if !strings.Contains(string(r.Body), `"field":"min_seq"`) {
			t.Errorf("min_seq=%s: the problem does not name min_seq: %s", bad, r.Body)
		}
	}
}

// The API holds the rules the web holds: an office user cannot disable or
// erase their own account (422), and disabling needs a reason (400 naming
// it), as the OpenAPI's ReasonRequest says. Nothing changes for either.
func TestOfficeCannotDisableOrEraseItselfOverTheAPI(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	self := Expect(t, in.Get(t, "/api/v1/me", admin), 200).Map(t)["id"].(string)
	other := in.CreateUser(t, admin, "office", "otto@example.org", "Otto Office")

	for _, path := range []string{"/disable", "/erasure"} {
		r := Expect(t, in.Post(t, "/api/v1/users/"+self+path, admin, map[string]string{"reason": "leaving"}), 422)
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" || !strings.Contains(string(r.Body), "your own account") {
			t.Fatalf("%s of oneself: %s %s", path, ct, r.Body)
		}
	}
	wantField(t, in.Post(t, "/api/v1/users/"+other.ID+"/disable", admin, map[string]string{}), "reason", "required")
	wantField(t, in.Post(t, "/api/v1/users/"+other.ID+"/disable", admin, map[string]string{"reason": "  "}), "reason", "required")
	// A reason that shows nothing (a zero-width non-joiner) is none.
	wantField(t, in.Post(t, "/api/v1/users/"+other.ID+"/disable", admin, map[string]string{"reason": " \u200c "}), "reason", "required")
	Expect(t, in.Get(t, "/api/v1/me", admin), 200)
	Expect(t, in.Get(t, "/api/v1/me", other.Token), 200)

	// Another office user can, and can undo it (a reason needed): the old
	// password logs in again.
	Expect(t, in.Post(t, "/api/v1/users/"+self+"/disable", other.Token, map[string]string{"reason": "on leave"}), 200)
	Expect(t, in.Get(t, "/api/v1/me", admin), 401)
	Expect(t, in.Post(t, "/api/v1/auth/login", "", map[string]string{"email": AdminEmail, "password": AdminPassword}), 401)
	wantField(t, in.Post(t, "/api/v1/users/"+self+"/enable", other.Token, map[string]string{}), "reason", "required")
	wantField(t, in.Post(t, "/api/v1/users/"+self+"/enable", other.Token, map[string]string{"reason": "\u200c"}), "reason", "required")
	if u := Expect(t, in.Post(t, "/api/v1/users/"+self+"/enable", other.Token, map[string]string{"reason": "back from leave"}), 200).Map(t); u["disabled"] == true {
		t.Fatalf("enabled: %v", u)
	}
	Expect(t, in.Get(t, "/api/v1/me", in.Login(t, AdminEmail, AdminPassword)), 200)
	Expect(t, in.Post(t, "/api/v1/users/"+self+"/enable", other.Token, map[string]string{"reason": "again"}), 200) // nothing to undo: answered as is
	Expect(t, in.Post(t, "/api/v1/users/01ARZ3NDEKTSV4RRFFQ69G5FAV/enable", other.Token, map[string]string{"reason": "x"}), 404)
}

// The right of access holds the account as stored, an assessor's profile
// with their declared conflicts of interest among it, and the user's email
// choices: personal data the export once left out.
func TestTheExportHoldsTheAccountAndEmailChoices(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	pia := in.CreateUser(t, admin, "applicant", "pia@example.org", "Pia Applicant")
	ada := in.CreateUser(t, admin, "assessor", "ada@example.org", "Ada Assessor")
	Expect(t, in.Put(t, "/api/v1/users/"+ada.ID+"/assessor-profile", admin, map[string]any{"schemes": []string{"EIA"}, "max_level": "practitioner",
		"languages": []string{"en"}, "conflicts": []string{pia.ID}}), 200)
	Expect(t, in.Put(t, "/api/v1/me/notifications", ada.Token, map[string]any{"receive": []string{}, "language": "nl"}), 200)
	doc := Expect(t, in.Get(t, "/api/v1/me/export", ada.Token), 200).Map(t)
	acc, _ := doc["account"].(map[string]any)
	prof, _ := acc["assessor_profile"].(map[string]any)
	if acc["id"] != ada.ID || prof == nil || fmt.Sprint(prof["conflicts"]) != "["+pia.ID+"]" {
		t.Fatalf("the account in the export: %v", doc["account"])
	}
	if n, _ := doc["notifications"].(map[string]any); n == nil || n["language"] != "nl" {
		t.Fatalf("the email choices in the export: %v", doc["notifications"])
	}
	if sc, ok := doc["self_checks"].([]any); !ok || len(sc) != 0 {
		t.Fatalf("self-checks in the export: %v", doc["self_checks"])
	}
}

// TestARetriedPasswordChangeIsAnsweredAsTheFirst: POST /me/password with a
// key, answered 204; its retries (same key, same body) are answered 204
// too, not checked against the password the first one set (401 "the
// current password is wrong", each counted as a wrong try against the
// account's throttle).
func TestARetriedPasswordChangeIsAnsweredAsTheFirst(t *testing.T) {
	in := StartInMemory(t)
	carla := in.CreateUser(t, in.AdminToken(t), "applicant", "carla@example.org", "Carla")
	change := Request{Method: http.MethodPost, Path: "/api/v1/me/password", Token: carla.Token,
		Body: map[string]string{"current_password": carla.Password, "new_password": "a fresh long passphrase"}, Header: keyed("pw-1")}
	first := Expect(t, in.Do(t, change), 204)
	for range 6 {
		if r := in.Do(t, change); r.Status != 204 || r.Header.Get("X-Accredit-Seq") != first.Header.Get("X-Accredit-Seq") {
			t.Fatalf("retried password change: got %d %s (seq %s), want 204 as the first (seq %s)", r.Status, r.Body, r.Header.Get("X-Accredit-Seq"), first.Header.Get("X-Accredit-Seq"))
		}
	}
	Expect(t, in.Get(t, "/api/v1/me", carla.Token), 200) // the session it was made in goes on
	in.Login(t, carla.Email, "a fresh long passphrase")
}

// TestANameWithAControlCharacterIsRefused: a person's or a programme's name
// is one line, shown on the register, the certificate and in mail; a line
// break, an escape, NUL or a bidi override in it is a 400 naming the field,
// and nothing is recorded: the address is still free. Names in any script
// are taken.
func TestANameWithAControlCharacterIsRefused(t *testing.T) {
	tm := newTeam(t)
	for _, name := range []string{"Zoe\nAdmin: yes", "Zoe\x00", "Zoe\x1b[31m", "\u202eeoZ", "Zoe\u2028Coach"} {
		body := map[string]string{"email": "zoe@example.org", "password": "a long enough password", "name": name}
		if r := tm.in.Post(t, "/api/v1/auth/register", "", body); r.Status != 400 || !strings.Contains(string(r.Body), `"field":"name"`) {
			t.Errorf("register as %q: %d %s; want a 400 naming name", name, r.Status, r.Body)
		}
		body["role"] = "assessor"
		if r := tm.in.Post(t, "/api/v1/users", tm.admin, body); r.Status != 400 || !strings.Contains(string(r.Body), `"field":"name"`) {
			t.Errorf("the office creates %q: %d %s; want a 400 naming name", name, r.Status, r.Body)
		}
	}
	Expect(t, tm.in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "zoe@example.org", "password": "a long enough password",
		"name": "Zoë Ångström-محمد\u200cرضا"}), 201)

	r := tm.in.Post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EQA", "level": "practitioner", "language": "en",
		"programme": map[string]string{"name": "Coaching\x00Plus", "provider": "Acme\u202e"}})
	if got := string(r.Body); r.Status != 400 || !strings.Contains(got, `"field":"programme.name"`) || !strings.Contains(got, `"field":"programme.provider"`) {
		t.Errorf("a programme named with control characters: %d %s; want a 400 naming programme.name and programme.provider", r.Status, got)
	}
	if mine := Expect(t, tm.in.Get(t, "/api/v1/me/cases", tm.applicant.Token), 200).Map(t); fmt.Sprint(mine["cases"]) != "[]" {
		t.Errorf("the applicant's cases after the refusal: got %v, want none", mine["cases"])
	}
}

// TestARegistrationIsTheRegistrantsOwnWhoeverSendsIt: POST
// /api/v1/auth/register sent with a logged-in user's token (a client that
// sends its token with every request, someone registering a second
// account) is still a self-registration, recorded as the new user's own
// act: the audit must not name the token's holder as having created
// someone else's account, as the web's sign-up does not.
func TestARegistrationIsTheRegistrantsOwnWhoeverSendsIt(t *testing.T) {
	tm := newTeam(t)
	r := Expect(t, tm.in.Post(t, "/api/v1/auth/register", tm.applicant.Token,
		map[string]string{"email": "second@example.org", "password": "a second long password", "name": "Second Self"}), 201).Map(t)
	id := r["id"].(string)
	events := Expect(t, tm.in.Get(t, fmt.Sprintf("/api/v1/audit?type=accounts.user_registered&min_seq=%d", lastSeq(t, tm.in)), tm.admin), 200).Map(t)["events"].([]any)
	for _, e := range events {
		e := e.(map[string]any)
		if !strings.Contains(fmt.Sprint(e["data"]), "second@example.org") {
			continue
		}
		if a := e["actor"].(map[string]any); a["id"] != id || a["role"] != "applicant" {
			t.Fatalf("the registration of %s is recorded as made by %v, want the registrant themselves", id, a)
		}
		if d := e["data"].(map[string]any); d["self_service"] != true {
			t.Fatalf("the registration is not recorded as self-service: %v", d)
		}
		return
	}
	t.Fatalf("no user_registered event for %s in the audit: %v", id, events)
}
