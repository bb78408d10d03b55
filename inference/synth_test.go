package inference

import (
	"math"
	"math/rand/v2"
)

// synth describes a synthetic single-lead ECG: Gaussian P, QRS and T waves
// placed at given RR intervals, plus optional noise and baseline wander.
type synth struct {
	rateHz    float64
	durationS float64
	rrMs      func(i int) float64 // RR interval before beat i+1
	pAmpMV    float64             // 0: no P wave
	noiseMV   float64             // white-noise standard deviation
	fwaveMV   float64             // amplitude of 6 Hz atrial f-waves
	invert    bool
	seed      uint64
	// ectopyEvery > 0 makes every ectopyEvery-th beat premature (60% of
	// the RR) followed by a compensatory pause; wideEctopy draws those
	// beats wide and negative (PVC-like) instead of normal (PAC-like).
	ectopyEvery int
	wideEctopy  bool
	// spikesPerS adds 25 Hz, 1.5 mV artefact bursts at random times.
	spikesPerS float64
}

func regularRR(ms float64) func(int) float64 { return func(int) float64 { return ms } }

// irregularRR draws RR intervals uniformly in [meanMs·(1−spread), meanMs·(1+spread)].
func irregularRR(meanMs, spread float64, seed uint64) func(int) float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	cache := map[int]float64{}
	return func(i int) float64 {
		if v, ok := cache[i]; ok {
			return v
		}
		v := meanMs * (1 + spread*(2*r.Float64()-1))
		cache[i] = v
		return v
	}
}

func gauss(t, mu, sigma float64) float64 {
	d := (t - mu) / sigma
	return math.Exp(-d * d / 2)
}

// samples renders the strip in mV.
func (s synth) samples() []float64 {
	n := int(s.durationS * s.rateHz)
	x := make([]float64, n)
	r := rand.New(rand.NewPCG(s.seed, 11))
	var beats []float64
	var ectopic []bool
	t := 0.4
	for i := 0; t < s.durationS+1; i++ {
		rr := s.rrMs(i) / 1000
		if s.ectopyEvery > 0 && i%s.ectopyEvery == s.ectopyEvery-1 {
			beats = append(beats, t)
			ectopic = append(ectopic, false)
			beats = append(beats, t+0.6*rr)
			ectopic = append(ectopic, true)
			t += 2 * rr
			continue
		}
		beats = append(beats, t)
		ectopic = append(ectopic, false)
		t += rr
	}
	var spikes []float64
	for range int(s.spikesPerS * s.durationS) {
		spikes = append(spikes, r.Float64()*s.durationS)
	}
	for k := range x {
		tt := float64(k) / s.rateHz
		var v float64
		for j, b := range beats {
			if math.Abs(tt-b) > 0.6 {
				continue
			}
			if ectopic[j] && s.wideEctopy {
				v += -1.0*gauss(tt, b, 0.035) + 0.4*gauss(tt, b+0.25, 0.06)
				continue
			}
			v += s.pAmpMV * gauss(tt, b-0.16, 0.025)
			v += -0.1*gauss(tt, b-0.03, 0.01) + 1.2*gauss(tt, b, 0.011) - 0.25*gauss(tt, b+0.035, 0.012)
			v += 0.3 * gauss(tt, b+0.28, 0.05)
		}
		for _, sp := range spikes { // motion-artefact bursts
			v += 1.5 * math.Sin(2*math.Pi*25*(tt-sp)) * gauss(tt, sp, 0.02)
		}
		v += s.fwaveMV * math.Sin(2*math.Pi*6*tt+0.3*math.Sin(2*math.Pi*0.2*tt))
		v += s.noiseMV * r.NormFloat64()
		if s.invert {
			v = -v
		}
		x[k] = v
	}
	return x
}
