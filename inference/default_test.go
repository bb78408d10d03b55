package inference

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/internal/benchcpu"
	"github.com/afscan/afscan/model"
)

// The embedded model loads, matches the pipeline's features and calls clean
// synthetic strips sensibly end to end.
//
// Verifies: SRS-CLS-005, SRS-CLS-006
func TestNewDefault(t *testing.T) {
	c, err := NewDefault()
	if err != nil {
		t.Fatalf("NewDefault: %v", err)
	}
	if got := c.Model(); got.SHA256 != model.SHA256() || got.Name != model.Name || got.Version != model.Version {
		t.Errorf("got model info %+v", got)
	}
	// Synthetic strips are out of the training distribution (CinC), so
	// only the AF/not-AF distinction is asserted on them.
	tests := []struct {
		name   string
		s      synth
		wantAF bool
	}{
		{"sinus 70 bpm", synth{rateHz: 300, durationS: 30, rrMs: irregularRR(857, 0.04, 31), pAmpMV: 0.12, noiseMV: 0.03, seed: 31}, false},
		{"irregular, no P waves", synth{rateHz: 300, durationS: 30, rrMs: irregularRR(650, 0.35, 32), fwaveMV: 0.04, noiseMV: 0.02, seed: 32}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.Classify(context.Background(), record(tc.s))
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for _, p := range r.Probabilities {
				sum += p
			}
			if math.Abs(sum-1) > 1e-6 {
				t.Errorf("probabilities sum to %v", sum)
			}
			t.Logf("%s: %s %v", tc.name, r.Rhythm, r.Probabilities)
			if (r.Rhythm == ecg.RhythmAF) != tc.wantAF {
				t.Errorf("got %s, want AF: %v", r.Rhythm, tc.wantAF)
			}
		})
	}
}

// The embedded model on real strips of the train split it was fitted on
// (every 25th record): a smoke test of the whole chain, not a performance
// figure (the validation harness measures that on the tune fold).
//
// Verifies: SRS-CLS-005, SRS-CLS-006
func TestNewDefaultCinCTrain(t *testing.T) {
	dir, names, labels := cincTrainRecords(t)
	c, err := NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	var n, agree int
	for i := 0; i < len(names); i += 25 {
		rec, err := ecg.ReadRecord(filepath.Join(dir, names[i]))
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.Classify(context.Background(), rec)
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		n++
		if r.Rhythm.CinCLabel() == labels[i] {
			agree++
		}
	}
	if acc := float64(agree) / float64(n); acc < 0.8 {
		t.Errorf("agreement with the reference on %d train records %.2f, want ≥ 0.8", n, acc)
	}
}

// BenchmarkClassifyDefault is the whole call with the embedded ONNX model on
// a 30 s strip at 300 Hz: resample, filter, QRS, features, model.
func BenchmarkClassifyDefault(b *testing.B) {
	c, err := NewDefault()
	if err != nil {
		b.Fatal(err)
	}
	rec := record(synth{rateHz: 300, durationS: 30, rrMs: irregularRR(700, 0.3, 2), noiseMV: 0.02, seed: 2})
	ctx := context.Background()
	b.ReportAllocs()
	start := benchcpu.Start()
	for b.Loop() {
		if _, err := c.Classify(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	benchcpu.Report(b, start)
}
