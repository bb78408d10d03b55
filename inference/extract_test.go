package inference

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/afscan/afscan/ecg"
)

func feature(t *testing.T, a Analysis, name string) float64 {
	t.Helper()
	for i, n := range FeatureNames() {
		if n == name {
			return a.Features[i]
		}
	}
	t.Fatalf("no feature %q", name)
	return 0
}

func extract(t *testing.T, s synth) Analysis {
	t.Helper()
	a, err := NewExtractor().Extract(context.Background(), s.samples(), s.rateHz)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return a
}

// Verifies: SRS-CLS-004
func TestFeatureNamesUnique(t *testing.T) {
	names := FeatureNames()
	if len(names) < 40 || len(names) > 90 {
		t.Errorf("got %d features, want 40–90", len(names))
	}
	seen := map[string]bool{}
	for i, n := range names {
		if n == "" {
			t.Errorf("feature %d has no name", i)
		}
		if seen[n] {
			t.Errorf("feature name %q repeated", n)
		}
		seen[n] = true
	}
	names[0] = "changed"
	if FeatureNames()[0] == "changed" {
		t.Error("FeatureNames returned shared storage")
	}
}

// Verifies: SRS-CLS-004
func TestExtractRhythms(t *testing.T) {
	tests := []struct {
		name         string
		s            synth
		wantHR       float64 // mean heart rate, bpm
		hrTol        float64
		irregular    bool // RR-irregularity features above the regular range
		wantPPresent bool
		wantInverted bool
	}{
		{"sinus 75 bpm", synth{rateHz: 300, durationS: 30, rrMs: regularRR(800), pAmpMV: 0.15, noiseMV: 0.01, seed: 1}, 75, 0.5, false, true, false},
		{"sinus 120 bpm at 500 Hz", synth{rateHz: 500, durationS: 20, rrMs: regularRR(500), pAmpMV: 0.15, noiseMV: 0.01, seed: 2}, 120, 1, false, true, false},
		{"brady 45 bpm at 125 Hz", synth{rateHz: 125, durationS: 40, rrMs: regularRR(1333.3), pAmpMV: 0.15, noiseMV: 0.01, seed: 3}, 45, 0.5, false, true, false},
		{"inverted sinus", synth{rateHz: 250, durationS: 30, rrMs: regularRR(900), pAmpMV: 0.15, noiseMV: 0.01, invert: true, seed: 4}, 66.7, 0.5, false, true, true},
		{"AF-like irregular", synth{rateHz: 300, durationS: 30, rrMs: irregularRR(700, 0.35, 5), fwaveMV: 0.05, noiseMV: 0.01, seed: 5}, 85.7, 8, true, false, false},
		{"irregular at 1000 Hz", synth{rateHz: 1000, durationS: 15, rrMs: irregularRR(600, 0.35, 6), noiseMV: 0.01, seed: 6}, 100, 10, true, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := extract(t, tc.s)
			if a.Reason != "" {
				t.Fatalf("got reason %q, want callable", a.Reason)
			}
			if math.Abs(a.HeartRateBPM-tc.wantHR) > tc.hrTol {
				t.Errorf("got heart rate %.2f bpm, want %.1f ± %.1f", a.HeartRateBPM, tc.wantHR, tc.hrTol)
			}
			if a.Inverted != tc.wantInverted {
				t.Errorf("got inverted %v, want %v", a.Inverted, tc.wantInverted)
			}
			if a.SignalQuality < 0.9 {
				t.Errorf("got signal quality %.2f for a clean strip, want ≥ 0.9", a.SignalQuality)
			}
			rmssd, tpr, mad := feature(t, a, "rmssd_norm"), feature(t, a, "tpr"), feature(t, a, "mad_drr_norm")
			if tc.irregular {
				if rmssd < 0.1 || mad < 0.05 || tpr < 0.4 {
					t.Errorf("irregular strip: got rmssd_norm %.3f, mad_drr_norm %.3f, tpr %.2f; want > 0.1, > 0.05, > 0.4", rmssd, mad, tpr)
				}
			} else if rmssd > 0.02 || mad > 0.02 {
				t.Errorf("regular strip: got rmssd_norm %.3f, mad_drr_norm %.3f; want < 0.02", rmssd, mad)
			}
			if p := feature(t, a, "p_present_frac"); (p > 0.8) != tc.wantPPresent {
				t.Errorf("got p_present_frac %.2f, want P waves present: %v", p, tc.wantPPresent)
			}
			if w := feature(t, a, "qrs_width_ms"); w < 40 || w > 120 {
				t.Errorf("got QRS width %.0f ms, want 40–120 ms", w)
			}
		})
	}
}

// Verifies: SRS-CLS-004
func TestEctopyFeatures(t *testing.T) {
	// Trigeminy-free bigeminy: short–long alternation.
	bigeminy := synth{rateHz: 300, durationS: 30, rrMs: func(i int) float64 {
		if i%2 == 0 {
			return 550
		}
		return 950
	}, pAmpMV: 0.15, noiseMV: 0.01, seed: 7}
	a := extract(t, bigeminy)
	if got := feature(t, a, "rr_acf1"); got > -0.8 {
		t.Errorf("bigeminy: got rr_acf1 %.2f, want < -0.8", got)
	}
	if got := feature(t, a, "bigeminy_frac"); got < 0.8 {
		t.Errorf("bigeminy: got bigeminy_frac %.2f, want > 0.8", got)
	}
	if got := feature(t, a, "prem_comp_frac"); got < 0.3 {
		t.Errorf("bigeminy: got prem_comp_frac %.2f, want > 0.3", got)
	}
	// Ectopy inflates RMSSD but not the median successive difference as much
	// as AF does; the ectopy-cleaned RMSSD stays low.
	if got := feature(t, a, "rmssd_clean_norm"); got > 0.1 {
		t.Errorf("bigeminy: got rmssd_clean_norm %.2f, want < 0.1", got)
	}
}

// Verifies: SRS-CLS-002, SRS-CLS-003
func TestExtractGating(t *testing.T) {
	flat := make([]float64, 300*20)
	// A motion artefact shifts the baseline by 4 mV for a third of the
	// strip and drives the amplifier into its ±2 mV rail.
	clipped := synth{rateHz: 360, durationS: 20, rrMs: regularRR(800), pAmpMV: 0.15, noiseMV: 0.01, seed: 8}.samples()
	for i := range clipped {
		if i > len(clipped)/3 && i < 2*len(clipped)/3 {
			clipped[i] += 4
		}
		clipped[i] = math.Max(-2, math.Min(2, clipped[i]))
	}
	rng := rand.New(rand.NewPCG(9, 9))
	noise := make([]float64, 300*30)
	for i := range noise {
		noise[i] = rng.NormFloat64()
	}
	short := synth{rateHz: 300, durationS: 5, rrMs: regularRR(800), pAmpMV: 0.15, noiseMV: 0.01, seed: 10}.samples()
	tests := []struct {
		name       string
		x          []float64
		rateHz     float64
		wantReason string
		maxQuality float64
	}{
		{"flat line", flat, 300, ReasonFlatLine, 0.01},
		{"stuck at the rail", clipped, 360, ReasonSaturated, 1},
		{"white noise", noise, 300, ReasonNoise, DefaultMinSignalQuality},
		{"5 s strip", short, 300, ReasonTooShort, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewExtractor().Extract(context.Background(), tc.x, tc.rateHz)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if a.Reason != tc.wantReason {
				t.Errorf("got reason %q, want %q", a.Reason, tc.wantReason)
			}
			if a.SignalQuality < 0 || a.SignalQuality > tc.maxQuality {
				t.Errorf("got signal quality %.3f, want in [0, %.2f]", a.SignalQuality, tc.maxQuality)
			}
			for i, v := range a.Features {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("feature %s = %v", FeatureNames()[i], v)
				}
			}
		})
	}
}

// Verifies: SRS-CLS-001
func TestExtractInputErrors(t *testing.T) {
	good := synth{rateHz: 300, durationS: 10, rrMs: regularRR(800), seed: 1}.samples()
	withNaN := append([]float64(nil), good...)
	withNaN[100] = math.NaN()
	withInf := append([]float64(nil), good...)
	withInf[5] = math.Inf(-1)
	tests := []struct {
		name   string
		x      []float64
		rateHz float64
		want   error
	}{
		{"100 Hz", good, 100, ErrUnsupportedRate},
		{"1001 Hz", good, 1001, ErrUnsupportedRate},
		{"NaN rate", good, math.NaN(), ErrUnsupportedRate},
		{"1.5 s", good[:450], 300, ErrSignalTooShort},
		{"empty", nil, 300, ErrSignalTooShort},
		{"NaN sample", withNaN, 300, ErrNonFinite},
		{"infinite sample", withInf, 300, ErrNonFinite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewExtractor().Extract(context.Background(), tc.x, tc.rateHz)
			if !errors.Is(err, tc.want) {
				t.Errorf("got error %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := Features(context.Background(), &ecg.Record{SampleRateHz: 300}); !errors.Is(err, ErrNoLead) {
		t.Errorf("no lead: got %v, want ErrNoLead", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewExtractor().Extract(ctx, good, 300); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v, want context.Canceled", err)
	}
}

// The same strip sampled at different rates gives close features: the
// pipeline resamples to one internal rate first.
//
// Verifies: SRS-CLS-001
func TestResamplingInvariance(t *testing.T) {
	base := synth{durationS: 30, rrMs: irregularRR(750, 0.2, 12), pAmpMV: 0.12, noiseMV: 0.005, seed: 12}
	tol := map[string]float64{ // absolute tolerances
		"hr_mean_bpm": 0.5, "rmssd_norm": 0.01, "mad_drr_norm": 0.01, "pnn50": 0.05, "tpr": 0.05,
		"qrs_width_ms": 10, "r_amp_mv": 0.05, "p_amp_rel": 0.03, "pr_ms": 10, "corr_qrs_mean": 0.02, "t_amp_rel": 0.03,
		"sqi": 0.05, "kurtosis": 1.5,
	}
	ref := func() Analysis { s := base; s.rateHz = 300; return extract(t, s) }()
	for _, rate := range []float64{250, 500, 1000, 128} {
		s := base
		s.rateHz = rate
		a := extract(t, s)
		for name, d := range tol {
			if got, want := feature(t, a, name), feature(t, ref, name); math.Abs(got-want) > d {
				t.Errorf("%g Hz: got %s %.4g, want %.4g ± %g (300 Hz value)", rate, name, got, want, d)
			}
		}
	}
}

// Verifies: SRS-CLS-004
func TestExtractDeterministicAndReusable(t *testing.T) {
	e := NewExtractor()
	long := synth{rateHz: 300, durationS: 60, rrMs: irregularRR(650, 0.3, 13), noiseMV: 0.02, seed: 13}.samples()
	short := synth{rateHz: 500, durationS: 12, rrMs: regularRR(1000), pAmpMV: 0.1, seed: 14}.samples()
	a1, _ := e.Extract(context.Background(), long, 300)
	f1 := append([]float64(nil), a1.Features...)
	_, _ = e.Extract(context.Background(), short, 500)
	a2, _ := e.Extract(context.Background(), long, 300)
	for i := range f1 {
		if f1[i] != a2.Features[i] {
			t.Errorf("feature %s: got %v after reuse, want %v", FeatureNames()[i], a2.Features[i], f1[i])
		}
	}
	rec := &ecg.Record{SampleRateHz: 300, Leads: []ecg.Lead{{Samples: long}}}
	a3, err := Features(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f1 {
		if f1[i] != a3.Features[i] {
			t.Errorf("Features vs Extractor: feature %s got %v, want %v", FeatureNames()[i], a3.Features[i], f1[i])
		}
	}
}

// Verifies: SRS-CLS-004
func TestFeaturesFiniteOnOddInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	step := make([]float64, 3000)
	for i := range step {
		if i > 1500 {
			step[i] = 5
		}
	}
	spikes := make([]float64, 3000)
	for i := 0; i < len(spikes); i += 37 {
		spikes[i] = 3
	}
	ramp := make([]float64, 4000)
	for i := range ramp {
		ramp[i] = float64(i) * 1e-3
	}
	huge := make([]float64, 3000)
	for i := range huge {
		huge[i] = 1e12 * rng.NormFloat64()
	}
	tiny := make([]float64, 3000)
	for i := range tiny {
		tiny[i] = 1e-12 * rng.NormFloat64()
	}
	for name, x := range map[string][]float64{"step": step, "spikes": spikes, "ramp": ramp, "huge": huge, "tiny": tiny} {
		a, err := NewExtractor().Extract(context.Background(), x, 300)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for i, v := range a.Features {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: feature %s = %v", name, FeatureNames()[i], v)
			}
		}
		if a.SignalQuality < 0 || a.SignalQuality > 1 {
			t.Errorf("%s: quality %v outside [0, 1]", name, a.SignalQuality)
		}
	}
}

// Verifies: SRS-CLS-004
func TestPrematureBeatMorphology(t *testing.T) {
	base := synth{rateHz: 300, durationS: 40, rrMs: regularRR(850), pAmpMV: 0.15, noiseMV: 0.01, seed: 41, ectopyEvery: 4}
	pvc, pac := base, base
	pvc.wideEctopy = true
	tests := []struct {
		name             string
		s                synth
		wantPVC, wantPAC bool
	}{
		{"sinus", synth{rateHz: 300, durationS: 40, rrMs: regularRR(850), pAmpMV: 0.15, noiseMV: 0.01, seed: 41}, false, false},
		{"PVC-like ectopy", pvc, true, false},
		{"PAC-like ectopy", pac, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := extract(t, tc.s)
			pv, pa, pl := feature(t, a, "pvc_frac"), feature(t, a, "pac_frac"), feature(t, a, "prem_local_frac")
			if (pv > 0.1) != tc.wantPVC || (pa > 0.1) != tc.wantPAC {
				t.Errorf("got pvc_frac %.2f, pac_frac %.2f; want PVC %v, PAC %v", pv, pa, tc.wantPVC, tc.wantPAC)
			}
			if want := tc.wantPVC || tc.wantPAC; (pl > 0.1) != want {
				t.Errorf("got prem_local_frac %.2f, want premature beats %v", pl, want)
			}
		})
	}
}

// Artefact spikes detected as beats make the RR series irregular; the
// features on template-matching beats only stay regular.
//
// Verifies: SRS-CLS-004
func TestGoodRRFeaturesIgnoreArtefacts(t *testing.T) {
	a := extract(t, synth{rateHz: 300, durationS: 30, rrMs: regularRR(900), pAmpMV: 0.15, noiseMV: 0.01, spikesPerS: 0.3, seed: 42})
	all, good := feature(t, a, "rmssd_norm"), feature(t, a, "rmssd_good_norm")
	if all < 0.1 {
		t.Fatalf("got rmssd_norm %.3f: the artefacts were not detected as beats, the test needs stronger ones", all)
	}
	if good > 0.03 {
		t.Errorf("got rmssd_good_norm %.3f with rmssd_norm %.3f, want < 0.03", good, all)
	}
	if f := feature(t, a, "good_rr_frac"); f > 0.9 || f < 0.3 {
		t.Errorf("got good_rr_frac %.2f, want 0.3–0.9", f)
	}
}

// The quality index falls as noise rises.
//
// Verifies: SRS-CLS-003
func TestSignalQualityFallsWithNoise(t *testing.T) {
	prev := 2.0
	for _, tc := range []struct {
		noiseMV    float64
		minQ, maxQ float64
	}{
		{0.01, 0.9, 1},
		{0.1, 0.5, 1},
		{0.5, 0, 0.6},
		{2, 0, 0.3},
	} {
		var q float64
		for seed := range uint64(3) { // average a few noise draws
			q += extract(t, synth{rateHz: 300, durationS: 30, rrMs: regularRR(800), pAmpMV: 0.15, noiseMV: tc.noiseMV, seed: 50 + seed}).SignalQuality / 3
		}
		if q < tc.minQ || q > tc.maxQ {
			t.Errorf("noise %.2f mV: got quality %.2f, want %.2f–%.2f", tc.noiseMV, q, tc.minQ, tc.maxQ)
		}
		if q > prev+0.02 {
			t.Errorf("noise %.2f mV: quality %.2f above %.2f at less noise", tc.noiseMV, q, prev)
		}
		prev = q
	}
}

// The template samples follow the synthetic beat: P wave 160 ms before R,
// T wave 280 ms after it, baseline in between.
//
// Verifies: SRS-CLS-004
func TestTemplateSamples(t *testing.T) {
	a := extract(t, synth{rateHz: 500, durationS: 20, rrMs: regularRR(1000), pAmpMV: 0.2, noiseMV: 0.005, seed: 60})
	for _, tc := range []struct {
		name   string
		lo, hi float64
	}{
		{"tmpl_m180ms_rel", 0.08, 0.25}, // on the P wave (0.2 / 1.2 at its peak)
		{"tmpl_m60ms_rel", -0.08, 0.08}, // PR segment
		{"tmpl_p240ms_rel", 0.1, 0.3},   // rising T wave (0.3 / 1.2 at its peak)
		{"tmpl_p400ms_rel", -0.05, 0.1}, // after the T wave
	} {
		if got := feature(t, a, tc.name); got < tc.lo || got > tc.hi {
			t.Errorf("got %s %.3f, want %.2f–%.2f", tc.name, got, tc.lo, tc.hi)
		}
	}
}
