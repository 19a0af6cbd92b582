package api_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// auditOf returns the audit's events of type typ (the first page: the
// tests make few).
func auditOf(t *testing.T, tm *team, typ string) []map[string]any {
	t.Helper()
	var page struct {
		Events []map[string]any `json:"events"`
	}
	Expect(t, tm.in.Get(t, "/api/v1/audit?type="+typ, tm.admin), 200).JSON(t, &page)
	return page.Events
}

// TestAnOfficeResetLinkIsRecordedWithWhoMadeIt: a reset link the office
// makes by hand opens the account to whoever holds it, a colleague's
// account too. Its issuing is recorded on the user's stream with the
// office user who made it (accounts.reset_link_issued), once for a retry
// with the same Idempotency-Key; the password set with it names that
// office user (issued_by); the user's own export lists it; and neither
// link's token is anywhere in the event stream.
func TestAnOfficeResetLinkIsRecordedWithWhoMadeIt(t *testing.T) {
	tm := newTeam(t)
	colleague := tm.in.CreateUser(t, tm.admin, "office", "olga@example.org", "Olga Office")
	admin := Expect(t, tm.in.Get(t, "/api/v1/me", tm.admin), 200).Map(t)["id"].(string)

	issue := Request{Method: "POST", Path: "/api/v1/users/" + colleague.ID + "/password-reset-links", Token: tm.admin, Header: keyed("link-1")}
	first := Expect(t, tm.in.Do(t, issue), 201)
	retry := Expect(t, tm.in.Do(t, issue), 201) // its answer lost: a new link, no new record
	if first.Header.Get("X-Accredit-Seq") == "" || retry.Header.Get("X-Accredit-Seq") != first.Header.Get("X-Accredit-Seq") {
		t.Fatalf("X-Accredit-Seq: first %q, retry %q, want the same", first.Header.Get("X-Accredit-Seq"), retry.Header.Get("X-Accredit-Seq"))
	}
	tokens := []string{}
	for _, r := range []Response{first, retry} {
		g := tokenIn.FindStringSubmatch(r.Map(t)["link"].(string))
		if g == nil {
			t.Fatalf("no link: %s", r.Body)
		}
		tokens = append(tokens, g[1])
	}

	events := auditOf(t, tm, "accounts.reset_link_issued")
	if len(events) != 1 {
		t.Fatalf("%d accounts.reset_link_issued events, want 1: %v", len(events), events)
	}
	e := events[0]
	actor, _ := e["actor"].(map[string]any)
	data, _ := e["data"].(map[string]any)
	if actor["id"] != admin || actor["role"] != "office" || e["stream"] != "accounts.user."+colleague.ID || data["user_id"] != colleague.ID || len(data) != 1 {
		t.Fatalf("the record of the link: %v, want by %s on the colleague's stream, naming only them", e, admin)
	}

	// The colleague's password set with the link names who made it; the
	// change itself is the link holder's act.
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-resets", "", map[string]string{"token": tokens[0], "password": "taken over by someone"}), 200)
	var changed map[string]any
	for _, e := range auditOf(t, tm, "accounts.password_changed") {
		if e["stream"] == "accounts.user."+colleague.ID {
			changed = e
		}
	}
	if d, _ := changed["data"].(map[string]any); d["issued_by"] != admin {
		t.Fatalf("the password changed with the office's link: %v, want issued_by %s", changed, admin)
	}

	// The colleague's own export lists it.
	token := tm.in.Login(t, colleague.Email, "taken over by someone")
	if b := string(Expect(t, tm.in.Get(t, "/api/v1/me/export", token), 200).Body); !strings.Contains(b, `"accounts.reset_link_issued"`) {
		t.Fatalf("the export does not list the link's issuing:\n%s", b)
	}

	if found := rawStreamContains(t, tm.in, tokens...); found != "" {
		t.Fatalf("a link's token is in the event stream: %s", found)
	}
}
