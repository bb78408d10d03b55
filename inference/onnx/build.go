package onnx

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// Names of the graph's input and output and of the metadata_props keys.
const (
	InputName  = "features"
	OutputName = "probabilities"

	MetaFeatureNames = "feature_names" // comma-separated, in input order
	MetaClasses      = "classes"       // "N,A,O,~"
	MetaName         = "afscan_model_name"
	MetaVersion      = "afscan_model_version"
	MetaTemperature  = "temperature"

	// OpsetVersion is the ONNX operator set the graph uses: the one gonnx
	// v1.1.0 implements.
	OpsetVersion = 13
)

// maxGraphScoreSpread bounds how far apart the class scores divided by the
// temperature may be: the graph computes exp of the centred scores, which
// stay within ±spread, and exp(700) ≈ 1e304 leaves room for the sum of four.
const maxGraphScoreSpread = 700

// alwaysTrueOffset is the offset of every tree's extra condition, which
// reads no feature: its difference 0 + 1 has sign +1 for every input.
const alwaysTrueOffset = 1.0

// scoreSpread returns an upper bound of max_c s_c − min_c s_c over all
// inputs, s the class scores divided by the temperature: the base's spread
// plus, for every tree, the largest spread of one of its leaf rows (a
// single-class tree's row holds zeros for the other classes), leafValue and
// base as the graph holds them (negated: the spread is the same).
func scoreSpread(leafValue []float32, base []float64, nTrees, nLeaf int, temperature float64) float64 {
	spreadOf := func(v []float32) float64 { return float64(slices.Max(v)) - float64(slices.Min(v)) }
	total := slices.Max(base) - slices.Min(base)
	for t := range nTrees {
		widest := 0.0
		for l := range nLeaf {
			widest = max(widest, spreadOf(leafValue[(t*nLeaf+l)*NumClasses:][:NumClasses]))
		}
		total += widest
	}
	return total / temperature
}

// midpoint returns the real number halfway between the finite float32 t and
// the next float32 above it, exactly representable in float64. The graph
// compares float32 features with it in float64: no float32 equals m, so
// x − m is never 0 (x and m are multiples of 2^−150, and a nonzero exact
// difference does not round to 0), and its sign, (x − m)/|x − m| = ±1
// exactly, is the condition x > t.
func midpoint(t float32) float64 {
	if t == math.MaxFloat32 {
		return float64(t) + math.Ldexp(1, 103) // half the ulp 2^104 of MaxFloat32
	}
	return (float64(t) + float64(math.Nextafter32(t, float32(math.Inf(1))))) / 2
}

// MarshalONNX compiles f into a standard ONNX model (opset 13, IR version 7)
// with one input "features" (float32 [1, len(FeatureNames)]) and one output
// "probabilities" (float32 [1, 4]). The bytes depend only on f: no time
// stamps, deterministic protobuf encoding.
func (f *Forest) MarshalONNX() ([]byte, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	for _, n := range f.FeatureNames {
		if n == "" || strings.ContainsAny(n, ", \n") {
			return nil, fmt.Errorf("%w: feature name %q (must be non-empty, no comma or space)", ErrInvalidForest, n)
		}
	}
	b := &graphBuilder{}
	nTrees, nFeat, depth := len(f.Trees), len(f.FeatureNames), f.Depth
	// Every tree gets one more condition than its depth, always true: its
	// sign (+1) carries the constant of the leaf count below into the same
	// product, which spares an Add over the [trees × leaves] tensor.
	nLevel := depth + 1
	nCond, nLeaf := nTrees*nLevel, 1<<depth

	// gonum starts a goroutine per 64×64 block of a larger product; in a
	// busy service those wake-ups cost more than the arithmetic, so the two
	// wide products run in batches of whole trees small enough to stay
	// serial (a batched MatMul: one gonum call per batch).
	selBatches, leafBatches := productBatches(nTrees, nLevel, nLeaf)
	sel := make([]float32, nFeat*nCond)
	condOffset := make([]float64, nCond)
	leafValue := make([]float32, nTrees*nLeaf*NumClasses)
	for t, tr := range f.Trees {
		for d := 0; d < depth; d++ {
			k := t*nLevel + d
			sel[selectIndex(int(tr.Feature[d]), k, nFeat, nCond, selBatches)] = 1
			condOffset[k] = -midpoint(tr.Threshold[d])
		}
		// The extra condition selects no feature: 0 + alwaysTrueOffset > 0.
		condOffset[t*nLevel+depth] = alwaysTrueOffset
		for l := 0; l < nLeaf; l++ {
			row := leafValue[(t*nLeaf+l)*NumClasses:][:NumClasses]
			if tr.Class == AllClasses {
				for c := range row {
					row[c] = -tr.Leaf[l*NumClasses+c]
				}
			} else {
				row[tr.Class] = -tr.Leaf[l]
			}
		}
	}
	// A leaf matches when all depth conditions agree with its index: from
	// the signs s_d = ±1 (+1 when x > t), the count of agreements is
	// depth/2 + Σ_d (l_d − ½)·s_d, where l_d is bit d of the leaf index
	// (level 0 the most significant), all half-integers, exact in float32.
	// count − (depth − 1) is then 1 for the matching leaf and ≤ 0 for the
	// others; the always-true condition's row holds 1 − depth/2. PRelu with
	// a zero slope of the product's own shape keeps the 1 and zeroes the
	// rest: gonnx's Relu is a comparison and a product (two passes, two
	// tensors), its PRelu one pass into one tensor, and a slope of the same
	// shape is not materialised by broadcasting.
	levelSign := make([]float32, nLevel*nLeaf)
	for l := 0; l < nLeaf; l++ {
		for d := 0; d < depth; d++ {
			bit := (l >> (depth - 1 - d)) & 1
			levelSign[d*nLeaf+l] = float32(bit) - 0.5
		}
		levelSign[depth*nLeaf+l] = 1 - float32(depth)/2
	}

	if selBatches > 1 {
		chunk := nCond / selBatches
		b.initFloat("select", sel, selBatches, nFeat, chunk)
		b.initDouble("cond_offset", condOffset, selBatches, 1, chunk)
	} else {
		b.initFloat("select", sel, nFeat, nCond)
		b.initDouble("cond_offset", condOffset, 1, nCond)
	}
	leafSlope := make([]float32, nTrees*nLeaf)
	if leafBatches > 1 {
		rows := nTrees / leafBatches
		b.initInt64("shape_tree_level", []int64{int64(leafBatches), int64(rows), int64(nLevel)}, 3)
		// Stored once per batch: gonnx would materialise the broadcast.
		signs := make([]float32, 0, leafBatches*len(levelSign))
		for range leafBatches {
			signs = append(signs, levelSign...)
		}
		b.initFloat("level_sign", signs, leafBatches, nLevel, nLeaf)
		b.initFloat("leaf_slope", leafSlope, leafBatches, rows, nLeaf)
	} else {
		b.initInt64("shape_tree_level", []int64{int64(nTrees), int64(nLevel)}, 2)
		b.initFloat("level_sign", levelSign, nLevel, nLeaf)
		b.initFloat("leaf_slope", leafSlope, nTrees, nLeaf)
	}
	b.initInt64("shape_row", []int64{1, int64(nTrees * nLeaf)}, 2)
	b.initFloat("leaf_value", leafValue, nTrees*nLeaf, NumClasses)
	negBase := make([]float64, NumClasses)
	for c, v := range f.Base {
		negBase[c] = -v
	}
	if spread := scoreSpread(leafValue, negBase, nTrees, nLeaf, f.Temperature); !(spread <= maxGraphScoreSpread) {
		return nil, fmt.Errorf("%w: class scores / temperature may differ by %g, more than the graph's softmax takes (%g)", ErrInvalidForest, spread, float64(maxGraphScoreSpread))
	}
	b.initDouble("base", negBase, 1, NumClasses)
	// centre maps −s to [−s' | s'], s' = (s − mean(s)) / temperature; pick
	// splits that back into its two halves (one-hot products: exact).
	centre := make([]float64, NumClasses*2*NumClasses)
	pickNeg := make([]float64, 2*NumClasses*NumClasses)
	pickPos := make([]float64, 2*NumClasses*NumClasses)
	for i := range NumClasses {
		for j := range NumClasses {
			v := -1.0 / NumClasses
			if i == j {
				v++
			}
			centre[i*2*NumClasses+j] = v / f.Temperature
			centre[i*2*NumClasses+NumClasses+j] = -v / f.Temperature
		}
		pickNeg[i*NumClasses+i] = 1
		pickPos[(NumClasses+i)*NumClasses+i] = 1
	}
	b.initDouble("centre", centre, NumClasses, 2*NumClasses)
	b.initDouble("pick_neg", pickNeg, 2*NumClasses, NumClasses)
	b.initDouble("pick_pos", pickPos, 2*NumClasses, NumClasses)
	b.initDouble("ones_class_square", slices.Repeat([]float64{1}, NumClasses*NumClasses), NumClasses, NumClasses)

	// x − m of every (tree, level): the one-hot product adds exact zeros to
	// x. (gonnx's Gemm runs only in float32: MatMul and Add instead.) With
	// batches, MatMul broadcasts the [1, F] input over them.
	b.node("MatMul", []string{InputName, "select"}, "cond_x32") // [1, K] or [batches, 1, K/batches]
	b.castNode("cond_x32", "cond_x", pb.TensorProto_DOUBLE)
	b.node("Add", []string{"cond_x", "cond_offset"}, "cond_diff")
	b.node("Abs", []string{"cond_diff"}, "cond_abs")
	b.node("Div", []string{"cond_diff", "cond_abs"}, "cond_sign")
	b.castNode("cond_sign", "cond_sign32", pb.TensorProto_FLOAT)
	b.node("Reshape", []string{"cond_sign32", "shape_tree_level"}, "signs") // [T, D+1] or [batches, T/batches, D+1]
	b.node("MatMul", []string{"signs", "level_sign"}, "agree")              // [T, L] or [batches, T/batches, L]
	b.node("PRelu", []string{"agree", "leaf_slope"}, "leaf_onehot")
	b.node("Reshape", []string{"leaf_onehot", "shape_row"}, "leaf_row") // [1, T·L]
	// Class totals: one float32 product sums every tree's leaf into its
	// class(es), then float64 from the prior on. Leaf values and base are
	// stored negated (the graph works on −s), as the float32 and float64
	// numbers of the forest: ParseForest reads them back exactly. Summing in
	// float32 spares a float64 copy of the [1, T·L] row and halves the
	// product's reads: ~15% of the model's time, for a rounding of ~1e-7
	// relative to the running sum at each of the T non-zero terms.
	b.node("MatMul", []string{"leaf_row", "leaf_value"}, "neg_sum32") // [1, 4]
	b.castNode("neg_sum32", "neg_sum", pb.TensorProto_DOUBLE)
	b.node("Add", []string{"neg_sum", "base"}, "neg_scores")
	// Softmax without gonnx's Softmax, which runs every row in a new
	// goroutine and waits for it: exp(s') = σ(s')/σ(−s') of the centred
	// scores s' (Σ s' = 0, so the largest exponential is ≥ 1), each within
	// ±maxGraphScoreSpread, accurate to a few ulp in both tails.
	b.node("MatMul", []string{"neg_scores", "centre"}, "centred") // [1, 8]: −s', s'
	b.node("Sigmoid", []string{"centred"}, "sig")
	b.node("MatMul", []string{"sig", "pick_neg"}, "sig_neg")
	b.node("MatMul", []string{"sig", "pick_pos"}, "sig_pos")
	b.node("Div", []string{"sig_pos", "sig_neg"}, "exp")
	b.node("MatMul", []string{"exp", "ones_class_square"}, "exp_total")
	b.node("Div", []string{"exp", "exp_total"}, "prob64")
	b.castNode("prob64", OutputName, pb.TensorProto_FLOAT)

	meta := [][2]string{
		{MetaFeatureNames, strings.Join(f.FeatureNames, ",")},
		{MetaClasses, "N,A,O,~"},
		{MetaName, f.Name},
		{MetaVersion, f.Version},
		{MetaTemperature, strconv.FormatFloat(f.Temperature, 'g', -1, 64)},
	}
	seen := map[string]bool{}
	for _, kv := range meta {
		seen[kv[0]] = true
	}
	for _, kv := range f.Meta {
		if seen[kv[0]] {
			return nil, fmt.Errorf("%w: metadata key %q written twice", ErrInvalidForest, kv[0])
		}
		seen[kv[0]] = true
		meta = append(meta, kv)
	}
	props := make([]*pb.StringStringEntryProto, len(meta))
	for i, kv := range meta {
		props[i] = &pb.StringStringEntryProto{Key: kv[0], Value: kv[1]}
	}

	m := &pb.ModelProto{
		IrVersion:       7,
		OpsetImport:     []*pb.OperatorSetIdProto{{Domain: "", Version: OpsetVersion}},
		ProducerName:    "afscan",
		ProducerVersion: f.Version,
		Domain:          "org.afscan",
		DocString:       "afscan AF classifier: gradient-boosted oblivious trees, outputs P(N, A, O, ~)",
		MetadataProps:   props,
		Graph: &pb.GraphProto{
			Name:        "afscan",
			Node:        b.nodes,
			Initializer: b.inits,
			Input:       []*pb.ValueInfoProto{valueInfo(InputName, pb.TensorProto_FLOAT, 1, int64(nFeat))},
			Output:      []*pb.ValueInfoProto{valueInfo(OutputName, pb.TensorProto_FLOAT, 1, NumClasses)},
		},
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

type graphBuilder struct {
	nodes []*pb.NodeProto
	inits []*pb.TensorProto
}

func (b *graphBuilder) node(op string, in []string, out string) {
	b.nodes = append(b.nodes, &pb.NodeProto{
		Name: fmt.Sprintf("n%d_%s", len(b.nodes), op), OpType: op, Input: in, Output: []string{out},
	})
}

func (b *graphBuilder) castNode(in, out string, to pb.TensorProto_DataType) {
	b.nodes = append(b.nodes, &pb.NodeProto{
		Name: fmt.Sprintf("n%d_Cast", len(b.nodes)), OpType: "Cast", Input: []string{in}, Output: []string{out},
		Attribute: []*pb.AttributeProto{{Name: "to", Type: pb.AttributeProto_INT, I: int64(to)}},
	})
}

func (b *graphBuilder) initInt64(name string, v []int64, dims ...int) {
	b.inits = append(b.inits, &pb.TensorProto{Name: name, DataType: int32(pb.TensorProto_INT64), Dims: dims64(dims), Int64Data: v})
}

func (b *graphBuilder) initFloat(name string, v []float32, dims ...int) {
	b.inits = append(b.inits, &pb.TensorProto{Name: name, DataType: int32(pb.TensorProto_FLOAT), Dims: dims64(dims), FloatData: v})
}

func (b *graphBuilder) initDouble(name string, v []float64, dims ...int) {
	b.inits = append(b.inits, &pb.TensorProto{Name: name, DataType: int32(pb.TensorProto_DOUBLE), Dims: dims64(dims), DoubleData: v})
}

func dims64(d []int) []int64 {
	out := make([]int64, len(d))
	for i, v := range d {
		out[i] = int64(v)
	}
	return out
}

func valueInfo(name string, typ pb.TensorProto_DataType, dims ...int64) *pb.ValueInfoProto {
	shape := &pb.TensorShapeProto{}
	for _, d := range dims {
		shape.Dim = append(shape.Dim, &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: d}})
	}
	return &pb.ValueInfoProto{
		Name: name,
		Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{ElemType: int32(typ), Shape: shape}}},
	}
}

// serialProduct reports whether gonum computes an m×n matrix product in the
// calling goroutine: below 4 blocks of 64×64 (gonum's blockSize and
// minParBlock).
func serialProduct(m, n int) bool { return ((m+63)/64)*((n+63)/64) < 4 }

// productBatches returns how many equal batches of whole trees the feature
// selection ([1, F]·[F, trees·levels]) and the leaf agreement ([trees,
// levels]·[levels, leaves]) run in: the fewest (at most 64) whose products
// stay serial, each batch at least 2 wide (gonnx's slicing turns 1×1
// matrices into scalars), else 1.
func productBatches(nTrees, levels, nLeaf int) (sel, leaf int) {
	fewest := func(fits func(perBatch int) bool) int {
		for nb := 1; nb <= 64 && nb <= nTrees; nb++ {
			if nTrees%nb == 0 && fits(nTrees/nb) {
				if nb > 1 && nTrees/nb < 2 {
					return 1
				}
				return nb
			}
		}
		return 1
	}
	sel = fewest(func(t int) bool { return serialProduct(1, t*levels) })
	leaf = fewest(func(t int) bool { return serialProduct(t, nLeaf) })
	return sel, leaf
}

// selectIndex is the position of (feature, condition k) in the "select"
// initializer: [F, K] row-major, or [batches, F, K/batches].
func selectIndex(feature, k, nFeat, nCond, batches int) int {
	if batches <= 1 {
		return feature*nCond + k
	}
	chunk := nCond / batches
	return (k/chunk)*nFeat*chunk + feature*chunk + k%chunk
}
