package ecg

import (
	"fmt"
	"math"
)

// Bandpass writes to dst the zero-phase band-pass filtered src and returns
// dst. The filter is a second-order Butterworth high-pass at lowHz cascaded
// with a second-order Butterworth low-pass at highHz (bilinear transform
// with pre-warped cut-offs), run forward and then backward over the signal
// (as MATLAB/SciPy filtfilt do): the phase delay is zero at every frequency,
// so an R peak stays where it is, and each edge falls at 24 dB/octave with
// -6 dB at the cut-off. The filter state at each end starts in the steady
// state of a constant input equal to the end sample, so a DC offset causes
// no start-up transient.
//
// lowHz <= 0 leaves out the high-pass stage and highHz >= sampleRateHz/2
// leaves out the low-pass stage. Units: sampleRateHz, lowHz and highHz in
// hertz; dst is in the units of src.
//
// dst may be nil (a new slice is allocated) or src itself (filtering in
// place); otherwise it must have len(src), or Bandpass panics. Bandpass
// also panics when sampleRateHz <= 0 or when both stages are enabled and
// lowHz >= highHz, which are programmer errors. Empty src returns dst
// unchanged. NaN in src spreads to the whole output.
func Bandpass(dst, src []float64, sampleRateHz, lowHz, highHz float64) []float64 {
	if sampleRateHz <= 0 || math.IsNaN(sampleRateHz) {
		panic(fmt.Sprintf("ecg: Bandpass sample rate %g Hz", sampleRateHz))
	}
	nyquistHz := sampleRateHz / 2
	hasLow := lowHz > 0
	hasHigh := highHz < nyquistHz
	if hasLow && hasHigh && lowHz >= highHz {
		panic(fmt.Sprintf("ecg: Bandpass band %g–%g Hz is empty", lowHz, highHz))
	}
	if hasLow && lowHz >= nyquistHz {
		panic(fmt.Sprintf("ecg: Bandpass low cut-off %g Hz at or above Nyquist %g Hz", lowHz, nyquistHz))
	}
	dst = prepareDst(dst, len(src), "Bandpass")
	copy(dst, src)
	if len(src) == 0 {
		return dst
	}
	switch {
	case hasLow && hasHigh:
		filtfilt2(dst, butterHighpass(lowHz, sampleRateHz), butterLowpass(highHz, sampleRateHz))
	case hasLow:
		filtfilt2(dst, butterHighpass(lowHz, sampleRateHz), passThrough)
	case hasHigh:
		filtfilt2(dst, butterLowpass(highHz, sampleRateHz), passThrough)
	}
	return dst
}

// prepareDst returns dst ready to hold n values: allocated when nil,
// panicking when its length is wrong (a programmer error, per STYLE.md).
func prepareDst(dst []float64, n int, fn string) []float64 {
	if dst == nil {
		return make([]float64, n)
	}
	if len(dst) != n {
		panic(fmt.Sprintf("ecg: %s dst has length %d, want %d", fn, len(dst), n))
	}
	return dst
}

// biquad is one second-order IIR section, normalised so that a0 = 1:
//
//	y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]
type biquad struct {
	b0, b1, b2, a1, a2 float64
}

// butterLowpass designs a second-order Butterworth low-pass (Q = 1/√2) by
// the bilinear transform with the cut-off pre-warped (RBJ audio EQ cookbook).
func butterLowpass(cutoffHz, sampleRateHz float64) biquad {
	w0 := 2 * math.Pi * cutoffHz / sampleRateHz
	cosW, sinW := math.Cos(w0), math.Sin(w0)
	alpha := sinW / math.Sqrt2 // sin(w0)/(2Q) with Q = 1/√2
	a0 := 1 + alpha
	return biquad{
		b0: (1 - cosW) / 2 / a0,
		b1: (1 - cosW) / a0,
		b2: (1 - cosW) / 2 / a0,
		a1: -2 * cosW / a0,
		a2: (1 - alpha) / a0,
	}
}

// butterHighpass is the high-pass counterpart of butterLowpass.
func butterHighpass(cutoffHz, sampleRateHz float64) biquad {
	w0 := 2 * math.Pi * cutoffHz / sampleRateHz
	cosW, sinW := math.Cos(w0), math.Sin(w0)
	alpha := sinW / math.Sqrt2
	a0 := 1 + alpha
	return biquad{
		b0: (1 + cosW) / 2 / a0,
		b1: -(1 + cosW) / a0,
		b2: (1 + cosW) / 2 / a0,
		a1: -2 * cosW / a0,
		a2: (1 - alpha) / a0,
	}
}

// dcGain is the section's gain at 0 Hz.
func (q biquad) dcGain() float64 {
	return (q.b0 + q.b1 + q.b2) / (1 + q.a1 + q.a2)
}

// passThrough is the identity section.
var passThrough = biquad{b0: 1}

// state is a transposed-direct-form-II section's memory.
type state struct{ z1, z2 float64 }

// steady returns the state of q after a long constant input u.
func (q biquad) steady(u float64) state {
	y := q.dcGain() * u
	z2 := q.b2*u - q.a2*y
	return state{z1: q.b1*u - q.a1*y + z2, z2: z2}
}

// cascade is the memory of the sections p then q in transposed direct form
// II. It holds only the four state variables, so that the compiler keeps
// it in registers through the filter loops (a struct that also held the
// sections would live in memory, and every sample would wait on a store and
// a load); the sections are passed to step.
type cascade struct{ p1, p2, q1, q2 float64 }

// settled is the cascade p, q after a long constant input u.
func settled(p, q biquad, u float64) cascade {
	sp, sq := p.steady(u), q.steady(p.dcGain()*u)
	return cascade{sp.z1, sp.z2, sq.z1, sq.z2}
}

// step runs the sample v through p then q. The sections come by pointer:
// by value, filtfiltPair's loop copied all four every sample and ran 47 %
// slower.
func (c cascade) step(p, q *biquad, v float64) (cascade, float64) {
	w := p.b0*v + c.p1
	c.p1 = p.b1*v - p.a1*w + c.p2
	c.p2 = p.b2*v - p.a2*w
	y := q.b0*w + c.q1
	c.q1 = q.b1*w - q.a1*y + c.q2
	c.q2 = q.b2*w - q.a2*y
	return c, y
}

// filtfilt2 runs the cascade p then q forward, then backward, over x in
// place, each pass starting in the steady state of a constant input equal
// to its first sample.
func filtfilt2(x []float64, p, q biquad) {
	c := settled(p, q, x[0])
	for i, v := range x {
		c, x[i] = c.step(&p, &q, v)
	}
	c = settled(p, q, x[len(x)-1])
	for i := len(x) - 1; i >= 0; i-- {
		c, x[i] = c.step(&p, &q, x[i])
	}
}

// BandpassPair is Bandpass(dstA, src, sampleRateHz, lowA, highA) and
// Bandpass(dstB, src, sampleRateHz, lowB, highB) computed together, with the
// same results bit for bit. When both bands have both stages the four
// sections run interleaved in one forward and one backward pass: each
// section's recursion is a chain of dependent multiply-adds, so running
// two filters side by side keeps the floating-point units busy where one
// filter alone waits on its chain, for about 40% less time than two calls.
// dstA and dstB must have len(src) and must not overlap each other or src;
// the panics are Bandpass's.
func BandpassPair(dstA, dstB, src []float64, sampleRateHz, lowA, highA, lowB, highB float64) {
	nyquistHz := sampleRateHz / 2
	if !(sampleRateHz > 0) || len(src) == 0 || !(lowA > 0 && highA < nyquistHz && lowB > 0 && highB < nyquistHz) {
		Bandpass(dstA, src, sampleRateHz, lowA, highA)
		Bandpass(dstB, src, sampleRateHz, lowB, highB)
		return
	}
	if lowA >= highA || lowB >= highB {
		panic(fmt.Sprintf("ecg: BandpassPair band %g–%g or %g–%g Hz is empty", lowA, highA, lowB, highB))
	}
	dstA = prepareDst(dstA, len(src), "BandpassPair")
	dstB = prepareDst(dstB, len(src), "BandpassPair")
	filtfiltPair(dstA, dstB, src,
		butterHighpass(lowA, sampleRateHz), butterLowpass(highA, sampleRateHz),
		butterHighpass(lowB, sampleRateHz), butterLowpass(highB, sampleRateHz))
}

// filtfiltPair writes filtfilt2 of src with the cascade pa, qa to a and with
// pb, qb to b: the same steps (so bit for bit the same results), the two
// filters interleaved.
func filtfiltPair(a, b, src []float64, pa, qa, pb, qb biquad) {
	n := len(src)
	a, b, src = a[:n], b[:n], src[:n]
	ca, cb := settled(pa, qa, src[0]), settled(pb, qb, src[0])
	for i, v := range src {
		ca, a[i] = ca.step(&pa, &qa, v)
		cb, b[i] = cb.step(&pb, &qb, v)
	}
	ca, cb = settled(pa, qa, a[n-1]), settled(pb, qb, b[n-1])
	for i := n - 1; i >= 0; i-- {
		ca, a[i] = ca.step(&pa, &qa, a[i])
		cb, b[i] = cb.step(&pb, &qb, b[i])
	}
}
