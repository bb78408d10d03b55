package ecg

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Errors DetectRPeaks and Detector.Detect return for input they cannot
// process; callers branch on them with errors.Is.
var (
	// ErrUnsupportedRate: the sample rate is outside MinDetectRateHz..MaxDetectRateHz.
	ErrUnsupportedRate = errors.New("sample rate outside 125–1000 Hz")
	// ErrEmptySignal: there are no samples.
	ErrEmptySignal = errors.New("signal has no samples")
	// ErrNonFinite: a sample is NaN or infinite.
	ErrNonFinite = errors.New("signal contains NaN or infinity")
	// ErrInvalidOptions: the Options cannot work at this sample rate (the
	// band-pass band is empty).
	ErrInvalidOptions = errors.New("invalid detector options")
)

// The sample rates the QRS detector supports, in hertz.
const (
	MinDetectRateHz = 125.0
	MaxDetectRateHz = 1000.0
)

// Options configures a Detector. Zero (or negative, NaN, infinite) fields
// take the defaults listed beside them (DefaultOptions returns them all),
// so Options{} is valid.
type Options struct {
	// LowHz and HighHz bound the zero-phase band-pass that isolates QRS
	// energy (default 5 and 20 Hz; Pan & Tompkins 1985 use 5–15 Hz).
	LowHz, HighHz float64
	// DerivativeMs is the half-span of the centred difference (default 10 ms,
	// the five-point derivative of Pan & Tompkins at 200 Hz).
	DerivativeMs float64
	// IntegrationMs is the width of the moving-window integrator (default
	// 150 ms, Pan & Tompkins 1985: about the widest normal QRS).
	IntegrationMs float64
	// RefractoryMs is the shortest accepted RR interval (default 200 ms,
	// the physiological refractory period).
	RefractoryMs float64
	// TWaveMs is how long after a QRS a peak with less than half the QRS's
	// maximal slope is taken for a T wave (default 360 ms, Pan & Tompkins).
	TWaveMs float64
	// SearchBackRR is the multiple of the mean RR interval after which the
	// detector looks back for a missed beat with the lower threshold
	// (default 1.66, Pan & Tompkins 1985).
	SearchBackRR float64
	// SearchBackSlope is the least maximal slope, as a fraction of the
	// median of the last eight QRS complexes', that a peak found by
	// search-back must have (default 0.2): it keeps search-back from taking
	// a P wave or noise in a long pause for a beat.
	SearchBackSlope float64
	// ThresholdCoeff places the detection threshold between the noise and
	// signal peak levels, NPK + ThresholdCoeff·(SPK-NPK), both levels in
	// the RMS domain (default 0.28; Pan & Tompkins 1985 use 0.25 and
	// Hamilton & Tompkins 1986 0.3125 on the squared signal).
	ThresholdCoeff float64
	// LocateMs is the half-width of the window around the integrator's
	// peak in which the R peak is placed on the largest absolute band-passed
	// sample (default 100 ms).
	LocateMs float64
}

// DefaultOptions returns the detector's defaults (see Options).
func DefaultOptions() Options {
	return Options{
		LowHz:           5,
		HighHz:          20,
		DerivativeMs:    10,
		IntegrationMs:   150,
		RefractoryMs:    200,
		TWaveMs:         360,
		SearchBackRR:    1.66,
		SearchBackSlope: 0.2,
		ThresholdCoeff:  0.28,
		LocateMs:        100,
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	set := func(v *float64, def float64) {
		if *v <= 0 || math.IsNaN(*v) || math.IsInf(*v, 0) {
			*v = def
		}
	}
	set(&o.LowHz, d.LowHz)
	set(&o.HighHz, d.HighHz)
	set(&o.DerivativeMs, d.DerivativeMs)
	set(&o.IntegrationMs, d.IntegrationMs)
	set(&o.RefractoryMs, d.RefractoryMs)
	set(&o.TWaveMs, d.TWaveMs)
	set(&o.SearchBackRR, d.SearchBackRR)
	set(&o.SearchBackSlope, d.SearchBackSlope)
	set(&o.ThresholdCoeff, d.ThresholdCoeff)
	set(&o.LocateMs, d.LocateMs)
	return o
}

// Detector finds QRS complexes in a single ECG lead. It follows the
// Pan–Tompkins family:
//
//   - J. Pan, W. J. Tompkins, "A real-time QRS detection algorithm",
//     IEEE Trans. Biomed. Eng. 32(3):230–236, 1985 (band-pass, derivative,
//     squaring, moving-window integration, dual adaptive thresholds,
//     search-back at 1.66 RR with half the threshold, T-wave rejection by
//     slope within 360 ms, 200 ms refractory period);
//   - P. S. Hamilton, W. J. Tompkins, "Quantitative investigation of QRS
//     detection rules using the MIT/BIH arrhythmia database", IEEE Trans.
//     Biomed. Eng. 33(12):1157–1165, 1986 (QRS and noise levels as medians
//     of the last eight peaks, typical RR as the median of eight intervals,
//     an 8-second learning phase, re-learning after 8 s without a beat).
//
// Differences from the papers: every filter is zero-phase and specified in
// hertz or milliseconds, so one design serves 125–1000 Hz without
// resampling; candidate peaks are the maxima of the integrated signal that
// dominate their refractory neighbourhood; peaks are compared in the RMS
// domain (the square root of the integrator's output), so a ventricular
// beat ten times the energy of its neighbours does not lift the threshold
// above them; a search-back peak must keep a fifth of the typical QRS
// slope; the R peak is placed on the largest absolute band-passed sample
// near the integrator's peak, which makes the detector insensitive to lead
// polarity.
//
// Tuning: the defaults that depart from the papers (5–20 Hz band,
// ThresholdCoeff 0.28, SearchBackSlope 0.2, RMS domain) were chosen on the
// 48 MIT-BIH Arrhythmia records, lead 0, scored with ANSI/AAMI EC57 as in
// the QRS-detection literature (package validation/ec57). Nothing was tuned
// on CinC 2017, and the AF classifier is never tuned on MIT-BIH.
//
// A Detector keeps scratch buffers between calls to avoid allocation, so
// one Detector must not be used from several goroutines at once; create
// one per goroutine. The zero value is not usable: call NewDetector.
type Detector struct {
	opts Options
	bp   []float64 // band-passed signal
	mwi  []float64 // integrated squared derivative
	cand []candidate
}

// candidate is a local maximum of the integrated signal.
type candidate struct {
	idx int
	val float64
}

// NewDetector returns a Detector with opts (zero fields take defaults).
func NewDetector(opts Options) *Detector {
	return &Detector{opts: opts.withDefaults()}
}

// DetectRPeaks returns the sample indices (ascending, zero-based) of the R
// peaks in samplesMV, one lead in millivolts sampled at sampleRateHz, with
// a Detector using DefaultOptions. It returns ErrUnsupportedRate for a rate
// outside 125–1000 Hz, ErrEmptySignal for no samples and ErrNonFinite for
// NaN or infinite samples (Detector.Detect may also return
// ErrInvalidOptions). A strip too short to hold a beat returns no peaks and
// no error.
func DetectRPeaks(samplesMV []float64, sampleRateHz float64) ([]int, error) {
	return NewDetector(Options{}).Detect(nil, samplesMV, sampleRateHz)
}

// Detect appends to dst[:0] the R-peak sample indices of samplesMV (see
// DetectRPeaks for units, errors and edge cases) and returns it. Its cost is
// linear in len(samplesMV); after the first call on a signal of a given
// length it allocates only when dst must grow.
func (d *Detector) Detect(dst []int, samplesMV []float64, sampleRateHz float64) ([]int, error) {
	dst = dst[:0]
	if err := d.check(samplesMV, sampleRateHz); err != nil {
		return dst, err
	}
	n, o := len(samplesMV), d.opts
	d.bp = grow(d.bp, n)
	Bandpass(d.bp, samplesMV, sampleRateHz, o.LowHz, o.HighHz)
	if err := checkFinite(samplesMV, d.bp); err != nil {
		return dst, err
	}
	return d.detectFiltered(dst, sampleRateHz), nil
}

// DetectAndBandpass is Detect that also writes to bandDst samplesMV
// band-passed at lowHz–highHz, exactly as Bandpass(bandDst, samplesMV,
// sampleRateHz, lowHz, highHz) would: the detector's own band-pass and this
// one run together (BandpassPair), which costs much less than two filters
// one after the other. bandDst must have len(samplesMV) (Bandpass's panics
// apply). On error bandDst holds no result.
func (d *Detector) DetectAndBandpass(dst []int, bandDst, samplesMV []float64, sampleRateHz, lowHz, highHz float64) ([]int, error) {
	dst = dst[:0]
	if err := d.check(samplesMV, sampleRateHz); err != nil {
		return dst, err
	}
	n, o := len(samplesMV), d.opts
	d.bp = grow(d.bp, n)
	BandpassPair(bandDst, d.bp, samplesMV, sampleRateHz, lowHz, highHz, o.LowHz, o.HighHz)
	if err := checkFinite(samplesMV, d.bp); err != nil {
		return dst, err
	}
	return d.detectFiltered(dst, sampleRateHz), nil
}

// check returns the error Detect reports for the rate, length or options,
// or nil; checkFinite covers the samples' values.
func (d *Detector) check(samplesMV []float64, sampleRateHz float64) error {
	if !(sampleRateHz >= MinDetectRateHz && sampleRateHz <= MaxDetectRateHz) {
		return fmt.Errorf("%w: %g Hz", ErrUnsupportedRate, sampleRateHz)
	}
	if len(samplesMV) == 0 {
		return ErrEmptySignal
	}
	o := d.opts
	if o.LowHz >= min(o.HighHz, sampleRateHz/2) {
		return fmt.Errorf("%w: band %g–%g Hz at %g Hz", ErrInvalidOptions, o.LowHz, o.HighHz, sampleRateHz)
	}
	return nil
}

// checkFinite returns ErrNonFinite (wrapped, with the first bad index) when
// samplesMV holds NaN or ±Inf, given bp, samplesMV band-passed. It looks at
// the samples only when bp[0] is not finite: a NaN or infinity anywhere in
// the input makes the forward pass's state non-finite from there on (no
// operation of the recursion turns NaN or ±Inf back into a finite value),
// hence the backward pass's starting state and every output of it,
// bp[0] included. A finite bp[0] therefore proves the input finite without
// a pass over it.
func checkFinite(samplesMV, bp []float64) error {
	if v := bp[0]; v-v == 0 {
		return nil
	}
	for i, v := range samplesMV {
		if v-v != 0 { // NaN for NaN and ±Inf, 0 for every finite v
			return fmt.Errorf("%w: sample %d", ErrNonFinite, i)
		}
	}
	return nil
}

// detectFiltered appends to dst the R peaks found in the band-passed d.bp.
func (d *Detector) detectFiltered(dst []int, fs float64) []int {
	o := d.opts
	bp := d.bp
	d.mwi = grow(d.mwi, len(bp))
	mwi := d.mwi
	integrate(mwi, bp, samplesFor(o.DerivativeMs, fs), samplesFor(o.IntegrationMs, fs)/2)
	d.cand = findCandidates(d.cand[:0], mwi, samplesFor(o.RefractoryMs, fs))
	for i := range d.cand {
		d.cand[i].val = math.Sqrt(d.cand[i].val)
	}
	return d.decide(dst, bp, mwi, fs)
}

// grow returns buf resliced to n values, reallocating only when too small.
func grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}

// samplesFor converts a duration in milliseconds to a whole number of
// samples at sampleRateHz, at least 1.
func samplesFor(ms, sampleRateHz float64) int {
	return max(1, int(math.Round(ms*sampleRateHz/1000)))
}

// integrate writes to dst the centred moving average, over ±halfWin
// samples, of the squared centred difference bp[i+k]-bp[i-k] (ends
// clamped). Both steps are centred so the result has no delay. The squared
// difference is recomputed where it enters and leaves the window rather
// than stored, which keeps the pass to one read and one write stream.
func integrate(dst, bp []float64, k, halfWin int) {
	n := len(bp)
	last := n - 1
	sq := func(i int) float64 { // with clamping, for the edges
		if i < 0 || i > last {
			return 0
		}
		d := bp[min(i+k, last)] - bp[max(i-k, 0)]
		return d * d
	}
	var sum float64
	for i := range halfWin {
		sum += sq(i)
	}
	scale := 1 / float64(2*halfWin+1)
	// Interior: both the entering (i+halfWin) and leaving (i-halfWin-1)
	// differences stay inside bp without clamping.
	lo := min(halfWin+1+k, n)
	hi := max(n-halfWin-k, lo)
	for i := range lo {
		sum += sq(i+halfWin) - sq(i-halfWin-1)
		dst[i] = sum * scale
	}
	if m := hi - lo; m > 0 {
		// Entering difference at j = i+halfWin, leaving at l = i-halfWin-1,
		// read through slices of the loop's length (no bounds checks).
		out := dst[lo:][:m]
		jp, jm := bp[lo+halfWin+k:][:m], bp[lo+halfWin-k:][:m]
		lp, lm := bp[lo-halfWin-1+k:][:m], bp[lo-halfWin-1-k:][:m]
		for t := range out {
			a := jp[t] - jm[t]
			b := lp[t] - lm[t]
			sum += a*a - b*b
			out[t] = sum * scale
		}
	}
	for i := hi; i < n; i++ {
		sum += sq(i+halfWin) - sq(i-halfWin-1)
		dst[i] = sum * scale
	}
}

// findCandidates appends to dst the local maxima of x that are the largest
// value within ±refractory samples, in time order.
func findCandidates(dst []candidate, x []float64, refractory int) []candidate {
	start := len(dst)
	if len(x) >= 3 {
		prev, cur := x[0], x[1]
		for i, next := range x[2:] {
			if cur > prev && cur >= next {
				dst = append(dst, candidate{i + 1, cur})
			}
			prev, cur = cur, next
		}
	}
	// Keep only maxima that dominate their neighbourhood. Compact in place.
	all := dst[start:]
	out := start
	for i, c := range all {
		keep := true
		for j := i - 1; j >= 0 && c.idx-all[j].idx <= refractory; j-- {
			if all[j].val >= c.val {
				keep = false
				break
			}
		}
		for j := i + 1; keep && j < len(all) && all[j].idx-c.idx <= refractory; j++ {
			if all[j].val > c.val {
				keep = false
			}
		}
		if keep {
			dst[out] = c
			out++
		}
	}
	return dst[:out]
}

// decide runs the adaptive dual-threshold decision over the candidates and
// appends the located R peaks to dst.
func (d *Detector) decide(dst []int, bp, mwi []float64, fs float64) []int {
	o := d.opts
	cands := d.cand
	if len(cands) == 0 {
		return dst
	}
	n := len(bp)
	tWave := samplesFor(o.TWaveMs, fs)
	refractory := samplesFor(o.RefractoryMs, fs)
	locate := samplesFor(o.LocateMs, fs)
	slopeHalf := samplesFor(75, fs)

	// Learning phase (Hamilton & Tompkins 1986): the largest candidate of
	// each of the first 8 seconds seeds the QRS peak levels; noise levels
	// start at zero.
	var qrsLv, noiseLv, slopeLv ring8
	second := samplesFor(1000, fs)
	for k, j := 0, 0; k < 8 && k*second < n; k++ {
		var m float64
		for ; j < len(cands) && cands[j].idx < (k+1)*second; j++ {
			m = max(m, cands[j].val)
		}
		qrsLv.push(m)
	}
	spk, npk := qrsLv.median(), 0.0
	threshold := func() float64 { return npk + o.ThresholdCoeff*(spk-npk) }

	var (
		rr        ring8 // last RR intervals, in samples
		lastIdx   = -1  // integrator index of the last QRS
		lastSlope float64
		pending   = 0 // first candidate not yet accepted nor passed over by search-back
		regained  bool
		regainGap = samplesFor(regainMs, fs)
	)
	rrMedian := fs // 1 s until a rhythm is known; else rr.median(), kept current
	rrTypical := func() float64 { return rrMedian }
	accept := func(c candidate, slope float64) {
		if lastIdx >= 0 {
			rr.push(float64(c.idx - lastIdx))
			rrMedian = rr.median()
		}
		lastIdx = c.idx
		lastSlope = slope
		regained = false
		slopeLv.push(slope)
		qrsLv.push(c.val)
		spk = qrsLv.median()
		dst = append(dst, locatePeak(bp, c.idx, locate))
	}
	noise := func(c candidate) {
		noiseLv.push(c.val)
		npk = noiseLv.median()
	}
	isTWave := func(c candidate, slope float64) bool {
		return lastIdx >= 0 && c.idx-lastIdx < tWave && slope < 0.5*lastSlope
	}

	for i := 0; i < len(cands); i++ {
		c := cands[i]
		// Regain: after regainMs without a beat the signal has probably
		// changed scale (electrode or gain change) and search-back cannot
		// reach the smaller beats. Re-learn the QRS level from the largest
		// candidate of each second since the last beat, forget the noise
		// level, and re-examine those candidates (once per gap).
		if lastIdx >= 0 && !regained && c.idx-lastIdx > regainGap {
			regained = true
			var lv ring8
			from := lastIdx + refractory
			for j := pending; j < i; {
				binEnd := from + second
				var m float64
				for ; j < i && cands[j].idx < binEnd; j++ {
					m = max(m, cands[j].val)
				}
				if m > 0 {
					lv.push(m)
				}
				from = binEnd
			}
			if lv.n > 0 {
				qrsLv, noiseLv = lv, ring8{}
				spk, npk = qrsLv.median(), 0
				i = pending - 1
				continue
			}
		}
		// Search back for a beat missed since the last QRS.
		for lastIdx >= 0 && float64(c.idx-lastIdx) > o.SearchBackRR*rrTypical() {
			best := -1
			th2 := 0.5 * threshold()
			for j := pending; j < i; j++ {
				cj := cands[j]
				if cj.idx-lastIdx < refractory || cj.val <= th2 {
					continue
				}
				if best < 0 || cj.val > cands[best].val {
					best = j
				}
			}
			if best < 0 {
				break
			}
			cb := cands[best]
			s := maxSlope(bp, cb.idx, slopeHalf)
			if isTWave(cb, s) || s < o.SearchBackSlope*slopeLv.median() {
				break
			}
			accept(cb, s)
			pending = best + 1
		}
		if lastIdx >= 0 && c.idx-lastIdx < refractory {
			continue
		}
		if c.val > threshold() {
			s := maxSlope(bp, c.idx, slopeHalf)
			if isTWave(c, s) {
				noise(c)
				continue
			}
			accept(c, s)
			pending = i + 1
			continue
		}
		noise(c)
	}
	return dedupe(dst, refractory/2)
}

// regainMs is how long without a detected beat makes the detector
// re-learn its QRS level, as Hamilton & Tompkins re-initialise after 8 s
// (shorter waits took noise in MIT-BIH record 232's long pauses for beats).
const regainMs = 8000

// ring8 holds the last eight values pushed (Hamilton & Tompkins keep
// eight-beat histories of peak levels and RR intervals).
type ring8 struct {
	v [8]float64
	n int // values pushed so far
}

func (r *ring8) push(x float64) {
	r.v[r.n%len(r.v)] = x
	r.n++
}

// median of the values held; 0 when empty.
func (r *ring8) median() float64 {
	k := min(r.n, len(r.v))
	if k == 0 {
		return 0
	}
	var tmp [8]float64
	copy(tmp[:], r.v[:k])
	s := tmp[:k]
	// Insertion sort with cmp.Less: what slices.Sort does for so few
	// values (the same permutation, NaNs first), without its dispatch.
	for i := 1; i < k; i++ {
		for j := i; j > 0 && cmp.Less(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	if k%2 == 1 {
		return s[k/2]
	}
	return (s[k/2-1] + s[k/2]) / 2
}

// maxSlope is the largest absolute first difference of x within ±half
// samples of idx.
func maxSlope(x []float64, idx, half int) float64 {
	lo := max(idx-half, 1)
	hi := min(idx+half, len(x)-1)
	var m float64
	nan := false
	for i := lo; i < hi; i++ {
		// max(m, a) without the builtin's NaN handling in the loop: a NaN
		// difference makes the result NaN, as max would.
		if a := math.Abs(x[i+1] - x[i-1]); a > m {
			m = a
		} else if a != a {
			nan = true
		}
	}
	if nan {
		return math.NaN()
	}
	return m
}

// locatePeak returns the index of the largest absolute value of x within
// ±half samples of idx.
func locatePeak(x []float64, idx, half int) int {
	lo := max(idx-half, 0)
	hi := min(idx+half, len(x)-1)
	best := idx
	var m float64 = -1
	for i := lo; i <= hi; i++ {
		if a := math.Abs(x[i]); a > m {
			m, best = a, i
		}
	}
	return best
}

// dedupe sorts peaks and drops any peak closer than minGap samples to the
// one kept before it, so located peaks stay strictly ascending.
func dedupe(peaks []int, minGap int) []int {
	slices.Sort(peaks)
	out := 0
	for i, p := range peaks {
		if i > 0 && p-peaks[out-1] < minGap {
			continue
		}
		peaks[out] = p
		out++
	}
	return peaks[:out]
}
