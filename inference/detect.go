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
	cum, cumSq, sq []float64
	in             []bool
	// powerMV2 is the mean power of the band-passed signal of the last
	// call (mV²), for the QRS-band power ratio.
	powerMV2 float64
	// meanY, sdY and sdRest are bandStats of the last call's x and y.
	meanY, sdY, sdRest float64
}

func growFloat(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// detect appends to dst[:0] the sample indices of the beats it finds in x
// (mV at sampleRateHz) and returns the extended slice. Its pass over x also
// accumulates bandStats(x, y) into s.meanY, s.sdY and s.sdRest (y of
// len(x), at least one sample): the sums of both are serial addition
// chains, which progress side by side in one loop.
func (s *elgendiScratch) detect(dst []int, x, y []float64, sampleRateHz float64) []int {
	dst = dst[:0]
	n := len(x)
	s.powerMV2 = 0
	if n < 3 {
		s.meanY, s.sdY, s.sdRest = bandStats(x, y)
		return dst
	}
	s.cum = growFloat(s.cum, n+1)
	s.cumSq = growFloat(s.cumSq, n+1)
	s.sq = growFloat(s.sq, n)
	cum, cumSq, sq := s.cum[:n+1], s.cumSq[:n+1], s.sq[:n]
	ls := max(1, int(sampleRateHz/elgendiShortHz/2))
	ll := max(ls+1, int(sampleRateHz/elgendiLongHz/2))
	// Band-pass: the difference of the two centred means of x (from its
	// prefix sums cum), squared, and the prefix sums of the squares (for the
	// two averages below and the mean power). Sample i's square needs cum up
	// to i+ll+1, so it is computed ll samples behind the prefix sum in the
	// same loop: the two addition chains overlap.
	inv1, inv2 := 1/float64(2*ls+1), 1/float64(2*ll+1)
	var acc, mean float64 // register accumulators: no store-to-load chain
	cum[0], cumSq[0] = 0, 0
	square := func(i int) { // any i, windows clipped at the ends
		v := windowMean(cum, i, ls, inv1) - windowMean(cum, i, ll, inv2)
		q := v * v
		sq[i] = q
		mean += q
		cumSq[i+1] = mean
	}
	if n < 2*ll+1 {
		s.meanY, s.sdY, s.sdRest = bandStats(x, y)
		for i, v := range x {
			acc += v
			cum[i+1] = acc
		}
		for i := range n {
			square(i)
		}
	} else {
		// bandStats's sums, in its order (see bandStats).
		y = y[:n]
		ky, kr := y[0], x[0]-y[0]
		var sy, ssy, sr, ssr float64
		for i, v := range x[:2*ll] { // squares of the left edge lag by ll
			acc += v
			cum[i+1] = acc
			if j := i - ll; j >= 0 {
				square(j)
			}
			d := y[i] - ky
			sy += d
			ssy += d * d
			e := (v - y[i]) - kr
			sr += e
			ssr += e * e
		}
		// Interior: sample i = t+2ll, square j = i-ll has both windows
		// inside, cum[j+ll+1] = acc. Each array is walked through a slice
		// of the loop's length, so no index needs a bounds check.
		xs := x[2*ll : n]
		ys := y[2*ll:][:len(xs)]
		cw := cum[2*ll+1:][:len(xs)]  // cum[i+1]
		ca := cum[ll+ls+1:][:len(xs)] // cum[j+ls+1]
		cb := cum[ll-ls:][:len(xs)]   // cum[j-ls]
		cc := cum[:len(xs)]           // cum[j-ll]
		sqw := sq[ll:][:len(xs)]      // sq[j]
		csw := cumSq[ll+1:][:len(xs)] // cumSq[j+1]
		for t, v := range xs {
			acc += v
			cw[t] = acc
			b := (ca[t]-cb[t])*inv1 - (acc-cc[t])*inv2
			q := b * b
			sqw[t] = q
			mean += q
			csw[t] = mean
			yv := ys[t]
			d := yv - ky
			sy += d
			ssy += d * d
			e := (v - yv) - kr
			sr += e
			ssr += e * e
		}
		for j := n - ll; j < n; j++ {
			square(j)
		}
		s.meanY, s.sdY, s.sdRest = bandStatsEnd(n, ky, sy, ssy, sr, ssr)
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
	h1, h2 := w1/2, w2/2
	inv1, inv2 = 1/float64(2*h1+1), 1/float64(2*h2+1)
	hMax := max(h1, h2)
	// The comparison for every sample first, in a loop without branches or
	// bounds checks where both windows are inside; then the blocks.
	if cap(s.in) < n {
		s.in = make([]bool, n)
	}
	flags := s.in[:n]
	lo, hi := min(hMax, n), max(min(hMax, n), n-hMax)
	for i := range lo {
		flags[i] = windowMean(cumSq, i, h1, inv1) > windowMean(cumSq, i, h2, inv2)+offset
	}
	if m := hi - lo; m > 0 {
		fl := flags[lo:][:m]
		a1, b1 := cumSq[lo+h1+1:][:m], cumSq[lo-h1:][:m]
		a2, b2 := cumSq[lo+h2+1:][:m], cumSq[lo-h2:][:m]
		for t := range fl {
			fl[t] = (a1[t]-b1[t])*inv1 > (a2[t]-b2[t])*inv2+offset
		}
	}
	for i := hi; i < n; i++ {
		flags[i] = windowMean(cumSq, i, h1, inv1) > windowMean(cumSq, i, h2, inv2)+offset
	}
	start := -1
	for i := 0; i <= n; i++ {
		in := i < n && flags[i]
		if in == (start >= 0) {
			continue // inside a block or between blocks
		}
		if in {
			start = i
			continue
		}
		if i-start >= w1/2 {
			best := start
			for j := start + 1; j < i; j++ {
				if sq[j] > sq[best] {
					best = j
				}
			}
			if k := len(dst); k > 0 && best-dst[k-1] < refr {
				if sq[best] > sq[dst[k-1]] {
					dst[k-1] = best
				}
			} else {
				dst = append(dst, best)
			}
		}
		start = -1
	}
	return dst
}

// windowMean is the mean of the values whose prefix sums are cum over the
// window [i-h, i+h] clipped to the len(cum)-1 values; inv is 1/(2h+1). A
// whole window is (cum[i+h+1]-cum[i-h])·inv, a clipped one the sum over its
// length (the arithmetic of every caller's interior loop, bit for bit).
func windowMean(cum []float64, i, h int, inv float64) float64 {
	n := len(cum) - 1
	lo, hi := i-h, i+h+1
	if lo >= 0 && hi <= n {
		return (cum[hi] - cum[lo]) * inv
	}
	lo, hi = max(0, lo), min(n, hi)
	return (cum[hi] - cum[lo]) / float64(hi-lo)
}
