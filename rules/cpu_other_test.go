//go:build !unix

package rules

import "time"

// processCPU is unknown here; benchmarks then skip the per-core rate.
func processCPU() time.Duration { return 0 }
