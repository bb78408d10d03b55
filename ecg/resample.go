package ecg

import (
	"fmt"
	"math"
)

// Resampling kernel: a Kaiser-windowed sinc spanning resampleZeros zero
// crossings on each side, tabulated at resampleTablePerZero points per zero
// crossing and read with linear interpolation (J. O. Smith, "Digital Audio
// Resampling Home Page", bandlimited interpolation). β = 8 puts the
// side lobes near -80 dB; the pass band ends at resampleRolloff of the
// lower Nyquist frequency, so that little energy folds back near it.
const (
	resampleZeros        = 16
	resampleTablePerZero = 256
	resampleKaiserBeta   = 8.0
	resampleRolloff      = 0.94
)

// Resample writes to dst src converted from fromHz to toHz by band-limited
// (windowed-sinc) interpolation and returns dst. When the rates are in a
// rational ratio p/q with q ≤ 2048 (any two integer rates of 125–1000 Hz)
// it runs as a polyphase filter with q precomputed kernels; otherwise each
// output's kernel is interpolated from the tabulated windowed sinc. When lowering the rate the
// kernel's cut-off follows the new Nyquist frequency, so the output is
// anti-aliased; when raising it the kernel interpolates without imaging.
// Output sample i lies at time i/toHz, aligned with src sample 0 at time 0.
// Samples beyond either end of src are taken equal to the end sample, and
// each output is normalised by its kernel sum, so a constant stays exactly
// constant.
//
// The output length is round(len(src)*toHz/fromHz). dst may be nil (a new
// slice is allocated); otherwise it must have that length and must not
// overlap src, or the result is undefined (wrong length panics). Equal
// rates copy src. Resample panics when fromHz or toHz is not positive
// (a programmer error: validate rates with the caller's own sentinel
// errors first).
func Resample(dst, src []float64, fromHz, toHz float64) []float64 {
	var r Resampler
	return r.Resample(dst, src, fromHz, toHz)
}

// Resampler is Resample keeping its polyphase kernels between calls: while
// the rates stay the same, converting another strip costs only the dot
// products, with no allocation. The results are Resample's bit for bit.
// The zero value is ready to use; a Resampler must not be used from several
// goroutines at once.
type Resampler struct {
	fromHz, toHz float64
	kern         polyphase
	buf          []float64
}

// Resample is the package-level Resample (same contract) with r's cached
// kernels.
func (r *Resampler) Resample(dst, src []float64, fromHz, toHz float64) []float64 {
	if !(fromHz > 0) || !(toHz > 0) || math.IsInf(fromHz, 0) || math.IsInf(toHz, 0) {
		panic(fmt.Sprintf("ecg: Resample from %g Hz to %g Hz", fromHz, toHz))
	}
	ratio := toHz / fromHz
	nOut := int(math.Round(float64(len(src)) * ratio))
	dst = prepareDst(dst, nOut, "Resample")
	if nOut == 0 || len(src) == 0 {
		return dst
	}
	if fromHz == toHz {
		copy(dst, src)
		return dst
	}
	// Cut-off as a fraction of the source Nyquist frequency.
	cutoff := resampleRolloff * math.Min(1, ratio)
	halfWidth := float64(resampleZeros) / cutoff // in source samples
	step := fromHz / toHz
	if r.kern.q > 0 && r.fromHz == fromHz && r.toHz == toHz {
		r.kern.apply(dst, src)
		return dst
	}
	if p, q, ok := rationalStep(step); ok {
		r.kern = polyphaseKernels(r.buf, p, q, cutoff, halfWidth)
		r.buf = r.kern.w
		r.fromHz, r.toHz = fromHz, toHz
		r.kern.apply(dst, src)
		return dst
	}
	resampleDirect(dst, src, step, cutoff, halfWidth, kaiserSincTable())
	return dst
}

// resampleDirect is Resample computing each output's kernel from the
// table, for any step (source samples per output sample).
func resampleDirect(dst, src []float64, step, cutoff, halfWidth float64, table []float64) {
	last := len(src) - 1
	for i := range dst {
		center := float64(i) * step
		lo := int(math.Ceil(center - halfWidth))
		hi := int(math.Floor(center + halfWidth))
		var acc, wsum float64
		for j := lo; j <= hi; j++ {
			pos := math.Abs(center-float64(j)) * cutoff * resampleTablePerZero
			k := int(pos)
			if k >= len(table)-1 {
				continue
			}
			frac := pos - float64(k)
			w := table[k] + frac*(table[k+1]-table[k])
			idx := min(max(j, 0), last)
			acc += w * src[idx]
			wsum += w
		}
		dst[i] = acc / wsum
	}
}

// maxPhases bounds the polyphase table (phases × taps float64 values).
const maxPhases = 2048

// rationalStep finds the smallest q ≤ maxPhases with step = p/q exactly
// (to rounding), as for every pair of integer rates in 125–1000 Hz.
func rationalStep(step float64) (p, q int, ok bool) {
	for q = 1; q <= maxPhases; q++ {
		x := step * float64(q)
		if r := math.Round(x); math.Abs(x-r) < 1e-9*math.Max(1, x) {
			return int(r), q, true
		}
	}
	return 0, 0, false
}

// resamplePolyphase is Resample for a step of p/q source samples per
// output sample (see polyphaseKernels and applyPolyphase).
func resamplePolyphase(dst, src []float64, p, q int, cutoff, halfWidth float64) {
	k := polyphaseKernels(nil, p, q, cutoff, halfWidth)
	k.apply(dst, src)
}

// polyphase holds the kernels of a step of p/q source samples per output
// sample: output i = m·q + k lies at source position m·p + k·p/q, so only q
// distinct kernels (phases) occur. Each is tabulated once, normalised to
// unit sum like the direct loop's per-sample normalisation, and applied as
// a plain dot product away from the edges. The kernels are evaluated
// exactly rather than read from the table.
type polyphase struct {
	p, q      int
	oLo, taps int       // kernel k covers source samples base+oLo .. base+oLo+taps-1
	w         []float64 // q kernels of taps weights each
}

// polyphaseKernels computes the kernels for p/q, reusing buf's storage.
func polyphaseKernels(buf []float64, p, q int, cutoff, halfWidth float64) polyphase {
	i0Beta := besselI0(resampleKaiserBeta)
	oLo := -int(math.Ceil(halfWidth))
	oHi := int(math.Ceil(halfWidth))
	taps := oHi - oLo + 1
	if cap(buf) < q*taps {
		buf = make([]float64, q*taps)
	}
	w := buf[:q*taps]
	clear(w)
	for k := range q {
		frac := float64((k*p)%q) / float64(q)
		ws := w[k*taps : (k+1)*taps]
		var sum float64
		for o := oLo; o <= oHi; o++ {
			d := math.Abs(frac - float64(o))
			if d > halfWidth {
				continue
			}
			v := kaiserSinc(d*cutoff, i0Beta)
			ws[o-oLo] = v
			sum += v
		}
		for i := range ws {
			ws[i] /= sum
		}
	}
	return polyphase{p: p, q: q, oLo: oLo, taps: taps, w: w}
}

// apply writes the resampled src to dst. Each output is one dot product
// summed in tap order; four outputs of the same phase are summed side by
// side, so that their independent addition chains overlap and each kernel
// weight is loaded once for four products (the same sums, bit for bit, as
// one output at a time).
func (r polyphase) apply(dst, src []float64) {
	p, q, oLo, taps, w := r.p, r.q, r.oLo, r.taps, r.w
	n, last := len(src), len(src)-1
	base := func(i int) int { return (i/q)*p + ((i%q)*p)/q + oLo }
	kern := func(i int) []float64 { k := i % q; return w[k*taps : (k+1)*taps] }
	// Interior outputs [iLo, iHi): every tap inside src.
	iLo := 0
	for iLo < len(dst) && base(iLo) < 0 {
		iLo++
	}
	iHi := len(dst)
	for iHi > iLo && base(iHi-1)+taps > n {
		iHi--
	}
	edge := func(i int) {
		b := base(i)
		var acc float64
		for t, wt := range kern(i) {
			acc += wt * src[min(max(b+t, 0), last)]
		}
		dst[i] = acc
	}
	for i := range iLo {
		edge(i)
	}
	// Outputs i, i+q, i+2q, i+3q share one kernel, so each weight loaded
	// serves four products.
	i := iLo
	for ; i+4*q <= iHi; i += 4 * q {
		for j := i; j < i+q; j++ {
			ws := kern(j)
			x0 := src[base(j):][:taps]
			x1 := src[base(j+q):][:taps]
			x2 := src[base(j+2*q):][:taps]
			x3 := src[base(j+3*q):][:taps]
			ws, x1, x2, x3 = ws[:len(x0)], x1[:len(x0)], x2[:len(x0)], x3[:len(x0)]
			var a0, a1, a2, a3 float64
			for t, wt := range ws {
				a0 += wt * x0[t]
				a1 += wt * x1[t]
				a2 += wt * x2[t]
				a3 += wt * x3[t]
			}
			dst[j], dst[j+q], dst[j+2*q], dst[j+3*q] = a0, a1, a2, a3
		}
	}
	for ; i < iHi; i++ {
		ws := kern(i)
		xs := src[base(i):][:taps]
		var acc float64
		for t, x := range xs {
			acc += ws[t] * x
		}
		dst[i] = acc
	}
	for i := max(iHi, iLo); i < len(dst); i++ {
		edge(i)
	}
}

// kaiserSincTable tabulates the right half of the Kaiser-windowed sinc,
// sinc(x)·w(x/resampleZeros) for x in [0, resampleZeros], with one extra
// zero entry so that interpolation never reads past the end.
func kaiserSincTable() []float64 {
	n := resampleZeros*resampleTablePerZero + 1
	table := make([]float64, n+1)
	i0Beta := besselI0(resampleKaiserBeta)
	for k := range n {
		table[k] = kaiserSinc(float64(k)/resampleTablePerZero, i0Beta)
	}
	return table
}

// kaiserSinc is sinc(x)·w(x/resampleZeros) for x ≥ 0 in zero crossings,
// w the Kaiser window of β = resampleKaiserBeta (i0Beta = I0(β)); zero
// beyond resampleZeros.
func kaiserSinc(x, i0Beta float64) float64 {
	if x >= resampleZeros {
		return 0
	}
	s := 1.0
	if x > 0 {
		s = math.Sin(math.Pi*x) / (math.Pi * x)
	}
	r := x / resampleZeros
	return s * besselI0(resampleKaiserBeta*math.Sqrt(max(0, 1-r*r))) / i0Beta
}

// besselI0 is the modified Bessel function of the first kind, order 0, by
// its power series (converges quickly for the arguments used here).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 50; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < 1e-16*sum {
			break
		}
	}
	return sum
}
