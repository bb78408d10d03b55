package validation

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

func TestSubgroups(t *testing.T) {
	pred := func(ref int, call ecg.Rhythm, dur time.Duration, hrBPM, quality float64) Prediction {
		return Prediction{Reference: ref, Duration: dur,
			Result: inference.Result{Rhythm: call, HeartRateBPM: hrBPM, SignalQuality: quality}}
	}
	preds := []Prediction{
		pred(ClassA, ecg.RhythmAF, 10*time.Second, 120, 0.9),      // < 20 s, ≥ 100 bpm, ≥ 0.8
		pred(ClassA, ecg.RhythmNormal, 30*time.Second, 100, 0.8),  // 20–40 s, ≥ 100 bpm (100 is in), ≥ 0.8
		pred(ClassN, ecg.RhythmNormal, 20*time.Second, 59.9, 0.5), // 20–40 s, < 60, 0.5–0.8
		pred(ClassN, ecg.RhythmInconclusive, 45*time.Second, 0, 0.1),
		{Reference: ClassO, Err: errors.New("unreadable")}, // unknown everywhere
	}
	type key struct{ dim, band string }
	got := map[key]Subgroup{}
	for _, s := range subgroups(preds) {
		got[key{s.Dimension, s.Band}] = s
	}
	tests := []struct {
		dim, band string
		n, nAF    int
		accuracy  float64
		afSens    float64
		incRate   float64
	}{
		{"strip_length", "< 20 s", 1, 1, 1, 1, 0},
		{"strip_length", "20–40 s", 2, 1, 0.5, 0, 0},
		{"strip_length", "≥ 40 s", 1, 0, 0, nan, 1},
		{"strip_length", "unknown", 1, 0, 0, nan, 1},
		{"heart_rate", "< 60 bpm", 1, 0, 1, nan, 0},
		{"heart_rate", "60–100 bpm", 0, 0, nan, nan, nan},
		{"heart_rate", "≥ 100 bpm", 2, 2, 0.5, 0.5, 0},
		{"heart_rate", "unknown", 2, 0, 0, nan, 1},
		{"signal_quality", "< 0.5", 1, 0, 0, nan, 1},
		{"signal_quality", "0.5–0.8", 1, 0, 1, nan, 0},
		{"signal_quality", "≥ 0.8", 2, 2, 0.5, 0.5, 0},
		{"signal_quality", "unknown", 1, 0, 0, nan, 1},
	}
	for _, tt := range tests {
		s, ok := got[key{tt.dim, tt.band}]
		if !ok {
			t.Errorf("%s %s: missing", tt.dim, tt.band)
			continue
		}
		if s.N != tt.n || s.NAF != tt.nAF || !near(float64(s.Accuracy), tt.accuracy, 1e-12) ||
			!near(float64(s.AFSensitivity), tt.afSens, 1e-12) || !near(float64(s.InconclusiveRate), tt.incRate, 1e-12) {
			t.Errorf("%s %s: got n %d, AF %d, accuracy %v, AF sensitivity %v, inconclusive %v; want %d, %d, %v, %v, %v",
				tt.dim, tt.band, s.N, s.NAF, s.Accuracy, s.AFSensitivity, s.InconclusiveRate, tt.n, tt.nAF, tt.accuracy, tt.afSens, tt.incRate)
		}
	}
	if len(got) != len(tests) {
		t.Errorf("got %d subgroups, want %d", len(got), len(tests))
	}
}

// Verifies: SRS-VAL-007
//
// TestSubgroupsOfWindows: windows of long records get a subgroup per
// source record, in the order the records first appear, and one per
// annotated rhythm, in name order; rows without a source or rhythm are in
// neither.
func TestSubgroupsOfWindows(t *testing.T) {
	window := func(source, rhythm string, ref int, call ecg.Rhythm) Prediction {
		return Prediction{Source: source, Rhythm: rhythm, Reference: ref, Result: inference.Result{Rhythm: call}}
	}
	preds := []Prediction{
		window("207", "(VFL", ClassO, ecg.RhythmOther),
		window("203", "(AFL", ClassO, ecg.RhythmAF),
		window("203", "(AFIB", ClassA, ecg.RhythmAF),
		window("207", "(AFL", ClassO, ecg.RhythmOther),
		window("203", "(AFL", ClassO, ecg.RhythmNormal),
		{Reference: ClassN, Result: inference.Result{Rhythm: ecg.RhythmNormal}}, // a whole record
	}
	type row struct {
		band          string
		n, nAF        int
		accuracy      float64
		afSpecificity float64
	}
	var bySource, byRhythm []row
	for _, s := range subgroups(preds) {
		r := row{s.Band, s.N, s.NAF, float64(s.Accuracy), float64(s.AFSpecificity)}
		switch s.Dimension {
		case "source_record":
			bySource = append(bySource, r)
		case "annotated_rhythm":
			byRhythm = append(byRhythm, r)
		}
	}
	check := func(dim string, got, want []row) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: got %v, want %v", dim, got, want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.band != w.band || g.n != w.n || g.nAF != w.nAF || !near(g.accuracy, w.accuracy, 1e-12) || !near(g.afSpecificity, w.afSpecificity, 1e-12) {
				t.Errorf("%s row %d: got %+v, want %+v", dim, i, g, w)
			}
		}
	}
	check("source_record", bySource, []row{{"207", 2, 0, 1, 1}, {"203", 3, 1, 1.0 / 3, 0.5}})
	// Atrial flutter called AF once in three: AF specificity 2/3 there.
	check("annotated_rhythm", byRhythm, []row{{"(AFIB", 1, 1, 1, nan}, {"(AFL", 3, 0, 1.0 / 3, 2.0 / 3}, {"(VFL", 1, 0, 1, 1}})
}

var nan = math.NaN()
