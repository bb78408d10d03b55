package ecg_test

import (
	"math"
	"math/rand/v2"
)

// synthECG is a synthetic lead with known R-peak times: each beat is a sum
// of Gaussian P, Q, R, S and T waves (McSharry et al. 2003 style), plus
// baseline wander, mains interference and white noise from a seeded
// generator, sampled analytically at any rate.
type synthECG struct {
	rateHz    float64
	durationS float64
	rrS       func(r *rand.Rand) float64 // next RR interval
	amplitude float64                    // R amplitude, mV (negative inverts)
	noiseMV   float64                    // white-noise standard deviation
	wanderMV  float64                    // 0.3 Hz baseline wander amplitude
	mainsMV   float64                    // 50 Hz interference amplitude
	seed      uint64
}

// wave is one Gaussian component relative to the R peak.
type wave struct{ offsetS, widthS, gain float64 }

var beatWaves = []wave{
	{-0.20, 0.025, 0.12},  // P
	{-0.03, 0.010, -0.10}, // Q
	{0, 0.012, 1},         // R
	{0.03, 0.010, -0.25},  // S
	{0.30, 0.060, 0.28},   // T
}

// generate returns the samples (mV) and the R-peak times (s).
func (s synthECG) generate() (samples []float64, rTimesS []float64) {
	r := rand.New(rand.NewPCG(s.seed, 42))
	for t := 0.6; t < s.durationS-0.4; t += s.rrS(r) {
		rTimesS = append(rTimesS, t)
	}
	n := int(s.durationS * s.rateHz)
	samples = make([]float64, n)
	for i := range samples {
		t := float64(i) / s.rateHz
		v := s.wanderMV*math.Sin(2*math.Pi*0.3*t) + s.mainsMV*math.Sin(2*math.Pi*50*t) + s.noiseMV*r.NormFloat64()
		for _, rt := range rTimesS {
			if math.Abs(t-rt) > 0.6 {
				continue
			}
			for _, w := range beatWaves {
				d := (t - rt - w.offsetS) / w.widthS
				v += s.amplitude * w.gain * math.Exp(-d*d/2)
			}
		}
		samples[i] = v
	}
	return samples, rTimesS
}

func regularRR(meanS, jitterS float64) func(*rand.Rand) float64 {
	return func(r *rand.Rand) float64 { return meanS + jitterS*(2*r.Float64()-1) }
}

// matchBeats counts the true beats with a detection within tolS and the
// detections matching no true beat.
func matchBeats(truthS []float64, peaksIdx []int, rateHz, tolS float64) (matched, extra int) {
	used := make([]bool, len(peaksIdx))
	for _, rt := range truthS {
		for j, p := range peaksIdx {
			if !used[j] && math.Abs(float64(p)/rateHz-rt) <= tolS {
				used[j] = true
				matched++
				break
			}
		}
	}
	for _, u := range used {
		if !u {
			extra++
		}
	}
	return matched, extra
}
