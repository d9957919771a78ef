//go:build unix

package rules

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the test process has used, so that
// benchmarks can report a per-core rate that does not depend on what else
// the machine is running.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
