package inference

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
)

// TestRealFFTMatchesGonum checks realFFT's power spectrum against gonum's
// fourier.FFT bit for bit, for every power-of-two length up to 1024 and
// inputs of several scales (the features depend on the exact values).
func TestRealFFTMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for n := 2; n <= 1024; n *= 2 {
		ours := newRealFFT(n)
		if ours == nil {
			t.Fatalf("n=%d: no realFFT", n)
		}
		ref := fourier.NewFFT(n)
		coef := make([]complex128, n/2+1)
		for trial := range 50 {
			seq := make([]float64, n)
			s := math.Pow(10, float64(trial%7-3))
			for i := range seq {
				seq[i] = s * rng.NormFloat64()
			}
			want := make([]float64, n/2+1)
			got := make([]float64, n/2+1)
			for i := range want { // accumulate onto a non-zero start
				want[i] = float64(i)
				got[i] = float64(i)
			}
			ref.Coefficients(coef, seq)
			for i, c := range coef {
				want[i] += real(c)*real(c) + imag(c)*imag(c)
			}
			ours.addPower(got, seq)
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("n=%d trial %d: bin %d = %v, gonum %v", n, trial, i, got[i], want[i])
				}
			}
		}
	}
	for _, n := range []int{0, 1, 3, 6, 100} {
		if newRealFFT(n) != nil {
			t.Errorf("newRealFFT(%d) is not nil", n)
		}
	}
}

func BenchmarkRealFFT128(b *testing.B) {
	seq := make([]float64, 128)
	for i := range seq {
		seq[i] = math.Sin(float64(i) / 3)
	}
	psd := make([]float64, 65)
	b.Run("realFFT", func(b *testing.B) {
		f := newRealFFT(128)
		b.ReportAllocs()
		for b.Loop() {
			f.addPower(psd, seq)
		}
	})
	b.Run("gonum", func(b *testing.B) {
		f := fourier.NewFFT(128)
		coef := make([]complex128, 65)
		b.ReportAllocs()
		for b.Loop() {
			f.Coefficients(coef, seq)
			for i, c := range coef {
				psd[i] += real(c)*real(c) + imag(c)*imag(c)
			}
		}
	})
}
