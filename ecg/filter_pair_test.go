package ecg

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestBandpassPairBitExact checks that BandpassPair gives exactly the
// results of two Bandpass calls, for both-stage bands and the fallbacks.
func TestBandpassPairBitExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name                             string
		rateHz, lowA, highA, lowB, highB float64
		n                                int
	}{
		{"analysis and QRS bands at 300 Hz", 300, 0.5, 40, 5, 20, 9000},
		{"at 125 Hz", 125, 0.5, 40, 5, 20, 1000},
		{"at 1000 Hz", 1000, 1, 100, 5, 15, 3001},
		{"one sample", 300, 0.5, 40, 5, 20, 1},
		{"low-pass only fallback", 300, 0, 40, 5, 20, 500},
		{"high-pass only fallback", 300, 0.5, 200, 5, 20, 500},
		{"empty", 300, 0.5, 40, 5, 20, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := make([]float64, tc.n)
			for i := range x {
				x[i] = 0.3*math.Sin(float64(i)/7) + rng.NormFloat64()*0.1 + 2
			}
			wantA := Bandpass(nil, x, tc.rateHz, tc.lowA, tc.highA)
			wantB := Bandpass(nil, x, tc.rateHz, tc.lowB, tc.highB)
			a, b := make([]float64, tc.n), make([]float64, tc.n)
			BandpassPair(a, b, x, tc.rateHz, tc.lowA, tc.highA, tc.lowB, tc.highB)
			for i := range x {
				if math.Float64bits(a[i]) != math.Float64bits(wantA[i]) || math.Float64bits(b[i]) != math.Float64bits(wantB[i]) {
					t.Fatalf("sample %d: got %v, %v, want %v, %v", i, a[i], b[i], wantA[i], wantB[i])
				}
			}
		})
	}
}

func BenchmarkBandpassPair(b *testing.B) {
	x := make([]float64, 9000)
	for i := range x {
		x[i] = math.Sin(float64(i) / 13)
	}
	ya, yb := make([]float64, len(x)), make([]float64, len(x))
	b.Run("pair", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			BandpassPair(ya, yb, x, 300, 0.5, 40, 5, 20)
		}
	})
	b.Run("two", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Bandpass(ya, x, 300, 0.5, 40)
			Bandpass(yb, x, 300, 5, 20)
		}
	})
}

// TestDetectNonFiniteAnywhere checks that Detect and DetectAndBandpass,
// which look at the samples only when the filtered signal is not finite,
// report every NaN or infinity, wherever it is, with its index, and accept
// huge finite samples.
func TestDetectNonFiniteAnywhere(t *testing.T) {
	d := NewDetector(Options{})
	const n = 3000
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for _, at := range []int{0, 1, n / 2, n - 2, n - 1} {
			x := make([]float64, n)
			for i := range x {
				x[i] = math.Sin(float64(i) / 9)
			}
			x[at] = bad
			want := fmt.Sprintf("sample %d", at)
			_, err := d.Detect(nil, x, 300)
			if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), want) {
				t.Errorf("Detect with %v at %d: %v", bad, at, err)
			}
			_, err = d.DetectAndBandpass(nil, make([]float64, n), x, 300, 0.5, 40)
			if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), want) {
				t.Errorf("DetectAndBandpass with %v at %d: %v", bad, at, err)
			}
		}
	}
	huge := make([]float64, n)
	for i := range huge {
		huge[i] = math.MaxFloat64 * math.Sin(float64(i)/9)
	}
	if _, err := d.Detect(nil, huge, 300); err != nil {
		t.Errorf("Detect on huge finite samples: %v", err)
	}
	if _, err := d.DetectAndBandpass(nil, make([]float64, n), huge, 300, 0.5, 40); err != nil {
		t.Errorf("DetectAndBandpass on huge finite samples: %v", err)
	}
}

// TestRing8MedianMatchesSort checks ring8.median's insertion sort against
// slices.Sort on random histories with ties, signed zeros and NaNs.
func TestRing8MedianMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pool := []float64{0, math.Copysign(0, -1), 1, 1, 2.5, -3, math.NaN(), math.Inf(1)}
	for trial := range 20000 {
		var r ring8
		n := 1 + trial%12
		for range n {
			v := rng.NormFloat64()
			if rng.IntN(3) == 0 {
				v = pool[rng.IntN(len(pool))]
			}
			r.push(v)
		}
		k := min(r.n, len(r.v))
		ref := slices.Clone(r.v[:k])
		slices.Sort(ref)
		want := ref[k/2]
		if k%2 == 0 {
			want = (ref[k/2-1] + ref[k/2]) / 2
		}
		got := r.median()
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("history %v: median %v, slices.Sort gives %v", r.v[:k], got, want)
		}
	}
}
