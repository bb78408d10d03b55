package train

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/afscan/afscan/inference/onnx"
)

const nClasses = onnx.NumClasses

// Params are the hyper-parameters of the boosted-tree model.
type Params struct {
	// Rounds is the number of boosting rounds; each adds one tree per class.
	Rounds int
	// Depth of every oblivious tree (1..onnx.MaxDepth).
	Depth int
	// LearningRate shrinks every leaf value (0 < LearningRate ≤ 1).
	LearningRate float64
	// L2 is the leaf-value ridge penalty λ of XGBoost (Chen & Guestrin,
	// KDD 2016).
	L2 float64
	// RowSubsample is the fraction of rows each round sees (stochastic
	// gradient boosting, Friedman 2002); 1 uses all.
	RowSubsample float64
	// FeatureSubsample is the fraction of features each tree may split on.
	FeatureSubsample float64
	// MaxBins bounds the candidate thresholds per feature (2..256).
	MaxBins int
	// ClassWeightPower p weights each class by (n / (4·n_c))^p: 0 leaves
	// the data as is, 1 balances the classes.
	ClassWeightPower float64
	// Seed of the subsampling generator.
	Seed uint64
	// VectorLeaves grows one tree per round whose leaves hold a value per
	// class (CatBoost's MultiClass trees) instead of one tree per class:
	// four times fewer comparisons for the runtime to make.
	VectorLeaves bool
}

// DefaultParams are the hyper-parameters `afscan train` fits; the number of
// rounds up to Rounds is chosen by CV at every run with the one-standard-error
// rule. They are the winner of the SearchGrid cross-validation on the locked
// training fold (best CV CinC score 0.8332 against 0.8252–0.8320 for the
// other candidates, per-class trees 0.8309; MODEL_CARD.md).
func DefaultParams() Params {
	return Params{Rounds: 500, Depth: 5, LearningRate: 0.05, L2: 1, RowSubsample: 0.8,
		FeatureSubsample: 0.8, MaxBins: 64, ClassWeightPower: 0.5, Seed: 1, VectorLeaves: true}
}

func (p Params) validate() error {
	switch {
	case p.Rounds < 1:
		return fmt.Errorf("rounds %d < 1", p.Rounds)
	case p.Depth < 1 || p.Depth > onnx.MaxDepth:
		return fmt.Errorf("depth %d outside 1..%d", p.Depth, onnx.MaxDepth)
	case !(p.LearningRate > 0 && p.LearningRate <= 1):
		return fmt.Errorf("learning rate %v outside (0, 1]", p.LearningRate)
	case !(p.L2 >= 0):
		return fmt.Errorf("L2 %v < 0", p.L2)
	case !(p.RowSubsample > 0 && p.RowSubsample <= 1):
		return fmt.Errorf("row subsample %v outside (0, 1]", p.RowSubsample)
	case !(p.FeatureSubsample > 0 && p.FeatureSubsample <= 1):
		return fmt.Errorf("feature subsample %v outside (0, 1]", p.FeatureSubsample)
	case p.MaxBins < 2 || p.MaxBins > 256:
		return fmt.Errorf("max bins %d outside 2..256", p.MaxBins)
	}
	return nil
}

// binner maps each feature to at most MaxBins bins. Cut k of a feature is a
// value seen in the training data; a sample is in bin b when it is greater
// than exactly b cuts, so "bin > k" is the same test as x > cuts[k] that the
// exported trees make.
type binner struct {
	cuts [][]float32
}

func newBinner(X [][]float32, nFeat, maxBins int) *binner {
	b := &binner{cuts: make([][]float32, nFeat)}
	col := make([]float32, len(X))
	for f := 0; f < nFeat; f++ {
		for i, row := range X {
			col[i] = row[f]
		}
		slices.Sort(col)
		uniq := slices.Compact(slices.Clone(col))
		var cuts []float32
		if len(uniq) <= maxBins {
			cuts = append(cuts, uniq[:len(uniq)-1]...)
		} else {
			for q := 1; q < maxBins; q++ {
				v := col[q*len(col)/maxBins]
				if v < uniq[len(uniq)-1] && (len(cuts) == 0 || v > cuts[len(cuts)-1]) {
					cuts = append(cuts, v)
				}
			}
		}
		b.cuts[f] = cuts
	}
	return b
}

// bin returns the bin of x for feature f: the number of cuts below x.
func (b *binner) bin(f int, x float32) uint8 {
	c := b.cuts[f]
	lo, hi := 0, len(c)
	for lo < hi {
		m := (lo + hi) / 2
		if x > c[m] {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return uint8(lo)
}

// Model is a fitted ensemble plus what the fit saw.
type Model struct {
	Forest *onnx.Forest
	Params Params
}

// Fit trains the boosted trees on d with p. When eval is not nil, evalAt
// lists rounds (ascending, ≤ p.Rounds) at which the raw scores of eval's rows
// are recorded; they are returned as scores[k][row][class].
func Fit(d *Dataset, p Params, eval *Dataset, evalAt []int) (*Model, [][][]float64, error) {
	if err := p.validate(); err != nil {
		return nil, nil, err
	}
	n, nFeat := len(d.X), len(d.FeatureNames)
	if n == 0 {
		return nil, nil, ErrNoRecords
	}
	bn := newBinner(d.X, nFeat, p.MaxBins)
	bins := make([][]uint8, nFeat) // column-major
	for f := range bins {
		bins[f] = make([]uint8, n)
		for i, row := range d.X {
			bins[f][i] = bn.bin(f, row[f])
		}
	}

	// Class weights and the prior as base score.
	var count [nClasses]float64
	for _, y := range d.Y {
		count[y]++
	}
	var cw [nClasses]float64
	for c := range cw {
		if count[c] > 0 {
			cw[c] = math.Pow(float64(n)/(nClasses*count[c]), p.ClassWeightPower)
		}
	}
	w := make([]float64, n)
	var wsum [nClasses]float64
	var wtot float64
	for i, y := range d.Y {
		w[i] = cw[y]
		wsum[y] += w[i]
		wtot += w[i]
	}
	f := &onnx.Forest{FeatureNames: slices.Clone(d.FeatureNames), Depth: p.Depth, Temperature: 1}
	var meanLog float64
	for c := range f.Base {
		f.Base[c] = math.Log((wsum[c] + 1) / (wtot + nClasses))
		meanLog += f.Base[c] / nClasses
	}
	for c := range f.Base {
		f.Base[c] = float64(float32(f.Base[c] - meanLog)) // the ONNX graph's precision
	}

	raw := make([][nClasses]float64, n)
	for i := range raw {
		raw[i] = f.Base
	}
	var evalRaw [][nClasses]float64
	var scores [][][]float64
	if eval != nil {
		evalRaw = make([][nClasses]float64, len(eval.X))
		for i := range evalRaw {
			evalRaw[i] = f.Base
		}
	}
	rng := splitMix64{state: p.Seed}
	g := make([][]float64, nClasses)
	h := make([][]float64, nClasses)
	for c := range g {
		g[c] = make([]float64, n)
		h[c] = make([]float64, n)
	}
	prob := make([]float64, nClasses)
	rows := make([]int, 0, n)
	feats := make([][]int, nClasses)
	nextEval := 0
	for r := 0; r < p.Rounds; r++ {
		rows = rows[:0]
		for i := 0; i < n; i++ {
			if p.RowSubsample >= 1 || rng.float64() < p.RowSubsample {
				rows = append(rows, i)
			}
		}
		for c := range feats {
			feats[c] = sampleFeatures(&rng, nFeat, p.FeatureSubsample)
		}
		for _, i := range rows {
			softmaxInto(prob, raw[i][:])
			for c := 0; c < nClasses; c++ {
				y := 0.0
				if d.Y[i] == c {
					y = 1
				}
				g[c][i] = w[i] * (prob[c] - y)
				h[c][i] = w[i] * math.Max(prob[c]*(1-prob[c]), 1e-6)
			}
		}
		var trees []onnx.Tree
		if p.VectorLeaves {
			trees = []onnx.Tree{growVectorTree(bins, bn, rows, g, h, feats[0], p)}
		} else {
			trees = make([]onnx.Tree, nClasses)
			var wg sync.WaitGroup
			for c := 0; c < nClasses; c++ {
				wg.Add(1)
				go func(c int) {
					defer wg.Done()
					trees[c] = growTree(bins, bn, rows, g[c], h[c], feats[c], p)
					trees[c].Class = c
				}(c)
			}
			wg.Wait()
		}
		for _, t := range trees {
			addTree(raw, d.X, &t)
			addTree(evalRaw, evalX(eval), &t)
		}
		f.Trees = append(f.Trees, trees...)
		for nextEval < len(evalAt) && evalAt[nextEval] == r+1 {
			snap := make([][]float64, len(evalRaw))
			for i := range evalRaw {
				snap[i] = slices.Clone(evalRaw[i][:])
			}
			scores = append(scores, snap)
			nextEval++
		}
	}
	return &Model{Forest: f, Params: p}, scores, nil
}

// addTree adds t's leaf values for the rows of X to their raw scores.
func addTree(raw [][nClasses]float64, X [][]float32, t *onnx.Tree) {
	for i, x := range X {
		t.AddScores(raw[i][:], x)
	}
}

func evalX(eval *Dataset) [][]float32 {
	if eval == nil {
		return nil
	}
	return eval.X
}

func sampleFeatures(rng *splitMix64, nFeat int, frac float64) []int {
	all := make([]int, nFeat)
	for i := range all {
		all[i] = i
	}
	if frac >= 1 {
		return all
	}
	for i := nFeat - 1; i > 0; i-- {
		j := rng.intN(i + 1)
		all[i], all[j] = all[j], all[i]
	}
	k := max(1, int(math.Round(frac*float64(nFeat))))
	sel := all[:k]
	slices.Sort(sel)
	return sel
}

// growTree grows one oblivious tree of depth p.Depth on rows with gradients
// g and hessians h, choosing at each level the (feature, cut) with the
// largest total gain over all current leaves; ties go to the lower feature,
// then the lower cut. A level without any positive gain gets a condition
// that is never true (x > MaxFloat32), so the tree keeps its shape.
func growTree(bins [][]uint8, bn *binner, rows []int, g, h []float64, feats []int, p Params) onnx.Tree {
	t, leaf := growLevels(bins, bn, rows, [][]float64{g}, [][]float64{h}, feats, p)
	t.Leaf = leafValues(leaf, rows, g, h, p)
	return t
}

// growVectorTree grows one oblivious tree for all classes at once: the gain
// of a split is the sum of the per-class gains, and every leaf holds one
// value per class.
func growVectorTree(bins [][]uint8, bn *binner, rows []int, g, h [][]float64, feats []int, p Params) onnx.Tree {
	t, leaf := growLevels(bins, bn, rows, g, h, feats, p)
	t.Class = onnx.AllClasses
	t.Leaf = make([]float32, nClasses<<p.Depth)
	for c := range g {
		for l, v := range leafValues(leaf, rows, g[c], h[c], p) {
			t.Leaf[l*nClasses+c] = v
		}
	}
	return t
}

// growLevels chooses the conditions of an oblivious tree whose split gain
// is summed over the gradient/hessian pairs g[k], h[k], and returns the tree
// (without leaf values) and the leaf of each row.
func growLevels(bins [][]uint8, bn *binner, rows []int, g, h [][]float64, feats []int, p Params) (onnx.Tree, []int32) {
	depth := p.Depth
	t := onnx.Tree{Feature: make([]int32, depth), Threshold: make([]float32, depth)}
	leaf := make([]int32, len(rows))
	hg := make([]float64, 0, (1<<depth)*257)
	hh := make([]float64, 0, (1<<depth)*257)
	gain := make([]float64, 0, 256)
	for d := 0; d < depth; d++ {
		nl := 1 << d
		bestGain, bestF, bestK := 1e-12, -1, -1
		for _, f := range feats {
			nb := len(bn.cuts[f]) + 1
			if nb < 2 {
				continue
			}
			gain = gain[:nb-1]
			clear(gain)
			col := bins[f]
			for k := range g {
				hg = hg[:nl*nb]
				hh = hh[:nl*nb]
				clear(hg)
				clear(hh)
				gk, hk := g[k], h[k]
				for r, i := range rows {
					j := int(leaf[r])*nb + int(col[i])
					hg[j] += gk[i]
					hh[j] += hk[i]
				}
				for l := 0; l < nl; l++ {
					var gt, ht float64
					for b := 0; b < nb; b++ {
						gt += hg[l*nb+b]
						ht += hh[l*nb+b]
					}
					parent := gt * gt / (ht + p.L2)
					var gl, hl float64
					for c := 0; c < nb-1; c++ {
						gl += hg[l*nb+c]
						hl += hh[l*nb+c]
						gr, hr := gt-gl, ht-hl
						gain[c] += gl*gl/(hl+p.L2) + gr*gr/(hr+p.L2) - parent
					}
				}
			}
			for c, v := range gain {
				if v > bestGain {
					bestGain, bestF, bestK = v, f, c
				}
			}
		}
		if bestF < 0 {
			t.Feature[d], t.Threshold[d] = 0, math.MaxFloat32
			for r := range leaf {
				leaf[r] <<= 1
			}
			continue
		}
		t.Feature[d], t.Threshold[d] = int32(bestF), bn.cuts[bestF][bestK]
		col := bins[bestF]
		for r, i := range rows {
			leaf[r] <<= 1
			if int(col[i]) > bestK {
				leaf[r] |= 1
			}
		}
	}
	return t, leaf
}

// leafValues returns the shrunk Newton step −lr·G/(H + λ) of every leaf.
func leafValues(leaf []int32, rows []int, g, h []float64, p Params) []float32 {
	sg := make([]float64, 1<<p.Depth)
	sh := make([]float64, 1<<p.Depth)
	for r, i := range rows {
		sg[leaf[r]] += g[i]
		sh[leaf[r]] += h[i]
	}
	out := make([]float32, len(sg))
	for l := range out {
		out[l] = float32(-p.LearningRate * sg[l] / (sh[l] + p.L2))
	}
	return out
}

// softmaxInto writes softmax(z) into dst.
func softmaxInto(dst, z []float64) {
	onnx.Softmax(dst, z, 1)
}

func onnxSoftmax(dst, z []float64, temperature float64) { onnx.Softmax(dst, z, temperature) }

// SearchGrid is the hyper-parameter grid `afscan train --search`
// cross-validates (rounds are chosen per candidate at checkpoints): depth,
// learning rate and class weighting around DefaultParams, then regularisation
// (L2, feature subsampling) and binning of the winner's neighbourhood.
// The grid is the one whose winner DefaultParams is (its centre used 50%
// feature subsampling).
func SearchGrid() []Params {
	base := DefaultParams()
	base.FeatureSubsample = 0.5
	var out []Params
	for _, c := range [][3]float64{{4, 0.05, 0.5}, {5, 0.05, 0.5}, {6, 0.05, 0.5}, {5, 0.05, 0}, {5, 0.05, 1}, {5, 0.1, 0.5}} {
		p := base
		p.Depth, p.LearningRate, p.ClassWeightPower = int(c[0]), c[1], c[2]
		out = append(out, p)
	}
	for _, c := range []struct {
		l2, cols float64
		bins     int
	}{{5, 0.8, 64}, {1, 0.8, 64}, {1, 0.5, 128}} {
		p := base
		p.L2, p.FeatureSubsample, p.MaxBins = c.l2, c.cols, c.bins
		out = append(out, p)
	}
	p := base
	p.VectorLeaves, p.LearningRate, p.Rounds = false, 0.1, 200
	return append(out, p)
}
