package inference

import "math"

// Signal-quality measures. Sources:
//   - bSQI, the agreement of two QRS detectors within 150 ms, and kSQI, the
//     kurtosis of the signal (clean ECG > 5): Li, Clifford & Mark, Physiol.
//     Meas. 29, 2008; Clifford, Behar, Li & Rezek, "Signal quality indices
//     and data fusion for determining clinical acceptability of
//     electrocardiograms", Physiol. Meas. 33, 2012.
//   - pSQI, the share of power in the QRS band: the same papers (there
//     5–15 Hz relative to 5–40 Hz; here the QRS-enhancing band of the second
//     detector relative to the analysed 0.5–40 Hz band, which also penalises
//     baseline wander, and saves one filter pass).
//   - Flat-line and clipping fractions: Clifford et al. 2012 (fSQI, the
//     fraction of samples stuck at the rails).

const (
	agreementToleranceMs = 150
	// flatSegmentMs and flatPeakToPeakMV: a half-second segment whose
	// peak-to-peak amplitude stays under 20 µV holds no ECG (a QRS is
	// ≥ 0.3 mV; amplifier noise of ECG front ends is ≈ 10–30 µV p-p,
	// IEC 60601-2-47 requires < 50 µV).
	flatSegmentMs    = 500
	flatPeakToPeakMV = 0.02
	// clipRunMs: a run of identical samples at the signal's maximum or
	// minimum lasting this long is clipping, not a peak (a true R peak is
	// rounded at any ECG sampling rate).
	clipRunMs = 15
)

// agreement returns bSQI: matched beats over the union of two detectors'
// beats, 2·matched / (nA + nB), matching within tol samples. Both empty
// gives 0 (nothing to agree on is not quality).
func agreement(a, b []int, tol int) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	var i, j, m int
	for i < len(a) && j < len(b) {
		d := a[i] - b[j]
		switch {
		case d > tol:
			j++
		case d < -tol:
			i++
		default:
			m++
			i++
			j++
		}
	}
	return 2 * float64(m) / float64(len(a)+len(b))
}

// momentsAbout returns the skewness and the (non-excess) kurtosis of x
// given its mean and standard deviation sd (meanStd); 0, 0 for a constant
// signal. Kurtosis is kSQI; skewness measures how one-sided the
// deflections are (QRS polarity, T-wave dominance).
func momentsAbout(x []float64, mean, sd float64) (skew, kurt float64) {
	if sd == 0 {
		return 0, 0
	}
	var m3, m4 float64
	inv := 1 / sd
	for _, v := range x {
		d := (v - mean) * inv
		d2 := d * d
		m3 += d2 * d
		m4 += d2 * d2
	}
	n := float64(len(x))
	return m3 / n, m4 / n
}

// bandStats returns meanStd(y) and the standard deviation of x-y (equal
// lengths, at least one value), bit for bit, in one pass.
func bandStats(x, y []float64) (meanY, sdY, sdRest float64) {
	y = y[:len(x)]
	ky, kr := y[0], x[0]-y[0]
	var sy, ssy, sr, ssr float64
	for i, v := range x {
		d := y[i] - ky
		sy += d
		ssy += d * d
		e := (v - y[i]) - kr
		sr += e
		ssr += e * e
	}
	return bandStatsEnd(len(x), ky, sy, ssy, sr, ssr)
}

// bandStatsEnd turns bandStats's shifted sums over n samples into its
// results.
func bandStatsEnd(n int, ky, sy, ssy, sr, ssr float64) (meanY, sdY, sdRest float64) {
	nf := float64(n)
	my, mr := sy/nf, sr/nf
	return ky + my, math.Sqrt(math.Max(0, ssy/nf-my*my)), math.Sqrt(math.Max(0, ssr/nf-mr*mr))
}

// flatFraction is the fraction of flatSegmentMs segments of x (mV at
// sampleRateHz) whose peak-to-peak amplitude is below flatPeakToPeakMV. It
// also returns the smallest and largest value of x (0, 0 for no values),
// and momentsAbout(y, meanY, sdY) for y of len(x): the moments' sums are
// serial addition chains that cost nothing extra beside the comparisons of
// the range search.
func flatFraction(x []float64, sampleRateHz float64, y []float64, meanY, sdY float64) (frac, lo, hi, skew, kurt float64) {
	if len(x) == 0 {
		skew, kurt = momentsAbout(y, meanY, sdY)
		return 0, 0, 0, skew, kurt
	}
	y = y[:len(x)]
	seg := max(1, int(flatSegmentMs*sampleRateHz/1000))
	nSeg := len(x) / seg
	lo, hi = x[0], x[0]
	flat := 0
	var m3, m4 float64
	inv := 1 / sdY
	for s := range nSeg {
		w := x[s*seg : (s+1)*seg]
		wy := y[s*seg : (s+1)*seg]
		wy = wy[:len(w)]
		l, h := w[0], w[0]
		for k, v := range w {
			if v < l {
				l = v
			} else if v > h {
				h = v
			}
			d := (wy[k] - meanY) * inv
			d2 := d * d
			m3 += d2 * d
			m4 += d2 * d2
		}
		if h-l < flatPeakToPeakMV {
			flat++
		}
		lo, hi = min(lo, l), max(hi, h)
	}
	wy := y[nSeg*seg:]
	for k, v := range x[nSeg*seg:] {
		if v < lo {
			lo = v
		} else if v > hi {
			hi = v
		}
		d := (wy[k] - meanY) * inv
		d2 := d * d
		m3 += d2 * d
		m4 += d2 * d2
	}
	if sdY != 0 { // else momentsAbout's 0, 0
		n := float64(len(x))
		skew, kurt = m3/n, m4/n
	}
	if nSeg == 0 {
		return 0, lo, hi, skew, kurt
	}
	return float64(flat) / float64(nSeg), lo, hi, skew, kurt
}

// valueRange returns the smallest and largest value of x (0, 0 for none).
func valueRange(x []float64) (lo, hi float64) {
	if len(x) == 0 {
		return 0, 0
	}
	lo, hi = x[0], x[0]
	for _, v := range x {
		if v < lo {
			lo = v
		} else if v > hi {
			hi = v
		}
	}
	return lo, hi
}

// clipFraction is the fraction of the samples of x (at sampleRateHz, the
// device's own rate, before resampling smooths plateaus away) that lie in
// runs of at least clipRunMs (and 3 samples) of identical values at the
// signal's maximum hi or minimum lo (valueRange(x)). A constant signal is
// not clipped (it is flat).
func clipFraction(x []float64, sampleRateHz, lo, hi float64) float64 {
	if len(x) == 0 || lo == hi {
		return 0
	}
	minRun := max(3, int(clipRunMs*sampleRateHz/1000+0.5))
	// Runs of equal consecutive samples are rare in real signals, so the
	// common path is one comparison per sample.
	clipped := 0
	for i := 1; i < len(x); {
		// Skip to the next sample equal to its predecessor at an extreme.
		rest, prev := x[i:], x[i-1]
		k := 0
		for ; k < len(rest); k++ {
			v := rest[k]
			if v == prev && (v == hi || v == lo) {
				break
			}
			prev = v
		}
		if i += k; i >= len(x) {
			break
		}
		v := x[i]
		j := i + 1
		for j < len(x) && x[j] == v {
			j++
		}
		if run := j - i + 1; run >= minRun {
			clipped += run
		}
		i = j
	}
	return float64(clipped) / float64(len(x))
}

// combineQuality maps the quality measures to one index in [0, 1]: the
// detector agreement (bSQI), scaled by a kurtosis factor (kSQI: Gaussian
// noise has kurtosis 3, clean ECG above 5; Li et al. 2008), by a template
// factor (mean QRS correlation with the average beat: beats of one rhythm
// look alike, noise bursts do not; Clifford et al. 2012 use the same idea
// as their "template matching" index) and by the share of the strip that is
// neither flat nor clipped.
func combineQuality(bsqi, kurt, corrQRS, flatFrac, clipFrac float64) float64 {
	k := clamp01((kurt - 3) / 2)
	tm := clamp01((corrQRS - 0.5) / 0.4)
	q := bsqi * math.Sqrt(k*tm) * (1 - flatFrac) * (1 - clipFrac)
	return clamp01(q)
}

func clamp01(v float64) float64 {
	switch {
	case v < 0 || math.IsNaN(v):
		return 0
	case v > 1:
		return 1
	}
	return v
}
