package validation

import (
	"math"
	"testing"
)

// handCase is a confusion matrix whose figures were computed by hand
// (rows reference, columns call, order N A O ~):
//
//	N: 50  2  5 3   (60)
//	A:  1 18  1 0   (20)
//	O:  6  2 20 2   (30)
//	~:  1  0  1 3   ( 5)
//	  (58)(22)(27)(8)  115
var handCase = Confusion{
	{50, 2, 5, 3},
	{1, 18, 1, 0},
	{6, 2, 20, 2},
	{1, 0, 1, 3},
}

func near(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol
}

// Verifies: SRS-VAL-001
func TestOneVsRestAndAFBinary(t *testing.T) {
	c := handCase
	tests := []struct {
		name string
		got  Counts
		want Counts
	}{
		{"N one-vs-rest", c.OneVsRest(ClassN), Counts{TP: 50, FN: 10, FP: 8, TN: 47}},
		{"A one-vs-rest", c.OneVsRest(ClassA), Counts{TP: 18, FN: 2, FP: 4, TN: 91}},
		{"O one-vs-rest", c.OneVsRest(ClassO), Counts{TP: 20, FN: 10, FP: 7, TN: 78}},
		{"~ one-vs-rest", c.OneVsRest(ClassNo), Counts{TP: 3, FN: 2, FP: 5, TN: 105}},
		// Inconclusive excluded: only the N/A/O × N/A/O block counts.
		{"AF binary", c.AFBinary(), Counts{TP: 18, FN: 2, FP: 4, TN: 50 + 5 + 6 + 20}},
		// Intention to diagnose: ~ calls of N/A/O records count as wrong
		// (A→~ 0 more FN; N→~ 3 and O→~ 2 more FP); the ~ row stays out.
		{"AF intention to diagnose", c.AFIntentToDiagnose(), Counts{TP: 18, FN: 2, FP: 4 + 3 + 2, TN: 81}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %+v, want %+v", tt.got, tt.want)
			}
		})
	}
	af := c.AFBinary()
	figs := []struct {
		name      string
		got, want float64
	}{
		{"sensitivity", af.Sensitivity(), 18.0 / 20},
		{"specificity", af.Specificity(), 81.0 / 85},
		{"ppv", af.PPV(), 18.0 / 22},
		{"f1", af.F1(), 36.0 / 42},
		{"undefined sensitivity", Counts{TN: 5}.Sensitivity(), math.NaN()},
		{"undefined ppv", Counts{FN: 5}.PPV(), math.NaN()},
	}
	for _, f := range figs {
		if !near(f.got, f.want, 1e-12) {
			t.Errorf("%s: got %v, want %v", f.name, f.got, f.want)
		}
	}
}

// Verifies: SRS-VAL-003
func TestCinC2017Score(t *testing.T) {
	c := handCase
	// score2017Challenge.m: F1x = 2*AA(x,x)/(sum(AA(x,:))+sum(AA(:,x))).
	want := map[int]float64{
		ClassN:  2 * 50.0 / (60 + 58),
		ClassA:  2 * 18.0 / (20 + 22),
		ClassO:  2 * 20.0 / (30 + 27),
		ClassNo: 2 * 3.0 / (5 + 8),
	}
	for k, w := range want {
		if got := c.ChallengeF1(k); !near(got, w, 1e-12) {
			t.Errorf("F1 %s: got %v, want %v", Labels[k], got, w)
		}
		if got := c.OneVsRest(k).F1(); !near(got, w, 1e-12) {
			t.Errorf("one-vs-rest F1 %s: got %v, want %v", Labels[k], got, w)
		}
	}
	// Final score: mean of N, A, O only; noise does not enter the mean.
	score := (100.0/118 + 36.0/42 + 40.0/57) / 3
	if got := c.CinC2017Score(); !near(got, score, 1e-12) {
		t.Errorf("score: got %.15f, want %.15f", got, score)
	}
	if got := c.CinC2017Score(); !near(got, 0.80211829007547, 1e-12) {
		t.Errorf("score: got %.10f, want 0.80211829007547", got)
	}
	// A perfect answer scores 1; the noise row does not matter.
	perfect := Confusion{{5}, {0, 3}, {0, 0, 4}, {0, 0, 0, 2}}
	if got := perfect.CinC2017Score(); got != 1 {
		t.Errorf("perfect: got %v, want 1", got)
	}
	// Calling everything noise scores 0 (a missing answer counts as noise).
	var allNoise Confusion
	allNoise[ClassN][ClassNo], allNoise[ClassA][ClassNo], allNoise[ClassO][ClassNo] = 5, 3, 4
	if got := allNoise.CinC2017Score(); got != 0 {
		t.Errorf("all noise: got %v, want 0", got)
	}
}

// Verifies: SRS-VAL-002
func TestWilson(t *testing.T) {
	// Reference values: statsmodels 0.13.5,
	// statsmodels.stats.proportion.proportion_confint(x, n, alpha=0.05, method="wilson").
	tests := []struct {
		x, n   int
		lo, hi float64
	}{
		{0, 10, 0.0, 0.27753279986288926},
		{1, 10, 0.017876213095072924, 0.40415002679523854},
		{5, 10, 0.23659309051256394, 0.7634069094874361},
		{10, 10, 0.7224672001371106, 1.0},
		{81, 263, 0.2552885198782742, 0.36620957698280004},
		{98, 100, 0.929988209271456, 0.9944980324498376},
		{630, 644, 0.9638428599708694, 0.9870070611214653},
		{1, 1, 0.2065493143772374, 1.0},
	}
	for _, tt := range tests {
		lo, hi := Wilson(tt.x, tt.n)
		if !near(lo, tt.lo, 1e-12) || !near(hi, tt.hi, 1e-12) {
			t.Errorf("Wilson(%d, %d): got [%.15f, %.15f], want [%.15f, %.15f]", tt.x, tt.n, lo, hi, tt.lo, tt.hi)
		}
	}
	if lo, hi := Wilson(0, 0); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("Wilson(0, 0): got [%v, %v], want NaN", lo, hi)
	}
}

// Verifies: SRS-VAL-002
func TestBootstrapCI(t *testing.T) {
	// 1000 records, 800 correct: the bootstrap distribution of accuracy is
	// close to normal, so the percentile interval must be close to the Wald
	// interval 0.8 ± 1.96·sqrt(0.8·0.2/1000) = [0.7752, 0.8248].
	cells := make([]uint8, 1000)
	for i := range cells {
		if i < 800 {
			cells[i] = ClassN*nClasses + ClassN
		} else {
			cells[i] = ClassN*nClasses + ClassO
		}
	}
	acc := func(c *Confusion) float64 { return float64(c[ClassN][ClassN]) / float64(c.Total()) }
	ci := BootstrapCI(cells, []Statistic{acc}, 2000, 1)[0]
	half := z975 * math.Sqrt(0.8*0.2/1000)
	if !near(ci[0], 0.8-half, 0.006) || !near(ci[1], 0.8+half, 0.006) {
		t.Errorf("accuracy CI: got %v, want about [%.4f, %.4f]", ci, 0.8-half, 0.8+half)
	}
	// Reproducible with the same seed, different with another.
	again := BootstrapCI(cells, []Statistic{acc}, 2000, 1)[0]
	if again != ci {
		t.Errorf("same seed: got %v then %v", ci, again)
	}
	other := BootstrapCI(cells, []Statistic{acc}, 2000, 2)[0]
	if other == ci {
		t.Errorf("seeds 1 and 2 gave the same interval %v", ci)
	}
	// Undefined in every resample → NaN bounds.
	never := BootstrapCI(cells, []Statistic{func(*Confusion) float64 { return math.NaN() }}, 10, 1)[0]
	if !math.IsNaN(never[0]) || !math.IsNaN(never[1]) {
		t.Errorf("undefined statistic: got %v, want NaN", never)
	}
}

func TestQuantile(t *testing.T) {
	// numpy.quantile([1, 2, 3, 4, 5], q) (default linear / type 7).
	v := []float64{1, 2, 3, 4, 5}
	for _, tt := range []struct{ q, want float64 }{{0, 1}, {0.025, 1.1}, {0.5, 3}, {0.975, 4.9}, {1, 5}} {
		if got := quantile(v, tt.q); !near(got, tt.want, 1e-12) {
			t.Errorf("quantile(%v): got %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestROC(t *testing.T) {
	// Reference: scikit-learn 1.2.1 roc_auc_score(y, s) = 0.8333333333333334
	// (20 of 24 positive–negative pairs ordered right, ties counting ½).
	s := []float64{0.9, 0.8, 0.8, 0.7, 0.6, 0.4, 0.4, 0.3, 0.2, 0.1}
	y := []bool{true, true, false, true, false, true, false, false, false, false}
	curve, auc := ROC(s, y)
	if !near(auc, 0.8333333333333334, 1e-12) {
		t.Errorf("AUC: got %v, want 0.8333333333333334", auc)
	}
	first, last := curve[0], curve[len(curve)-1]
	if first.FPR != 0 || first.TPR != 0 || last.FPR != 1 || last.TPR != 1 {
		t.Errorf("curve ends: got %+v … %+v, want (0,0) … (1,1)", first, last)
	}
	// One point per distinct score plus the origin.
	if len(curve) != 9 {
		t.Errorf("got %d points, want 9", len(curve))
	}
	if _, auc := ROC([]float64{0.1, 0.2}, []bool{true, true}); !math.IsNaN(auc) {
		t.Errorf("no negatives: got AUC %v, want NaN", auc)
	}
	// Perfect separation and perfect inversion.
	if _, auc := ROC([]float64{0.9, 0.8, 0.2}, []bool{true, true, false}); auc != 1 {
		t.Errorf("separable: got %v, want 1", auc)
	}
	if _, auc := ROC([]float64{0.1, 0.2, 0.9}, []bool{true, true, false}); auc != 0 {
		t.Errorf("inverted: got %v, want 0", auc)
	}
}

func TestCalibration(t *testing.T) {
	s := []float64{0.9, 0.8, 0.8, 0.7, 0.6, 0.4, 0.4, 0.3, 0.2, 0.1}
	y := []bool{true, true, false, true, false, true, false, false, false, false}
	bins, ece, brier := Calibration(s, y, 10)
	// Reference: scikit-learn 1.2.1 brier_score_loss(y, s) = 0.18.
	if !near(brier, 0.18, 1e-12) {
		t.Errorf("Brier: got %v, want 0.18", brier)
	}
	// Bin [0.8, 0.9): two strips at 0.8, one AF → observed 0.5.
	b := bins[8]
	if b.N != 2 || !near(float64(b.Observed), 0.5, 1e-12) || !near(float64(b.MeanPredicted), 0.8, 1e-12) {
		t.Errorf("bin 8: got %+v", b)
	}
	// 1.0 falls in the last bin, not past it.
	bins, _, _ = Calibration([]float64{1}, []bool{true}, 10)
	if bins[9].N != 1 {
		t.Errorf("p=1: got bin counts %v", bins)
	}
	// ECE by hand: bins 1,2,3,6,7,9 have one strip each, 4 and 8 two.
	// |0-.1|+|0-.2|+|0-.3|+2|.5-.4|+|0-.6|+|1-.7|+2|.5-.8|+|1-.9| = 2.4 → /10.
	if !near(ece, 0.24, 1e-12) {
		t.Errorf("ECE: got %v, want 0.24", ece)
	}
}
