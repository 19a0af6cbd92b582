package web

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
	"github.com/emcc/accredit/domain/framework"
)

// TestAuditIntegrityPageShowsAMismatch: a report that is not intact shows
// as such, with each broken stream's first mismatch and each failing
// checkpoint's problems (a real store cannot be tampered with from here).
func TestAuditIntegrityPageShowsAMismatch(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	rep := audit.Report{Intact: false, Commits: 12, Streams: []audit.StreamReport{
		{Stream: "accreditation.case.01JGOOD", Events: 5, Intact: true},
		{Stream: "accreditation.case.01JBAD", Events: 7, Intact: false, Problem: &audit.Problem{Version: 3, Seq: 9, EventID: "ev-3", Reason: "hash does not match"}},
	}, Checkpoints: []audit.CheckpointReport{
		{Seq: 4, CreatedAt: at, Intact: true},
		{Seq: 10, CreatedAt: at.Add(time.Hour), Intact: false, Problems: []string{"stream accreditation.case.01JBAD: head differs"}},
	}}
	a := &app{d: Deps{Now: func() time.Time { return at }, Catalogue: framework.Default(),
		Verify: func(context.Context) (audit.Report, error) { return rep, nil }}, views: mustViews(framework.Default())}
	for lang, want := range map[string][]string{
		"en": {"<h2>Not intact</h2>", "Streams with a mismatch: 1. Checkpoints that do not match: 1.", "accreditation.case.01JBAD", "event 3", "hash does not match", "head differs"},
		"nl": {"<h2>Niet intact</h2>", "Stromen met een afwijking: 1. Controlepunten die niet kloppen: 1.", "gebeurtenis 3"},
	} {
		rec := httptest.NewRecorder()
		c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/office/audit/verify", nil), rec)
		x := &ctx{Context: c, a: a, lang: lang, form: url.Values{}, user: &accounts.UserView{ID: "01JOFFICE", Name: "Office", Role: domain.RoleOffice}}
		if err := a.auditVerify(x); err != nil {
			t.Fatal(err)
		}
		body := rec.Body.String()
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the page lacks %q", lang, s)
			}
		}
		if strings.Contains(body, "⟦") || strings.Contains(body, "%!") {
			t.Errorf("%s: a message is missing or malformed", lang)
		}
		if strings.Contains(body, "Record a signed checkpoint now") {
			t.Errorf("%s: the checkpoint button without a Checkpoint function", lang)
		}
	}
}

// TestAuditIntegrityPageWordsTheVerifiersReasons: the reasons of
// domain/audit are fixed sentences around ids and numbers; a Dutch page
// words them in Dutch, the ids and numbers as they are, and one it does
// not know stays as the verifier wrote it.
func TestAuditIntegrityPageWordsTheVerifiersReasons(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	broken := func(stream, reason string) audit.StreamReport {
		return audit.StreamReport{Stream: stream, Events: 7, Problem: &audit.Problem{Version: 3, Seq: 9, Reason: reason}}
	}
	rep := audit.Report{Streams: []audit.StreamReport{
		broken("s.altered", "content does not match its hash (altered)"),
		broken("s.prev", "previous hash does not match the event before it (removed or reordered)"),
		broken("s.gap", "version 5 where 4 was expected (events removed)"),
		broken("s.reordered", "version 2 after version 3 (reordered or duplicated)"),
		broken("s.moved", "event names stream s.other but is stored on s.moved"),
		broken("s.undecodable", "commit cannot be decoded: unexpected end of JSON input"),
		broken("s.checkpoint", "does not match checkpoint of seq 10: stream s.checkpoint: version 3 hash differs from the checkpoint"),
		broken("s.unknown", "a reason not worded here"),
	}, Checkpoints: []audit.CheckpointReport{{Seq: 10, CreatedAt: at, Problems: []string{"signature does not verify",
		"stream s.gone is missing (checkpointed at version 4)", "stream s.gap: version 4 is missing (events removed)"}}}}
	a := &app{d: Deps{Now: func() time.Time { return at }, Catalogue: framework.Default(),
		Verify: func(context.Context) (audit.Report, error) { return rep, nil }}, views: mustViews(framework.Default())}
	for lang, want := range map[string][]string{
		"en": {"content does not match its hash (altered)", "version 5 where 4 was expected (events removed)",
			"does not match checkpoint of seq 10: stream s.checkpoint: version 3 hash differs from the checkpoint", "signature does not verify"},
		"nl": {"de inhoud klopt niet met de hash (gewijzigd)",
			"de vorige hash klopt niet met de gebeurtenis ervoor (verwijderd of van volgorde veranderd)",
			"versie 5 waar 4 werd verwacht (gebeurtenissen verwijderd)",
			"versie 2 na versie 3 (van volgorde veranderd of dubbel)",
			"de gebeurtenis noemt stroom s.other maar staat in s.moved",
			"de commit kan niet worden gelezen: unexpected end of JSON input",
			"klopt niet met het controlepunt tot en met commit 10: stroom s.checkpoint: de hash van versie 3 wijkt af van het controlepunt",
			"a reason not worded here",
			"de handtekening klopt niet",
			"stroom s.gone ontbreekt (in het controlepunt op versie 4)",
			"stroom s.gap: versie 4 ontbreekt (gebeurtenissen verwijderd)"},
	} {
		rec := httptest.NewRecorder()
		c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/office/audit/verify", nil), rec)
		x := &ctx{Context: c, a: a, lang: lang, form: url.Values{}, user: &accounts.UserView{ID: "01JOFFICE", Name: "Office", Role: domain.RoleOffice}}
		if err := a.auditVerify(x); err != nil {
			t.Fatal(err)
		}
		body := rec.Body.String()
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the page lacks %q", lang, s)
			}
		}
		if strings.Contains(body, "⟦") || strings.Contains(body, "%!") {
			t.Errorf("%s: a message is missing or malformed", lang)
		}
	}
}

// tampered is a store whose Read hands each commit to edit, which passes
// on what the verifier is to see.
type tampered struct {
	eventstore.Store
	edit func(c eventstore.Commit, fn func(eventstore.Commit) error) error
}

func (s tampered) Read(ctx context.Context, from, to uint64, fn func(eventstore.Commit) error) error {
	return s.Store.Read(ctx, from, to, func(c eventstore.Commit) error {
		c.Events = slices.Clone(c.Events) // the store's own stay as they are
		return s.edit(c, fn)
	})
}

// TestEveryReasonOfTheVerifierIsWorded: the reasons auditReasons knows are
// the verifier's own sentences; this tampers with a real store in each way
// it tells apart, so that a reason reworded in domain/audit and not here
// fails.
func TestEveryReasonOfTheVerifierIsWorded(t *testing.T) {
	ctx := context.Background()
	mem := eventstore.NewMemory()
	heads, cps := audit.NewHeads(), &audit.MemoryCheckpoints{}
	signer, err := audit.LoadOrCreateSigner(t.TempDir() + "/k.pem")
	if err != nil {
		t.Fatal(err)
	}
	other, err := audit.LoadOrCreateSigner(t.TempDir() + "/other.pem")
	if err != nil {
		t.Fatal(err)
	}
	heads2 := map[string]eventstore.Head{}
	for _, stream := range []string{"case.a", "case.a", "case.a", "case.b"} {
		r := eventstoretest.MustAppend(t, mem, eventstore.AppendRequest{Stream: stream, Expected: heads2[stream],
			Events: []eventstore.Event{eventstoretest.NewEvent("t.step", map[string]any{"x": 1})}})
		heads2[stream] = r.Head
		c, _ := mem.Get(ctx, r.Head.Seq)
		heads.Follow(c)
	}
	if _, err := heads.Checkpoint(ctx, signer, cps, time.Now()); err != nil {
		t.Fatal(err)
	}
	rehash := func(e *eventstore.Event) {
		h, err := eventstore.ComputeHash(*e)
		if err != nil {
			t.Fatal(err)
		}
		e.Hash = h
	}
	seen := map[string]bool{} // the keys of auditReasons a reason met
	var met func(reason string)
	met = func(reason string) {
		for _, r := range auditReasons {
			if m := r.re.FindStringSubmatch(reason); m != nil {
				seen[r.key] = true
				if r.key == "auditverify.reason.checkpoint" {
					met(m[2])
				}
			}
		}
	}
	var second eventstore.Commit
	for name, edit := range map[string]func(c eventstore.Commit, fn func(eventstore.Commit) error) error{
		"altered": func(c eventstore.Commit, fn func(eventstore.Commit) error) error {
			if c.Stream == "case.a" && c.Events[0].Version == 2 {
				c.Events[0].Data = []byte(`{"x":2}`)
			}
			return fn(c)
		},
		"removed": func(c eventstore.Commit, fn func(eventstore.Commit) error) error {
			if c.Stream == "case.a" && c.Events[0].Version == 2 {
				return nil
			}
			return fn(c)
		},
		"duplicated": func(c eventstore.Commit, fn func(eventstore.Commit) error) error {
			if c.Stream == "case.a" && c.Events[0].Version == 2 {
				second = c
			}
			if err := fn(c); err != nil || c.Stream != "case.a" || c.Events[0].Version != 3 {
				return err
			}
			return fn(second)
		},
		"moved": func(c eventstore.Commit, fn func(eventstore.Commit) error) error {
			if c.Stream == "case.b" {
				c.Events[0].Stream = "case.c"
			}
			return fn(c)
		},
		"undecodable": func(c eventstore.Commit, fn func(eventstore.Commit) error) error {
			if c.Stream == "case.b" {
				c.Events, c.Err = nil, errors.New("unexpected end of JSON input")
			}
			return fn(c)
		},
		"rechained": func(c eventstore.Commit, fn func(eventstore.Commit) error) error {
			if c.Stream == "case.a" && c.Events[0].Version == 2 {
				c.Events[0].PrevHash = c.Events[0].Hash
				rehash(&c.Events[0])
			}
			return fn(c)
		},
		"rewritten head": func(c eventstore.Commit, fn func(eventstore.Commit) error) error {
			if c.Stream == "case.a" && c.Events[0].Version == 3 {
				c.Events[0].Data = []byte(`{"x":3}`)
				rehash(&c.Events[0])
			}
			return fn(c)
		},
		"stream gone": func(c eventstore.Commit, fn func(eventstore.Commit) error) error {
			if c.Stream == "case.b" {
				return nil
			}
			return fn(c)
		},
	} {
		for _, pub := range []ed25519.PublicKey{signer.Public(), other.Public()} {
			rep, err := audit.Verify(ctx, tampered{Store: mem, edit: edit}, cps, pub)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Intact {
				t.Errorf("%s: the verifier finds nothing", name)
			}
			var reasons []string
			for _, s := range rep.Streams {
				if s.Problem != nil {
					reasons = append(reasons, s.Problem.Reason)
				}
			}
			for _, c := range rep.Checkpoints {
				reasons = append(reasons, c.Problems...)
			}
			for _, r := range reasons {
				if auditReason("nl", r) == r {
					t.Errorf("%s: the verifier's reason %q is not worded", name, r)
				}
				met(r)
			}
		}
	}
	for _, r := range auditReasons {
		if !seen[r.key] {
			t.Errorf("%s: no tampering here gives its reason: reworded in domain/audit, or a tampering missing here", r.key)
		}
	}
}
