package inference

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/afscan/afscan/ecg"
)

// rrModel is a fake Model: AF when the normalised RMSSD is high, normal
// otherwise. It counts its calls and is safe for concurrent use.
type rrModel struct {
	calls atomic.Int64
	names []string // reported by FeatureNames when non-nil
	err   error
}

var _ Model = (*rrModel)(nil)

func (m *rrModel) Predict(probs, features []float32) error {
	m.calls.Add(1)
	if m.err != nil {
		return m.err
	}
	if len(probs) != 4 || len(features) != int(numFeatures) {
		return errors.New("bad lengths")
	}
	if features[fRMSSDNorm] > 0.1 {
		copy(probs, []float32{0.05, 0.85, 0.05, 0.05})
	} else {
		copy(probs, []float32{0.7, 0.05, 0.2, 0.05})
	}
	return nil
}

type namedModel struct {
	rrModel
}

func (m *namedModel) FeatureNames() []string { return m.names }

func record(s synth) *ecg.Record {
	return &ecg.Record{Name: "synthetic", SampleRateHz: s.rateHz, Leads: []ecg.Lead{{Name: "ECG", Units: "mV", Samples: s.samples()}}}
}

func newTestClassifier(t testing.TB, m Model, opts Options) *Classifier {
	t.Helper()
	c, err := New(m, ModelInfo{Name: "fake", Version: "0", SHA256: "00"}, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// Verifies: SRS-CLS-002, SRS-CLS-006
func TestClassifySingleWindow(t *testing.T) {
	tests := []struct {
		name       string
		rec        *ecg.Record
		want       ecg.Rhythm
		wantReason string
		wantCalls  int64
		wantHR     float64
	}{
		{"sinus", record(synth{rateHz: 500, durationS: 30, rrMs: regularRR(750), pAmpMV: 0.15, noiseMV: 0.01, seed: 1}), ecg.RhythmNormal, "", 1, 80},
		{"irregular", record(synth{rateHz: 300, durationS: 30, rrMs: irregularRR(600, 0.35, 2), noiseMV: 0.01, seed: 2}), ecg.RhythmAF, "", 1, 100},
		{"too short", record(synth{rateHz: 300, durationS: 6, rrMs: regularRR(750), pAmpMV: 0.15, noiseMV: 0.01, seed: 3}), ecg.RhythmInconclusive, ReasonTooShort, 0, 80},
		{"flat", &ecg.Record{SampleRateHz: 250, Leads: []ecg.Lead{{Samples: make([]float64, 250*20)}}}, ecg.RhythmInconclusive, ReasonFlatLine, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &rrModel{}
			c := newTestClassifier(t, m, Options{})
			r, err := c.Classify(context.Background(), tc.rec)
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			if r.Rhythm != tc.want || r.Reason != tc.wantReason {
				t.Errorf("got %s (%q), want %s (%q)", r.Rhythm, r.Reason, tc.want, tc.wantReason)
			}
			if got := m.calls.Load(); got != tc.wantCalls {
				t.Errorf("model ran %d times, want %d", got, tc.wantCalls)
			}
			var sum float64
			for _, l := range ecg.Rhythms {
				p, ok := r.Probabilities[l]
				if !ok || p < 0 || p > 1 {
					t.Errorf("probability of %s: %v, %v", l, p, ok)
				}
				sum += p
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("probabilities sum to %v, want 1", sum)
			}
			if math.Abs(r.HeartRateBPM-tc.wantHR) > 3 {
				t.Errorf("got heart rate %.1f bpm, want %.0f", r.HeartRateBPM, tc.wantHR)
			}
			if want := tc.rec.Duration(); r.Duration != want {
				t.Errorf("got duration %v, want %v", r.Duration, want)
			}
			if r.Episodes != nil {
				t.Errorf("single window: got %d episodes, want none", len(r.Episodes))
			}
		})
	}
}

// A 10-minute recording, sinus for the first 4 minutes and irregular after,
// is classified in 30 s windows.
//
// Verifies: SRS-CLS-007
func TestClassifyLongInputBurden(t *testing.T) {
	const rateHz = 250
	sinus := synth{rateHz: rateHz, durationS: 240, rrMs: regularRR(800), pAmpMV: 0.15, noiseMV: 0.01, seed: 4}.samples()
	af := synth{rateHz: rateHz, durationS: 360, rrMs: irregularRR(600, 0.35, 5), noiseMV: 0.01, seed: 5}.samples()
	rec := &ecg.Record{SampleRateHz: rateHz, Leads: []ecg.Lead{{Samples: append(sinus, af...)}}}
	m := &rrModel{}
	r, err := newTestClassifier(t, m, Options{}).Classify(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rhythm != ecg.RhythmAF {
		t.Errorf("got %s, want atrial_fibrillation", r.Rhythm)
	}
	if len(r.Episodes) != 20 {
		t.Fatalf("got %d windows, want 20", len(r.Episodes))
	}
	// Windows 0–7 are sinus, 8 straddles nothing (240 s = 8 × 30 s), 8–19 AF.
	var nAF int
	for i, e := range r.Episodes {
		want := ecg.RhythmNormal
		if i >= 8 {
			want = ecg.RhythmAF
			nAF++
		}
		if e.Rhythm != want {
			t.Errorf("window %d: got %s, want %s", i, e.Rhythm, want)
		}
		if e.StartIdx != i*30*rateHz || e.EndIdx != (i+1)*30*rateHz {
			t.Errorf("window %d: got samples [%d, %d), want [%d, %d)", i, e.StartIdx, e.EndIdx, i*30*rateHz, (i+1)*30*rateHz)
		}
	}
	if math.Abs(r.AFBurden-0.6) > 1e-9 {
		t.Errorf("got AF burden %v, want 0.6", r.AFBurden)
	}
	if m.calls.Load() != 20 {
		t.Errorf("model ran %d times, want 20", m.calls.Load())
	}
}

// Verifies: SRS-CLS-007
func TestClassifyLastWindowAlignedToEnd(t *testing.T) {
	rec := record(synth{rateHz: 300, durationS: 75, rrMs: regularRR(800), pAmpMV: 0.15, noiseMV: 0.01, seed: 6})
	r, err := newTestClassifier(t, &rrModel{}, Options{}).Classify(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	n := len(rec.Leads[0].Samples)
	if len(r.Episodes) != 3 {
		t.Fatalf("got %d windows, want 3", len(r.Episodes))
	}
	if last := r.Episodes[2]; last.EndIdx != n || last.StartIdx != n-30*300 {
		t.Errorf("last window [%d, %d), want [%d, %d)", last.StartIdx, last.EndIdx, n-30*300, n)
	}
	if r.Rhythm != ecg.RhythmNormal || r.AFBurden != 0 {
		t.Errorf("got %s with burden %v, want normal with 0", r.Rhythm, r.AFBurden)
	}
}

// Verifies: SRS-CLS-001
func TestClassifyInputErrors(t *testing.T) {
	c := newTestClassifier(t, &rrModel{}, Options{})
	good := synth{rateHz: 300, durationS: 10, rrMs: regularRR(800), seed: 1}.samples()
	nan := append([]float64(nil), good...)
	nan[7] = math.NaN()
	tests := []struct {
		name string
		rec  *ecg.Record
		want error
	}{
		{"nil record", nil, ErrNoLead},
		{"no lead", &ecg.Record{SampleRateHz: 300}, ErrNoLead},
		{"100 Hz", &ecg.Record{SampleRateHz: 100, Leads: []ecg.Lead{{Samples: good}}}, ErrUnsupportedRate},
		{"2000 Hz", &ecg.Record{SampleRateHz: 2000, Leads: []ecg.Lead{{Samples: good}}}, ErrUnsupportedRate},
		{"1 s", &ecg.Record{SampleRateHz: 300, Leads: []ecg.Lead{{Samples: good[:300]}}}, ErrSignalTooShort},
		{"NaN", &ecg.Record{SampleRateHz: 300, Leads: []ecg.Lead{{Samples: nan}}}, ErrNonFinite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.Classify(context.Background(), tc.rec); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	m := &rrModel{err: errors.New("boom")}
	if _, err := newTestClassifier(t, m, Options{}).Classify(context.Background(), record(synth{rateHz: 300, durationS: 20, rrMs: regularRR(800), seed: 1})); err == nil {
		t.Error("model error: got nil, want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Classify(ctx, &ecg.Record{SampleRateHz: 300, Leads: []ecg.Lead{{Samples: good}}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
}

func TestNewErrors(t *testing.T) {
	wrong := &namedModel{}
	wrong.names = []string{"a", "b"}
	right := &namedModel{}
	right.names = FeatureNames()
	subset := &namedModel{}
	subset.names = []string{"rmssd_norm", "hr_mean_bpm"}
	tests := []struct {
		name string
		m    Model
		opts Options
		want error
	}{
		{"nil model", nil, Options{}, ErrNilModel},
		{"unknown feature", wrong, Options{}, ErrFeatureMismatch},
		{"matching names", right, Options{}, nil},
		{"subset of the names", subset, Options{}, nil},
		{"window too short", &rrModel{}, Options{Window: 5 * time.Second}, ErrBadOptions},
		{"hop above window", &rrModel{}, Options{Hop: time.Minute}, ErrBadOptions},
		{"AF threshold 2", &rrModel{}, Options{AFThreshold: 2}, ErrBadOptions},
		{"negative AF windows", &rrModel{}, Options{MinAFWindows: -1}, ErrBadOptions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.m, ModelInfo{}, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	c := newTestClassifier(t, &rrModel{}, Options{})
	if got := c.Model(); got.Name != "fake" {
		t.Errorf("got model %+v", got)
	}
}

// Verifies: SRS-CLS-006
func TestCallIdx(t *testing.T) {
	tests := []struct {
		name string
		p    []float64
		tau  float64
		want int
	}{
		{"argmax normal", []float64{0.5, 0.3, 0.1, 0.1}, 0, 0},
		{"argmax AF", []float64{0.2, 0.5, 0.2, 0.1}, 0, 1},
		{"argmax noise", []float64{0.2, 0.1, 0.2, 0.5}, 0, 3},
		{"AF above threshold though not argmax", []float64{0.5, 0.35, 0.1, 0.05}, 0.3, 1},
		{"AF argmax but below threshold", []float64{0.2, 0.45, 0.3, 0.05}, 0.5, 2},
		{"tie goes to the earlier label", []float64{0.4, 0.1, 0.4, 0.1}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := callIdx(tc.p, tc.tau); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// Verifies: SRS-CLS-007
func TestAggregate(t *testing.T) {
	w := func(call ecg.Rhythm, reason string) window {
		var p [4]float64
		for i, l := range ecg.Rhythms {
			if l == call {
				p[i] = 1
			}
		}
		return window{call: call, reason: reason, probs: p, dur: 30 * time.Second, quality: 0.8, hrBPM: 70}
	}
	N, A, O, I := ecg.RhythmNormal, ecg.RhythmAF, ecg.RhythmOther, ecg.RhythmInconclusive
	tests := []struct {
		name       string
		wins       []window
		want       ecg.Rhythm
		wantReason string
		wantBurden float64
		minAF      int
	}{
		{"one AF window of four makes AF", []window{w(N, ""), w(N, ""), w(A, ""), w(O, "")}, A, "", 0.25, 1},
		{"one AF window is not enough for 2", []window{w(N, ""), w(A, ""), w(N, ""), w(A, "")}, N, "", 0.5, 2},
		{"two consecutive AF windows for 2", []window{w(N, ""), w(A, ""), w(A, ""), w(O, "")}, A, "", 0.5, 2},
		{"a gated window breaks an episode", []window{w(A, ""), w(I, ReasonNoise), w(A, ""), w(O, "")}, O, "", 2.0 / 3, 2},
		{"majority normal", []window{w(N, ""), w(N, ""), w(O, "")}, N, "", 0, 1},
		{"tie goes to other", []window{w(N, ""), w(O, "")}, O, "", 0, 1},
		{"gated windows are left out", []window{w(I, ReasonNoise), w(N, ""), w(I, ReasonNoise)}, N, "", 0, 1},
		{"nothing callable", []window{w(I, ReasonNoise), w(I, ReasonFlatLine), w(I, ReasonFlatLine)}, I, ReasonFlatLine, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := aggregate(tc.wins, tc.minAF)
			if r.Rhythm != tc.want || r.Reason != tc.wantReason || math.Abs(r.AFBurden-tc.wantBurden) > 1e-12 {
				t.Errorf("got %s %q burden %v, want %s %q burden %v", r.Rhythm, r.Reason, r.AFBurden, tc.want, tc.wantReason, tc.wantBurden)
			}
			var sum float64
			for _, p := range r.Probabilities {
				sum += p
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Errorf("probabilities sum to %v", sum)
			}
			if len(r.Episodes) != len(tc.wins) {
				t.Errorf("got %d episodes, want %d", len(r.Episodes), len(tc.wins))
			}
		})
	}
}

// Verifies: SRS-CLS-006
func TestClassifyConcurrent(t *testing.T) {
	c := newTestClassifier(t, &rrModel{}, Options{})
	recs := []*ecg.Record{
		record(synth{rateHz: 300, durationS: 30, rrMs: regularRR(800), pAmpMV: 0.15, noiseMV: 0.01, seed: 1}),
		record(synth{rateHz: 500, durationS: 20, rrMs: irregularRR(600, 0.35, 2), noiseMV: 0.01, seed: 2}),
	}
	want := make([]Result, len(recs))
	for i, r := range recs {
		var err error
		if want[i], err = c.Classify(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 4 {
				i := (g + k) % len(recs)
				got, err := c.Classify(context.Background(), recs[i])
				if err != nil {
					t.Error(err)
					return
				}
				if got.Rhythm != want[i].Rhythm || got.HeartRateBPM != want[i].HeartRateBPM || got.SignalQuality != want[i].SignalQuality {
					t.Errorf("record %d: concurrent result %+v differs from %+v", i, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

// A model that names its inputs gets those features in its order.
//
// Verifies: SRS-CLS-005
func TestClassifyFeatureSubset(t *testing.T) {
	m := &recordingModel{names: []string{"hr_mean_bpm", "rmssd_norm"}}
	c := newTestClassifier(t, m, Options{})
	rec := record(synth{rateHz: 300, durationS: 20, rrMs: regularRR(750), pAmpMV: 0.15, noiseMV: 0.01, seed: 1})
	if _, err := c.Classify(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if len(m.got) != 2 || math.Abs(float64(m.got[0])-80) > 1 || m.got[1] > 0.02 {
		t.Errorf("model got features %v, want [≈80 bpm, ≈0 rmssd]", m.got)
	}
}

type recordingModel struct {
	names []string
	got   []float32
}

func (m *recordingModel) FeatureNames() []string { return m.names }

func (m *recordingModel) Predict(probs, features []float32) error {
	m.got = append(m.got[:0], features...)
	copy(probs, []float32{1, 0, 0, 0})
	return nil
}
