package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

// Exit codes, documented in accredit --help.
const (
	exitOK           = 0
	exitFailed       = 1 // the API refused (4xx other than below, 5xx), or a network or file error
	exitUsage        = 2 // wrong command, flag or argument
	exitUnauthorized = 3 // 401: not logged in, or the token expired or was revoked
	exitForbidden    = 4 // 403: the role does not allow it
	exitNotIntact    = 5 // audit verify: the audit chain does not verify
)

const exitCodesHelp = `Exit codes:
  0  done
  1  the operation failed: the API refused it (the problem's detail and fields
     are shown), accreditd or NATS could not be reached, or a file error
  2  usage: unknown command or flag, or a missing or wrong argument
  3  unauthorized (401): log in again with accredit login
  4  forbidden (403): your role may not do this
  5  audit verify: the audit chain is NOT intact`

// cli is one run of the command with its world: standard streams, the
// environment and the HTTP client. Tests build one directly.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	http           *http.Client // nil: a client with sensible timeouts
	// terminal reports whether stdin is an interactive terminal (to prompt
	// for a password without echo); nil means it is not.
	terminal func() bool
	// readPassword reads a line from the terminal without echo; nil: the
	// terminal's (term.ReadPassword).
	readPassword func() ([]byte, error)

	// Global options, settable before or after the command.
	url, token, configPath, output string
	// retries is how many times a call is tried again (see client.send).
	retries int
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, terminal: stdinIsTerminal, retries: defaultRetries}
	return c.run(ctx, args)
}

// command is one node of the command tree.
type command struct {
	name, summary string
	sub           []*command
	run           func(ctx context.Context, c *cli, args []string) error
}

func commands() []*command {
	return []*command{
		{name: "login", summary: "log in and save the token (email and password from flags, or asked)", run: cmdLogin},
		{name: "logout", summary: "end the session and forget the saved token", run: cmdLogout},
		{name: "users", summary: "manage users (office)", sub: []*command{
			{name: "add", summary: "create a user of any role", run: cmdUsersAdd},
			{name: "list", summary: "list users", run: cmdUsersList},
			{name: "show", summary: "show one user", run: cmdUsersShow},
			{name: "disable", summary: "disable a user: their sessions end and they cannot log in", run: cmdUsersDisable},
			{name: "enable", summary: "enable a disabled user again: they can log in with their password", run: cmdUsersEnable},
		}},
		{name: "assessors", summary: "manage assessors (office)", sub: []*command{
			{name: "set-profile", summary: "set what an assessor may assess", run: cmdAssessorsSetProfile},
		}},
		{name: "cases", summary: "list and inspect cases", sub: []*command{
			{name: "list", summary: "the work queue (office: every case in progress; assessor: available and mine)", run: cmdCasesList},
			{name: "show", summary: "show one case", run: cmdCasesShow},
			{name: "history", summary: "every event of one case", run: cmdCasesHistory},
		}},
		{name: "audit", summary: "the audit history (office)", sub: []*command{
			{name: "export", summary: "stream the audit history as CSV or JSON lines", run: cmdAuditExport},
			{name: "verify", summary: "verify every hash chain and signed checkpoint (exit 5 when not intact)", run: cmdAuditVerify},
			{name: "checkpoint", summary: "record a signed checkpoint now", run: cmdAuditCheckpoint},
		}},
		{name: "projections", summary: "the read models (office)", sub: []*command{
			{name: "status", summary: "each read model's position and lag", run: cmdProjectionsStatus},
			{name: "rebuild", summary: "rebuild the read models from the event store", run: cmdProjectionsRebuild},
		}},
		{name: "register", summary: "the public register of accreditations (no login needed)", sub: []*command{
			{name: "search", summary: "search the accreditations in force", run: cmdRegisterSearch},
			{name: "verify", summary: "check one accreditation (exit 1 when not valid)", run: cmdRegisterVerify},
		}},
		{name: "credential", summary: "award credentials (Open Badges 3.0): verify one offline; rotate the signing key", sub: []*command{
			{name: "verify", summary: "verify a credential file with the office's published keys (exit 1 when not valid)", run: cmdCredentialVerify},
			{name: "rotate-key", summary: "add a new credential signing key (directly in the key directory, not through the API)", run: cmdCredentialRotateKey},
		}},
		{name: "backup", summary: "back up the JetStream streams to a file (directly, not through the API)", run: cmdBackup},
		{name: "restore", summary: "restore a backup into an empty JetStream", run: cmdRestore},
		{name: "seed", summary: "fill an empty store with a made-up, realistic data set (directly, not through the API)", run: cmdSeed},
		{name: "version", summary: "print the version", run: cmdVersion},
	}
}

func (c *cli) run(ctx context.Context, args []string) int {
	err := c.dispatch(ctx, args)
	return c.report(err)
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("accredit", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.globalFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.mainUsage(c.stdout)
			return nil
		}
		return usagef("accredit", "%v", err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		c.mainUsage(c.stderr)
		return usagef("", "no command given")
	}
	if rest[0] == "help" {
		if len(rest) == 1 {
			c.mainUsage(c.stdout)
			return nil
		}
		rest = append(rest[1:], "--help")
	}
	cmds, path := commands(), "accredit"
	for {
		var cmd *command
		for _, x := range cmds {
			if x.name == rest[0] {
				cmd = x
			}
		}
		if cmd == nil {
			return usagef(path, "unknown command %q; run %s --help", rest[0], path)
		}
		path += " " + cmd.name
		rest = rest[1:]
		if cmd.run != nil {
			return cmd.run(ctx, c, rest)
		}
		if len(rest) == 0 || rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help" {
			w := c.stdout
			if len(rest) == 0 {
				w = c.stderr
			}
			c.groupUsage(w, path, cmd)
			if len(rest) == 0 {
				return usagef(path, "a subcommand is needed")
			}
			return nil
		}
		cmds = cmd.sub
	}
}

func (c *cli) mainUsage(w io.Writer) {
	fmt.Fprint(w, `accredit is the command line of Accredit (EMCC accreditation): it talks to the
HTTP API of accreditd, except backup and restore, which work on JetStream.

Usage:
  accredit [global flags] <command> [subcommand] [flags] [arguments]

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, cmd := range commands() {
		if cmd.sub == nil {
			fmt.Fprintf(tw, "  %s\t%s\n", cmd.name, cmd.summary)
			continue
		}
		for _, s := range cmd.sub {
			fmt.Fprintf(tw, "  %s %s\t%s\n", cmd.name, s.name, s.summary)
		}
	}
	tw.Flush()
	fmt.Fprint(w, `
Global flags (before or after the command):
  --url URL        accreditd's address (ACCREDIT_URL; the saved login's; default http://127.0.0.1:8080)
  --token TOKEN    a bearer token (ACCREDIT_TOKEN; default the one accredit login saved)
  --config FILE    the config file accredit login writes (ACCREDIT_CONFIG;
                   default $XDG_CONFIG_HOME/accredit/config.json or ~/.config/accredit/config.json)
  -o, --output F   text (default: tables for people) or json (the API's JSON, for scripts)
  --retries N      on a connection error or a 503, try a read or a command again up to
                   N times (default 4), after the server's Retry-After or a backoff;
                   a command keeps its Idempotency-Key, so it is applied once

Run accredit <command> --help for a command's flags.

`+exitCodesHelp+"\n")
}

func (c *cli) groupUsage(w io.Writer, path string, cmd *command) {
	fmt.Fprintf(w, "%s: %s\n\nUsage:\n  %s <subcommand> [flags]\n\nSubcommands:\n", path, cmd.summary, path)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range cmd.sub {
		fmt.Fprintf(tw, "  %s\t%s\n", s.name, s.summary)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun %s <subcommand> --help for its flags.\n", path)
}

func (c *cli) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.url, "url", c.url, "accreditd's address (ACCREDIT_URL)")
	fs.StringVar(&c.token, "token", c.token, "bearer token (ACCREDIT_TOKEN)")
	fs.StringVar(&c.configPath, "config", c.configPath, "config file (ACCREDIT_CONFIG)")
	fs.StringVar(&c.output, "output", c.output, "text or json")
	fs.StringVar(&c.output, "o", c.output, "text or json (short for --output)")
	fs.IntVar(&c.retries, "retries", c.retries, "tries again after a connection error or a 503")
}

// leaf describes a command's flags and arguments for parse and --help.
type leaf struct {
	path     string // "accredit users add"
	args     string // "ID" etc. in the synopsis
	about    string // what it does, for --help
	minArgs  int
	maxArgs  int // -1: any
	fs       *flag.FlagSet
	apiCalls string // the endpoint(s), for --help
}

// newLeaf starts a command's flag set with the global flags on it.
func (c *cli) newLeaf(path, args, about, apiCalls string, minArgs, maxArgs int) *leaf {
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.globalFlags(fs)
	return &leaf{path: path, args: args, about: about, minArgs: minArgs, maxArgs: maxArgs, fs: fs, apiCalls: apiCalls}
}

// parse parses flags and arguments in any order; --help prints the usage
// and returns errHelp.
func (l *leaf) parse(c *cli, args []string) ([]string, error) {
	var pos []string
	for {
		if err := l.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				l.usage(c.stdout)
				return nil, errHelp
			}
			return nil, usagef(l.path, "%v; run %s --help", err, l.path)
		}
		args = l.fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	switch {
	case len(pos) < l.minArgs:
		return nil, usagef(l.path, "missing %s; run %s --help", l.args, l.path)
	case l.maxArgs >= 0 && len(pos) > l.maxArgs:
		return nil, usagef(l.path, "unexpected argument %q; run %s --help", pos[l.maxArgs], l.path)
	}
	if c.output != "" && c.output != "text" && c.output != "json" {
		return nil, usagef(l.path, "--output must be text or json, not %q", c.output)
	}
	if c.retries < 0 {
		return nil, usagef(l.path, "--retries must be 0 or more, not %d", c.retries)
	}
	return pos, nil
}

func (l *leaf) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage:\n  %s [flags]", l.path)
	if l.args != "" {
		fmt.Fprintf(w, " %s", l.args)
	}
	fmt.Fprintf(w, "\n\n%s\n", strings.TrimSpace(l.about))
	if l.apiCalls != "" {
		fmt.Fprintf(w, "\nCalls %s.\n", l.apiCalls)
	}
	global := map[string]bool{"url": true, "token": true, "config": true, "output": true, "o": true, "retries": true}
	var names []string
	l.fs.VisitAll(func(f *flag.Flag) {
		if !global[f.Name] {
			names = append(names, f.Name)
		}
	})
	sort.Strings(names)
	if len(names) > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, n := range names {
			f := l.fs.Lookup(n)
			def := ""
			// A usage that tells its default itself ("default: those of
			// the existing event stream") is not followed by the zero value.
			if f.DefValue != "" && f.DefValue != "false" && !strings.Contains(f.Usage, "default") {
				def = " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(tw, "  --%s\t%s%s\n", n, f.Usage, def)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nGlobal flags: --url, --token, --config, -o/--output text|json, --retries N (see accredit --help).\n\n%s\n", exitCodesHelp)
}

// Errors and how they end the run.

var errHelp = errors.New("help shown")

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return &usageError{msg: msg}
}

// exitError ends the run with a code and a message (may be empty when the
// output already said it).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// report prints err and returns its exit code.
func (c *cli) report(err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	var ue *usageError
	var ae *apiError
	var ee *exitError
	switch {
	case errors.As(err, &ue):
		if strings.HasPrefix(ue.msg, "accredit ") || strings.HasPrefix(ue.msg, "accredit:") { // named already
			fmt.Fprintln(c.stderr, ue.msg)
		} else {
			fmt.Fprintln(c.stderr, "accredit:", ue.msg)
		}
		return exitUsage
	case errors.As(err, &ae):
		if c.output == "json" && ae.problem.Type != "" {
			fmt.Fprintln(c.stderr, strings.TrimSpace(string(ae.raw)))
		} else {
			fmt.Fprintln(c.stderr, "accredit:", ae.describe())
		}
		switch ae.status {
		case http.StatusUnauthorized:
			return exitUnauthorized
		case http.StatusForbidden:
			return exitForbidden
		}
		return exitFailed
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(c.stderr, "accredit:", ee.msg)
		}
		return ee.code
	default:
		fmt.Fprintln(c.stderr, "accredit:", err)
		return exitFailed
	}
}
