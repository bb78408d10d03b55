package inference

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/afscan/afscan/ecg"
)

// Model maps one feature vector (aligned with FeatureNames) to the four
// class probabilities in ecg.Rhythms order (N, A, O, ~). probs has length 4.
// Implementations must be safe for concurrent use; inference/onnx's Model
// satisfies this interface.
type Model interface {
	Predict(probs, features []float32) error
}

// Errors of New.
var (
	// ErrNilModel: New was given no model.
	ErrNilModel = errors.New("inference: nil model")
	// ErrFeatureMismatch: the model was trained on other features than
	// FeatureNames lists.
	ErrFeatureMismatch = errors.New("inference: model feature names differ from the pipeline's")
	// ErrBadOptions: an Options value is out of range.
	ErrBadOptions = errors.New("inference: invalid options")
)

// Defaults of Options.
const (
	// DefaultWindow and DefaultHop cut input longer than DefaultMaxWhole
	// into 30 s windows: the median CinC 2017 strip length, and the
	// duration that defines a clinical AF episode (2020 ESC guidelines,
	// Hindricks et al., Eur Heart J 42, 2021).
	DefaultWindow = 30 * time.Second
	DefaultHop    = 30 * time.Second
	// DefaultMaxWhole is the longest input analysed as one window: CinC
	// 2017 strips, on which the model is trained, are up to 61 s long.
	DefaultMaxWhole = 61 * time.Second
)

// Options configures a Classifier. Zero fields take the defaults.
type Options struct {
	// Window and Hop cut input longer than MaxWhole into analysis windows.
	Window, Hop time.Duration
	// MaxWhole is the longest input classified as a single window.
	MaxWhole time.Duration
	// MinSignalQuality is the quality index below which a window is
	// inconclusive with ReasonNoise (default DefaultMinSignalQuality;
	// negative disables the check).
	MinSignalQuality float64
	// MinAFWindows is the number of consecutive windows called AF that
	// make the whole recording AF (default 1: one 30 s window, the
	// clinical episode length). Raising it trades sensitivity for
	// specificity on long recordings, where single-window errors add up.
	MinAFWindows int
	// AFThreshold, when positive, calls AF whenever P(AF) ≥ AFThreshold and
	// otherwise the most probable of the other labels (the operating point
	// chosen by the trainer for AF-vs-rest specificity, ONNX metadata
	// "af_threshold"). Zero calls the most probable label.
	AFThreshold float64
}

func (o Options) withDefaults() (Options, error) {
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.Hop == 0 {
		o.Hop = o.Window
	}
	if o.MaxWhole == 0 {
		o.MaxWhole = DefaultMaxWhole
	}
	if o.MinSignalQuality == 0 {
		o.MinSignalQuality = DefaultMinSignalQuality
	}
	if o.MinAFWindows == 0 {
		o.MinAFWindows = 1
	}
	switch {
	case o.Window < MinCallableDuration:
		return o, fmt.Errorf("%w: window %v shorter than %v", ErrBadOptions, o.Window, MinCallableDuration)
	case o.Hop < 0 || o.Hop > o.Window:
		return o, fmt.Errorf("%w: hop %v outside (0, window]", ErrBadOptions, o.Hop)
	case o.MaxWhole < o.Window:
		return o, fmt.Errorf("%w: MaxWhole %v shorter than window %v", ErrBadOptions, o.MaxWhole, o.Window)
	case o.AFThreshold < 0 || o.AFThreshold > 1 || math.IsNaN(o.AFThreshold):
		return o, fmt.Errorf("%w: AF threshold %g outside [0, 1]", ErrBadOptions, o.AFThreshold)
	case o.MinAFWindows < 0:
		return o, fmt.Errorf("%w: MinAFWindows %d < 0", ErrBadOptions, o.MinAFWindows)
	case o.MinSignalQuality > 1 || math.IsNaN(o.MinSignalQuality):
		return o, fmt.Errorf("%w: minimum signal quality %g above 1", ErrBadOptions, o.MinSignalQuality)
	}
	return o, nil
}

// Classifier calls the rhythm of ECG strips. It is safe for concurrent use:
// each call borrows an Extractor (scratch buffers) from a pool.
type Classifier struct {
	model Model
	info  ModelInfo
	opts  Options
	idx   []int // pipeline position of each model input; nil: identity
	pool  sync.Pool
}

// featureIndex maps a model's feature names to positions in the pipeline's
// vector.
func featureIndex(names []string) ([]int, error) {
	pos := make(map[string]int, numFeatures)
	for i, n := range featureNames {
		pos[n] = i
	}
	idx := make([]int, len(names))
	for i, n := range names {
		p, ok := pos[n]
		if !ok {
			return nil, fmt.Errorf("%w: the pipeline computes no feature %q", ErrFeatureMismatch, n)
		}
		idx[i] = p
	}
	return idx, nil
}

// New returns a Classifier running m, identified by info. When m reports
// its feature names (a FeatureNames() []string method, as inference/onnx's
// Model has), the Classifier hands it exactly those features, by name and
// in its order, so a model trained on an earlier subset of the pipeline's
// features keeps working; a name the pipeline does not compute is
// ErrFeatureMismatch. A model that does not report names gets the full
// vector in FeatureNames order.
func New(m Model, info ModelInfo, opts Options) (*Classifier, error) {
	if m == nil {
		return nil, ErrNilModel
	}
	var idx []int
	if fn, ok := m.(interface{ FeatureNames() []string }); ok {
		var err error
		if idx, err = featureIndex(fn.FeatureNames()); err != nil {
			return nil, err
		}
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Classifier{model: m, info: info, opts: o, idx: idx}
	c.pool.New = func() any {
		e := NewExtractor()
		e.MinSignalQuality = o.MinSignalQuality
		return &classifyScratch{e: e}
	}
	return c, nil
}

// Model identifies the model the Classifier runs.
func (c *Classifier) Model() ModelInfo { return c.info }

// classifyScratch is what one Classify call borrows from the pool.
type classifyScratch struct {
	e      *Extractor
	x      []float64
	feat32 []float32
}

// window is one analysed stretch and its call.
type window struct {
	call             ecg.Rhythm
	reason           string
	probs            [len(ecg.Rhythms)]float64
	hrBPM            float64
	quality          float64
	dur              time.Duration
	startIdx, endIdx int // at the input rate
}

// Classify calls the rhythm of lead 0 of rec (mV, 125–1000 Hz, at least
// MinDuration). Input that is not a usable ECG returns ErrNoLead,
// ErrUnsupportedRate, ErrSignalTooShort or ErrNonFinite (wrapped). A strip
// that is usable but cannot be called (shorter than MinCallableDuration,
// flat, saturated, or below the quality threshold) is a Result with Rhythm
// inconclusive, Reason set, and all probability on inconclusive; the model
// does not run on it.
//
// Input up to Options.MaxWhole is one window. Longer input is cut into
// Options.Window windows every Options.Hop (the last one ending at the end
// of the input) and aggregated by this rule: the call is AF when
// Options.MinAFWindows consecutive windows (default 1) are AF (a 30 s AF
// episode is clinical AF; ESC 2020), otherwise the most frequent call
// among callable windows other than AF (ties go to other, then normal,
// then inconclusive); when no window is callable it is inconclusive with
// the most frequent reason. Probabilities are the mean
// over callable windows; AFBurden is the fraction of callable windows
// called AF; Episodes lists every window's call; HeartRateBPM and
// SignalQuality are means over the windows weighted by their duration.
func (c *Classifier) Classify(ctx context.Context, rec *ecg.Record) (Result, error) {
	if rec == nil || len(rec.Leads) == 0 {
		return Result{}, ErrNoLead
	}
	raw, fsIn := rec.Leads[0].Samples, rec.SampleRateHz
	if err := validateStrip(raw, fsIn); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	s := c.pool.Get().(*classifyScratch)
	defer c.pool.Put(s)
	s.x = s.e.resample(s.x, raw, fsIn)
	x := s.x
	n := len(x)
	win, hop := c.windowSamples(n)

	var wins []window
	for start := 0; ; start += hop {
		end := min(start+win, n)
		if start > 0 && end-start < win { // last window: align with the end
			start = max(0, n-win)
		}
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		rs := int(math.Round(float64(start) * fsIn / InternalRateHz))
		re := min(len(raw), int(math.Round(float64(end)*fsIn/InternalRateHz)))
		w, err := c.classifyWindow(s, x[start:end], raw[rs:re], fsIn)
		if err != nil {
			return Result{}, err
		}
		w.startIdx, w.endIdx = rs, re
		wins = append(wins, w)
		if end == n {
			break
		}
	}
	r := aggregate(wins, c.opts.MinAFWindows)
	r.Duration = rec.Duration()
	return r, nil
}

// windowSamples returns the window and hop lengths in samples at
// InternalRateHz for an input of n samples.
func (c *Classifier) windowSamples(n int) (win, hop int) {
	if float64(n) <= c.opts.MaxWhole.Seconds()*InternalRateHz {
		return n, n
	}
	return int(c.opts.Window.Seconds() * InternalRateHz), int(c.opts.Hop.Seconds() * InternalRateHz)
}

// classifyWindow analyses one window and, when it is callable, runs the model.
func (c *Classifier) classifyWindow(s *classifyScratch, x, raw []float64, fsIn float64) (window, error) {
	a := s.e.analyze(x, raw, fsIn)
	w := window{hrBPM: a.HeartRateBPM, quality: a.SignalQuality, dur: a.Duration, reason: a.Reason}
	if a.Reason != "" {
		w.call = ecg.RhythmInconclusive
		w.probs[3] = 1
		return w, nil
	}
	nIn := len(a.Features)
	if c.idx != nil {
		nIn = len(c.idx)
	}
	s.feat32 = slices.Grow(s.feat32[:0], nIn)[:nIn]
	for i := range s.feat32 {
		j := i
		if c.idx != nil {
			j = c.idx[i]
		}
		s.feat32[i] = float32(math.Max(-math.MaxFloat32, math.Min(math.MaxFloat32, a.Features[j])))
	}
	var p32 [len(ecg.Rhythms)]float32
	if err := c.model.Predict(p32[:], s.feat32); err != nil {
		return window{}, fmt.Errorf("inference: model: %w", err)
	}
	var sum float64
	for i, v := range p32 {
		p := float64(v)
		if !(p >= 0) || math.IsInf(p, 0) {
			return window{}, fmt.Errorf("inference: model returned probability %v", v)
		}
		w.probs[i] = p
		sum += p
	}
	if sum <= 0 {
		return window{}, errors.New("inference: model returned all-zero probabilities")
	}
	for i := range w.probs {
		w.probs[i] /= sum
	}
	w.call = ecg.Rhythms[callIdx(w.probs[:], c.opts.AFThreshold)]
	return w, nil
}

// callIdx applies the decision rule to probabilities in ecg.Rhythms order:
// AF when tau > 0 and P(AF) ≥ tau, otherwise the most probable label (of
// N, O, ~ when tau > 0; of all four when tau = 0). Ties go to the earlier
// label.
func callIdx(p []float64, tau float64) int {
	const af = 1
	if tau > 0 && p[af] >= tau {
		return af
	}
	best := -1
	for i, v := range p {
		if tau > 0 && i == af {
			continue
		}
		if best < 0 || v > p[best] {
			best = i
		}
	}
	return best
}

// aggregate combines window calls into one Result (rule in Classify);
// minAF consecutive AF windows make the recording AF.
func aggregate(wins []window, minAF int) Result {
	var r Result
	probs := make(map[ecg.Rhythm]float64, len(ecg.Rhythms))
	for _, l := range ecg.Rhythms {
		probs[l] = 0
	}
	var callable, nAF, run, maxRun int
	count := map[ecg.Rhythm]int{}
	reasons := map[string]int{}
	var firstReason []string
	var totDur, hrDur time.Duration
	var sumQ, sumHR float64
	for _, w := range wins {
		totDur += w.dur
		sumQ += w.quality * w.dur.Seconds()
		if w.hrBPM > 0 {
			sumHR += w.hrBPM * w.dur.Seconds()
			hrDur += w.dur
		}
		if w.call == ecg.RhythmAF {
			run++
			maxRun = max(maxRun, run)
		} else {
			run = 0 // an inconclusive window breaks an episode too
		}
		if w.reason != "" {
			if reasons[w.reason] == 0 {
				firstReason = append(firstReason, w.reason)
			}
			reasons[w.reason]++
			continue
		}
		callable++
		count[w.call]++
		if w.call == ecg.RhythmAF {
			nAF++
		}
		for i, l := range ecg.Rhythms {
			probs[l] += w.probs[i]
		}
	}
	if totDur > 0 {
		r.SignalQuality = sumQ / totDur.Seconds()
	}
	if hrDur > 0 {
		r.HeartRateBPM = sumHR / hrDur.Seconds()
	}
	if len(wins) > 1 {
		for _, w := range wins {
			r.Episodes = append(r.Episodes, ecg.Episode{Rhythm: w.call, StartIdx: w.startIdx, EndIdx: w.endIdx})
		}
	}
	if callable == 0 {
		best := firstReason[0]
		for _, rs := range firstReason {
			if reasons[rs] > reasons[best] {
				best = rs
			}
		}
		r.Rhythm, r.Reason = ecg.RhythmInconclusive, best
		probs[ecg.RhythmInconclusive] = 1
		r.Probabilities = probs
		return r
	}
	for l := range probs {
		probs[l] /= float64(callable)
	}
	r.Probabilities = probs
	r.AFBurden = float64(nAF) / float64(callable)
	if nAF > 0 && maxRun >= min(minAF, len(wins)) {
		r.Rhythm = ecg.RhythmAF
		return r
	}
	r.Rhythm = ecg.RhythmOther
	for _, l := range []ecg.Rhythm{ecg.RhythmNormal, ecg.RhythmInconclusive} {
		if count[l] > count[r.Rhythm] {
			r.Rhythm = l
		}
	}
	return r
}
