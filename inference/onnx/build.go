package onnx

import (
	"fmt"
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

// stepScale is 2^200. The step runs in float64 on float32 inputs: x − t is
// then exact in sign, is 0 only when x == t, is at least 2^−149 (the least
// float32 subnormal) otherwise and at most 2^129, so 2^−149·2^200 ≥ 1 and
// 2^129·2^200 stays finite (Relu of ±Inf is NaN in gonnx).
const stepScale = float64(1 << 200)

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
	nCond, nLeaf := nTrees*depth, 1<<depth

	fidx := make([]float64, 0, nCond)
	thr := make([]float64, 0, nCond)
	leaves := make([]float32, 0, nTrees*nLeaf)
	classMap := make([]float64, nTrees*NumClasses)
	for t, tr := range f.Trees {
		for d := 0; d < depth; d++ {
			fidx = append(fidx, float64(tr.Feature[d]))
			thr = append(thr, float64(tr.Threshold[d]))
		}
		leaves = append(leaves, tr.Leaf...)
		classMap[t*NumClasses+tr.Class] = 1
	}
	// Every initializer an element-wise node reads has the full shape of
	// the other operand: gonnx broadcasts by materialising repeated copies,
	// which cost twice the run time of the whole graph on the embedded model.
	full := func(v float64, n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	levelWeight := make([]float64, depth*nLeaf)
	for d := 0; d < depth; d++ {
		for l := 0; l < nLeaf; l++ {
			levelWeight[d*nLeaf+l] = float64(int(1) << (depth - 1 - d))
		}
	}
	leafIndex := make([]float64, nTrees*nLeaf)
	for i := range leafIndex {
		leafIndex[i] = float64(i % nLeaf)
	}
	leaves64 := make([]float64, len(leaves))
	for i, v := range leaves {
		leaves64[i] = float64(v)
	}

	b.initDouble("ones_cond", full(1, nCond), 1, nCond)
	b.initDouble("step_scale", full(stepScale, nCond), 1, nCond)
	sel := make([]float32, nFeat*nCond)
	for k, fi := range fidx {
		sel[int(fi)*nCond+k] = 1
	}
	b.initFloat("select", sel, nFeat, nCond)
	b.initDouble("cond_threshold", thr, 1, nCond)
	b.initInt64("shape_tree_level", []int64{int64(nTrees), int64(depth)}, 2)
	b.initDouble("level_weight", levelWeight, depth, nLeaf)
	b.initDouble("leaf_index", leafIndex, nTrees, nLeaf)
	b.initDouble("ones_leaf_grid", full(1, nTrees*nLeaf), nTrees, nLeaf)
	b.initDouble("leaf_value", leaves64, nTrees, nLeaf)
	b.initDouble("ones_leaf", full(1, nLeaf), nLeaf, 1)
	b.initInt64("shape_row", []int64{1, int64(nTrees)}, 2)
	b.initDouble("class_map", classMap, nTrees, NumClasses)
	b.initDouble("base", f.Base[:], 1, NumClasses)
	b.initDouble("inv_temperature", []float64{1 / f.Temperature}, 1)

	// Select the tested feature of every (tree, level): x · onehot, exact
	// because every column holds a single 1.
	b.node("MatMul", []string{InputName, "select"}, "cond_x32") // [1, K]
	b.castNode("cond_x32", "cond_x", pb.TensorProto_DOUBLE)
	// Condition bits x > t.
	b.node("Sub", []string{"cond_x", "cond_threshold"}, "cond_diff")
	b.node("Relu", []string{"cond_diff"}, "cond_pos")
	b.node("Mul", []string{"cond_pos", "step_scale"}, "cond_big")
	b.node("Sub", []string{"ones_cond", "cond_big"}, "cond_inv")
	b.node("Relu", []string{"cond_inv"}, "cond_not")
	b.node("Sub", []string{"ones_cond", "cond_not"}, "cond_bit")
	// Leaf index of every tree, repeated across the leaf columns by the
	// MatMul itself, then a one-hot pick of its leaf value.
	b.node("Reshape", []string{"cond_bit", "shape_tree_level"}, "bits") // [T, D]
	b.node("MatMul", []string{"bits", "level_weight"}, "leaf")          // [T, L]
	b.node("Sub", []string{"leaf", "leaf_index"}, "leaf_diff")          // [T, L]
	b.node("Abs", []string{"leaf_diff"}, "leaf_abs")
	b.node("Sub", []string{"ones_leaf_grid", "leaf_abs"}, "leaf_inv")
	b.node("Relu", []string{"leaf_inv"}, "leaf_onehot")
	b.node("Mul", []string{"leaf_onehot", "leaf_value"}, "leaf_pick")
	b.node("MatMul", []string{"leaf_pick", "ones_leaf"}, "tree_out") // [T, 1]
	b.node("Reshape", []string{"tree_out", "shape_row"}, "tree_row") // [1, T]
	// Class totals, temperature, softmax.
	b.node("MatMul", []string{"tree_row", "class_map"}, "sum") // [1, 4]
	b.node("Add", []string{"sum", "base"}, "raw")
	b.node("Mul", []string{"raw", "inv_temperature"}, "scaled")
	b.node("Softmax", []string{"scaled"}, "prob64")
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
