package search

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
)

var readTypes = []string{accounts.EventUserRegistered, accounts.EventEmailChanged, accounts.EventUserErased,
	string(accreditation.EventCaseOpened)}

// mustRead is what mayConcern may never say no to: a body holding a type
// edit reads, written out, or a \u escape.
func mustRead(body []byte) bool {
	if bytes.Contains(body, []byte(`\u`)) {
		return true
	}
	for _, t := range readTypes {
		if bytes.Contains(body, []byte(t)) {
			return true
		}
	}
	return false
}

func commitOf(t testing.TB, typ string, data any) []byte {
	t.Helper()
	b, err := json.Marshal([]map[string]any{{"id": "01J0000000000000000000000", "type": typ, "schema_version": 1,
		"occurred_at": "2026-12-03T21:05:00.123456Z", "data": data}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestACommitIsReadWhenItMayHoldWhatTheIndexReads(t *testing.T) {
	for _, typ := range readTypes {
		if body := commitOf(t, typ, map[string]string{"user_id": "u.1"}); !mayConcern(body) {
			t.Errorf("a %s commit: passed over, want read", typ)
		}
	}
	for _, body := range [][]byte{
		commitOf(t, "accreditation.portfolio_updated", map[string]string{"note": "v1.2 of the plan"}),
		commitOf(t, "accounts.profile_set", map[string]any{"user_id": "u.1", "languages": []string{"en"}}),
		[]byte(`[]`), []byte(`.`), []byte(`.case_`),
	} {
		if mayConcern(body) {
			t.Errorf("%s: read, want passed over", body)
		}
	}
	escaped := bytes.Replace(commitOf(t, accounts.EventUserErased, nil), []byte("accounts.user_erased"), []byte(`accounts\u002euser_erased`), 1)
	if !mayConcern(escaped) {
		t.Errorf("%s: passed over, want read (a type written with an escape)", escaped)
	}
	if !mayConcern([]byte(`x` + string(accreditation.EventCaseOpened))) {
		t.Error("a type at the body's end: passed over, want read")
	}
}

// FuzzMayConcernNeverPassesOverWhatTheIndexReads: whatever the body, one
// that holds a type edit reads, or an escape, is read.
func FuzzMayConcernNeverPassesOverWhatTheIndexReads(f *testing.F) {
	for _, typ := range readTypes {
		f.Add(commitOf(f, typ, map[string]string{"user_id": "u.1"}))
	}
	f.Add(commitOf(f, "accreditation.portfolio_updated", map[string]string{"note": "Q&A ..user_erased"}))
	f.Add([]byte(`..case_opened.email_changed`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if mustRead(body) && !mayConcern(body) {
			t.Fatalf("%q holds what the index reads, and is passed over", body)
		}
	})
}
