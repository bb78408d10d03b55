package benchcpu

import (
	"testing"
	"time"
)

// TestStartAdvancesWithWork checks that the clock moves when the process
// burns CPU, where the platform has a process CPU clock at all.
func TestStartAdvancesWithWork(t *testing.T) {
	start := Start()
	if start == 0 {
		t.Skip("no process CPU clock on this platform")
	}
	x := 1.0
	deadline := time.Now().Add(2 * time.Second)
	for Start()-start < 5*time.Millisecond {
		if time.Now().After(deadline) {
			t.Fatalf("process CPU time advanced only %v in 2 s of busy loop", Start()-start)
		}
		for i := 0; i < 100000; i++ {
			x = x*1.0000001 + 1e-9
		}
	}
	if x == 0 {
		t.Fatal("unreachable: keeps the loop alive")
	}
}

func BenchmarkReport(b *testing.B) {
	start := Start()
	for b.Loop() {
		_ = Start()
	}
	Report(b, start)
}
