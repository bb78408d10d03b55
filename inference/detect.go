package inference

// Second QRS detector, used beside ecg.DetectRPeaks so that the agreement of
// two independent detectors measures signal quality (bSQI; Li, Clifford &
// Mark, "Robust heart rate estimation from multiple asynchronous noisy
// sources using signal quality indices and a Kalman filter", Physiol. Meas.
// 29, 2008).
//
// The detector is the two-moving-average method of Elgendi, "Fast QRS
// detection with an optimized knowledge-based method: evaluation on 11
// standard ECG databases", PLoS ONE 8(9), 2013: band-pass 8–20 Hz, square,
// a QRS-wide (97 ms) and a beat-wide (611 ms) moving average; blocks where the
// first exceeds the second plus β·mean (β = 0.08) and that are at least half
// a QRS wide hold one beat each. Departure from the paper, for speed: the
// Butterworth band-pass is replaced by a difference of two centred moving
// averages (1/60 s minus 1/17 s, zero phase, pass band about 8–25 Hz), which
// costs two additions per sample instead of a recursive filter run twice.

const (
	// Moving-average lengths of the band-pass: a 1/60 s average has its
	// first zero at 60 Hz (mains), a 1/17 s one passes only below ≈ 8 Hz.
	elgendiShortHz   = 60
	elgendiLongHz    = 17
	elgendiQRSWinMs  = 97
	elgendiBeatWinMs = 611
	elgendiBeta      = 0.08
	refractoryMs     = 200 // physiological refractory period: no two beats closer
)

// elgendiScratch holds the detector's work buffers so repeated calls do not
// allocate.
type elgendiScratch struct {
	bp, sq, cum, m1, m2 []float64
	// powerMV2 is the mean power of the band-passed signal of the last
	// call (mV²), for the QRS-band power ratio.
	powerMV2 float64
}

func growFloat(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// detectElgendi appends to dst[:0] the sample indices of the beats it finds
// in x (mV at sampleRateHz) and returns the extended slice.
func (s *elgendiScratch) detect(dst []int, x []float64, sampleRateHz float64) []int {
	dst = dst[:0]
	n := len(x)
	s.powerMV2 = 0
	if n < 3 {
		return dst
	}
	s.bp = growFloat(s.bp, n)
	s.sq = growFloat(s.sq, n)
	s.cum = growFloat(s.cum, n+1)
	s.cum[0] = 0
	var acc float64 // a register accumulator: no store-to-load chain
	for i, v := range x {
		acc += v
		s.cum[i+1] = acc
	}
	ls := max(1, int(sampleRateHz/elgendiShortHz/2))
	ll := max(ls+1, int(sampleRateHz/elgendiLongHz/2))
	s.m1 = growFloat(s.m1, n)
	s.m2 = growFloat(s.m2, n)
	centredMean(s.m1, s.cum, ls)
	centredMean(s.m2, s.cum, ll)
	var mean float64
	m1, m2, bp, sq, cum := s.m1[:n], s.m2[:n], s.bp[:n], s.sq[:n], s.cum[1:n+1]
	for i := range bp {
		v := m1[i] - m2[i]
		bp[i] = v
		q := v * v
		sq[i] = q
		mean += q
		cum[i] = mean
	}
	mean /= float64(n)
	s.powerMV2 = mean
	if mean == 0 {
		return dst
	}
	w1 := max(1, int(elgendiQRSWinMs*sampleRateHz/1000+0.5))
	w2 := max(1, int(elgendiBeatWinMs*sampleRateHz/1000+0.5))
	refr := int(refractoryMs * sampleRateHz / 1000)
	offset := elgendiBeta * mean
	// Blocks of interest: the QRS-wide average of the squared signal above
	// the beat-wide one plus the offset.
	centredMean(s.m1, s.cum, w1/2)
	centredMean(s.m2, s.cum, w2/2)
	start := -1
	for i := 0; i <= n; i++ {
		in := i < n && s.m1[i] > s.m2[i]+offset
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			if i-start >= w1/2 {
				best := start
				for j := start + 1; j < i; j++ {
					if s.sq[j] > s.sq[best] {
						best = j
					}
				}
				if k := len(dst); k > 0 && best-dst[k-1] < refr {
					if s.sq[best] > s.sq[dst[k-1]] {
						dst[k-1] = best
					}
				} else {
					dst = append(dst, best)
				}
			}
			start = -1
		}
	}
	return dst
}

// centredMean writes to dst[i] the mean of the values whose prefix sums are
// cum (len(dst)+1 entries) over the window [i-h, i+h], clipped at the ends.
func centredMean(dst, cum []float64, h int) {
	n := len(dst)
	inv := 1 / float64(2*h+1)
	for i := range dst {
		lo, hi := i-h, i+h+1
		if lo >= 0 && hi <= n {
			dst[i] = (cum[hi] - cum[lo]) * inv
			continue
		}
		lo, hi = max(0, lo), min(n, hi)
		dst[i] = (cum[hi] - cum[lo]) / float64(hi-lo)
	}
}
