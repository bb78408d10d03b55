package inference

import (
	"context"
	"errors"
	"math"
	"testing"
)

// FuzzExtract feeds arbitrary strips (rate and samples decoded from bytes)
// to the pipeline: it must never panic, must return one of the input
// errors or an Analysis whose features are all finite and whose quality is
// in [0, 1].
//
// Verifies: SRS-CLS-004
func FuzzExtract(f *testing.F) {
	for name := range fixtures {
		x, rate := readFixture(f, name)
		f.Add(encodeStrip(x, rate))
	}
	f.Add(encodeStrip(make([]float64, 1000), 250))
	f.Add([]byte{0x2c, 0x01})
	e := NewExtractor()
	f.Fuzz(func(t *testing.T, b []byte) {
		x, rate := decodeStrip(b)
		a, err := e.Extract(context.Background(), x, rate)
		if err != nil {
			if !errors.Is(err, ErrUnsupportedRate) && !errors.Is(err, ErrSignalTooShort) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(a.Features) != len(FeatureNames()) {
			t.Fatalf("got %d features", len(a.Features))
		}
		for i, v := range a.Features {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("feature %s = %v", FeatureNames()[i], v)
			}
		}
		if !(a.SignalQuality >= 0 && a.SignalQuality <= 1) {
			t.Fatalf("quality %v", a.SignalQuality)
		}
		for i := 1; i < len(a.RPeakIdx); i++ {
			if a.RPeakIdx[i] <= a.RPeakIdx[i-1] {
				t.Fatalf("R peaks not ascending: %v", a.RPeakIdx)
			}
		}
	})
}

// The fixtures give the expected calls' ingredients.
//
// Verifies: SRS-CLS-002, SRS-CLS-004
func TestFixtures(t *testing.T) {
	tests := []struct {
		name         string
		wantReason   string
		wantInverted bool
		irregular    bool
	}{
		{"sinus-300hz.csv", "", false, false},
		{"irregular-250hz.csv", "", false, true},
		{"inverted-500hz.csv", ReasonTooShort, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, rate := readFixture(t, tc.name)
			a, err := NewExtractor().Extract(context.Background(), x, rate)
			if err != nil {
				t.Fatal(err)
			}
			if a.Reason != tc.wantReason || a.Inverted != tc.wantInverted {
				t.Errorf("got reason %q inverted %v, want %q %v", a.Reason, a.Inverted, tc.wantReason, tc.wantInverted)
			}
			if got := feature(t, a, "rmssd_norm") > 0.1; got != tc.irregular {
				t.Errorf("got rmssd_norm %.3f, want irregular %v", feature(t, a, "rmssd_norm"), tc.irregular)
			}
		})
	}
}
