// Package benchcpu lets benchmarks report the process CPU time per
// operation ("cpu-ns/op") next to wall time: on a shared machine wall time
// includes waiting for a core, CPU time does not, and CPU time also counts
// the work a call hands to other goroutines (GC, parallel BLAS).
package benchcpu

import (
	"testing"
	"time"
)

// Start returns the CPU time to pass to Report.
func Start() time.Duration { return processCPU() }

// Since returns the process CPU time spent since start.
func Since(start time.Duration) time.Duration { return processCPU() - start }

// Report adds the CPU time spent since start, per b.N, as "cpu-ns/op".
// It reports nothing where the platform cannot measure it.
func Report(b *testing.B, start time.Duration) {
	if now := processCPU(); now > 0 {
		b.ReportMetric(float64(now-start)/float64(b.N), "cpu-ns/op")
	}
}
