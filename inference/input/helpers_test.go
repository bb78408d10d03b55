package input

import (
	"encoding/json"
	"errors"
	"math"
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

// decoded is what a decoder table case expects: an error class, or a
// record with this rate (within rateTolHz), lead name (when not empty) and
// samples in mV.
type decoded struct {
	err       error
	rateHz    float64
	rateTolHz float64
	lead      string
	mV        []float64
}

// checkDecodeCase checks one decoder result against want and reports whether
// a record came back for the caller to check further.
func checkDecodeCase(t *testing.T, rec *ecg.Record, err error, want decoded) bool {
	t.Helper()
	if want.err != nil {
		if !errors.Is(err, want.err) {
			t.Fatalf("got error %v, want %v", err, want.err)
		}
		return false
	}
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if math.Abs(rec.SampleRateHz-want.rateHz) > want.rateTolHz {
		t.Errorf("got rate %g Hz, want %g", rec.SampleRateHz, want.rateHz)
	}
	if want.lead != "" && rec.Leads[0].Name != want.lead {
		t.Errorf("got lead %q, want %q", rec.Leads[0].Name, want.lead)
	}
	checkLead(t, rec.Leads, want.mV)
	return true
}
