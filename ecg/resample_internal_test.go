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
