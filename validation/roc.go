package validation

import (
	"math"
	"sort"
)

// ROCPoint is one point of a ROC curve: calling "positive" every score at or
// above Threshold gives the false and true positive rates FPR and TPR.
type ROCPoint struct {
	Threshold float64 `json:"threshold"`
	FPR       float64 `json:"fpr"`
	TPR       float64 `json:"tpr"`
}

// ROC returns the ROC curve of scores against the binary truth positive,
// from (0,0) to (1,1) with one point per distinct score (tied scores move
// the curve diagonally, as they must), and the area under it by the
// trapezoidal rule, which equals the Mann–Whitney probability that a random
// positive scores above a random negative (ties counting one half).
// NaN scores are not allowed. With no positives or no negatives the AUC is
// NaN and the curve is nil. scores and positive must have equal length.
func ROC(scores []float64, positive []bool) (curve []ROCPoint, auc float64) {
	if len(scores) != len(positive) {
		panic("validation: ROC slices differ in length")
	}
	nPos, nNeg := 0, 0
	for _, p := range positive {
		if p {
			nPos++
		} else {
			nNeg++
		}
	}
	if nPos == 0 || nNeg == 0 {
		return nil, math.NaN()
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	curve = append(curve, ROCPoint{Threshold: math.Inf(1)})
	tp, fp := 0, 0
	for i := 0; i < len(idx); {
		s := scores[idx[i]]
		for ; i < len(idx) && scores[idx[i]] == s; i++ {
			if positive[idx[i]] {
				tp++
			} else {
				fp++
			}
		}
		prev := curve[len(curve)-1]
		pt := ROCPoint{Threshold: s, FPR: float64(fp) / float64(nNeg), TPR: float64(tp) / float64(nPos)}
		auc += (pt.FPR - prev.FPR) * (pt.TPR + prev.TPR) / 2
		curve = append(curve, pt)
	}
	return curve, auc
}

// thinROC returns at most max points of curve, always keeping the first and
// the last, so the report stays small for large data sets. The AUC is
// computed on the full curve before thinning.
func thinROC(curve []ROCPoint, max int) []ROCPoint {
	if len(curve) <= max || max < 2 {
		return curve
	}
	out := make([]ROCPoint, 0, max)
	step := float64(len(curve)-1) / float64(max-1)
	for i := range max {
		out = append(out, curve[int(math.Round(float64(i)*step))])
	}
	return out
}

// CalibrationBin is one bin of a reliability curve.
type CalibrationBin struct {
	Lo            float64 `json:"lo"`
	Hi            float64 `json:"hi"`
	N             int     `json:"n"`
	MeanPredicted Num     `json:"mean_predicted"`
	Observed      Num     `json:"observed"`
	ObservedCI95  [2]Num  `json:"observed_ci95"`
	positives     int
	sum           float64
}

// Calibration returns the reliability curve of probabilities p against the
// binary truth positive over nBins equal-width bins of [0, 1] (the last bin
// includes 1), with the Wilson interval of each bin's observed frequency,
// the expected calibration error (bin-size-weighted mean |observed −
// predicted|) and the Brier score (mean squared error of p). Probabilities
// outside [0, 1] are clamped.
func Calibration(p []float64, positive []bool, nBins int) (bins []CalibrationBin, ece, brier float64) {
	if len(p) != len(positive) {
		panic("validation: Calibration slices differ in length")
	}
	bins = make([]CalibrationBin, nBins)
	for i := range bins {
		bins[i].Lo = float64(i) / float64(nBins)
		bins[i].Hi = float64(i+1) / float64(nBins)
	}
	if len(p) == 0 {
		for i := range bins {
			bins[i].MeanPredicted, bins[i].Observed = Num(math.NaN()), Num(math.NaN())
			bins[i].ObservedCI95 = [2]Num{Num(math.NaN()), Num(math.NaN())}
		}
		return bins, math.NaN(), math.NaN()
	}
	for i, v := range p {
		v = math.Min(1, math.Max(0, v))
		b := min(int(v*float64(nBins)), nBins-1)
		bins[b].N++
		bins[b].sum += v
		y := 0.0
		if positive[i] {
			bins[b].positives++
			y = 1
		}
		brier += (v - y) * (v - y)
	}
	brier /= float64(len(p))
	for i := range bins {
		b := &bins[i]
		b.MeanPredicted = Num(ratioF(b.sum, b.N))
		b.Observed = Num(ratio(b.positives, b.N))
		lo, hi := Wilson(b.positives, b.N)
		b.ObservedCI95 = [2]Num{Num(lo), Num(hi)}
		if b.N > 0 {
			ece += float64(b.N) / float64(len(p)) * math.Abs(float64(b.Observed)-float64(b.MeanPredicted))
		}
	}
	return bins, ece, brier
}

func ratioF(num float64, den int) float64 {
	if den == 0 {
		return math.NaN()
	}
	return num / float64(den)
}
