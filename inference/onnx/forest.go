package onnx

import (
	"errors"
	"fmt"
	"math"
)

// NumClasses is the number of model outputs: N, A, O, ~ (ecg.Rhythms order).
const NumClasses = 4

// MaxDepth bounds Forest.Depth: the padded trees hold 2^Depth leaves each.
const MaxDepth = 12

// Tree is one oblivious (symmetric) regression tree of a Forest: all nodes
// of level d test the same condition x[Feature[d]] > Threshold[d], so the
// leaf index is the binary number of the Depth condition bits, level 0 the
// most significant (CatBoost's tree shape; Prokhorenkova et al., NeurIPS
// 2018).
type Tree struct {
	// Class is the output (0..3) this tree's leaf value adds to, or
	// AllClasses for a tree whose leaves hold one value per class.
	Class int
	// Feature holds Depth feature indices, Threshold the matching finite
	// thresholds, in the units of the feature.
	Feature   []int32
	Threshold []float32
	// Leaf holds the leaf values (raw scores, before softmax): 2^Depth of
	// them, or for AllClasses NumClasses per leaf, leaf-major
	// (Leaf[leaf·NumClasses + class]).
	Leaf []float32
}

// AllClasses is the Tree.Class of a tree with a value per class in every
// leaf (the multiclass trees of CatBoost): one tree per boosting round
// instead of one per class, four times fewer comparisons to run.
const AllClasses = -1

// leafCount returns the number of values t.Leaf must hold at depth.
func (t *Tree) leafCount(depth int) int {
	if t.Class == AllClasses {
		return NumClasses << depth
	}
	return 1 << depth
}

// Forest is a gradient-boosted tree ensemble with softmax output. Its Predict
// method is the plain-Go reference forward pass; MarshalONNX compiles the same
// numbers into an ONNX graph.
type Forest struct {
	Name, Version string
	FeatureNames  []string
	// Depth of every tree (1..MaxDepth).
	Depth int
	Trees []Tree
	// Base is the initial raw score of each class, a float32 value like
	// every number the trees hold.
	Base [NumClasses]float64
	// Temperature divides the raw scores before the softmax (temperature
	// scaling, Guo et al., ICML 2017); 1 leaves them unchanged. Must be > 0.
	Temperature float64
	// Meta holds extra metadata_props entries (key, value), written in the
	// given order. Keys must not clash with the ones MarshalONNX writes.
	Meta [][2]string
}

// ErrInvalidForest is returned (wrapped) for a Forest whose fields are
// inconsistent.
var ErrInvalidForest = errors.New("invalid forest")

// Validate checks that f's slices have the lengths its Depth implies, that
// feature indices and classes are in range and numbers are finite.
func (f *Forest) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidForest, fmt.Sprintf(format, a...))
	}
	nf := len(f.FeatureNames)
	if nf == 0 {
		return bad("no features")
	}
	if f.Depth < 1 || f.Depth > MaxDepth {
		return bad("depth %d outside 1..%d", f.Depth, MaxDepth)
	}
	if len(f.Trees) == 0 {
		return bad("no trees")
	}
	if !(f.Temperature > 0) || math.IsInf(f.Temperature, 0) {
		return bad("temperature %v", f.Temperature)
	}
	for _, b := range f.Base {
		if math.IsNaN(b) || math.IsInf(b, 0) || float64(float32(b)) != b {
			return bad("base score %v (must be a finite float32 value)", b)
		}
	}
	nInternal := f.Depth
	for i, t := range f.Trees {
		nLeaf := t.leafCount(f.Depth)
		if t.Class != AllClasses && (t.Class < 0 || t.Class >= NumClasses) {
			return bad("tree %d: class %d", i, t.Class)
		}
		if len(t.Feature) != nInternal || len(t.Threshold) != nInternal || len(t.Leaf) != nLeaf {
			return bad("tree %d: %d features, %d thresholds, %d leaves; want %d, %d, %d",
				i, len(t.Feature), len(t.Threshold), len(t.Leaf), nInternal, nInternal, nLeaf)
		}
		for j, fi := range t.Feature {
			if fi < 0 || int(fi) >= nf {
				return bad("tree %d node %d: feature %d of %d", i, j, fi, nf)
			}
			if th := float64(t.Threshold[j]); math.IsNaN(th) || math.IsInf(th, 0) {
				return bad("tree %d node %d: threshold %v", i, j, th)
			}
		}
		for j, v := range t.Leaf {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return bad("tree %d leaf %d: %v", i, j, v)
			}
		}
	}
	return nil
}

// LeafIdx returns the index (0..2^len(Feature)−1) of the leaf x reaches.
func (t *Tree) LeafIdx(x []float32) int {
	idx := 0
	for d, fi := range t.Feature {
		idx <<= 1
		if x[fi] > t.Threshold[d] {
			idx |= 1
		}
	}
	return idx
}

// RawScores writes the raw (uncalibrated, pre-softmax) class scores of x into
// dst, allocating dst when nil. It panics when len(dst) != NumClasses or
// len(x) != len(f.FeatureNames) (programmer errors). The sums run in tree
// order in float64.
func (f *Forest) RawScores(dst []float64, x []float32) []float64 {
	if dst == nil {
		dst = make([]float64, NumClasses)
	}
	if len(dst) != NumClasses || len(x) != len(f.FeatureNames) {
		panic(fmt.Sprintf("onnx: RawScores with %d outputs and %d features, want %d and %d", len(dst), len(x), NumClasses, len(f.FeatureNames)))
	}
	copy(dst, f.Base[:])
	for i := range f.Trees {
		f.Trees[i].AddScores(dst, x)
	}
	return dst
}

// AddScores adds the leaf value(s) x reaches to the raw class scores in
// scores (length NumClasses), in float64.
func (t *Tree) AddScores(scores []float64, x []float32) {
	l := t.LeafIdx(x)
	if t.Class != AllClasses {
		scores[t.Class] += float64(t.Leaf[l])
		return
	}
	for c, v := range t.Leaf[l*NumClasses:][:NumClasses] {
		scores[c] += float64(v)
	}
}

// Predict is the plain-Go reference forward pass: it writes the calibrated
// probabilities of x (N, A, O, ~) into dst, allocating dst when nil, and
// returns dst. It panics on wrong lengths like RawScores.
func (f *Forest) Predict(dst []float64, x []float32) []float64 {
	dst = f.RawScores(dst, x)
	Softmax(dst, dst, f.Temperature)
	return dst
}

// Softmax writes softmax(z / temperature) into dst (which may alias z).
// It panics when the lengths differ.
func Softmax(dst, z []float64, temperature float64) {
	if len(dst) != len(z) {
		panic("onnx: Softmax length mismatch")
	}
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v/temperature)
	}
	var sum float64
	for i, v := range z {
		dst[i] = math.Exp(v/temperature - m)
		sum += dst[i]
	}
	for i := range dst {
		dst[i] /= sum
	}
}
