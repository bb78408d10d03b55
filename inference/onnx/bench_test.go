package onnx

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/afscan/afscan/internal/benchcpu"
	"github.com/afscan/afscan/model"
)

// BenchmarkPredict measures model-only latency of one feature vector:
// the gonnx graph against the plain-Go reference pass of the same forest,
// 89 features. Shapes: one tree of depth 1 (gonnx's per-node floor), a small
// forest, v1.3.1's 700 per-class trees and v1.5.0's 250 vector-leaf trees.
func BenchmarkPredict(b *testing.B) {
	for _, size := range []struct {
		nTrees, depth int
		vector        bool
	}{{1, 1, false}, {40, 4, false}, {700, 5, false}, {250, 5, true}} {
		f := randomForest(9, 89, size.nTrees, size.depth)
		if size.vector {
			vectorize(f)
		}
		m := mustLoad(b, f)
		r := rand.New(rand.NewPCG(1, 2))
		x := make([]float32, len(f.FeatureNames))
		for i := range x {
			x[i] = gridValue(r)
		}
		name := strconv.Itoa(size.nTrees) + "trees_depth" + strconv.Itoa(size.depth)
		if size.vector {
			name += "_vector"
		}
		b.Run("gonnx/"+name, func(b *testing.B) {
			b.ReportAllocs()
			p := make([]float32, NumClasses)
			start := benchcpu.Start()
			for b.Loop() {
				if err := m.Predict(p, x); err != nil {
					b.Fatal(err)
				}
			}
			benchcpu.Report(b, start)
		})
		b.Run("plainGo/"+name, func(b *testing.B) {
			b.ReportAllocs()
			p := make([]float64, NumClasses)
			for b.Loop() {
				f.Predict(p, x)
			}
		})
	}
}

// vectorize turns every tree of f into one with a value per class in each
// leaf (the shape `afscan train` fits), keeping its scores.
func vectorize(f *Forest) {
	for i := range f.Trees {
		t := &f.Trees[i]
		if t.Class == AllClasses {
			continue
		}
		leaf := make([]float32, NumClasses*len(t.Leaf))
		for l, v := range t.Leaf {
			leaf[l*NumClasses+t.Class] = v
		}
		t.Class, t.Leaf = AllClasses, leaf
	}
}

// embeddedInputs returns n feature vectors for the embedded model that sit on
// its thresholds or one float32 step away, the hardest inputs for parity.
func embeddedInputs(tb testing.TB, n int) (*Forest, [][]float32) {
	tb.Helper()
	f, err := ParseForest(model.ONNX)
	if err != nil {
		tb.Fatal(err)
	}
	byFeature := make([][]float32, len(f.FeatureNames))
	for _, t := range f.Trees {
		for d, fi := range t.Feature {
			if t.Threshold[d] < math.MaxFloat32 {
				byFeature[fi] = append(byFeature[fi], t.Threshold[d])
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	out := make([][]float32, n)
	for i := range out {
		out[i] = make([]float32, len(f.FeatureNames))
		for j := range out[i] {
			if len(byFeature[j]) == 0 {
				continue
			}
			v := byFeature[j][r.IntN(len(byFeature[j]))]
			switch r.IntN(3) {
			case 1:
				v = math.Nextafter32(v, float32(math.Inf(1)))
			case 2:
				v = math.Nextafter32(v, float32(math.Inf(-1)))
			}
			out[i][j] = v
		}
	}
	return f, out
}

// BenchmarkEmbeddedModel measures model-only latency of the shipped model:
// gonnx against the plain-Go pass of the same trees.
func BenchmarkEmbeddedModel(b *testing.B) {
	f, inputs := embeddedInputs(b, 64)
	m, err := Load(model.ONNX)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("gonnx", func(b *testing.B) {
		b.ReportAllocs()
		p := make([]float32, NumClasses)
		i := 0
		start := benchcpu.Start()
		for b.Loop() {
			if err := m.Predict(p, inputs[i%len(inputs)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
		benchcpu.Report(b, start)
	})
	b.Run("plainGo", func(b *testing.B) {
		b.ReportAllocs()
		p := make([]float64, NumClasses)
		i := 0
		for b.Loop() {
			f.Predict(p, inputs[i%len(inputs)])
			i++
		}
	})
}
