package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func stdinIsTerminal() bool { return term.IsTerminal(int(os.Stdin.Fd())) }

// readLine reads one line of stdin (without the line end).
// readSecret reads a password: from the terminal without echo when
// standard input is one (after prompt on standard error, when not empty),
// else the first line of standard input.
func (c *cli) readSecret(prompt string) (string, error) {
	if c.terminal == nil || !c.terminal() {
		return c.readLine()
	}
	if prompt != "" {
		fmt.Fprint(c.stderr, prompt)
	}
	read := c.readPassword
	if read == nil {
		read = func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) }
	}
	b, err := read()
	fmt.Fprintln(c.stderr)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return string(b), nil
}

func (c *cli) readLine() (string, error) {
	br, ok := c.stdin.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(c.stdin)
		c.stdin = br
	}
	s, err := br.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("standard input ended")
		}
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

type loginAnswer struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      userView  `json:"user"`
	Device    string    `json:"device"`
}

func cmdLogin(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit login", "", `
Logs in to accreditd and saves the URL and the token in the config file
(mode 0600), so that the other commands need neither --url nor --token.
The login's device token is saved there too and sent with the next login:
wrong passwords sent for the email from many addresses then do not stop it.
The email comes from --email (or ACCREDIT_EMAIL) or is asked; the password
from --password-stdin (the first line of standard input), ACCREDIT_PASSWORD,
or is asked without echo. A token lasts 12 hours. With --output json it
prints the login's answer; the token is in it only with --no-save (saved,
it stays in the file, and the answer names the file as saved_to).`, "POST /api/v1/auth/login", 0, 0)
	email := l.fs.String("email", "", "the user's email")
	pwStdin := l.fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	noSave := l.fs.Bool("no-save", false, "do not save the token (print it with --output json, which prints it only then)")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	cl, err := c.client(false)
	if err != nil {
		return err
	}
	if *email == "" {
		*email = c.getenv("ACCREDIT_EMAIL")
	}
	if *email == "" {
		if *pwStdin {
			return usagef(l.path, "--password-stdin needs --email")
		}
		fmt.Fprint(c.stderr, "Email: ")
		if *email, err = c.readLine(); err != nil {
			return usagef(l.path, "no email: %v", err)
		}
	}
	password := ""
	switch {
	case *pwStdin:
		if password, err = c.readSecret(""); err != nil {
			return usagef(l.path, "no password on standard input: %v", err)
		}
	case c.getenv("ACCREDIT_PASSWORD") != "":
		password = c.getenv("ACCREDIT_PASSWORD")
	case c.terminal != nil && c.terminal():
		if password, err = c.readSecret("Password: "); err != nil {
			return err
		}
	default:
		fmt.Fprint(c.stderr, "Password: ")
		if password, err = c.readLine(); err != nil {
			return usagef(l.path, "no password: %v", err)
		}
	}
	body := map[string]string{"email": strings.TrimSpace(*email), "password": password}
	if cf, _, err := c.loadConfig(); err == nil && cf.Device != "" && sameServer(cf.URL, cl.base.String()) {
		// Only to the server that gave it, as the saved token; it takes
		// it for this email only.
		body["device"] = cf.Device
	}
	var ans loginAnswer
	raw, err := cl.callJSON(ctx, request{method: http.MethodPost, path: "/api/v1/auth/login", body: body}, &ans)
	if err != nil {
		return err
	}
	saved := ""
	if !*noSave {
		path, err := c.configFile()
		if err != nil {
			return err
		}
		if err := saveConfig(path, config{URL: cl.base.String(), Token: ans.Token, Email: ans.User.Email, ExpiresAt: ans.ExpiresAt, Device: ans.Device}); err != nil {
			return err
		}
		saved = path
	}
	if c.jsonOut() {
		if saved == "" {
			return c.printJSON(raw, nil) // --no-save: the token is for the caller
		}
		// Saved: the token stays in the 0600 file, not on stdout, where
		// logs, terminals and CI output would keep it.
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("login answer: %w", err)
		}
		delete(m, "token")
		delete(m, "device")
		m["saved_to"] = saved
		return c.printJSON(nil, m)
	}
	fmt.Fprintf(c.stdout, "Logged in to %s as %s (%s) until %s.\n", cl.base, ans.User.Email, ans.User.Role, when(ans.ExpiresAt))
	if saved != "" {
		fmt.Fprintf(c.stdout, "The token is saved in %s.\n", saved)
	}
	return nil
}

func cmdLogout(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit logout", "", "Ends the session on accreditd and removes the token from the config file.", "POST /api/v1/auth/logout", 0, 0)
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	_, err = cl.callJSON(ctx, request{method: http.MethodPost, path: "/api/v1/auth/logout"}, nil)
	var ae *apiError
	if err != nil && !(errors.As(err, &ae) && ae.status == http.StatusUnauthorized) {
		return err
	}
	cf, path, lerr := c.loadConfig()
	if lerr == nil && path != "" && cf.Token != "" && cf.Token == cl.token {
		cf.Token, cf.ExpiresAt = "", time.Time{}
		if err := saveConfig(path, cf); err != nil {
			return err
		}
	}
	if c.jsonOut() {
		return c.printJSON(nil, map[string]bool{"logged_out": true})
	}
	fmt.Fprintln(c.stdout, "Logged out.")
	return nil
}

func cmdVersion(_ context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit version", "", "Prints the version of this command.", "", 0, 0)
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	rev, goVersion := "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = s.Value
			}
		}
	}
	if c.jsonOut() {
		return c.printJSON(nil, map[string]string{"version": version, "revision": rev, "go": goVersion})
	}
	fmt.Fprintf(c.stdout, "accredit %s", version)
	if rev != "" {
		fmt.Fprintf(c.stdout, " (%s)", clip(rev, 12))
	}
	fmt.Fprintf(c.stdout, " %s\n", goVersion)
	return nil
}
