package api_test

import (
	"strings"
	"time"

	"github.com/emcc/accredit/api/internal/cpushare"
)

// shares is the CPU of a command load's profile by part of the process.
type shares struct {
	accreditd  time.Duration // the server: HTTP, the domain, its NATS client, the feed and read models
	natsServer time.Duration // the embedded nats-server, fsync included (the raw side has it too)
	clients    time.Duration // the benchmark's HTTP clients
	shared     time.Duration // background GC and the runtime's own goroutines (scheduler, scavenger)
	profiler   time.Duration // writing the profile: no one's
}

// withShare is accreditd's CPU with its share of the shared part, in
// proportion to its CPU among the parts that run code: the GC and the
// scheduler work for every goroutine, and accreditd's allocation is most
// of what makes the GC run.
func (s shares) withShare() time.Duration {
	own := s.accreditd + s.natsServer + s.clients
	if own == 0 {
		return 0
	}
	return s.accreditd + time.Duration(float64(s.shared)*float64(s.accreditd)/float64(own))
}

// profileShares splits a CPU profile of the HTTP command load by part.
// accreditd runs in this process beside its embedded nats-server and the
// clients: a sample is the nats-server's when a nats-server function is on
// its stack, the clients' when the HTTP client's or this benchmark's is,
// shared when only the runtime's are; the rest is accreditd's.
func profileShares(profile []byte) (shares, error) {
	parts, err := cpushare.Split(profile, partOf)
	if err != nil {
		return shares{}, err
	}
	return shares{accreditd: parts["accreditd"], natsServer: parts["nats-server"], clients: parts["clients"],
		shared: parts["shared"], profiler: parts["profiler"]}, nil
}

func partOf(stack []string) string {
	onlyRuntime := true
	for _, f := range stack {
		switch {
		case strings.HasPrefix(f, "github.com/nats-io/nats-server/"):
			return "nats-server"
		case strings.HasPrefix(f, "net/http.(*persistConn"), strings.HasPrefix(f, "net/http.(*Transport)"),
			strings.HasPrefix(f, "net/http.(*Client)"), strings.HasPrefix(f, "github.com/emcc/accredit/api_test."):
			return "clients"
		case strings.HasPrefix(f, "runtime/pprof."):
			return "profiler"
		case f == "runtime.gcBgMarkWorker":
			return "shared"
		case !strings.HasPrefix(f, "runtime.") && !strings.HasPrefix(f, "internal/runtime/") && f != "":
			onlyRuntime = false
		}
	}
	if onlyRuntime {
		return "shared"
	}
	return "accreditd"
}
