package credential_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/credential"
	"github.com/emcc/accredit/domain/credential/credentialtest"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

var office = credential.Office{BaseURL: "https://accredit.example.org"}

// clock is a settable now, shared by the services of one test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// process is one accreditd's credential service on the shared store.
func process(t *testing.T, es eventstore.Store, dir string, clk *clock) *credential.Service {
	t.Helper()
	feed := aggregate.NewFeed(es, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc, err := credential.NewService(es, feed, office, credential.KeyRing{Dir: dir}, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = feed.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	if err := feed.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return svc
}

func award(id string, from time.Time) credential.Award {
	return credential.Award{AccreditationID: id, Scheme: "eia", SchemeName: "EMCC Individual Accreditation (EIA)",
		Level: "senior_practitioner", LevelName: "Senior Practitioner", HolderID: "user-" + id, HolderName: "Ann Holder",
		AwardedAt: from, ValidUntil: from.AddDate(5, 0, 0)}
}

var office1 = domain.Actor{ID: "office-1", Role: domain.RoleOffice}

func published(t *testing.T, svc *credential.Service) (did, jwks []byte) {
	t.Helper()
	keys, err := svc.Published()
	if err != nil {
		t.Fatal(err)
	}
	did, _ = json.Marshal(svc.Office.Document(keys))
	jwks, _ = json.Marshal(svc.Office.KeySet(keys))
	return did, jwks
}

// lists serves the service's status lists as a verifier would fetch them.
func lists(t *testing.T, svc *credential.Service, status credential.StatusOf) credential.StatusLists {
	return func(url string) (string, bool, error) {
		for _, p := range []string{credential.PurposeRevocation, credential.PurposeMessage} {
			if url == svc.Office.StatusListURL(p) {
				tok, err := svc.StatusList(context.Background(), p, status)
				return tok, err == nil, err
			}
		}
		return "", false, nil
	}
}

func inForce(string) (int, bool) { return credential.StatusInForce, true }

// issuedOne is one process on a fresh store that issued one credential
// (award ACC1, from 1 June 2026).
func issuedOne(t *testing.T) (*credential.Service, *clock, string, credential.Credential) {
	t.Helper()
	es := natstest.Start(t).EventStore(t)
	clk := &clock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	svc := process(t, es, t.TempDir(), clk)
	token, c, err := svc.Issue(context.Background(), office1, award("ACC1", time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	return svc, clk, token, c
}

// An issued credential is an OpenBadgeCredential naming the holder, the
// scheme and level, the validity and the office's DID as issuer; jwx (not
// the library that signed it) verifies it against the published DID
// document and against the JWKS, and so does the office's own verifier.
func TestIssuedCredentialVerifiesIndependently(t *testing.T) {
	svc, clk, token, _ := issuedOne(t)
	did, jwks := published(t, svc)
	for name, doc := range map[string][]byte{"did": did, "jwks": jwks} {
		c, kid := credentialtest.MustVerify(t, doc, token)
		if !strings.HasPrefix(kid, "did:web:accredit.example.org#key-") {
			t.Errorf("%s: kid %q, want the office DID's key", name, kid)
		}
		ctx, _ := c["@context"].([]any)
		if len(ctx) != 2 || ctx[0] != credential.ContextVC2 || ctx[1] != credential.ContextOB3 {
			t.Errorf("@context %v", ctx)
		}
		if typ, _ := json.Marshal(c["type"]); string(typ) != `["VerifiableCredential","OpenBadgeCredential"]` {
			t.Errorf("type %s", typ)
		}
		issuer, _ := c["issuer"].(map[string]any)
		if issuer["id"] != "did:web:accredit.example.org" || issuer["name"] != credential.OfficeName {
			t.Errorf("issuer %v", issuer)
		}
		if c["validFrom"] != "2026-06-01T09:00:00Z" || c["validUntil"] != "2031-06-01T09:00:00Z" {
			t.Errorf("validity %v to %v", c["validFrom"], c["validUntil"])
		}
		subj, _ := c["credentialSubject"].(map[string]any)
		ids, _ := json.Marshal(subj["identifier"])
		if !strings.Contains(string(ids), `"hashed":false,"identityHash":"Ann Holder","identityType":"name"`) ||
			!strings.Contains(string(ids), `"hashed":false,"identityHash":"user-ACC1","identityType":"systemId"`) {
			t.Errorf("holder identifiers %s", ids)
		}
		// The credential's name is what a wallet shows: "EMCC" once.
		if c["name"] != "EMCC Individual Accreditation (EIA), Senior Practitioner" {
			t.Errorf("credential name %v, want EMCC Individual Accreditation (EIA), Senior Practitioner", c["name"])
		}
		ach, _ := subj["achievement"].(map[string]any)
		if ach["name"] != "EMCC Individual Accreditation (EIA), Senior Practitioner" {
			t.Errorf("achievement name %v", ach["name"])
		}
		st, _ := c["credentialStatus"].([]any)
		if len(st) != 2 {
			t.Fatalf("credentialStatus %v", st)
		}
		e, _ := st[0].(map[string]any)
		if e["type"] != "BitstringStatusListEntry" || e["statusPurpose"] != "revocation" ||
			e["statusListCredential"] != "https://accredit.example.org/api/v1/credentials/status/revocation" {
			t.Errorf("status entry %v", e)
		}
	}
	keys, err := credential.ParseKeys(did)
	if err != nil {
		t.Fatal(err)
	}
	if r := credential.Verify(token, keys, lists(t, svc, inForce), clk.now()); !r.Valid || !r.StatusChecked {
		t.Errorf("go-jose verifier: %+v", r)
	}
}

// A changed credential fails: one character of the payload, or the
// signature of another credential.
func TestTamperedCredentialFails(t *testing.T) {
	svc, clk, token, c := issuedOne(t)
	_, jwks := published(t, svc)
	keys, _ := credential.ParseKeys(jwks)
	// The holder promotes themself to Master Practitioner: re-encode the
	// payload with the level changed and keep the signature.
	c.CredentialSubject.Achievement.Name = "EMCC Individual Accreditation (EIA), Master Practitioner"
	forged, _ := json.Marshal(c)
	parts := strings.Split(token, ".")
	tampered := parts[0] + "." + b64(forged) + "." + parts[2]
	if _, _, err := credentialtest.Verify(t, jwks, tampered); err == nil {
		t.Error("jwx accepts the tampered credential")
	}
	if r := credential.Verify(tampered, keys, nil, clk.now()); r.Valid || r.Outcome != credential.BadSig {
		t.Errorf("tampered: %+v, want %s", r, credential.BadSig)
	}
	if r := credential.Verify("not a credential", keys, nil, clk.now()); r.Valid || r.Outcome != credential.Malformed {
		t.Errorf("garbage: %+v, want %s", r, credential.Malformed)
	}
}

// After a rotation the new key signs new credentials, the old key stays
// published, and a credential signed before still verifies (jwx and the
// office's verifier), in a second process sharing the key directory too.
func TestRotationKeepsOldCredentialsVerifiable(t *testing.T) {
	es := natstest.Start(t).EventStore(t)
	dir := t.TempDir()
	clk := &clock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	a, b := process(t, es, dir, clk), process(t, es, dir, clk)
	from := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	old, _, err := a.Issue(context.Background(), office1, award("OLD", from))
	if err != nil {
		t.Fatal(err)
	}
	_, jwksBefore := published(t, a)
	clk.add(time.Hour)
	if _, err := (credential.KeyRing{Dir: dir}).Rotate(clk.now()); err != nil {
		t.Fatal(err)
	}
	newer, _, err := b.Issue(context.Background(), office1, award("NEW", from))
	if err != nil {
		t.Fatal(err)
	}
	did, jwks := published(t, a)
	if _, didB := published(t, b); string(didB) != string(jwks) {
		t.Errorf("the two processes publish different keys:\n%s\n%s", jwks, didB)
	}
	_, oldKid := credentialtest.MustVerify(t, did, old)
	_, newKid := credentialtest.MustVerify(t, jwks, newer)
	if oldKid == newKid || !strings.HasSuffix(newKid, "#key-20261202T110000.000Z") {
		t.Errorf("old kid %s, new kid %s: want the new key to sign new credentials", oldKid, newKid)
	}
	if _, _, err := credentialtest.Verify(t, jwksBefore, newer); err == nil {
		t.Error("the key set from before the rotation verifies the new credential: the new key did not sign it")
	}
	keys, _ := credential.ParseKeys(did)
	for name, tok := range map[string]string{"old": old, "new": newer} {
		if r := credential.Verify(tok, keys, lists(t, a, inForce), clk.now()); !r.Valid {
			t.Errorf("%s credential after rotation: %+v", name, r)
		}
	}
}

// A revoked or withdrawn award fails with its reason from the status
// lists, an expired one from the message list or from validUntil; the
// lists are read independently with jwx and the standard library too.
func TestRevokedWithdrawnExpiredFailWithReason(t *testing.T) {
	es := natstest.Start(t).EventStore(t)
	clk := &clock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	svc := process(t, es, t.TempDir(), clk)
	from := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	status := map[string]int{"REV": credential.StatusRevoked, "WDR": credential.StatusWithdrawn, "EXP": credential.StatusExpired, "OK": credential.StatusInForce}
	of := func(acc string) (int, bool) { v, ok := status[acc]; return v, ok }
	tokens := map[string]string{}
	for acc := range status {
		tok, _, err := svc.Issue(context.Background(), office1, award(acc, from))
		if err != nil {
			t.Fatal(err)
		}
		tokens[acc] = tok
	}
	_, jwks := published(t, svc)
	keys, _ := credential.ParseKeys(jwks)
	want := map[string]struct {
		outcome credential.Outcome
		reason  string
		rev     int
		msg     int
	}{
		"REV": {credential.Revoked, "revoked by the EMCC", 1, 1},
		"WDR": {credential.Withdrawn, "withdrawn", 1, 2},
		"EXP": {credential.Expired, "expired", 0, 3},
		"OK":  {credential.Valid, "", 0, 0},
	}
	ls := lists(t, svc, of)
	revList, _, _ := ls(office.StatusListURL(credential.PurposeRevocation))
	msgList, _, _ := ls(office.StatusListURL(credential.PurposeMessage))
	for acc, w := range want {
		r := credential.Verify(tokens[acc], keys, ls, clk.now())
		if r.Outcome != w.outcome || !strings.Contains(r.Reason, w.reason) || r.Valid != (w.outcome == credential.Valid) {
			t.Errorf("%s: %s %q, want %s with %q", acc, r.Outcome, r.Reason, w.outcome, w.reason)
		}
		i := index(t, r.Credential)
		if v, n := credentialtest.StatusAt(t, jwks, revList, i, 1); v != w.rev || n < credential.ListEntries {
			t.Errorf("%s: revocation bit %d (list of %d), want %d (at least %d)", acc, v, n, w.rev, credential.ListEntries)
		}
		if v, n := credentialtest.StatusAt(t, jwks, msgList, i, 2); v != w.msg || n < credential.ListEntries {
			t.Errorf("%s: message value %d (list of %d), want %d", acc, v, n, w.msg)
		}
	}
	// Either list alone says it: a verifier given only one of them.
	for _, purpose := range []string{credential.PurposeRevocation, credential.PurposeMessage} {
		only := func(u string) (string, bool, error) {
			if u != office.StatusListURL(purpose) {
				return "", false, nil
			}
			return ls(u)
		}
		for acc, w := range map[string]credential.Outcome{"REV": credential.Revoked, "WDR": credential.Withdrawn, "OK": credential.Valid} {
			if purpose == credential.PurposeRevocation && acc == "WDR" {
				w = credential.Revoked // the revocation bit does not say why
			}
			if r := credential.Verify(tokens[acc], keys, only, clk.now()); r.Outcome != w || !r.StatusChecked {
				t.Errorf("%s with the %s list only: %s (%s), checked %v; want %s", acc, purpose, r.Outcome, r.Reason, r.StatusChecked, w)
			}
		}
	}
	// Past validUntil an award in force fails as expired, even offline.
	if r := credential.Verify(tokens["OK"], keys, nil, from.AddDate(5, 0, 1)); r.Outcome != credential.Expired {
		t.Errorf("after validUntil: %+v", r)
	}
	// Without the lists at hand the status is reported unchecked.
	if r := credential.Verify(tokens["REV"], keys, nil, clk.now()); !r.Valid || r.StatusChecked {
		t.Errorf("offline without lists: %+v", r)
	}
}

func index(t *testing.T, c *credential.Credential) int {
	t.Helper()
	if c == nil || len(c.CredentialStatus) == 0 {
		t.Fatal("no status entry")
	}
	var i int
	if err := json.Unmarshal([]byte(c.CredentialStatus[0].StatusListIndex), &i); err != nil {
		t.Fatal(err)
	}
	return i
}

// Two processes issuing at once give each award one index, the same one
// whichever process asks, and never one index to two awards.
func TestStatusIndexesAllocatedOnceAcrossProcesses(t *testing.T) {
	es := natstest.Start(t).EventStore(t)
	clk := &clock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	procs := []*credential.Service{process(t, es, dir, clk), process(t, es, dir, clk)}
	const awards = 20
	got := make([][awards]int, 4)
	var wg sync.WaitGroup
	for w := range got {
		wg.Go(func() {
			for n := range awards {
				i, err := procs[w%2].Index(context.Background(), office1, "ACC"+string(rune('A'+n)))
				if err != nil {
					t.Error(err)
					return
				}
				got[w][n] = i
			}
		})
	}
	wg.Wait()
	seen := map[int]int{}
	for n := range awards {
		for w := range got {
			if got[w][n] != got[0][n] {
				t.Errorf("award %d: worker %d got index %d, worker 0 %d", n, w, got[w][n], got[0][n])
			}
		}
		if prev, dup := seen[got[0][n]]; dup {
			t.Errorf("index %d given to awards %d and %d", got[0][n], prev, n)
		}
		seen[got[0][n]] = n
	}
	evs, err := es.Load(context.Background(), credential.StreamPrefix+".1")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != awards {
		t.Errorf("%d allocations recorded, want %d (one per award)", len(evs), awards)
	}
}

func TestBitstringEncoding(t *testing.T) {
	b := credential.NewBitstring(credential.ListEntries, 2)
	b.Set(0, 2)
	b.Set(131071, 3)
	enc, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, err := credential.DecodeBitstring(enc, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]int{0: 2, 1: 0, 131071: 3} {
		if v, ok := d.Get(i); !ok || v != want {
			t.Errorf("entry %d = %d, %v; want %d", i, v, ok, want)
		}
	}
	if _, ok := d.Get(131072); ok {
		t.Error("entry past the end read")
	}
	one := credential.NewBitstring(8, 1)
	one.Set(0, 1)
	enc, _ = one.Encode()
	raw, _ := credential.DecodeBitstring(enc, 8)
	if v, _ := raw.Get(0); v != 0x80 {
		t.Errorf("first entry in byte %#x, want the high bit 0x80", v)
	}
}
