package ecg_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/afscan/afscan/ecg"
)

// Verifies: SRS-QRS-001
func TestDetectRPeaksSynthetic(t *testing.T) {
	afRR := func(r *rand.Rand) float64 { return 0.35 + 0.75*r.Float64() }
	tests := []struct {
		name string
		sig  synthECG
	}{
		{"125Hz 9s", synthECG{rateHz: 125, durationS: 9, rrS: regularRR(0.8, 0.05), amplitude: 1, noiseMV: 0.02, wanderMV: 0.3, seed: 1}},
		{"250Hz 9s", synthECG{rateHz: 250, durationS: 9, rrS: regularRR(0.8, 0.05), amplitude: 1, noiseMV: 0.02, wanderMV: 0.3, seed: 2}},
		{"300Hz 9s AF-like", synthECG{rateHz: 300, durationS: 9, rrS: afRR, amplitude: 1, noiseMV: 0.03, wanderMV: 0.2, seed: 3}},
		{"360Hz 60s mains", synthECG{rateHz: 360, durationS: 60, rrS: regularRR(0.75, 0.1), amplitude: 1.5, noiseMV: 0.02, wanderMV: 0.5, mainsMV: 0.1, seed: 4}},
		{"500Hz 30s tachy", synthECG{rateHz: 500, durationS: 30, rrS: regularRR(0.4, 0.03), amplitude: 0.8, noiseMV: 0.02, wanderMV: 0.2, seed: 5}},
		{"1000Hz 9s brady", synthECG{rateHz: 1000, durationS: 9, rrS: regularRR(1.4, 0.1), amplitude: 1, noiseMV: 0.02, wanderMV: 0.3, seed: 6}},
		{"1000Hz 60s AF-like", synthECG{rateHz: 1000, durationS: 60, rrS: afRR, amplitude: 1, noiseMV: 0.03, wanderMV: 0.3, mainsMV: 0.05, seed: 7}},
		{"360Hz 30s inverted", synthECG{rateHz: 360, durationS: 30, rrS: regularRR(0.8, 0.05), amplitude: -1, noiseMV: 0.02, wanderMV: 0.3, seed: 8}},
		{"125Hz 30s low amplitude", synthECG{rateHz: 125, durationS: 30, rrS: afRR, amplitude: 0.15, noiseMV: 0.005, wanderMV: 0.1, seed: 9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, truth := tc.sig.generate()
			peaks, err := ecg.DetectRPeaks(x, tc.sig.rateHz)
			if err != nil {
				t.Fatalf("DetectRPeaks: %v", err)
			}
			matched, extra := matchBeats(truth, peaks, tc.sig.rateHz, 0.05)
			if matched != len(truth) || extra != 0 {
				t.Errorf("got %d of %d beats within 50 ms and %d extra, want all and none extra", matched, len(truth), extra)
			}
			for i := 1; i < len(peaks); i++ {
				if peaks[i] <= peaks[i-1] {
					t.Fatalf("peaks not ascending at %d: %d after %d", i, peaks[i], peaks[i-1])
				}
			}
		})
	}
}

// After a sudden tenfold drop in amplitude (electrode or gain change) the
// detector re-learns its levels (8 s without a beat) and finds the smaller
// beats again, including those of the gap.
//
// Verifies: SRS-QRS-001
func TestDetectRPeaksAmplitudeDrop(t *testing.T) {
	for _, rateHz := range []float64{250, 360} {
		sig := synthECG{rateHz: rateHz, durationS: 60, rrS: regularRR(0.8, 0.05), amplitude: 1, noiseMV: 0.002, seed: 12}
		x, truth := sig.generate()
		dropIdx := int(20 * rateHz)
		for i := dropIdx; i < len(x); i++ {
			x[i] *= 0.1
		}
		peaks, err := ecg.DetectRPeaks(x, rateHz)
		if err != nil {
			t.Fatal(err)
		}
		matched, extra := matchBeats(truth, peaks, rateHz, 0.05)
		if matched < len(truth)-2 || extra > 0 {
			t.Errorf("%g Hz: %d of %d beats, %d extra; want all but at most 2 around the drop, none extra", rateHz, matched, len(truth), extra)
		}
	}
}

// Verifies: SRS-QRS-001
func TestDetectRPeaksErrors(t *testing.T) {
	tests := []struct {
		name    string
		samples []float64
		rateHz  float64
		want    error
	}{
		{"rate too low", make([]float64, 1000), 100, ecg.ErrUnsupportedRate},
		{"rate too high", make([]float64, 1000), 2000, ecg.ErrUnsupportedRate},
		{"rate NaN", make([]float64, 1000), math.NaN(), ecg.ErrUnsupportedRate},
		{"empty", nil, 250, ecg.ErrEmptySignal},
		{"NaN sample", []float64{0, 1, math.NaN(), 0}, 250, ecg.ErrNonFinite},
		{"infinite sample", []float64{0, math.Inf(-1)}, 250, ecg.ErrNonFinite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ecg.DetectRPeaks(tc.samples, tc.rateHz)
			if !errors.Is(err, tc.want) {
				t.Errorf("got error %v, want %v", err, tc.want)
			}
		})
	}
}

// Verifies: SRS-QRS-001
func TestDetectRPeaksNoBeats(t *testing.T) {
	tests := []struct {
		name    string
		samples []float64
	}{
		{"flat", make([]float64, 2500)},
		{"one sample", []float64{1}},
		{"constant offset", constant(2500, 3.2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			peaks, err := ecg.DetectRPeaks(tc.samples, 250)
			if err != nil || len(peaks) != 0 {
				t.Errorf("got %v, %v; want no peaks, no error", peaks, err)
			}
		})
	}
}

func TestDetectorInvalidOptions(t *testing.T) {
	for _, o := range []ecg.Options{{LowHz: 30}, {LowHz: 70, HighHz: 100}} {
		_, err := ecg.NewDetector(o).Detect(nil, make([]float64, 1000), 125)
		if !errors.Is(err, ecg.ErrInvalidOptions) {
			t.Errorf("%+v: got %v, want ErrInvalidOptions", o, err)
		}
	}
}

func constant(n int, v float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = v
	}
	return x
}

// The detector reuses its buffers: a second call on the same input gives
// the same peaks and does not allocate.
func TestDetectorReuse(t *testing.T) {
	x, _ := synthECG{rateHz: 360, durationS: 20, rrS: regularRR(0.8, 0.05), amplitude: 1, noiseMV: 0.02, seed: 11}.generate()
	d := ecg.NewDetector(ecg.Options{})
	first, err := d.Detect(nil, x, 360)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]int(nil), first...)
	var got []int
	allocs := testing.AllocsPerRun(5, func() { got, _ = d.Detect(first, x, 360) })
	if allocs > 0 {
		t.Errorf("Detect allocated %.0f times per call on reuse, want 0", allocs)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("second call got %v, want %v", got, want)
	}
}

func ExampleDetectRPeaks() {
	// Five seconds at 250 Hz with an R wave every 0.8 s from 0.5 s on.
	const rateHz = 250
	x := make([]float64, 5*rateHz)
	for i := range x {
		t := float64(i) / rateHz
		for r := 0.5; r < 5; r += 0.8 {
			d := (t - r) / 0.012
			x[i] += 1.2 * math.Exp(-d*d/2)
		}
	}
	peaks, err := ecg.DetectRPeaks(x, rateHz)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range peaks {
		fmt.Printf("%.2f s ", float64(p)/rateHz)
	}
	fmt.Println()
	// Output: 0.50 s 1.30 s 2.10 s 2.90 s 3.70 s 4.50 s
}

func benchmarkDetect(b *testing.B, durationS float64) {
	const rateHz = 360
	x, _ := synthECG{rateHz: rateHz, durationS: min(durationS, 600), rrS: regularRR(0.8, 0.1), amplitude: 1, noiseMV: 0.03, wanderMV: 0.3, seed: 1}.generate()
	for len(x) < int(durationS*rateHz) { // tile long inputs from 10 minutes
		x = append(x, x[:min(len(x), int(durationS*rateHz)-len(x))]...)
	}
	d := ecg.NewDetector(ecg.Options{})
	peaks, _ := d.Detect(nil, x, rateHz)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		peaks, _ = d.Detect(peaks, x, rateHz)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/sample")
}

func BenchmarkDetect10s(b *testing.B) { benchmarkDetect(b, 10) }
func BenchmarkDetect60s(b *testing.B) { benchmarkDetect(b, 60) }
func BenchmarkDetect30m(b *testing.B) { benchmarkDetect(b, 1806) }
func BenchmarkDetect24h(b *testing.B) { benchmarkDetect(b, 24*3600) }

func BenchmarkDetectRPeaks60s(b *testing.B) {
	x, _ := synthECG{rateHz: 360, durationS: 60, rrS: regularRR(0.8, 0.1), amplitude: 1, noiseMV: 0.03, seed: 1}.generate()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ecg.DetectRPeaks(x, 360); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/sample")
}

func ExampleDetector() {
	// A Detector reuses its buffers across calls (one per goroutine); here
	// with a narrower band-pass than the default and two 9 s strips at 300 Hz.
	d := ecg.NewDetector(ecg.Options{LowHz: 8, HighHz: 20})
	var peaks []int
	for _, rrS := range []float64{0.6, 1.1} {
		x := make([]float64, 9*300)
		for i := range x {
			t := float64(i) / 300
			for r := 0.4; r < 9; r += rrS {
				dq := (t - r) / 0.012
				x[i] -= 0.9 * math.Exp(-dq*dq/2) // inverted lead
			}
		}
		var err error
		if peaks, err = d.Detect(peaks, x, 300); err != nil {
			fmt.Println(err)
			return
		}
		rr := ecg.IntervalsRR(nil, peaks, 300)
		fmt.Printf("%d beats, first RR %.0f ms\n", len(peaks), rr[0])
	}
	// Output:
	// 15 beats, first RR 600 ms
	// 8 beats, first RR 1100 ms
}
