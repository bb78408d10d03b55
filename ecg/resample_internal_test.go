package ecg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The polyphase path (exact kernels) computes the same result as the
// direct path (kernels interpolated from the table, error of order 1e-5).
func TestResamplePolyphaseMatchesDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	src := make([]float64, 3000)
	for i := range src {
		src[i] = r.NormFloat64()
	}
	table := kaiserSincTable()
	for _, rates := range [][2]float64{{360, 300}, {300, 360}, {1000, 125}, {125, 1000}, {257, 300}, {500, 250}, {360, 128}} {
		fromHz, toHz := rates[0], rates[1]
		step := fromHz / toHz
		p, q, ok := rationalStep(step)
		if !ok || math.Abs(float64(p)/float64(q)-step) > 1e-12 {
			t.Fatalf("%g→%g Hz: rationalStep = %d/%d, %v", fromHz, toHz, p, q, ok)
		}
		cutoff := resampleRolloff * math.Min(1, toHz/fromHz)
		halfWidth := float64(resampleZeros) / cutoff
		n := int(math.Round(float64(len(src)) * toHz / fromHz))
		want := make([]float64, n)
		got := make([]float64, n)
		resampleDirect(want, src, step, cutoff, halfWidth, table)
		resamplePolyphase(got, src, p, q, cutoff, halfWidth)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-4 {
				t.Fatalf("%g→%g Hz: sample %d polyphase %g, direct %g", fromHz, toHz, i, got[i], want[i])
			}
		}
	}
	if _, _, ok := rationalStep(math.Pi); ok {
		t.Error("rationalStep(π) found a ratio")
	}
}

// resamplePolyphaseRef is the one-output-at-a-time polyphase loop that
// Resample used before its outputs were interleaved: the reference the
// interleaved loop must match bit for bit.
func resamplePolyphaseRef(dst, src []float64, p, q int, cutoff, halfWidth float64) {
	k := polyphaseKernels(nil, p, q, cutoff, halfWidth)
	w, oLo, taps := k.w, k.oLo, k.taps
	n, last := len(src), len(src)-1
	for i := range dst {
		m, k := i/q, i%q
		base := m*p + (k*p)/q + oLo
		ws := w[k*taps : (k+1)*taps]
		var acc float64
		if base >= 0 && base+taps <= n {
			for t, x := range src[base : base+taps] {
				acc += ws[t] * x
			}
		} else {
			for t, wt := range ws {
				acc += wt * src[min(max(base+t, 0), last)]
			}
		}
		dst[i] = acc
	}
}

// TestResamplerBitExact checks the interleaved polyphase loop and the
// Resampler's kernel cache against the reference loop, bit for bit, for
// every rate pair the pipeline meets and for strips shorter than a kernel.
func TestResamplerBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var rs Resampler
	for _, rates := range [][2]float64{{500, 300}, {250, 300}, {360, 300}, {1000, 300}, {125, 300}, {128, 300}, {300, 360}, {500, 300}, {257, 300}} {
		for _, n := range []int{1, 5, 40, 117, 3001, 15000} {
			fromHz, toHz := rates[0], rates[1]
			src := make([]float64, n)
			for i := range src {
				src[i] = r.NormFloat64() + 1.5
			}
			p, q, _ := rationalStep(fromHz / toHz)
			cutoff := resampleRolloff * math.Min(1, toHz/fromHz)
			halfWidth := float64(resampleZeros) / cutoff
			m := int(math.Round(float64(n) * toHz / fromHz))
			want := make([]float64, m)
			resamplePolyphaseRef(want, src, p, q, cutoff, halfWidth)
			for _, got := range [][]float64{Resample(nil, src, fromHz, toHz), rs.Resample(make([]float64, m), src, fromHz, toHz)} {
				for i := range want {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("%g→%g Hz, %d samples: output %d = %v, want %v", fromHz, toHz, n, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// BenchmarkResamplePolyphase compares the interleaved loop with the
// reference one-output-at-a-time loop (30 s at 500 Hz to 300 Hz).
func BenchmarkResamplePolyphase(b *testing.B) {
	src := make([]float64, 15000)
	for i := range src {
		src[i] = math.Sin(float64(i) / 11)
	}
	dst := make([]float64, 9000)
	cutoff := resampleRolloff * 0.6
	halfWidth := resampleZeros / cutoff
	b.Run("interleaved", func(b *testing.B) {
		var r Resampler
		b.ReportAllocs()
		for b.Loop() {
			r.Resample(dst, src, 500, 300)
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			resamplePolyphaseRef(dst, src, 5, 3, cutoff, halfWidth)
		}
	})
}
