package ec57_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/validation/ec57"
)

// ann builds an annotation; sub is the subtype (NOISE shutdown bits).
func ann(idx int64, code ecg.AnnotationCode, sub int8) ecg.Annotation {
	return ecg.Annotation{SampleIdx: idx, Code: code, Subtype: sub}
}

func beats(code ecg.AnnotationCode, idx ...int64) []ecg.Annotation {
	out := make([]ecg.Annotation, len(idx))
	for i, t := range idx {
		out[i] = ann(t, code, 0)
	}
	return out
}

// Each expected result below was derived by hand by stepping through
// bxb's main loop, getref/gettest, rpann/tpann and pair (WFDB app/bxb.c,
// revision with the 2002 match refinement) on the same annotations.
//
// Verifies: SRS-QRS-003
func TestCompareBxbRules(t *testing.T) {
	N := ecg.CodeNormal
	opts := func(window, start, end int64) ec57.Options {
		return ec57.Options{MatchWindowIdx: window, StartIdx: start, EndIdx: end}
	}
	tests := []struct {
		name       string
		ref, test  []ecg.Annotation
		opts       ec57.Options
		tp, fn, fp int64
		check      func(t *testing.T, r *ec57.Result)
	}{
		{
			name: "identical",
			ref:  beats(N, 1000, 2000, 3000), test: beats(N, 1000, 2000, 3000),
			opts: opts(54, 0, 4000), tp: 3,
		},
		{
			name: "window edge: 54 samples match, 55 do not",
			ref:  beats(N, 1000, 2000), test: beats(N, 1054, 2055),
			opts: opts(54, 0, 4000), tp: 1, fn: 1, fp: 1,
		},
		{
			name: "missed and extra beats",
			ref:  beats(N, 1000, 2000, 3000), test: beats(N, 1000, 1500, 3000, 3400),
			opts: opts(54, 0, 4000), tp: 2, fn: 1, fp: 2,
		},
		{
			// getref stops at T=1010; gettest leaves t=990 (last before the
			// start) with t'=2005; T-t=20 < |T-t'| and ≤ window, so the
			// learning-period beat 990 pairs with 1010. The beat at 500 is
			// in the learning period and never counted.
			name: "learning period: last test beat before the start matches",
			ref:  beats(N, 500, 1010, 2000), test: beats(N, 990, 2005),
			opts: opts(54, 1000, 3000), tp: 2,
		},
		{
			// No match for the first reference beat from before the start;
			// the first test beat after it (1020) is within one window of
			// the start and t'=1090 is closer to T=1100, so 1020 is skipped
			// uncounted: no false positive.
			name: "learning period: first test beat skipped",
			ref:  beats(N, 1100), test: beats(N, 1020, 1090),
			opts: opts(54, 1000, 3000), tp: 1,
		},
		{
			// bxb's 2002 example (window 37): test1-ref1 = ref2-test1 = 32,
			// but |test2-ref2| = 25 < 32, so ref1/test1 and ref2/test2 pair.
			name: "2002 refinement: two of each inside one window",
			ref:  beats(N, 96, 160), test: beats(N, 128, 185),
			opts: opts(37, 0, 300), tp: 2,
		},
		{
			name: "end of record: beats after it are not scored",
			ref:  beats(N, 360, 1800), test: beats(N, 360, 990, 1500, 1800),
			opts: opts(54, 0, 1000), tp: 1, fp: 1,
		},
		{
			name: "unknown record length: stops at the last reference beat",
			ref:  beats(N, 360), test: beats(N, 360, 900),
			opts: opts(54, 0, 0), tp: 1,
		},
		{
			// Reference annotations inside VFON..VFOFF are skipped; test
			// beats there get rpann '*' and are not counted.
			name: "reference VF excluded",
			ref: []ecg.Annotation{ann(360, N, 0), ann(600, ecg.CodeVFOn, 0), ann(700, ecg.CodeFlWave, 0),
				ann(800, ecg.CodeFlWave, 0), ann(1000, ecg.CodeVFOff, 0), ann(1440, N, 0)},
			test: beats(N, 360, 700, 850, 1440),
			opts: opts(54, 0, 2000), tp: 2,
		},
		{
			// NOISE with subtype bits 0x30 starts a shutdown, the next
			// NOISE without them ends it; an extra test beat inside pairs
			// with X (counted as a false positive, in the X row).
			name: "reference shutdown: extra test beat is X",
			ref: []ecg.Annotation{ann(360, N, 0), ann(500, ecg.CodeNoise, 0x30), ann(900, ecg.CodeNoise, 0),
				ann(1440, N, 0)},
			test: beats(N, 360, 700, 1440),
			opts: opts(54, 0, 2000), tp: 2, fp: 1,
			check: func(t *testing.T, r *ec57.Result) {
				if got := r.Counts[ec57.ClassX][ec57.ClassN]; got != 1 {
					t.Errorf("Xn = %d, want 1", got)
				}
			},
		},
		{
			// A test shutdown turns the missed reference beat into N/X and
			// tallies 700 samples of shutdown.
			name: "test shutdown: missed reference beat is X",
			ref:  beats(N, 360, 800, 1440),
			test: []ecg.Annotation{ann(360, N, 0), ann(500, ecg.CodeNoise, 0x30), ann(1200, ecg.CodeNoise, 0x10),
				ann(1440, N, 0)},
			opts: opts(54, 0, 2000), tp: 2, fn: 1,
			check: func(t *testing.T, r *ec57.Result) {
				if got := r.Counts[ec57.ClassN][ec57.ClassX]; got != 1 {
					t.Errorf("Nx = %d, want 1", got)
				}
				if r.ShutdownIdx != 700 {
					t.Errorf("shutdown %d samples, want 700", r.ShutdownIdx)
				}
			},
		},
		{
			name: "noise without the shutdown bits changes nothing",
			ref:  []ecg.Annotation{ann(360, N, 0), ann(500, ecg.CodeNoise, 0x01), ann(900, ecg.CodeNoise, 0), ann(1440, N, 0)},
			test: beats(N, 360, 700, 1440),
			opts: opts(54, 0, 2000), tp: 2, fp: 1,
			check: func(t *testing.T, r *ec57.Result) {
				if got := r.Counts[ec57.ClassO][ec57.ClassN]; got != 1 {
					t.Errorf("On = %d, want 1", got)
				}
			},
		},
		{
			name: "paced, paced fusion and unclassifiable beats are Q and scored",
			ref:  []ecg.Annotation{ann(360, ecg.CodePace, 0), ann(720, ecg.CodePFus, 0), ann(1080, ecg.CodeUnknown, 0)},
			test: beats(N, 360, 1080),
			opts: opts(54, 0, 2000), tp: 2, fn: 1,
			check: func(t *testing.T, r *ec57.Result) {
				if r.Counts[ec57.ClassQ][ec57.ClassN] != 2 || r.Counts[ec57.ClassQ][ec57.ClassO] != 1 {
					t.Errorf("Qn %d Qo %d, want 2 and 1", r.Counts[ec57.ClassQ][ec57.ClassN], r.Counts[ec57.ClassQ][ec57.ClassO])
				}
			},
		},
		{
			// isqrs counts '!' as a beat but amap maps it to O: outside VF a
			// test beat on it is a false positive and missing it costs nothing.
			name: "flutter wave outside VF maps to O",
			ref:  []ecg.Annotation{ann(360, ecg.CodeFlWave, 0), ann(720, ecg.CodeFlWave, 0)},
			test: beats(N, 360),
			opts: opts(54, 0, 2000), fp: 1,
		},
		{
			name: "non-beat annotations are ignored",
			ref: []ecg.Annotation{ann(100, ecg.CodeRhythm, 0), ann(360, N, 0), ann(400, ecg.CodeTWave, 0),
				ann(720, ecg.CodePVC, 0), ann(800, ecg.CodeArtifact, 0)},
			test: []ecg.Annotation{ann(360, N, 0), ann(500, ecg.CodeNote, 0), ann(720, N, 0)},
			opts: opts(54, 0, 2000), tp: 2,
			check: func(t *testing.T, r *ec57.Result) {
				if r.Counts[ec57.ClassV][ec57.ClassN] != 1 {
					t.Errorf("Vn = %d, want 1", r.Counts[ec57.ClassV][ec57.ClassN])
				}
			},
		},
		{
			name: "no test beats",
			ref:  beats(N, 360, 720), test: nil,
			opts: opts(54, 0, 2000), fn: 2,
		},
		{
			name: "no reference beats",
			ref:  nil, test: beats(N, 360, 720),
			opts: opts(54, 0, 2000), fp: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ec57.Compare(tc.ref, tc.test, tc.opts)
			if r.TP() != tc.tp || r.FN() != tc.fn || r.FP() != tc.fp {
				t.Errorf("got TP %d FN %d FP %d, want TP %d FN %d FP %d", r.TP(), r.FN(), r.FP(), tc.tp, tc.fn, tc.fp)
			}
			if tc.check != nil {
				tc.check(t, &r)
			}
		})
	}
}

func TestDefaultOptions(t *testing.T) {
	tests := []struct {
		rateHz          float64
		window, startAt int64
	}{
		{360, 54, 108000},
		{250, 38, 75000}, // 37.5 rounds up, as strtim does
		{128, 19, 38400},
		{1000, 150, 300000},
	}
	for _, tc := range tests {
		o := ec57.DefaultOptions(tc.rateHz, 650000)
		if o.MatchWindowIdx != tc.window || o.StartIdx != tc.startAt || o.EndIdx != 650000 {
			t.Errorf("%g Hz: got %+v, want window %d start %d end 650000", tc.rateHz, o, tc.window, tc.startAt)
		}
	}
}

func TestStatistics(t *testing.T) {
	var r ec57.Result
	if !math.IsNaN(r.Sensitivity()) || !math.IsNaN(r.PositivePredictivity()) {
		t.Errorf("empty result: Se %v +P %v, want NaN", r.Sensitivity(), r.PositivePredictivity())
	}
	r.Counts[ec57.ClassN][ec57.ClassN] = 98
	r.Counts[ec57.ClassV][ec57.ClassO] = 2
	r.Counts[ec57.ClassO][ec57.ClassN] = 1
	var g ec57.Result
	g.Add(&r)
	g.Add(&r)
	if g.TP() != 196 || g.FN() != 4 || g.FP() != 2 {
		t.Errorf("gross TP %d FN %d FP %d, want 196 4 2", g.TP(), g.FN(), g.FP())
	}
	if se := g.Sensitivity(); math.Abs(se-0.98) > 1e-12 {
		t.Errorf("Se %v, want 0.98", se)
	}
	if ppv := g.PositivePredictivity(); math.Abs(ppv-196.0/198) > 1e-12 {
		t.Errorf("+P %v, want %v", ppv, 196.0/198)
	}
}

func TestClassOf(t *testing.T) {
	tests := []struct {
		code       ecg.AnnotationCode
		sveb       bool
		want       ec57.Class
		wantIsBeat bool
	}{
		{ecg.CodeNormal, false, ec57.ClassN, true},
		{ecg.CodeAPC, false, ec57.ClassN, true},
		{ecg.CodeAPC, true, ec57.ClassS, true},
		{ecg.CodeRonT, false, ec57.ClassV, true},
		{ecg.CodeFusion, false, ec57.ClassF, true},
		{ecg.CodeLearn, false, ec57.ClassQ, true},
		{ecg.CodeFlWave, false, ec57.ClassO, true},
		{ecg.CodeNoise, false, ec57.ClassO, false},
		{ecg.CodeNAPC, false, ec57.ClassO, false},
	}
	for _, tc := range tests {
		if got := ec57.ClassOf(tc.code, tc.sveb); got != tc.want {
			t.Errorf("ClassOf(%v, %v) = %v, want %v", tc.code, tc.sveb, got, tc.want)
		}
		if got := ecg.IsBeat(tc.code); got != tc.wantIsBeat {
			t.Errorf("IsBeat(%v) = %v, want %v", tc.code, got, tc.wantIsBeat)
		}
	}
}

func ExampleCompare() {
	ref := beats(ecg.CodeNormal, 108100, 108460, 108820, 109180)
	test := beats(ecg.CodeNormal, 108105, 108455, 109000, 109190)
	r := ec57.Compare(ref, test, ec57.DefaultOptions(360, 650000))
	fmt.Printf("TP %d FN %d FP %d Se %.1f%% +P %.1f%%\n", r.TP(), r.FN(), r.FP(), 100*r.Sensitivity(), 100*r.PositivePredictivity())
	// Output: TP 3 FN 1 FP 1 Se 75.0% +P 75.0%
}
