// Command accredit is the command line of Accredit for operators and
// integrators: it logs in, manages users and assessor profiles, lists and
// shows cases, exports and verifies the audit history, watches and rebuilds
// the read models and searches the public register, all through the HTTP
// API of accreditd, and it backs up and restores the JetStream data
// directly (see backup.go). Run accredit --help.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
