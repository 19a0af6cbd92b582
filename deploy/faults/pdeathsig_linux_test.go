package faults

import (
	"os/exec"
	"syscall"
)

// Children die with the test binary, even when it is killed on a time-out,
// so no accreditd or nats-server outlives a run.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
