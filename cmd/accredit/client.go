package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

const defaultURL = "http://127.0.0.1:8080"

// config is what accredit login saves (mode 0600).
type config struct {
	URL       string    `json:"url,omitempty"`
	Token     string    `json:"token,omitempty"`
	Email     string    `json:"email,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Device is the last login's device token, sent with the next login:
	// many addresses together that have the email's logins refused do not
	// stop this client's.
	Device string `json:"device,omitempty"`
}

// configFile is where the config lives: --config, ACCREDIT_CONFIG, then
// $XDG_CONFIG_HOME/accredit/config.json or ~/.config/accredit/config.json.
func (c *cli) configFile() (string, error) {
	if c.configPath != "" {
		return c.configPath, nil
	}
	if p := c.getenv("ACCREDIT_CONFIG"); p != "" {
		return p, nil
	}
	if x := c.getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "accredit", "config.json"), nil
	}
	if h := c.getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "accredit", "config.json"), nil
	}
	return "", errors.New("no config file: set --config, ACCREDIT_CONFIG, XDG_CONFIG_HOME or HOME")
}

// loadConfig reads the config file; a missing file is an empty config.
func (c *cli) loadConfig() (config, string, error) {
	var cf config
	path, err := c.configFile()
	if err != nil {
		return cf, "", nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return cf, path, nil
	}
	if err != nil {
		return cf, path, fmt.Errorf("read the config file: %w", err)
	}
	if err := json.Unmarshal(b, &cf); err != nil {
		return cf, path, fmt.Errorf("the config file %s is not valid JSON (%v): fix or delete it, then accredit login", path, err)
	}
	return cf, path, nil
}

// saveConfig writes the config file with mode 0600, atomically.
func saveConfig(path string, cf config) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create the config directory: %w", err)
	}
	b, _ := json.MarshalIndent(cf, "", "  ")
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.json")
	if err != nil {
		return fmt.Errorf("write the config file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write the config file: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write the config file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write the config file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write the config file: %w", err)
	}
	return nil
}

// warnOpenConfig warns on stderr when the config file whose token is used
// can be read (or written) by others than its owner, as ssh does of a key
// file: anyone on the machine could act with the login. It warns rather
// than refuses, so that a script keeps working, and says how to fix it.
func (c *cli) warnOpenConfig(path string) {
	if runtime.GOOS == "windows" {
		return // no Unix mode bits
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	fmt.Fprintf(c.stderr, "accredit: WARNING: %s holds a login token and is readable by others than you (mode %04o): run chmod 600 %s, or accredit logout\n",
		path, fi.Mode().Perm(), path)
}

// client talks to accreditd's API.
type client struct {
	base  *url.URL
	token string
	http  *http.Client
	// retries is how many times a failed call may be sent again.
	retries int
	// notify, if set, is told of each retry (the CLI prints it on stderr).
	notify func(string)
}

// client resolves the URL and token: flags, then the environment, then the
// config file, then the default URL. needToken says whether the command
// needs a login.
func (c *cli) client(needToken bool) (*client, error) {
	cf, path, err := c.loadConfig()
	if err != nil {
		return nil, err
	}
	raw := firstOf(c.url, c.getenv("ACCREDIT_URL"), cf.URL, defaultURL)
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("", "--url %q is not an http(s) URL such as http://127.0.0.1:8080", raw)
	}
	tok := c.token
	if tok == "" {
		tok = c.getenv("ACCREDIT_TOKEN")
	}
	if tok == "" && (cf.URL == "" || sameServer(cf.URL, u.String())) {
		tok = cf.Token
		if tok != "" {
			c.warnOpenConfig(path)
		}
	}
	if needToken && tok == "" {
		where := "accredit login"
		if path != "" {
			where += " (saves it in " + path + ")"
		}
		return nil, &exitError{code: exitUnauthorized, msg: "not logged in to " + u.String() + ": run " + where + ", or set --token or ACCREDIT_TOKEN"}
	}
	hc := c.http
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: 5 * time.Minute,
		}}
	}
	return &client{base: u, token: tok, http: hc, retries: max(c.retries, 0), notify: func(msg string) { fmt.Fprintln(c.stderr, "accredit:", msg) }}, nil
}

func sameServer(a, b string) bool { return strings.TrimRight(a, "/") == strings.TrimRight(b, "/") }

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// problem is an RFC 9457 problem document as the API sends it.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
	Unmet []struct {
		Rule     string `json:"rule"`
		Required any    `json:"required"`
		Given    any    `json:"given"`
	} `json:"unmet"`
	Reasons  []string `json:"reasons"`
	MaxBytes int64    `json:"max_bytes"`
}

// apiError is an answer of 400 or more.
type apiError struct {
	method, path string
	status       int
	problem      problem
	raw          []byte
	contentType  string
	retryAfter   string
}

func (e *apiError) Error() string { return e.describe() }

// describe names what was wrong: the status, the detail, each field.
func (e *apiError) describe() string {
	var b strings.Builder
	title := e.problem.Title
	if title == "" {
		title = http.StatusText(e.status)
	}
	fmt.Fprintf(&b, "%s %s: %d %s", e.method, e.path, e.status, title)
	if e.problem.Detail != "" && e.problem.Detail != title {
		fmt.Fprintf(&b, ": %s", e.problem.Detail)
	} else if e.problem.Type == "" && len(e.raw) > 0 && strings.HasPrefix(e.contentType, "text/plain") {
		fmt.Fprintf(&b, ": %s", strings.TrimSpace(clip(string(e.raw), 300)))
	}
	for _, f := range e.problem.Errors {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Reason)
	}
	for _, u := range e.problem.Unmet {
		fmt.Fprintf(&b, "\n  %s: requires %v, given %v", u.Rule, u.Required, u.Given)
	}
	for _, r := range e.problem.Reasons {
		fmt.Fprintf(&b, "\n  %s", r)
	}
	if e.problem.MaxBytes > 0 {
		fmt.Fprintf(&b, "\n  the limit is %d bytes", e.problem.MaxBytes)
	}
	if e.retryAfter != "" {
		fmt.Fprintf(&b, "\n  try again in %s s", e.retryAfter)
	}
	switch e.status {
	case http.StatusUnauthorized:
		b.WriteString("\n  log in with accredit login (or pass --token)")
	case http.StatusNotFound:
		if e.problem.Type == "" || strings.Contains(e.problem.Detail, "Not Found") {
			b.WriteString("\n  this accreditd has no such endpoint: is --url right, and is it recent enough?")
		}
	}
	if e.problem.RequestID != "" {
		fmt.Fprintf(&b, "\n  (request id %s)", e.problem.RequestID)
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// request is one API call.
type request struct {
	method, path string
	query        url.Values
	body         any // marshalled to JSON
	header       map[string]string
	// command marks a write the API makes idempotent with Idempotency-Key:
	// send gives it a key (unless header has one) and may then retry it.
	command bool
}

// Retries of a call: on a connection error or a 503, a read, or a command
// with its Idempotency-Key (so the server applies it once whatever the
// number of tries), is sent again after Retry-After or a backoff, at most
// --retries times.
const (
	defaultRetries = 4
	retryFirst     = 500 * time.Millisecond
	retryMaxWait   = 30 * time.Second
)

// send sends r and returns the answer when it is below 400; an *apiError
// otherwise. The caller closes the body.
func (cl *client) send(ctx context.Context, r request) (*http.Response, error) {
	if r.command && r.header["Idempotency-Key"] == "" {
		h := map[string]string{"Idempotency-Key": newIdempotencyKey()}
		for k, v := range r.header {
			h[k] = v
		}
		r.header = h
	}
	retry := r.method == http.MethodGet || r.method == http.MethodHead || r.header["Idempotency-Key"] != ""
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return nil, err
		}
	}
	for attempt := 1; ; attempt++ {
		resp, err := cl.sendOnce(ctx, r, body)
		if !retry || attempt > cl.retries || ctx.Err() != nil {
			return resp, err
		}
		var ae *apiError
		var wait time.Duration
		switch {
		case errors.As(err, &ae) && ae.status == http.StatusServiceUnavailable:
			wait = retryAfter(ae.retryAfter, attempt)
		case err != nil && !errors.As(err, &ae):
			wait = retryAfter("", attempt) // no answer: a connection error
		default:
			return resp, err
		}
		if cl.notify != nil {
			cl.notify(fmt.Sprintf("%s %s: %s; trying again in %s (try %d of %d)", r.method, r.path, shortReason(err), wait.Round(100*time.Millisecond), attempt+1, cl.retries+1))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// retryAfter is how long to wait before try attempt+1: the server's
// Retry-After (seconds) if it gave one, else a doubling backoff with
// jitter; never more than retryMaxWait.
func retryAfter(header string, attempt int) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(header)); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, retryMaxWait)
	}
	d := retryFirst << (attempt - 1)
	d += time.Duration(mrand.Int64N(int64(d) / 2)) // spread clients that failed together
	return min(d, retryMaxWait)
}

func shortReason(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%d %s", ae.status, http.StatusText(ae.status))
	}
	return err.Error()
}

// newIdempotencyKey names one command for all its tries.
func newIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = crand.Read(b)
	return "accredit-cli-" + hex.EncodeToString(b)
}

func (cl *client) sendOnce(ctx context.Context, r request, body []byte) (*http.Response, error) {
	u := *cl.base
	u.Path = strings.TrimRight(u.Path, "/") + r.path
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "accredit/"+version)
	if cl.token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("cannot reach accreditd at %s: %w", cl.base, unwrapURLError(err))
	}
	if resp.StatusCode < 400 {
		return resp, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	ae := &apiError{method: r.method, path: r.path, status: resp.StatusCode, raw: raw,
		contentType: resp.Header.Get("Content-Type"), retryAfter: resp.Header.Get("Retry-After")}
	_ = json.Unmarshal(raw, &ae.problem)
	return nil, ae
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// call sends r and returns the whole answer body (JSON).
func (cl *client) call(ctx context.Context, r request) ([]byte, http.Header, error) {
	resp, err := cl.send(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: reading the answer: %w", r.method, r.path, err)
	}
	return b, resp.Header, nil
}

// callJSON sends r and decodes the answer into out (if not nil); it returns
// the raw body for --output json.
func (cl *client) callJSON(ctx context.Context, r request, out any) ([]byte, error) {
	b, _, err := cl.call(ctx, r)
	if err != nil {
		return nil, err
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return b, fmt.Errorf("%s %s: the answer is not the JSON expected: %w", r.method, r.path, err)
		}
	}
	return b, nil
}
