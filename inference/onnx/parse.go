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
	var temperature string
	for _, kv := range mp.GetMetadataProps() {
		switch kv.GetKey() {
		case MetaFeatureNames:
			f.FeatureNames = strings.Split(kv.GetValue(), ",")
		case MetaName:
			f.Name = kv.GetValue()
		case MetaVersion:
			f.Version = kv.GetValue()
		case MetaTemperature:
			temperature = kv.GetValue()
		case MetaClasses:
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
	shapeLen := 2
	if t, ok := init["shape_tree_level"]; ok && len(t.GetInt64Data()) == 3 {
		shapeLen = 3 // leaf agreement in batches
	}
	shape, err := need("shape_tree_level", shapeLen, pb.TensorProto_INT64)
	if err != nil {
		return nil, err
	}
	sh := shape.GetInt64Data()
	if slices.ContainsFunc(sh, func(v int64) bool { return v < 1 || v > 1<<20 }) {
		return nil, bad("tree shape %v", sh)
	}
	nTrees, nLevel := int(sh[0]), int(sh[1])
	if shapeLen == 3 {
		nTrees, nLevel = int(sh[0]*sh[1]), int(sh[2])
	}
	depth := nLevel - 1 // the last condition of every tree is always true
	if nTrees < 1 || depth < 1 || depth > MaxDepth || nTrees > 1<<20 {
		return nil, bad("%d trees of depth %d", nTrees, depth)
	}
	f.Depth = depth
	nFeat, nCond, nLeaf := len(f.FeatureNames), nTrees*nLevel, 1<<depth
	selBatches, _ := productBatches(nTrees, nLevel, nLeaf)
	sel, err := need("select", nFeat*nCond, pb.TensorProto_FLOAT)
	if err != nil {
		return nil, err
	}
	offset, err := need("cond_offset", nCond, pb.TensorProto_DOUBLE)
	if err != nil {
		return nil, err
	}
	leaves, err := need("leaf_value", nTrees*nLeaf*NumClasses, pb.TensorProto_FLOAT)
	if err != nil {
		return nil, err
	}
	base, err := need("base", NumClasses, pb.TensorProto_DOUBLE)
	if err != nil {
		return nil, err
	}
	f.Temperature, err = strconv.ParseFloat(temperature, 64)
	if err != nil || !(f.Temperature > 0) || math.IsInf(f.Temperature, 0) {
		return nil, bad("temperature %q", temperature)
	}
	// Leaf values and base scores are stored negated, as they are.
	for c, v := range base.GetDoubleData() {
		f.Base[c] = -v
	}
	// selected returns the feature condition k's column of the selection
	// picks, -1 for a zero column; a column that is not one-hot would make
	// the graph compute another forest than the one returned.
	selected := func(k int) (int, error) {
		feature := -1
		for fi := range nFeat {
			v := sel.GetFloatData()[selectIndex(fi, k, nFeat, nCond, selBatches)]
			if v == 0 {
				continue
			}
			if v != 1 || feature >= 0 {
				return 0, bad("condition %d: selection column is not one-hot (feature %d holds %v)", k, fi, v)
			}
			feature = fi
		}
		return feature, nil
	}
	for t := 0; t < nTrees; t++ {
		// The graph does not say which trees were single-class: every tree
		// comes back with a value per class (zeros where it had none),
		// which scores the same.
		tr := Tree{Class: AllClasses, Feature: make([]int32, depth), Threshold: make([]float32, depth)}
		k := t*nLevel + depth
		if offset.GetDoubleData()[k] != alwaysTrueOffset {
			return nil, bad("condition %d: offset %v, want the always-true %v", k, offset.GetDoubleData()[k], alwaysTrueOffset)
		}
		if feature, err := selected(k); err != nil {
			return nil, err
		} else if feature >= 0 {
			return nil, bad("always-true condition %d selects feature %d", k, feature)
		}
		for d := 0; d < depth; d++ {
			k := t*nLevel + d
			feature, err := selected(k)
			if err != nil {
				return nil, err
			}
			if feature < 0 {
				return nil, bad("condition %d selects no feature", k)
			}
			th, ok := thresholdOf(-offset.GetDoubleData()[k])
			if !ok {
				return nil, bad("condition %d: offset %v is not a negated float32 midpoint", k, offset.GetDoubleData()[k])
			}
			tr.Feature[d], tr.Threshold[d] = int32(feature), th
		}
		for _, v := range leaves.GetFloatData()[t*nLeaf*NumClasses : (t+1)*nLeaf*NumClasses] {
			tr.Leaf = append(tr.Leaf, -v)
		}
		f.Trees = append(f.Trees, tr)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	return f, nil
}

// thresholdOf inverts midpoint: the finite float32 t with midpoint(t) == m.
func thresholdOf(m float64) (float32, bool) {
	t := float32(m) // m is a tie: rounds to t or to the float32 above it
	if math.IsInf(float64(t), 1) {
		t = math.MaxFloat32
	}
	if float64(t) > m {
		t = math.Nextafter32(t, float32(math.Inf(-1)))
	}
	if math.IsInf(float64(t), 0) || midpoint(t) != m {
		return 0, false
	}
	return t, true
}
