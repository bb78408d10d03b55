package input

import (
	"encoding/json"
	"testing"

	"github.com/afscan/afscan/ecg"
)

type ecgLead = ecg.Lead

// cincA00004 returns the golden strip (first 10 s of CinC 2017 A00004 in
// mV) from the afscan JSON fixture that testdata/gen wrote from the .mat;
// TestReadFilePhysioNet checks it against the original record.
func cincA00004(t testing.TB) []float64 {
	t.Helper()
	var s struct {
		Samples []float64 `json:"samples"`
	}
	if err := json.Unmarshal(readFixture(t, "cinc_A00004_10s.json"), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Samples) != 3000 {
		t.Fatalf("fixture has %d samples, want 3000", len(s.Samples))
	}
	return s.Samples
}
