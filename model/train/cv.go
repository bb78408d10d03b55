package train

import (
	"context"
	"fmt"
	"math"
)

// StratifiedFolds assigns each of the labels to one of k folds: within each
// class the rows are shuffled with a SplitMix64 generator seeded by seed and
// dealt round-robin, so every fold holds about 1/k of every class.
func StratifiedFolds(y []int, k int, seed uint64) []int {
	fold := make([]int, len(y))
	rng := splitMix64{state: seed ^ 0x5f01d}
	for c := 0; c < nClasses; c++ {
		var idx []int
		for i, v := range y {
			if v == c {
				idx = append(idx, i)
			}
		}
		for i := len(idx) - 1; i > 0; i-- {
			j := rng.intN(i + 1)
			idx[i], idx[j] = idx[j], idx[i]
		}
		for n, i := range idx {
			fold[i] = n % k
		}
	}
	return fold
}

// CVResult holds the out-of-fold raw scores of one parameter set at each
// checkpoint round.
type CVResult struct {
	Params      Params
	Checkpoints []int
	// OOF[k][row] are the raw class scores of row at Checkpoints[k], from
	// the model that did not see row.
	OOF [][][]float64
}

// CrossValidate fits p on k−1 folds and scores the held-out fold, for every
// fold, recording raw scores at the checkpoints (ascending, last ≤
// p.Rounds). Folds run one after the other; each fit uses one goroutine per
// class.
func CrossValidate(ctx context.Context, d *Dataset, p Params, folds []int, k int, checkpoints []int) (*CVResult, error) {
	res := &CVResult{Params: p, Checkpoints: checkpoints, OOF: make([][][]float64, len(checkpoints))}
	for c := range res.OOF {
		res.OOF[c] = make([][]float64, len(d.Y))
	}
	for f := 0; f < k; f++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var trainIdx, testIdx []int
		for i, v := range folds {
			if v == f {
				testIdx = append(testIdx, i)
			} else {
				trainIdx = append(trainIdx, i)
			}
		}
		pf := p
		pf.Seed = p.Seed + uint64(f+1)*0x9e37
		_, scores, err := Fit(d.Subset(trainIdx), pf, d.Subset(testIdx), checkpoints)
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", f, err)
		}
		for c := range checkpoints {
			for j, i := range testIdx {
				res.OOF[c][i] = scores[c][j]
			}
		}
	}
	return res, nil
}

// Argmax returns the index of the largest value (the first on ties).
func Argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// ConfusionOf tallies argmax calls of scores against y.
func ConfusionOf(y []int, scores [][]float64) Confusion {
	var c Confusion
	for i, s := range scores {
		c.Add(y[i], Argmax(s))
	}
	return c
}

// LogLoss is the mean negative log-likelihood of y under softmax(raw/T).
func LogLoss(y []int, raw [][]float64, temperature float64) float64 {
	p := make([]float64, nClasses)
	var sum float64
	for i, r := range raw {
		onnxSoftmax(p, r, temperature)
		sum -= math.Log(math.Max(p[y[i]], 1e-15))
	}
	return sum / float64(len(raw))
}

// FitTemperature finds the temperature in [0.2, 5] minimising LogLoss by
// golden-section search on log T (Guo et al., ICML 2017).
func FitTemperature(y []int, raw [][]float64) float64 {
	lo, hi := math.Log(0.2), math.Log(5)
	phi := (math.Sqrt(5) - 1) / 2
	a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
	fa, fb := LogLoss(y, raw, math.Exp(a)), LogLoss(y, raw, math.Exp(b))
	for i := 0; i < 60; i++ {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - phi*(hi-lo)
			fa = LogLoss(y, raw, math.Exp(a))
		} else {
			lo, a, fa = a, b, fb
			b = lo + phi*(hi-lo)
			fb = LogLoss(y, raw, math.Exp(b))
		}
	}
	return math.Round(math.Exp((lo+hi)/2)*1e6) / 1e6
}

// Checkpoints returns every step-th round up to rounds (always including
// rounds).
func Checkpoints(rounds, step int) []int {
	var out []int
	for r := step; r < rounds; r += step {
		out = append(out, r)
	}
	return append(out, rounds)
}

// bestCheckpoint returns the index of the checkpoint with the highest CinC
// score (ties: lower log loss, then fewer rounds).
func bestCheckpoint(y []int, res *CVResult) (int, Confusion) {
	best, bestScore, bestLoss := -1, -1.0, math.Inf(1)
	var bestConf Confusion
	for k := range res.Checkpoints {
		c := ConfusionOf(y, res.OOF[k])
		s := math.Round(c.CinCScore()*1e9) / 1e9
		l := LogLoss(y, res.OOF[k], 1)
		if s > bestScore || (s == bestScore && l < bestLoss) {
			best, bestScore, bestLoss, bestConf = k, s, l, c
		}
	}
	return best, bestConf
}

// bootstrapResamples is the number of record resamples behind the standard
// error of a cross-validated CinC score.
const bootstrapResamples = 200

// cincStdErr returns the bootstrap standard error of the CinC score of the
// out-of-fold scores oof (records resampled with replacement, fixed seed).
func cincStdErr(y []int, oof [][]float64) float64 {
	pred := make([]int, len(y))
	for i, s := range oof {
		pred[i] = Argmax(s)
	}
	rng := splitMix64{state: 2017}
	var sum, sumSq float64
	for b := 0; b < bootstrapResamples; b++ {
		var c Confusion
		for range y {
			i := rng.intN(len(y))
			c[y[i]][pred[i]]++
		}
		v := c.CinCScore()
		sum += v
		sumSq += v * v
	}
	mean := sum / bootstrapResamples
	return math.Sqrt(max(0, sumSq/bootstrapResamples-mean*mean))
}

// oneSECheckpoint applies the one-standard-error rule (Breiman et al.,
// Classification and Regression Trees, 1984; Hastie, Tibshirani and
// Friedman, ESL §7.10): the fewest rounds whose CV CinC score is within one
// bootstrap standard error of the best checkpoint's. Fewer trees cost less
// at run time and overfit less; a difference smaller than the standard
// error is not evidence that more trees classify better.
func oneSECheckpoint(y []int, res *CVResult) (k, best int, stdErr float64) {
	best, conf := bestCheckpoint(y, res)
	stdErr = cincStdErr(y, res.OOF[best])
	floor := conf.CinCScore() - stdErr
	for k := range res.Checkpoints {
		if c := ConfusionOf(y, res.OOF[k]); c.CinCScore() >= floor {
			return k, best, stdErr
		}
	}
	return best, best, stdErr
}
