package cpushare

import (
	"bytes"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A real profile of this process: the CPU of a function that only burns
// lands in its part, and the parts add up to the profile's samples.
func TestSplitARealProfile(t *testing.T) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Fatal(err)
	}
	spent := burnCPU(400 * time.Millisecond)
	pprof.StopCPUProfile()

	var stacks int
	parts, err := Split(buf.Bytes(), func(stack []string) string {
		stacks++
		if slices.ContainsFunc(stack, func(f string) bool { return strings.HasSuffix(f, "cpushare.burnCPU") }) {
			return "burn"
		}
		return "other"
	})
	if err != nil {
		t.Fatal(err)
	}
	if stacks == 0 {
		t.Fatal("no samples read")
	}
	// Sampling at 100 Hz over 400 ms of CPU: some 40 samples, nearly all
	// in burnCPU; a few may fall on the runtime or the profiler itself.
	if parts["burn"] < parts["other"] {
		t.Errorf("burn %v, other %v: want most of the CPU in burnCPU", parts["burn"], parts["other"])
	}
	if total := parts["burn"] + parts["other"]; total > spent+spent/2 {
		t.Errorf("the profile sums to %v, over the %v the process used", total, spent)
	}
}

func TestSplitRefusesWhatIsNotAProfile(t *testing.T) {
	if _, err := Split([]byte("\x0a\xff"), func([]string) string { return "" }); err == nil {
		t.Error("a truncated message was read")
	}
	if _, err := Split(nil, func([]string) string { return "" }); err == nil {
		t.Error("an empty input was taken for a CPU profile")
	}
}

// burnCPU spins until the process has used d of CPU more than at the start
// and returns what it used.
func burnCPU(d time.Duration) time.Duration {
	start := processCPU()
	x := 1
	for processCPU()-start < d {
		for i := range 100_000 {
			x = x*31 + i
		}
	}
	sink = x
	return processCPU() - start
}

var sink int

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
