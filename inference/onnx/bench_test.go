package onnx

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// BenchmarkPredict measures model-only latency of one feature vector:
// the gonnx graph against the plain-Go reference pass of the same forest.
func BenchmarkPredict(b *testing.B) {
	for _, size := range []struct{ nTrees, depth int }{{40, 4}, {400, 5}, {1200, 5}} {
		f := randomForest(9, 40, size.nTrees, size.depth)
		m := mustLoad(b, f)
		r := rand.New(rand.NewPCG(1, 2))
		x := make([]float32, 40)
		for i := range x {
			x[i] = gridValue(r)
		}
		name := strconv.Itoa(size.nTrees) + "trees_depth" + strconv.Itoa(size.depth)
		b.Run("gonnx/"+name, func(b *testing.B) {
			b.ReportAllocs()
			p := make([]float32, NumClasses)
			for b.Loop() {
				if err := m.Predict(p, x); err != nil {
					b.Fatal(err)
				}
			}
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
