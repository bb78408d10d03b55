package ecg_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/afscan/afscan/ecg"
)

// Verifies: SRS-QRS-001
func TestResampleSine(t *testing.T) {
	tests := []struct {
		fromHz, toHz, freqHz float64
		maxErr               float64
	}{
		{360, 250, 5, 1e-3},
		{360, 300, 12, 1e-3},
		{250, 500, 20, 1e-3},
		{1000, 125, 8, 2e-3},
		{125, 1000, 30, 2e-3},
		{300, 360, 25, 1e-3},
		{500, 300, 40, 2e-3},
		{360, 300 * math.Sqrt2, 10, 1e-3}, // no rational ratio: direct path
		{250.5, 360, 15, 1e-3},            // 501 phases
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%g to %g Hz, %g Hz tone", tc.fromHz, tc.toHz, tc.freqHz), func(t *testing.T) {
			x := sine(int(10*tc.fromHz), tc.fromHz, tc.freqHz, 1)
			y := ecg.Resample(nil, x, tc.fromHz, tc.toHz)
			if want := int(math.Round(10 * tc.toHz)); len(y) != want {
				t.Fatalf("length %d, want %d", len(y), want)
			}
			// Away from the edges the output is the same tone at the new rate.
			lo, hi := len(y)/10, len(y)-len(y)/10
			var worst float64
			for i := lo; i < hi; i++ {
				want := math.Sin(2 * math.Pi * tc.freqHz * float64(i) / tc.toHz)
				worst = max(worst, math.Abs(y[i]-want))
			}
			if worst > tc.maxErr {
				t.Errorf("max error %.2g, want ≤ %.2g", worst, tc.maxErr)
			}
		})
	}
}

// Lowering the rate removes what the new rate cannot represent.
func TestResampleAntiAlias(t *testing.T) {
	x := sine(10000, 1000, 100, 1) // 100 Hz is above 125 Hz's Nyquist (62.5 Hz)
	y := ecg.Resample(nil, x, 1000, 125)
	if r := rmsMiddle(y); r > 0.01 {
		t.Errorf("aliased RMS %.3g, want < 0.01 (input RMS 0.71)", r)
	}
}

func TestResampleEdges(t *testing.T) {
	tests := []struct {
		name         string
		n            int
		fromHz, toHz float64
		wantLen      int
	}{
		{"empty", 0, 360, 250, 0},
		{"one sample", 1, 360, 720, 2},
		{"same rate", 7, 300, 300, 7},
		{"rounding", 10, 300, 250, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := constant(tc.n, 1.5)
			y := ecg.Resample(nil, x, tc.fromHz, tc.toHz)
			if len(y) != tc.wantLen {
				t.Fatalf("length %d, want %d", len(y), tc.wantLen)
			}
			for i, v := range y {
				if math.Abs(v-1.5) > 1e-12 {
					t.Errorf("y[%d] = %g, want the constant 1.5", i, v)
				}
			}
		})
	}
}

func TestResamplePanics(t *testing.T) {
	for _, tc := range []struct {
		name         string
		dst          []float64
		fromHz, toHz float64
	}{
		{"wrong dst length", make([]float64, 3), 360, 250},
		{"zero rate", nil, 0, 250},
		{"negative rate", nil, 360, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			ecg.Resample(tc.dst, make([]float64, 36), tc.fromHz, tc.toHz)
		})
	}
}

func ExampleResample() {
	// Two seconds of a 1 Hz sine at 360 Hz, brought to 250 Hz.
	x := make([]float64, 720)
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * float64(i) / 360)
	}
	y := ecg.Resample(nil, x, 360, 250)
	fmt.Println(len(y))
	fmt.Printf("%.3f %.3f\n", y[125], y[62]) // 0.5 s and 0.248 s
	// Output:
	// 500
	// 0.000 1.000
}

func benchmarkResample(b *testing.B, durationS float64) {
	x := sine(int(durationS*360), 360, 10, 1)
	dst := make([]float64, int(math.Round(float64(len(x))*300/360)))
	b.ReportAllocs()
	for b.Loop() {
		ecg.Resample(dst, x, 360, 300)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/sample")
}

func BenchmarkResample10s(b *testing.B) { benchmarkResample(b, 10) }
func BenchmarkResample60s(b *testing.B) { benchmarkResample(b, 60) }
func BenchmarkResample30m(b *testing.B) { benchmarkResample(b, 1800) }
