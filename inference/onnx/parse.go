package onnx

import (
	"fmt"
	"math"
	"strings"

	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// ParseForest recovers the Forest from an ONNX file written by MarshalONNX,
// so that the plain-Go reference pass can be run on any shipped model (for
// parity tests). It returns an error wrapping ErrBadModel for files of any
// other shape.
func ParseForest(onnxBytes []byte) (*Forest, error) {
	mp := &pb.ModelProto{}
	if err := proto.Unmarshal(onnxBytes, mp); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadModel, fmt.Sprintf(format, a...))
	}
	init := map[string]*pb.TensorProto{}
	for _, t := range mp.GetGraph().GetInitializer() {
		init[t.GetName()] = t
	}
	f := &Forest{}
	for _, kv := range mp.GetMetadataProps() {
		switch kv.GetKey() {
		case MetaFeatureNames:
			f.FeatureNames = strings.Split(kv.GetValue(), ",")
		case MetaName:
			f.Name = kv.GetValue()
		case MetaVersion:
			f.Version = kv.GetValue()
		case MetaClasses, MetaTemperature:
		default:
			f.Meta = append(f.Meta, [2]string{kv.GetKey(), kv.GetValue()})
		}
	}
	need := func(name string, n int, typ pb.TensorProto_DataType) (*pb.TensorProto, error) {
		t, ok := init[name]
		if !ok {
			return nil, bad("no initializer %q", name)
		}
		if t.GetDataType() != int32(typ) {
			return nil, bad("initializer %q has data type %d, want %s", name, t.GetDataType(), typ)
		}
		got := max(len(t.GetFloatData()), len(t.GetDoubleData()), len(t.GetInt64Data()))
		if got != n {
			return nil, bad("initializer %q has %d values, want %d", name, got, n)
		}
		return t, nil
	}
	shape, err := need("shape_tree_level", 2, pb.TensorProto_INT64)
	if err != nil {
		return nil, err
	}
	nTrees, depth := int(shape.GetInt64Data()[0]), int(shape.GetInt64Data()[1])
	if nTrees < 1 || depth < 1 || depth > MaxDepth || nTrees > 1<<20 {
		return nil, bad("%d trees of depth %d", nTrees, depth)
	}
	f.Depth = depth
	nFeat, nCond, nLeaf := len(f.FeatureNames), nTrees*depth, 1<<depth
	sel, err := need("select", nFeat*nCond, pb.TensorProto_FLOAT)
	if err != nil {
		return nil, err
	}
	thr, err := need("cond_threshold", nCond, pb.TensorProto_DOUBLE)
	if err != nil {
		return nil, err
	}
	leaves, err := need("leaf_value", nTrees*nLeaf, pb.TensorProto_DOUBLE)
	if err != nil {
		return nil, err
	}
	classMap, err := need("class_map", nTrees*NumClasses, pb.TensorProto_DOUBLE)
	if err != nil {
		return nil, err
	}
	base, err := need("base", NumClasses, pb.TensorProto_DOUBLE)
	if err != nil {
		return nil, err
	}
	invT, err := need("inv_temperature", 1, pb.TensorProto_DOUBLE)
	if err != nil {
		return nil, err
	}
	copy(f.Base[:], base.GetDoubleData())
	f.Temperature = 1 / invT.GetDoubleData()[0]
	condFeature := make([]int32, nCond)
	for k := range condFeature {
		condFeature[k] = -1
		for fi := 0; fi < nFeat; fi++ {
			if sel.GetFloatData()[fi*nCond+k] == 1 {
				condFeature[k] = int32(fi)
			}
		}
	}
	for t := 0; t < nTrees; t++ {
		tr := Tree{Class: -1, Feature: condFeature[t*depth : (t+1)*depth], Leaf: make([]float32, nLeaf)}
		for l, v := range leaves.GetDoubleData()[t*nLeaf : (t+1)*nLeaf] {
			// Leaf values are float32 scores widened for the graph; any
			// other double cannot round-trip and the canonical check would
			// refuse it anyway, but say why here.
			if float64(float32(v)) != v {
				return nil, bad("leaf value %v is not a float32", v)
			}
			tr.Leaf[l] = float32(v)
		}
		for d := 0; d < depth; d++ {
			v := thr.GetDoubleData()[t*depth+d]
			if float64(float32(v)) != v && !math.IsInf(v, 0) {
				return nil, bad("threshold %v is not a float32", v)
			}
			tr.Threshold = append(tr.Threshold, float32(v))
		}
		for c := 0; c < NumClasses; c++ {
			if classMap.GetDoubleData()[t*NumClasses+c] == 1 {
				tr.Class = c
			}
		}
		f.Trees = append(f.Trees, tr)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	return f, nil
}
