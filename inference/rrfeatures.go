package inference

import (
	"math"
	"slices"
)

// RR-interval features. Every value is defined (finite) for any input,
// including fewer than three beats, where the irregularity measures take the
// value of a perfectly regular rhythm and the rates are 0.

const (
	// cosenToleranceMs is the SampEn match tolerance r of COSEn (Lake &
	// Moorman, "Accurate estimation of entropy in very short physiological
	// time series: the problem of atrial fibrillation detection in implanted
	// ventricular devices", Am J Physiol Heart Circ Physiol 300, 2011: m = 1,
	// r = 30 ms).
	cosenToleranceMs = 30
	// hrWindowBeats is the number of consecutive RR intervals averaged for
	// the short-window minimum and maximum heart rate (≈ 5 s at 60 bpm).
	hrWindowBeats = 5
	// sarkarBinMs and sarkarHalfBins define the ΔRR Lorenz-plot histogram of
	// Sarkar, Ritscher & Mehra, "A detector for a chronic implantable atrial
	// tachyarrhythmia monitor", IEEE Trans. Biomed. Eng. 55(3), 2008:
	// 40 ms bins, 13 × 13 bins centred on the origin (±6 bins, beyond which
	// points fall into the outermost bins).
	sarkarBinMs    = 40
	sarkarHalfBins = 6
	// Premature beat followed by a compensatory pause: an RR interval at
	// least 15% shorter than the median followed by one at least 10%
	// longer (the usual ectopy screening margins, e.g. de Chazal et al.,
	// IEEE TBME 51(7), 2004 use RR ratios to the local average).
	prematureRel    = 0.85
	compensatoryRel = 1.10
	// rrOutlierRel marks RR intervals more than 20% from the median.
	rrOutlierRel = 0.20
	// rrHistBinMs is the bin width of the RR histogram whose Shannon entropy
	// measures irregularity (Dash et al., "Automatic real time detection of
	// atrial fibrillation", Ann Biomed Eng 37(9), 2009 use 16 bins over the
	// RR range; a fixed width keeps the value comparable across strips).
	rrHistBinMs = 40
	// rmssdWinBeats is the window of the local RMSSD (≈ 8 s at 75 bpm).
	rmssdWinBeats = 10
)

// rrScratch holds work buffers for rrFeatures.
type rrScratch struct {
	sorted, drr, absd []float64
}

// rrFeatures fills the heart-rate and RR-irregularity entries of f from the
// RR intervals rr (ms).
func (s *rrScratch) rrFeatures(f []float64, rr []float64) {
	n := len(rr)
	for i := fHRMeanBPM; i <= fRRACF2; i++ {
		f[i] = 0
	}
	f[fHRTrendBPM], f[fRMSSDWinMaxNorm], f[fRMSSDWinMinNorm] = 0, 0, 0
	// Regular-rhythm defaults for irregularity measures whose "regular"
	// value is not 0.
	f[fRRMaxRel], f[fRRMinRel] = 1, 1
	f[fTPR] = 0
	f[fSD1SD2] = 0
	if n == 0 {
		return
	}
	s.sorted = append(s.sorted[:0], rr...)
	slices.Sort(s.sorted)
	med := median(s.sorted)
	mean, sd := meanStd(rr)

	f[fHRMeanBPM] = 60000 / mean
	f[fHRMedianBPM] = 60000 / med
	f[fRRCV] = sd / mean
	f[fRRMaxRel] = s.sorted[n-1] / med
	f[fRRMinRel] = s.sorted[0] / med
	hrMin, hrMax := math.Inf(1), math.Inf(-1)
	w := min(hrWindowBeats, n)
	var acc float64
	for i := range n {
		acc += rr[i]
		if i >= w {
			acc -= rr[i-w]
		}
		if i >= w-1 {
			hr := 60000 * float64(w) / acc
			hrMin, hrMax = math.Min(hrMin, hr), math.Max(hrMax, hr)
		}
	}
	f[fHRMinBPM], f[fHRMaxBPM] = hrMin, hrMax
	var hrSum, hrSq float64
	for _, v := range rr {
		hr := 60000 / v
		hrSum += hr
		hrSq += hr * hr
	}
	hrMean := hrSum / float64(n)
	f[fHRStdBPM] = math.Sqrt(math.Max(0, hrSq/float64(n)-hrMean*hrMean))

	var outliers int
	for _, v := range rr {
		if math.Abs(v-med) > rrOutlierRel*med {
			outliers++
		}
	}
	f[fRROutlierFrac] = float64(outliers) / float64(n)
	f[fRRHistEntropy] = histEntropy(s.sorted, rrHistBinMs)

	// Sample entropy (Richman & Moorman, Am J Physiol 278, 2000; m = 2,
	// r = 0.2·SD) and COSEn (Lake & Moorman 2011: SampEn with m = 1,
	// r = 30 ms, plus ln(2r) − ln(mean RR), r and RR in seconds).
	f[fSampEnRR] = sampleEntropy(rr, 2, 0.2*sd)
	f[fCOSEn] = sampleEntropy(rr, 1, cosenToleranceMs) +
		math.Log(2*cosenToleranceMs/1000.0) - math.Log(mean/1000)

	if n < 2 {
		return
	}
	s.drr = s.drr[:0]
	s.absd = s.absd[:0]
	var sq float64
	var nn20, nn50 int
	for i := 1; i < n; i++ {
		d := rr[i] - rr[i-1]
		s.drr = append(s.drr, d)
		s.absd = append(s.absd, math.Abs(d))
		sq += d * d
		if math.Abs(d) > 20 {
			nn20++
		}
		if math.Abs(d) > 50 {
			nn50++
		}
	}
	nd := float64(len(s.drr))
	// Normalised RMSSD (e.g. Tateno & Glass, Med Biol Eng Comput 39, 2001
	// use RR-difference statistics normalised by the mean RR).
	f[fRMSSDNorm] = math.Sqrt(sq/nd) / mean
	// pNNx: fraction of successive differences above x ms (Mietus et al.,
	// "The pNNx files", Heart 88, 2002).
	f[fPNN20], f[fPNN50] = float64(nn20)/nd, float64(nn50)/nd
	slices.Sort(s.absd)
	f[fMADdRRNorm] = median(s.absd) / med

	// Poincaré plot descriptors (Brennan, Palaniswami & Kamen, IEEE TBME
	// 48(11), 2001): SD1² = var(ΔRR)/2, SD2² = 2·var(RR) − var(ΔRR)/2.
	_, sdD := meanStd(s.drr)
	sd1sq := sdD * sdD / 2
	sd2sq := math.Max(0, 2*sd*sd-sd1sq)
	f[fSD1Norm] = math.Sqrt(sd1sq) / mean
	f[fSD2Norm] = math.Sqrt(sd2sq) / mean
	if sd2sq > 0 {
		f[fSD1SD2] = math.Sqrt(sd1sq / sd2sq)
	}

	// Premature–compensatory pairs, and RMSSD without the differences that
	// touch them, so that isolated ectopy does not look like AF.
	// The reference is the mean RR: in bigeminy the median is one of the two
	// alternating intervals, while the mean stays between them.
	var prem int
	var sqClean float64
	var nClean int
	isPC := func(i int) bool { // rr[i-1] premature, rr[i] compensatory
		return i >= 1 && i < n && rr[i-1] < prematureRel*mean && rr[i] > compensatoryRel*mean
	}
	for i := 1; i < n; i++ {
		if isPC(i) {
			prem++
		}
		touches := isPC(i-1) || isPC(i) || isPC(i+1)
		if !touches {
			d := rr[i] - rr[i-1]
			sqClean += d * d
			nClean++
		}
	}
	f[fPremCompFrac] = float64(prem) / nd
	if nClean > 0 {
		f[fRMSSDCleanNorm] = math.Sqrt(sqClean/float64(nClean)) / mean
	}

	// Heart-rate trend: rate over the second half of the beats minus the
	// first half (rate changes within a strip: paroxysmal tachycardia,
	// exercise, sinus pauses).
	h := n / 2
	if h >= 1 {
		m1, _ := meanStd(rr[:h])
		m2, _ := meanStd(rr[h:])
		f[fHRTrendBPM] = 60000/m2 - 60000/m1
	}
	// Normalised RMSSD over sliding windows of rmssdWinBeats intervals: its
	// maximum and minimum show irregularity confined to part of the strip
	// (runs of ectopy, paroxysms) versus irregularity throughout (AF).
	wn := min(rmssdWinBeats, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	for st := 0; st+wn <= n; st++ {
		w := rr[st : st+wn]
		m, _ := meanStd(w)
		var q float64
		for i := 1; i < len(w); i++ {
			d := w[i] - w[i-1]
			q += d * d
		}
		v := math.Sqrt(q/float64(len(w)-1)) / m
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	f[fRMSSDWinMaxNorm], f[fRMSSDWinMinNorm] = hi, lo

	// Lag-1 and lag-2 autocorrelation of RR: bigeminy gives strongly
	// negative lag 1 and positive lag 2; AF gives values near 0.
	f[fRRACF1] = autocorr(rr, mean, 1)
	f[fRRACF2] = autocorr(rr, mean, 2)

	if n < 3 {
		return
	}
	// Turning-point ratio (Dash et al. 2009): fraction of RR intervals that
	// are a local maximum or minimum; about 2/3 for a random series.
	var tp, alt int
	for i := 1; i < n-1; i++ {
		if (rr[i] > rr[i-1] && rr[i] > rr[i+1]) || (rr[i] < rr[i-1] && rr[i] < rr[i+1]) {
			tp++
		}
	}
	f[fTPR] = float64(tp) / float64(n-2)
	// Bigeminy index: fraction of consecutive ΔRR triples that alternate in
	// sign with each step above 10% of the median RR (long–short–long–short).
	for i := 2; i < len(s.drr); i++ {
		a, b, c := s.drr[i-2], s.drr[i-1], s.drr[i]
		th := 0.1 * med
		if a*b < 0 && b*c < 0 && math.Abs(a) > th && math.Abs(b) > th && math.Abs(c) > th {
			alt++
		}
	}
	if len(s.drr) > 2 {
		f[fBigeminyFrac] = float64(alt) / float64(len(s.drr)-2)
	}
	s.sarkar(f, med)
}

// sarkar computes the ΔRR Lorenz-plot evidence of Sarkar et al. (2008) on
// s.drr: IrrEv (occupied bins outside the origin bin), OriginCount (points in
// the origin bin) and PACEv (points in the premature/compensatory quadrants
// beyond the number of bins they occupy: ectopy revisits the same bins, AF
// scatters). AFEv = IrrEv − OriginCount − 2·PACEv. Counts are divided by the
// number of plot points, because strips here are shorter than the paper's
// 2-minute windows.
func (s *rrScratch) sarkar(f []float64, _ float64) {
	const side = 2*sarkarHalfBins + 1
	var occupied [side * side]uint16
	nPts := len(s.drr) - 1
	if nPts <= 0 {
		return
	}
	bin := func(d float64) int {
		b := int(math.Floor((d + sarkarBinMs/2) / sarkarBinMs))
		return min(sarkarHalfBins, max(-sarkarHalfBins, b))
	}
	var origin, pacPts int
	for i := 1; i < len(s.drr); i++ {
		bx, by := bin(s.drr[i-1]), bin(s.drr[i])
		occupied[(bx+sarkarHalfBins)*side+by+sarkarHalfBins]++
		if bx == 0 && by == 0 {
			origin++
		}
		if bx*by < 0 {
			pacPts++
		}
	}
	var irrEv, pacBins int
	for bx := -sarkarHalfBins; bx <= sarkarHalfBins; bx++ {
		for by := -sarkarHalfBins; by <= sarkarHalfBins; by++ {
			if occupied[(bx+sarkarHalfBins)*side+by+sarkarHalfBins] == 0 || (bx == 0 && by == 0) {
				continue
			}
			irrEv++
			if bx*by < 0 {
				pacBins++
			}
		}
	}
	pacEv := pacPts - pacBins
	np := float64(nPts)
	f[fAFEvNorm] = float64(irrEv-origin-2*pacEv) / np
	f[fIrrEvFrac] = float64(irrEv) / np
	f[fOriginFrac] = float64(origin) / np
}

// median of sorted values; 0 for none.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// meanStd returns the mean and population standard deviation; 0, 0 for none.
// One pass with a shift (the first value) keeps it numerically stable for
// signals with a large offset.
func meanStd(x []float64) (mean, sd float64) {
	if len(x) == 0 {
		return 0, 0
	}
	k := x[0]
	var s, ss float64
	for _, v := range x {
		d := v - k
		s += d
		ss += d * d
	}
	n := float64(len(x))
	m := s / n
	return k + m, math.Sqrt(math.Max(0, ss/n-m*m))
}

// autocorr is the lag-k autocorrelation of x about mean; 0 when undefined.
func autocorr(x []float64, mean float64, k int) float64 {
	if len(x) <= k {
		return 0
	}
	var num, den float64
	for i, v := range x {
		d := v - mean
		den += d * d
		if i >= k {
			num += d * (x[i-k] - mean)
		}
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// sampleEntropy returns SampEn(m, r) of x (Richman & Moorman 2000):
// −ln(A/B), where B counts template pairs of length m within tolerance r
// (Chebyshev distance) and A those of length m+1, self-matches excluded.
// When no match of length m+1 exists A is taken as 1, and when no match of
// length m exists B is taken as the number of template pairs (the largest
// value the data can support), so the result stays finite; fewer than m+2
// values give 0.
func sampleEntropy(x []float64, m int, r float64) float64 {
	n := len(x)
	if n < m+2 {
		return 0
	}
	var a, b int
	for i := 0; i < n-m; i++ {
		for j := i + 1; j < n-m; j++ {
			match := true
			for k := 0; k < m; k++ {
				if math.Abs(x[i+k]-x[j+k]) > r {
					match = false
					break
				}
			}
			if !match {
				continue
			}
			b++
			if math.Abs(x[i+m]-x[j+m]) <= r {
				a++
			}
		}
	}
	if b == 0 {
		b = (n - m) * (n - m - 1) / 2 // no match at all: as irregular as the data can show
	}
	a = max(a, 1)
	return math.Log(float64(b) / float64(a))
}

// histEntropy is the Shannon entropy (bits) of the histogram of sorted
// values with bins of binWidth starting at the minimum.
func histEntropy(sorted []float64, binWidth float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	var h float64
	lo := sorted[0]
	count := 0
	bin := 0
	flush := func() {
		if count > 0 {
			p := float64(count) / float64(n)
			h -= p * math.Log2(p)
		}
	}
	for _, v := range sorted {
		b := int((v - lo) / binWidth)
		if b != bin {
			flush()
			bin, count = b, 0
		}
		count++
	}
	flush()
	return h
}
