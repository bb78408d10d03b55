package inference

import "github.com/afscan/afscan/ecg"

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
// first exceeds the second plus β·mean (β = 0.08) and that are at least one
// QRS wide hold one beat each.

const (
	elgendiLowHz     = 8
	elgendiHighHz    = 20
	elgendiQRSWinMs  = 97
	elgendiBeatWinMs = 611
	elgendiBeta      = 0.08
	refractoryMs     = 200 // physiological refractory period: no two beats closer
)

// elgendiScratch holds the detector's work buffers so repeated calls do not
// allocate.
type elgendiScratch struct {
	bp, sq, cum []float64
}

func growFloat(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

func growInt(b []int, n int) []int {
	if cap(b) < n {
		return make([]int, 0, n)
	}
	return b[:0]
}

// detectElgendi appends to dst[:0] the sample indices of the beats it finds
// in x (mV at sampleRateHz) and returns the extended slice.
func (s *elgendiScratch) detect(dst []int, x []float64, sampleRateHz float64) []int {
	dst = dst[:0]
	n := len(x)
	if n < 3 {
		return dst
	}
	s.bp = growFloat(s.bp, n)
	s.sq = growFloat(s.sq, n)
	s.cum = growFloat(s.cum, n+1)
	ecg.Bandpass(s.bp, x, sampleRateHz, elgendiLowHz, elgendiHighHz)
	var mean float64
	s.cum[0] = 0
	for i, v := range s.bp {
		q := v * v
		s.sq[i] = q
		mean += q
		s.cum[i+1] = s.cum[i] + q
	}
	mean /= float64(n)
	if mean == 0 {
		return dst
	}
	w1 := max(1, int(elgendiQRSWinMs*sampleRateHz/1000+0.5))
	w2 := max(1, int(elgendiBeatWinMs*sampleRateHz/1000+0.5))
	refr := int(refractoryMs * sampleRateHz / 1000)
	offset := elgendiBeta * mean
	ma := func(i, w int) float64 {
		lo, hi := max(0, i-w/2), min(n, i+w/2+1)
		return (s.cum[hi] - s.cum[lo]) / float64(hi-lo)
	}
	start := -1
	for i := 0; i <= n; i++ {
		in := i < n && ma(i, w1) > ma(i, w2)+offset
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
