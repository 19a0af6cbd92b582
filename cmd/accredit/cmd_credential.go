package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/credential"
)

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

const credentialVerifyAbout = `
Verifies an EMCC award credential (the .jwt file the holder downloads, or the
JSON of its ?format=json download) with the office's published keys: the
signature (EdDSA, the key its kid names), that the office issued it, its
status in the office's status lists (revoked, withdrawn, expired) and its
validity period. Offline, give the saved key document (--did or --jwks) and
the saved status lists (--status, once per list); with --online they are
fetched from the office's did:web (--issuer: its public address or did:web)
and the lists' addresses instead. A credential whose key is not the office's
is not valid: the credential itself never says whom to trust.
Exits with 1 when the credential is not valid.`

func cmdCredentialVerify(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit credential verify", "FILE", credentialVerifyAbout, "", 1, 1)
	didFile := l.fs.String("did", "", "the office's DID document, saved from /.well-known/did.json")
	jwksFile := l.fs.String("jwks", "", "the office's keys as a JWKS, saved from /.well-known/jwks.json")
	var statusFiles stringList
	l.fs.Var(&statusFiles, "status", "a saved status list credential (repeat for each list: revocation, message)")
	online := l.fs.Bool("online", false, "fetch the DID document and the status lists (not needed offline)")
	issuer := l.fs.String("issuer", "", "with --online: the office whose credentials to accept, its public address (https://…) or its did:web")
	at := l.fs.String("at", "", "verify as of this time (RFC 3339; default now)")
	pos, err := l.parse(c, args)
	if err != nil {
		return err
	}
	now := time.Now()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			return usagef(l.path, "--at: %q is not an RFC 3339 time", *at)
		}
	}
	token, err := readCredentialFile(pos[0])
	if err != nil {
		return err
	}
	fetch := fetcher{http: c.http}
	var keyDoc []byte
	switch {
	case *didFile != "" && *jwksFile != "":
		return usagef(l.path, "give --did or --jwks, not both")
	case *didFile != "":
		keyDoc, err = os.ReadFile(*didFile)
	case *jwksFile != "":
		keyDoc, err = os.ReadFile(*jwksFile)
	case *online:
		want, werr := issuerDID(*issuer)
		if werr != nil {
			return usagef(l.path, "--online needs --issuer, the office's public address or did:web: %v", werr)
		}
		var r credential.Result
		if keyDoc, r, err = fetch.didDocument(ctx, token, want); err == nil && keyDoc == nil {
			return c.verdict(r)
		}
	default:
		return usagef(l.path, "give the office's keys with --did FILE or --jwks FILE, or fetch them with --online")
	}
	if err != nil {
		return err
	}
	keys, err := credential.ParseKeys(keyDoc)
	if err != nil {
		return fmt.Errorf("the key document: %w", err)
	}
	lists := map[string]string{}
	for _, f := range statusFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		tok := strings.TrimSpace(string(b))
		id, err := statusListID(tok)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		lists[id] = tok
	}
	var source credential.StatusLists
	if len(lists) > 0 || *online {
		source = func(u string) (string, bool, error) {
			if tok, ok := lists[u]; ok {
				return tok, true, nil
			}
			if !*online {
				return "", false, nil
			}
			b, err := fetch.get(ctx, u)
			return strings.TrimSpace(string(b)), err == nil, err
		}
	}
	return c.verdict(credential.Verify(token, keys, source, now))
}

// verdict prints r and exits with 1 when it is not valid.
func (c *cli) verdict(r credential.Result) error {
	if c.jsonOut() {
		if err := c.printJSON(nil, r); err != nil {
			return err
		}
	} else {
		printVerification(c.stdout, r)
	}
	if !r.Valid {
		return &exitError{code: exitFailed}
	}
	return nil
}

// issuerDID is the did:web of the office --issuer names: a did:web as it
// stands, or the one of its public address.
func issuerDID(issuer string) (string, error) {
	switch {
	case issuer == "":
		return "", errors.New("none given")
	case strings.HasPrefix(issuer, "did:web:"):
		return issuer, nil
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("%q is neither an address (https://host) nor a did:web", issuer)
	}
	return credential.Office{BaseURL: issuer}.DID(), nil
}

func printVerification(w io.Writer, r credential.Result) {
	if !r.Valid {
		fmt.Fprintf(w, "NOT VALID (%s): %s\n", r.Outcome, r.Reason)
	}
	if r.Credential != nil {
		c := r.Credential
		if r.Valid {
			fmt.Fprintf(w, "VALID: %s, held by %s.\n", c.CredentialSubject.Achievement.Name, c.Holder())
		}
		fmt.Fprintf(w, "  issuer:   %s (%s)\n  key:      %s\n  valid:    %s to %s\n", c.Issuer.Name, c.Issuer.ID, r.KeyID, c.ValidFrom, c.ValidUntil)
	}
	switch {
	case r.StatusChecked:
		fmt.Fprintf(w, "  status:   %s (from the office's status lists)\n", r.Status)
	case r.Credential != nil && r.Outcome != credential.StatusError:
		fmt.Fprintln(w, "  status:   NOT CHECKED: no status list given (--status FILE, or --online)")
	}
}

// readCredentialFile reads a credential: the JWS, or JSON with "jwt".
func readCredentialFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, credential.MaxCredentialBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > credential.MaxCredentialBytes {
		return "", fmt.Errorf("%s is over %d bytes: not a credential", path, credential.MaxCredentialBytes)
	}
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, "{") {
		var wrapped struct {
			JWT string `json:"jwt"`
		}
		if err := json.Unmarshal([]byte(s), &wrapped); err != nil || wrapped.JWT == "" {
			return "", fmt.Errorf("%s: JSON without a \"jwt\" member: not a credential download", path)
		}
		return wrapped.JWT, nil
	}
	return s, nil
}

// statusListID reads the id of a saved status list credential (its
// signature is checked when it is used).
func statusListID(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("not a status list credential (a compact JWS)")
	}
	b, err := decodeSegment(parts[1])
	if err != nil {
		return "", err
	}
	var l credential.StatusListCredential
	if err := json.Unmarshal(b, &l); err != nil || l.ID == "" {
		return "", errors.New("not a status list credential")
	}
	return l.ID, nil
}

// fetcher gets the office's documents for --online.
type fetcher struct{ http *http.Client }

// didDocument fetches the DID document of want, the office's did:web, at
// https://HOST/.well-known/did.json (http for a loopback host), when the
// key that signed token is one of want's; otherwise it fetches nothing and
// returns the verdict, WrongIssuer: anyone can serve a DID document.
func (f fetcher) didDocument(ctx context.Context, token, want string) ([]byte, credential.Result, error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return nil, credential.Result{}, errors.New("not a credential (a compact JWS)")
	}
	b, err := decodeSegment(parts[0])
	if err != nil {
		return nil, credential.Result{}, err
	}
	var h struct {
		Kid string `json:"kid"`
	}
	_ = json.Unmarshal(b, &h)
	did, _, _ := strings.Cut(h.Kid, "#")
	if did != want {
		return nil, credential.Result{Outcome: credential.WrongIssuer, KeyID: h.Kid,
			Reason: fmt.Sprintf("signed with a key of %s, not of the office %s (--issuer)", did, want)}, nil
	}
	host, ok := strings.CutPrefix(did, "did:web:")
	if !ok || host == "" || strings.Contains(host, ":") {
		return nil, credential.Result{}, fmt.Errorf("the key %q is not of a did:web the office serves", h.Kid)
	}
	host, err = url.PathUnescape(host)
	if err != nil {
		return nil, credential.Result{}, err
	}
	scheme := "https"
	if name := strings.Split(host, ":")[0]; name == "localhost" || name == "127.0.0.1" || name == "[::1]" {
		scheme = "http"
	}
	doc, err := f.get(ctx, scheme+"://"+host+"/.well-known/did.json")
	return doc, credential.Result{}, err
}

func (f fetcher) get(ctx context.Context, u string) ([]byte, error) {
	hc := f.http
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", u, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 4<<20))
}

func cmdCredentialRotateKey(_ context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit credential rotate-key", "", `
Adds a new Ed25519 key to the office's credential key directory (the
ACCREDIT_CREDENTIAL_KEY_DIR of accreditd, by default DATA-DIR/keys/credentials).
From then on every accreditd reading that directory signs new credentials
with it; the older keys stay published in the DID document, so credentials
they signed still verify. Run it where the directory is (it is shared by
the processes of a cluster). Never delete an old key file.`, "", 0, 0)
	dir := l.fs.String("key-dir", "", "the credential key directory")
	dataDir := l.fs.String("data-dir", "", "accreditd's data directory (the keys are in its keys/credentials)")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	switch {
	case *dir != "" && *dataDir != "":
		return usagef(l.path, "give --key-dir or --data-dir, not both")
	case *dataDir != "":
		*dir = filepath.Join(*dataDir, "keys", "credentials")
	case *dir == "":
		return usagef(l.path, "give --key-dir DIR or --data-dir DIR")
	}
	ring := credential.KeyRing{Dir: *dir}
	k, err := ring.Rotate(time.Now())
	if err != nil {
		return err
	}
	keys, err := ring.Keys()
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(nil, map[string]any{"key_id": k.ID, "keys": len(keys), "dir": *dir})
	}
	fmt.Fprintf(c.stdout, "New credential key %s in %s; it signs from now on. %d keys published.\n", k.ID, *dir, len(keys))
	return nil
}

func decodeSegment(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not a compact JWS (bad base64url)")
	}
	return b, nil
}
