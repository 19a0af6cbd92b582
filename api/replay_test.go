package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/recovery"
)

// sentWithKey sends a command with Idempotency-Key key.
func sentWithKey(t *testing.T, in *Instance, method, path, token, key string, body any) Response {
	t.Helper()
	return in.Do(t, Request{Method: method, Path: path, Token: token, Body: body, Header: map[string]string{"Idempotency-Key": key}})
}

// mailsOfKind counts the outbox's mails of kind to recipient, once they
// have stopped coming (a reset link is written after the answer).
func mailsOfKind(t *testing.T, tm *team, kind, recipient string, atLeast int) int {
	t.Helper()
	count := func() int {
		n := 0
		for _, m := range tm.outbox(t) {
			if m["kind"] == kind && m["recipient_id"] == recipient {
				n++
			}
		}
		return n
	}
	for deadline := time.Now().Add(time.Minute); count() < atLeast; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d %s mails to %s, want at least %d", count(), kind, recipient, atLeast)
		}
	}
	time.Sleep(time.Second) // a second one would be written by now
	return count()
}

// TestCommandsThatRecordNoEventAnswerARetryAsTheFirst: an audit checkpoint,
// a rebuild, a new address's link, a reset link and notification choices,
// sent again with their Idempotency-Key (on the same process, on another,
// at the same moment), are answered as the first and done once; the key
// with another body is a 422; anonymous callers' keys are each their own.
func TestCommandsThatRecordNoEventAnswerARetryAsTheFirst(t *testing.T) {
	tm, second := twoProcesses(t)
	tm.admin = tm.in.AdminToken(t)

	t.Run("checkpoint", func(t *testing.T) {
		before := checkpointCount(t, tm.in, tm.admin)
		first := Expect(t, sentWithKey(t, tm.in, http.MethodPost, "/api/v1/audit/checkpoints", tm.admin, "cp-1", nil), 201)
		for _, in := range []*Instance{tm.in, second} {
			if again := Expect(t, sentWithKey(t, in, http.MethodPost, "/api/v1/audit/checkpoints", tm.admin, "cp-1", nil), 201); !bytes.Equal(again.Body, first.Body) {
				t.Fatalf("retry: %s, want the first answer %s", again.Body, first.Body)
			}
		}
		for i := range 3 {
			var got [2]Response
			var wg sync.WaitGroup
			for j, in := range []*Instance{tm.in, second} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[j] = sentWithKey(t, in, http.MethodPost, "/api/v1/audit/checkpoints", tm.admin, fmt.Sprintf("cp-pair-%d", i), nil)
				}()
			}
			wg.Wait()
			if got[0].Status != 201 || !bytes.Equal(got[0].Body, got[1].Body) {
				t.Fatalf("pair %d: %d %s / %d %s, want one answer twice", i, got[0].Status, got[0].Body, got[1].Status, got[1].Body)
			}
		}
		if n := checkpointCount(t, tm.in, tm.admin); n != before+4 {
			t.Fatalf("checkpoints: got %d, want %d (one per key)", n, before+4)
		}
	})

	t.Run("rebuild", func(t *testing.T) {
		first := Expect(t, sentWithKey(t, tm.in, http.MethodPost, "/api/v1/projections/rebuild", tm.admin, "rb-1", nil), 200)
		last := tm.get(t, "/api/v1/projections", tm.admin)["last_rebuild"]
		time.Sleep(10 * time.Millisecond)
		again := Expect(t, sentWithKey(t, tm.in, http.MethodPost, "/api/v1/projections/rebuild", tm.admin, "rb-1", nil), 200)
		if !bytes.Equal(again.Body, first.Body) {
			t.Fatalf("retry: %s, want the first answer %s", again.Body, first.Body)
		}
		if now := tm.get(t, "/api/v1/projections", tm.admin)["last_rebuild"]; !reflect.DeepEqual(now, last) {
			t.Fatalf("the retry rebuilt again: last_rebuild %v, was %v", now, last)
		}
	})

	t.Run("email change", func(t *testing.T) {
		body := map[string]string{"email": "carla.moved@example.org", "current_password": tm.applicant.Password}
		first := Expect(t, sentWithKey(t, tm.in, http.MethodPost, "/api/v1/me/email-changes", tm.applicant.Token, "move-1", body), 202)
		again := Expect(t, sentWithKey(t, second, http.MethodPost, "/api/v1/me/email-changes", tm.applicant.Token, "move-1", body), 202)
		if !bytes.Equal(again.Body, first.Body) {
			t.Fatalf("retry: %s, want %s", again.Body, first.Body)
		}
		if n := mailsOfKind(t, tm, "email_verification", tm.applicant.ID, 1); n != 1 {
			t.Fatalf("%d confirmation links mailed, want 1", n)
		}
		other := map[string]string{"email": "carla.elsewhere@example.org", "current_password": tm.applicant.Password}
		Expect(t, sentWithKey(t, tm.in, http.MethodPost, "/api/v1/me/email-changes", tm.applicant.Token, "move-1", other), 422)
	})

	t.Run("reset request", func(t *testing.T) {
		body := map[string]string{"email": tm.assessor.Email}
		first := Expect(t, sentWithKey(t, tm.in, http.MethodPost, "/api/v1/auth/password-reset-requests", "", "reset-1", body), 202)
		tm.clock.Advance(recovery.ClientEvery) // not the client's allowance that answers the retry
		Expect(t, sentWithKey(t, second, http.MethodPost, "/api/v1/auth/password-reset-requests", "", "reset-1", body), 202)
		if n := mailsOfKind(t, tm, "password_reset", tm.assessor.ID, 1); n != 1 {
			t.Fatalf("%d reset links mailed, want 1", n)
		}
		// Another anonymous caller who picked the same key asks for their
		// own address: theirs is another request, done, not refused.
		tm.clock.Advance(recovery.ClientEvery)
		if r := Expect(t, sentWithKey(t, tm.in, http.MethodPost, "/api/v1/auth/password-reset-requests", "", "reset-1", map[string]string{"email": tm.verifier.Email}), 202); !bytes.Equal(r.Body, first.Body) {
			t.Fatalf("answer: %s", r.Body)
		}
		mailsOfKind(t, tm, "password_reset", tm.verifier.ID, 1)
	})

	t.Run("notification choices", func(t *testing.T) {
		path := "/api/v1/me/notifications"
		first := Expect(t, sentWithKey(t, tm.in, http.MethodPut, path, tm.applicant.Token, "choose-1", map[string]any{"receive": []string{}, "language": "nl"}), 200)
		Expect(t, tm.in.Put(t, path, tm.applicant.Token, map[string]any{"receive": []string{}, "language": "en"}), 200)
		again := Expect(t, sentWithKey(t, tm.in, http.MethodPut, path, tm.applicant.Token, "choose-1", map[string]any{"receive": []string{}, "language": "nl"}), 200)
		if !bytes.Equal(again.Body, first.Body) {
			t.Fatalf("retry: %s, want %s", again.Body, first.Body)
		}
		if lang := tm.get(t, path, tm.applicant.Token)["language"]; lang != "en" {
			t.Fatalf("the retry changed the choices again: language %v, want en", lang)
		}
	})
}
