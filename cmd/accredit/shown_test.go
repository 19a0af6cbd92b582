package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
)

// TestCasesShowWritesNoControlCharacterToTheTerminal: an evidence item
// recorded before titles and file names were held to one line may hold an
// escape sequence or a bidi override in either; the office's terminal is
// shown the name with those characters replaced, never given them to run
// (clear the screen, set the window's title) or to reorder what follows.
func TestCasesShowWritesNoControlCharacterToTheTerminal(t *testing.T) {
	h := newHarness(t)
	h.loginAdmin()
	tm := newTeam(t, h.in)
	id := tm.submitted(t)
	ctx := context.Background()
	title, err := h.in.App.Vault.Seal(ctx, tm.applicant.ID, "Reflections\x1b[2J\x1b]0;owned\x07 2024")
	if err != nil {
		t.Fatal(err)
	}
	name, err := h.in.App.Vault.Seal(ctx, tm.applicant.ID, "invoice\u202etxt.pdf\r\nfake line")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(accreditation.EvidenceAdded{EvidenceID: ulid.Make().String(), Kind: "reflective_statement", Title: title, FileName: name,
		ContentType: "application/pdf", Size: 9, SHA256: strings.Repeat("0", 64), Object: id + "/old", Categories: []int{1}})
	stream := accreditation.StreamPrefix + "." + id
	head, err := h.in.App.Events.Head(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.in.App.Events.Append(ctx, eventstore.AppendRequest{Stream: stream, Expected: head, Events: []eventstore.Event{{
		ID: ulid.Make().String(), Type: string(accreditation.EventEvidenceAdded), SchemaVersion: 1, OccurredAt: time.Now(),
		Actor: domain.Actor{ID: tm.applicant.ID, Role: domain.RoleApplicant}, Data: data}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.in.App.Feed.WaitFor(ctx, res.Head.Seq); err != nil {
		t.Fatal(err)
	}
	r := h.must(0, "", "cases", "show", id)
	contains(t, "cases show", r.stdout, "Reflections", "2024", "invoice", "txt.pdf", "fake line")
	if i := strings.IndexFunc(r.stdout, func(c rune) bool { return c < 0x20 && c != '\n' || c == 0x7f || c == '\u202e' }); i >= 0 {
		t.Fatalf("cases show writes %q to the terminal:\n%q", r.stdout[i:i+1], r.stdout)
	}
}
