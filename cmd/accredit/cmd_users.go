package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

type profileView struct {
	Schemes   []string `json:"schemes"`
	MaxLevel  string   `json:"max_level"`
	Languages []string `json:"languages"`
	Conflicts []string `json:"conflicts"`
}

type userView struct {
	ID       string       `json:"id"`
	Email    string       `json:"email"`
	Name     string       `json:"name"`
	Role     string       `json:"role"`
	Disabled bool         `json:"disabled"`
	Erased   bool         `json:"erased"`
	Profile  *profileView `json:"assessor_profile"`
}

func (u userView) status() string {
	switch {
	case u.Erased:
		return "erased"
	case u.Disabled:
		return "disabled"
	}
	return "active"
}

func (c *cli) printUser(u userView) {
	prof := ""
	if p := u.Profile; p != nil {
		prof = fmt.Sprintf("%s up to %s in %s", strings.Join(p.Schemes, ", "), p.MaxLevel, strings.Join(p.Languages, ", "))
		if len(p.Conflicts) > 0 {
			prof += fmt.Sprintf("; conflicts with %s", strings.Join(p.Conflicts, ", "))
		}
	}
	fields(c.stdout, "id", u.ID, "email", u.Email, "name", u.Name, "role", u.Role, "status", u.status(), "assessor profile", prof)
}

// randomPassword is a password for a new user: 20 characters, no look-alikes.
func randomPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func cmdUsersAdd(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit users add", "", `
Creates a user. Without --password-stdin a random password is made and
printed once: hand it to the user. --idempotency-key needs --password-stdin:
a run again with the same key must send the same password, or the server
refuses it as another request under that key (and a random one made by a
first run whose answer was lost would be one nobody saw).`, "POST /api/v1/users", 0, 0)
	email := l.fs.String("email", "", "the user's email (required)")
	name := l.fs.String("name", "", "the user's full name (required)")
	role := l.fs.String("role", "", "applicant, assessor or office (required)")
	pwStdin := l.fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	key := l.fs.String("idempotency-key", "", "send this Idempotency-Key (default: a new one, kept for this run's retries): a run again with it creates nobody twice; needs --password-stdin")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"--email", *email}, {"--name", *name}, {"--role", *role}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return usagef(l.path, "missing %s", strings.Join(missing, ", "))
	}
	if *key != "" && !*pwStdin {
		// Each run would make another random password: a run again with the
		// key would send another request under it (refused), and the user a
		// first run made, its answer lost, would have a password nobody saw.
		return usagef(l.path, "--idempotency-key needs --password-stdin: a run again with the same key must send the same password, and a generated one differs on each run")
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	password, generated := "", false
	if *pwStdin {
		// Not echoed when standard input is a terminal.
		if password, err = c.readSecret("Password: "); err != nil {
			return usagef(l.path, "no password on standard input: %v", err)
		}
	} else {
		password, generated = randomPassword(), true
	}
	r := request{method: http.MethodPost, path: "/api/v1/users", command: true,
		body: map[string]string{"email": *email, "name": *name, "role": *role, "password": password}}
	if *key != "" {
		r.header = map[string]string{"Idempotency-Key": *key}
	}
	var u userView
	raw, err := cl.callJSON(ctx, r, &u)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		if !generated {
			return c.printJSON(raw, nil)
		}
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		m["generated_password"] = password
		return c.printJSON(nil, m)
	}
	fmt.Fprintf(c.stdout, "Created %s %s (%s).\n", u.Role, u.ID, u.Email)
	if generated {
		fmt.Fprintf(c.stdout, "Password (shown once; give it to %s): %s\n", u.Name, password)
	}
	return nil
}

func cmdUsersList(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit users list", "", "Lists users, optionally of one role.", "GET /api/v1/users", 0, 0)
	role := l.fs.String("role", "", "only users of this role: applicant, assessor or office")
	if _, err := l.parse(c, args); err != nil {
		return err
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	q := url.Values{}
	if *role != "" {
		q.Set("role", *role)
	}
	var ans struct {
		Users []userView `json:"users"`
	}
	raw, err := cl.callJSON(ctx, request{method: http.MethodGet, path: "/api/v1/users", query: q}, &ans)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	var rows [][]string
	for _, u := range ans.Users {
		rows = append(rows, []string{u.ID, u.Email, u.Name, u.Role, u.status()})
	}
	table(c.stdout, []string{"ID", "EMAIL", "NAME", "ROLE", "STATUS"}, rows)
	return nil
}

func cmdUsersShow(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit users show", "USER-ID", "Shows one user.", "GET /api/v1/users/{id}", 1, 1)
	pos, err := l.parse(c, args)
	if err != nil {
		return err
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	var u userView
	raw, err := cl.callJSON(ctx, request{method: http.MethodGet, path: "/api/v1/users/" + url.PathEscape(pos[0])}, &u)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	c.printUser(u)
	return nil
}

func cmdUsersDisable(ctx context.Context, c *cli, args []string) error {
	return userWithReason(ctx, c, args, "disable", "Disables a user: their sessions end and they can no longer log in. They are told by email that the EMCC office disabled their account; the reason stays out of it.", "Disabled %s (%s).\n")
}

func cmdUsersEnable(ctx context.Context, c *cli, args []string) error {
	return userWithReason(ctx, c, args, "enable", "Enables a disabled user again: they can log in with the password they had. They are told by email; the reason stays out of it.", "Enabled %s (%s): they can log in again.\n")
}

// userWithReason is a command on one user that takes a required --reason:
// POST /api/v1/users/{id}/<action>; done is said with the user's id and
// email.
func userWithReason(ctx context.Context, c *cli, args []string, action, about, done string) error {
	l := c.newLeaf("accredit users "+action, "USER-ID", about, "POST /api/v1/users/{id}/"+action, 1, 1)
	reason := l.fs.String("reason", "", "why (required; kept with the user's personal data)")
	pos, err := l.parse(c, args)
	if err != nil {
		return err
	}
	if *reason == "" {
		return usagef(l.path, "missing --reason")
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	var u userView
	raw, err := cl.callJSON(ctx, request{method: http.MethodPost, path: "/api/v1/users/" + url.PathEscape(pos[0]) + "/" + action, command: true,
		body: map[string]string{"reason": *reason}}, &u)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	fmt.Fprintf(c.stdout, done, u.ID, u.Email)
	return nil
}

func cmdAssessorsSetProfile(ctx context.Context, c *cli, args []string) error {
	l := c.newLeaf("accredit assessors set-profile", "USER-ID", `
Sets what an assessor may assess: the schemes, the highest level, the
languages, and the users they have a conflict of interest with (who they
will never be offered or assigned). It replaces the whole profile, but for
the conflicts when --conflicts is not given: those recorded stay
(--conflicts "" clears them).`, "PUT /api/v1/users/{id}/assessor-profile", 1, 1)
	schemes := l.fs.String("schemes", "", "comma-separated: EIA, EQA (required)")
	maxLevel := l.fs.String("max-level", "", "foundation, practitioner, senior_practitioner or master_practitioner (required)")
	languages := l.fs.String("languages", "", "comma-separated two-letter codes, e.g. en,nl (required)")
	conflicts := l.fs.String("conflicts", "", "comma-separated user ids they have a conflict of interest with")
	pos, err := l.parse(c, args)
	if err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"--schemes", *schemes}, {"--max-level", *maxLevel}, {"--languages", *languages}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return usagef(l.path, "missing %s", strings.Join(missing, ", "))
	}
	cl, err := c.client(true)
	if err != nil {
		return err
	}
	body := map[string]any{"schemes": splitList(*schemes), "max_level": *maxLevel, "languages": splitList(*languages)}
	l.fs.Visit(func(f *flag.Flag) {
		if f.Name == "conflicts" {
			body["conflicts"] = splitList(*conflicts)
		}
	})
	var u userView
	raw, err := cl.callJSON(ctx, request{method: http.MethodPut, path: "/api/v1/users/" + url.PathEscape(pos[0]) + "/assessor-profile", command: true,
		body: body}, &u)
	if err != nil {
		return err
	}
	if c.jsonOut() {
		return c.printJSON(raw, nil)
	}
	c.printUser(u)
	return nil
}
