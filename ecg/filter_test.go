package ecg_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/afscan/afscan/ecg"
)

func sine(n int, rateHz, freqHz, amp float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = amp * math.Sin(2*math.Pi*freqHz*float64(i)/rateHz)
	}
	return x
}

// rmsMiddle is the RMS of x without its first and last 10%.
func rmsMiddle(x []float64) float64 {
	lo, hi := len(x)/10, len(x)-len(x)/10
	var s float64
	for _, v := range x[lo:hi] {
		s += v * v
	}
	return math.Sqrt(s / float64(hi-lo))
}

// Verifies: SRS-QRS-001
func TestBandpassGain(t *testing.T) {
	tests := []struct {
		name             string
		rateHz, freqHz   float64
		lowHz, highHz    float64
		wantGain, tolAbs float64
	}{
		// Zero-phase: each edge is -6 dB (gain 0.5) at its cut-off.
		{"passband 10 Hz at 360 Hz", 360, 10, 5, 20, 0.87, 0.06},
		{"passband 10 Hz at 125 Hz", 125, 10, 5, 20, 0.87, 0.06},
		{"passband 10 Hz at 1000 Hz", 1000, 10, 5, 20, 0.87, 0.06},
		{"low cut-off", 360, 5, 5, 40, 0.5, 0.03},
		{"high cut-off", 500, 40, 0.5, 40, 0.5, 0.03},
		{"baseline wander 0.3 Hz", 360, 0.3, 5, 20, 0, 0.01},
		{"mains 50 Hz", 360, 50, 5, 20, 0, 0.03},
		{"mains 60 Hz at 1000 Hz", 1000, 60, 5, 15, 0, 0.01},
		{"low-pass only", 250, 2, 0, 30, 1, 0.01},
		{"high-pass only", 250, 30, 1, 200, 1, 0.01},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := int(20 * tc.rateHz)
			x := sine(n, tc.rateHz, tc.freqHz, 1)
			y := ecg.Bandpass(nil, x, tc.rateHz, tc.lowHz, tc.highHz)
			gain := rmsMiddle(y) / rmsMiddle(x)
			if math.Abs(gain-tc.wantGain) > tc.tolAbs {
				t.Errorf("gain %.4f, want %.4f ± %.3f", gain, tc.wantGain, tc.tolAbs)
			}
		})
	}
}

// A zero-phase filter leaves a symmetric pulse's peak where it was.
func TestBandpassZeroPhase(t *testing.T) {
	for _, rateHz := range []float64{125, 250, 360, 500, 1000} {
		n := int(4 * rateHz)
		x := make([]float64, n)
		center := n / 2
		for i := range x {
			d := float64(i-center) / rateHz / 0.015
			x[i] = 2 + math.Exp(-d*d/2) // with a DC offset
		}
		y := ecg.Bandpass(nil, x, rateHz, 5, 20)
		best := 0
		for i := range y {
			if y[i] > y[best] {
				best = i
			}
		}
		if best != center {
			t.Errorf("%g Hz: peak moved from %d to %d", rateHz, center, best)
		}
		if math.Abs(y[0]) > 1e-6 || math.Abs(y[n-1]) > 1e-6 {
			t.Errorf("%g Hz: DC offset leaks at the edges: %g, %g", rateHz, y[0], y[n-1])
		}
	}
}

func TestBandpassInPlaceAndEmpty(t *testing.T) {
	x := sine(3600, 360, 10, 1)
	want := ecg.Bandpass(nil, x, 360, 5, 15)
	got := ecg.Bandpass(x, x, 360, 5, 15)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("in place differs at %d: got %g, want %g", i, got[i], want[i])
		}
	}
	if y := ecg.Bandpass(nil, nil, 360, 5, 15); len(y) != 0 {
		t.Errorf("empty input gave %d samples", len(y))
	}
}

func TestBandpassPanics(t *testing.T) {
	tests := []struct {
		name          string
		dst           []float64
		rateHz        float64
		lowHz, highHz float64
	}{
		{"short dst", make([]float64, 5), 360, 5, 15},
		{"zero rate", nil, 0, 5, 15},
		{"empty band", nil, 360, 20, 10},
		{"low above Nyquist", nil, 360, 200, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			ecg.Bandpass(tc.dst, make([]float64, 10), tc.rateHz, tc.lowHz, tc.highHz)
		})
	}
}

func benchmarkBandpass(b *testing.B, durationS float64) {
	const rateHz = 360
	x := sine(int(durationS*rateHz), rateHz, 10, 1)
	dst := make([]float64, len(x))
	b.ReportAllocs()
	for b.Loop() {
		ecg.Bandpass(dst, x, rateHz, 5, 20)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/sample")
}

func BenchmarkBandpass10s(b *testing.B) { benchmarkBandpass(b, 10) }
func BenchmarkBandpass60s(b *testing.B) { benchmarkBandpass(b, 60) }
func BenchmarkBandpass24h(b *testing.B) { benchmarkBandpass(b, 24*3600) }

func ExampleBandpass() {
	// A 10 Hz QRS-band tone riding on a 1 mV offset and a 0.3 Hz baseline
	// wander, 20 s at 360 Hz: the 5–20 Hz band-pass keeps the tone and
	// removes the rest, without shifting it in time.
	const rateHz = 360
	x := make([]float64, 20*rateHz)
	for i := range x {
		t := float64(i) / rateHz
		x[i] = 1 + 0.5*math.Sin(2*math.Pi*0.3*t) + 0.2*math.Sin(2*math.Pi*10*t)
	}
	y := ecg.Bandpass(nil, x, rateHz, 5, 20)
	i := 10*rateHz + 9 // t = 10.025 s, a crest of the 10 Hz tone
	fmt.Printf("input %.3f mV, output %.3f mV, tone alone %.3f mV\n", x[i], y[i], 0.2*math.Sin(2*math.Pi*10*float64(i)/rateHz))
	// Output: input 1.224 mV, output 0.178 mV, tone alone 0.200 mV
}
