// Package faults is the fault suite (`make faults`): it runs the accreditd
// and nats-server binaries on loopback under load, breaks them (kill -9, a
// lost stream leader, NATS gone, a slow and lossy link, reads during a
// restart) and checks that every acknowledged command is there once, that
// the audit chain verifies, and that clients only ever saw a 503 with
// Retry-After or a connection error. Each scenario prints a table.
//
// The tests skip unless ACCREDIT_FAULTS=1, so `make test` stays quick; the
// Makefile's faults target and CI set it. Nothing here is imported.
package faults
