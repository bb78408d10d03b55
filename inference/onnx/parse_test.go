package onnx

import (
	"errors"
	"testing"

	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// TestParseForestRejectsBadSelection: a file whose feature selection is
// not one-hot per condition, or whose always-true condition selects a
// feature, describes another computation than any Forest; ParseForest must
// refuse it rather than return the forest it half-reads.
func TestParseForestRejectsBadSelection(t *testing.T) {
	for _, shape := range []struct {
		name                 string
		nFeat, nTrees, depth int
	}{
		{"one product", 12, 24, 4},
		{"batched products", 89, 250, 5},
	} {
		f := randomForest(9, shape.nFeat, shape.nTrees, shape.depth)
		good, err := f.MarshalONNX()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseForest(good); err != nil {
			t.Fatalf("%s: unmodified file: %v", shape.name, err)
		}
		nLevel := shape.depth + 1
		nCond := shape.nTrees * nLevel
		batches, _ := productBatches(shape.nTrees, nLevel, 1<<shape.depth)
		at := func(feature, k int) int { return selectIndex(feature, k, shape.nFeat, nCond, batches) }
		tree1, level1 := 1, 2 // an ordinary condition of the second tree
		k := tree1*nLevel + level1
		used := int(f.Trees[tree1].Feature[level1])
		other := (used + 1) % shape.nFeat
		for _, tc := range []struct {
			name   string
			mutate func(sel []float32)
		}{
			{"always-true condition selects a feature", func(sel []float32) { sel[at(other, tree1*nLevel+shape.depth)] = 1 }},
			{"two features for one condition", func(sel []float32) { sel[at(other, k)] = 1 }},
			{"selection weight 2", func(sel []float32) { sel[at(used, k)] = 2 }},
			{"selection weight -1", func(sel []float32) { sel[at(used, k)] = -1 }},
			{"condition selects nothing", func(sel []float32) { sel[at(used, k)] = 0 }},
		} {
			t.Run(shape.name+"/"+tc.name, func(t *testing.T) {
				m := &pb.ModelProto{}
				if err := proto.Unmarshal(good, m); err != nil {
					t.Fatal(err)
				}
				var sel *pb.TensorProto
				for _, in := range m.GetGraph().GetInitializer() {
					if in.GetName() == "select" {
						sel = in
					}
				}
				if sel == nil {
					t.Fatal("no select initializer")
				}
				tc.mutate(sel.FloatData)
				bad, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ParseForest(bad); !errors.Is(err, ErrBadModel) {
					t.Fatalf("got %v, want ErrBadModel", err)
				}
				if _, err := Load(bad); err == nil {
					t.Fatal("Load accepted the file")
				}
			})
		}
	}
}
