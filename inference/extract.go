package inference

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/afscan/afscan/ecg"
)

// Pipeline constants.
const (
	// InternalRateHz is the one rate every strip is resampled to before
	// analysis: the CinC 2017 rate, so training data need no resampling.
	InternalRateHz = 300.0
	// MinSampleRateHz and MaxSampleRateHz bound the accepted input rates.
	MinSampleRateHz = 125.0
	MaxSampleRateHz = 1000.0
	// MinDuration is the shortest input analysed at all (ErrSignalTooShort
	// below it): two seconds hold at least two beats at 60 bpm.
	MinDuration = 2 * time.Second
	// MinCallableDuration is the shortest strip the model calls; shorter
	// strips are inconclusive with ReasonTooShort. CinC 2017 strips are
	// 9–61 s long, the range the model was trained on.
	MinCallableDuration = 9 * time.Second
	// DefaultMinSignalQuality is the signal quality below which a strip is
	// inconclusive with ReasonNoise. Chosen on the locked CinC 2017 train
	// split so that gating rarely discards a readable strip: at 0.3 it
	// gates 0.3% of N, 0.6% of A and 0.7% of O strips and 14% of the noisy
	// (~) ones (the model calls the remaining noisy strips itself).
	DefaultMinSignalQuality = 0.3
	// filterLowHz–filterHighHz is the analysis band: 0.5 Hz removes
	// baseline wander while keeping the ST segment usable (AHA
	// recommendations, Kligfield et al., Circulation 115, 2007, 0.05 Hz for
	// diagnostic ST analysis; 0.5 Hz is the monitoring-grade choice) and
	// 40 Hz removes mains and muscle noise (monitoring bandwidth).
	filterLowHz  = 0.5
	filterHighHz = 40
	// fiducialMs: half-width of the window in which a detection is moved
	// onto the largest positive deflection of the polarity-corrected signal.
	fiducialMs = 50
	// invertedRatio: the strip is taken as inverted when the median
	// negative QRS deflection exceeds the median positive one by this
	// factor (single-lead devices held upside down record a mirror image).
	invertedRatio = 1.2
	// Plausible RR range (ms): 24–240 bpm.
	rrPlausibleMinMs = 250
	rrPlausibleMaxMs = 2500
	// Gating thresholds (fractions of the strip).
	maxFlatFrac = 0.5
	maxClipFrac = 0.1
)

// Reasons for an inconclusive call made without the model (Result.Reason).
const (
	ReasonTooShort  = "too_short"
	ReasonFlatLine  = "flat_line"
	ReasonSaturated = "saturated"
	ReasonNoise     = "noise"
)

// Analysis is what the pipeline measured on one strip: the feature vector
// plus what a rhythm call needs besides the model.
type Analysis struct {
	// Features is aligned with FeatureNames. Every value is finite, also
	// for strips with no beats.
	Features []float64
	// RPeakIdx are the R-peak fiducials, sample indices at SampleRateHz.
	RPeakIdx []int
	// SampleRateHz is the analysis rate (InternalRateHz).
	SampleRateHz float64
	// HeartRateBPM is the mean ventricular rate; 0 with fewer than 2 beats.
	HeartRateBPM float64
	// SignalQuality is in [0, 1]; 1 is clean.
	SignalQuality float64
	// Reason is the gating reason ("too_short", "flat_line", "saturated",
	// "noise" with DefaultMinSignalQuality or the Extractor's threshold), or
	// "" when the strip can be called.
	Reason string
	// Inverted reports that the strip's polarity was corrected.
	Inverted bool
	// Duration is the length of the strip.
	Duration time.Duration
}

// Extractor runs the feature pipeline and keeps its scratch buffers between
// calls so that repeated extraction does not allocate. It is not safe for
// concurrent use: use one Extractor per goroutine (Classifier pools them).
// The zero value is not usable; call NewExtractor.
type Extractor struct {
	// MinSignalQuality is the quality below which Reason is "noise".
	MinSignalQuality float64

	det    *ecg.Detector
	resamp ecg.Resampler
	elg    elgendiScratch
	rs     rrScratch
	ms     morphScratch
	x, y   []float64
	peaksA []int
	peaksB []int
	peaks  []int
	rr     []float64
	feats  []float64
	good   []bool
	rrGood []float64
	dGood  []float64
	pos    []float64
	neg    []float64
}

// NewExtractor returns an Extractor with DefaultMinSignalQuality.
func NewExtractor() *Extractor {
	return &Extractor{
		MinSignalQuality: DefaultMinSignalQuality,
		det:              ecg.NewDetector(ecg.Options{}),
		feats:            make([]float64, numFeatures),
	}
}

// Features runs the whole pipeline on lead 0 of rec (mV, any rate
// 125–1000 Hz, at least MinDuration): it resamples to InternalRateHz,
// filters, detects beats with two detectors, corrects polarity and
// extracts the features. It is deterministic. It returns ErrNoLead,
// ErrUnsupportedRate, ErrSignalTooShort or ErrNonFinite (wrapped) for input
// that is not a usable ECG at all. The caller owns the returned slices.
// For many strips, reuse an Extractor instead.
func Features(ctx context.Context, rec *ecg.Record) (Analysis, error) {
	if rec == nil || len(rec.Leads) == 0 {
		return Analysis{}, ErrNoLead
	}
	a, err := NewExtractor().Extract(ctx, rec.Leads[0].Samples, rec.SampleRateHz)
	if err != nil {
		return Analysis{}, err
	}
	a.Features = slices.Clone(a.Features)
	a.RPeakIdx = slices.Clone(a.RPeakIdx)
	return a, nil
}

// validateStrip checks rate, length and finiteness of one lead.
func validateStrip(samplesMV []float64, sampleRateHz float64) error {
	if !(sampleRateHz >= MinSampleRateHz && sampleRateHz <= MaxSampleRateHz) {
		return fmt.Errorf("%w: %g Hz", ErrUnsupportedRate, sampleRateHz)
	}
	if d := float64(len(samplesMV)) / sampleRateHz; d < MinDuration.Seconds() {
		return fmt.Errorf("%w: %.2f s, need at least %v", ErrSignalTooShort, d, MinDuration)
	}
	// v-v is 0 for every finite v and NaN for NaN and ±Inf, so a sum of
	// four such differences is 0 exactly when all four are finite.
	x, i := samplesMV, 0
	for ; i+4 <= len(x); i += 4 {
		if (x[i]-x[i])+(x[i+1]-x[i+1])+(x[i+2]-x[i+2])+(x[i+3]-x[i+3]) != 0 {
			break
		}
	}
	for ; i < len(x); i++ {
		if x[i]-x[i] != 0 {
			return fmt.Errorf("%w: sample %d", ErrNonFinite, i)
		}
	}
	return nil
}

// Extract is Features on one lead (samplesMV in mV at sampleRateHz). The
// returned Analysis's slices belong to e and are overwritten by its next
// call.
func (e *Extractor) Extract(ctx context.Context, samplesMV []float64, sampleRateHz float64) (Analysis, error) {
	if err := validateStrip(samplesMV, sampleRateHz); err != nil {
		return Analysis{}, err
	}
	if err := ctx.Err(); err != nil {
		return Analysis{}, err
	}
	e.x = e.resample(e.x, samplesMV, sampleRateHz)
	return e.analyze(e.x, samplesMV, sampleRateHz), nil
}

// resample returns src at InternalRateHz in dst's storage.
func (e *Extractor) resample(dst, src []float64, sampleRateHz float64) []float64 {
	nOut := int(math.Round(float64(len(src)) * InternalRateHz / sampleRateHz))
	dst = growFloat(dst, nOut)
	return e.resamp.Resample(dst, src, sampleRateHz, InternalRateHz)
}

// analyze extracts the features of x (mV at InternalRateHz); raw is the
// same stretch at the device rate rawRateHz, for clipping detection.
func (e *Extractor) analyze(x []float64, raw []float64, rawRateHz float64) Analysis {
	const fs = InternalRateHz
	f := e.feats
	clear(f)
	n := len(x)
	dur := time.Duration(float64(n) / fs * float64(time.Second))

	e.y = growFloat(e.y, n)
	y := e.y
	var err error
	// The detector's 5–20 Hz band-pass and the analysis band-pass run
	// together (ecg.BandpassPair), y exactly as ecg.Bandpass makes it.
	e.peaksA, err = e.det.DetectAndBandpass(e.peaksA, y, x, fs, filterLowHz, filterHighHz)
	if err != nil { // input was validated; keep going with no beats
		e.peaksA = e.peaksA[:0]
		ecg.Bandpass(y, x, fs, filterLowHz, filterHighHz)
	}
	// The second detector's pass over x also gives the mean and spread of
	// y and of x-y (baseline wander and noise above 40 Hz), before
	// polarity correction (which negates the mean and keeps the spread
	// exactly).
	e.peaksB = e.elg.detect(e.peaksB, x, y, fs)
	meanY, sdY, sdOOB := e.elg.meanY, e.elg.sdY, e.elg.sdRest

	inverted := e.correctPolarity(y, e.peaksA)
	if inverted {
		meanY = -meanY
	}
	e.peaks = e.fiducials(e.peaks, y, e.peaksA)
	e.rr = growFloat(e.rr, max(0, len(e.peaks)-1))
	e.rr = ecg.IntervalsRR(e.rr, e.peaks, fs)
	e.rs.rrFeatures(f, e.rr)

	// Quality.
	flatFrac, lo, hi, skew, kurt := flatFraction(x, fs, y, meanY, sdY)
	if rawRateHz != fs || len(raw) != len(x) { // else raw is x (resampling copies it)
		lo, hi = valueRange(raw)
	}
	clipFrac := clipFraction(raw, rawRateHz, lo, hi)
	bsqi := agreement(e.peaksA, e.peaksB, msToSamples(agreementToleranceMs, fs))
	vy := sdY * sdY
	vOOB := sdOOB * sdOOB
	if vy > 0 {
		f[fQRSPowerRatio] = math.Min(e.elg.powerMV2/vy, 10)
	}
	if vy+vOOB > 0 {
		f[fBaselinePowerRatio] = vOOB / (vy + vOOB)
	}
	var implausible int
	for _, v := range e.rr {
		if v < rrPlausibleMinMs || v > rrPlausibleMaxMs {
			implausible++
		}
	}
	if len(e.rr) > 0 {
		f[fRRImplausibleFrac] = float64(implausible) / float64(len(e.rr))
	}
	if len(e.peaksA) > 0 {
		f[fDetRateRatio] = math.Min(float64(len(e.peaksB))/float64(len(e.peaksA)), 5)
	}
	f[fBSQI], f[fKurtosis] = bsqi, math.Min(kurt, 100)
	f[fSkewness] = math.Max(-30, math.Min(skew, 30))
	f[fFlatFrac], f[fClipFrac] = flatFrac, clipFrac
	if inverted {
		f[fInverted] = 1
	}

	var medRR float64
	if len(e.rr) > 0 {
		medRR = median(e.rs.sorted)
	}
	e.ms.morphology(f, y, fs, e.peaks, e.rr, medRR)
	e.goodRRFeatures(f)
	sqi := combineQuality(bsqi, kurt, f[fCorrQRSMean], flatFrac, clipFrac)
	f[fSQI] = sqi

	for i, v := range f {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			f[i] = 0 // defensive: the model never sees a non-finite input
		}
	}

	a := Analysis{
		Features:      f,
		RPeakIdx:      e.peaks,
		SampleRateHz:  fs,
		HeartRateBPM:  f[fHRMeanBPM],
		SignalQuality: sqi,
		Inverted:      inverted,
		Duration:      dur,
	}
	switch {
	case dur < MinCallableDuration:
		a.Reason = ReasonTooShort
	case flatFrac >= maxFlatFrac:
		a.Reason = ReasonFlatLine
	case clipFrac >= maxClipFrac:
		a.Reason = ReasonSaturated
	case sqi < e.MinSignalQuality:
		a.Reason = ReasonNoise
	}
	return a
}

// correctPolarity negates y in place when its QRS complexes point mainly
// downwards, and reports whether it did.
func (e *Extractor) correctPolarity(y []float64, peaks []int) bool {
	if len(peaks) == 0 {
		return false
	}
	h := msToSamples(fiducialMs, InternalRateHz)
	e.pos, e.neg = e.pos[:0], e.neg[:0]
	for _, p := range peaks {
		lo, hi := max(0, p-h), min(len(y), p+h+1)
		// math.Max and math.Min folded over the window, without their
		// calls: the same values, NaN and -0 included.
		mx, mn := 0.0, 0.0
		nan := false
		for _, v := range y[lo:hi] {
			if v > mx {
				mx = v
			} else if v != v {
				nan = true
			}
			if v < mn || (v == mn && math.Signbit(v)) {
				mn = v
			}
		}
		if nan { // math.Max/Min: ±Inf wins over NaN, NaN over the rest
			if !math.IsInf(mx, 1) {
				mx = math.NaN()
			}
			if !math.IsInf(mn, -1) {
				mn = math.NaN()
			}
		}
		e.pos = append(e.pos, mx)
		e.neg = append(e.neg, -mn)
	}
	slices.Sort(e.pos)
	slices.Sort(e.neg)
	if median(e.neg) > invertedRatio*median(e.pos) {
		for i := range y {
			y[i] = -y[i]
		}
		return true
	}
	return false
}

// fiducials moves each detection onto the largest sample of y within
// ±fiducialMs, dropping duplicates, and returns them in dst's storage.
func (e *Extractor) fiducials(dst []int, y []float64, peaks []int) []int {
	dst = dst[:0]
	h := msToSamples(fiducialMs, InternalRateHz)
	for _, p := range peaks {
		lo, hi := max(0, p-h), min(len(y), p+h+1)
		best := p
		for k := lo; k < hi; k++ {
			if y[k] > y[best] {
				best = k
			}
		}
		if k := len(dst); k > 0 && best <= dst[k-1] {
			continue
		}
		dst = append(dst, best)
	}
	return dst
}

// goodRRFeatures recomputes the strongest RR-irregularity measures on the
// intervals between beats whose QRS matches the template (correlation ≥
// corrLowMax, measured by morphology): a false detection on noise or an
// artefact breaks the sequence instead of adding a spurious interval. AF
// beats are conducted normally and keep their morphology, so AF's
// irregularity survives while noise-made irregularity does not (the idea of
// beat-quality-weighted RR analysis; Li, Clifford & Mark 2008; Oster &
// Clifford, "Impact of the presence of noise on RR interval-based atrial
// fibrillation detection", J Electrocardiol 48(6), 2015).
func (e *Extractor) goodRRFeatures(f []float64) {
	f[fGoodRRFrac], f[fRMSSDGoodNorm], f[fMADdRRGoodNorm], f[fPNN50Good], f[fTPRGood], f[fCOSEnGood] = 0, 0, 0, 0, 0, 0
	peaks, beats, corrs := e.peaks, e.ms.beats, e.ms.corrQRS
	e.good = e.good[:0]
	bi := 0
	for _, p := range peaks {
		for bi < len(beats) && beats[bi] < p {
			bi++
		}
		ok := bi < len(beats) && beats[bi] == p && corrs[bi] >= corrLowMax
		e.good = append(e.good, ok)
	}
	e.rrGood, e.dGood = e.rrGood[:0], e.dGood[:0]
	run := 0 // good intervals in the current contiguous run
	var tp, nTP, nn50 int
	var sq float64
	for k := 1; k < len(peaks); k++ {
		if !e.good[k-1] || !e.good[k] {
			run = 0
			continue
		}
		v := e.rr[k-1]
		if m := len(e.rrGood); run >= 1 {
			d := v - e.rrGood[m-1]
			e.dGood = append(e.dGood, math.Abs(d))
			sq += d * d
			if math.Abs(d) > 50 {
				nn50++
			}
			if run >= 2 {
				a, b := e.rrGood[m-2], e.rrGood[m-1]
				if (b > a && b > v) || (b < a && b < v) {
					tp++
				}
				nTP++
			}
		}
		e.rrGood = append(e.rrGood, v)
		run++
	}
	if len(e.rr) > 0 {
		f[fGoodRRFrac] = float64(len(e.rrGood)) / float64(len(e.rr))
	}
	if len(e.rrGood) == 0 {
		return
	}
	mean, _ := meanStd(e.rrGood)
	f[fCOSEnGood] = sampleEntropy(e.rrGood, 1, cosenToleranceMs) +
		math.Log(2*cosenToleranceMs/1000.0) - math.Log(mean/1000)
	if nd := len(e.dGood); nd > 0 {
		f[fRMSSDGoodNorm] = math.Sqrt(sq/float64(nd)) / mean
		f[fPNN50Good] = float64(nn50) / float64(nd)
		slices.Sort(e.dGood)
		f[fMADdRRGoodNorm] = median(e.dGood) / mean
	}
	if nTP > 0 {
		f[fTPRGood] = float64(tp) / float64(nTP)
	}
}
