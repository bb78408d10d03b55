package onnx_test

import (
	"fmt"

	"github.com/afscan/afscan/inference/onnx"
)

// A one-tree forest: AF (output 1) gets +2 when feature "rr_irregularity"
// exceeds 0.5, −2 otherwise, so P(A) = e^±2 / (e^±2 + 3). The forest compiles to ONNX, loads back into
// the gonnx runtime and gives the same probabilities as the plain-Go pass.
func ExampleLoad() {
	f := &onnx.Forest{
		Name: "example", Version: "0",
		FeatureNames: []string{"rr_irregularity"},
		Depth:        1,
		Temperature:  1,
		Trees: []onnx.Tree{{
			Class: 1, Feature: []int32{0}, Threshold: []float32{0.5}, Leaf: []float32{-2, 2},
		}},
	}
	b, err := f.MarshalONNX()
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := onnx.Load(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	probs := make([]float32, onnx.NumClasses)
	for _, x := range []float32{0.1, 0.9} {
		if err := m.Predict(probs, []float32{x}); err != nil {
			fmt.Println(err)
			return
		}
		ref := f.Predict(nil, []float32{x})
		fmt.Printf("x=%.1f  gonnx N %.4f A %.4f O %.4f ~ %.4f  plain Go A %.4f\n", x, probs[0], probs[1], probs[2], probs[3], ref[1])
	}
	fmt.Println(m.FeatureNames())
	// Output:
	// x=0.1  gonnx N 0.3189 A 0.0432 O 0.3189 ~ 0.3189  plain Go A 0.0432
	// x=0.9  gonnx N 0.0963 A 0.7112 O 0.0963 ~ 0.0963  plain Go A 0.7112
	// [rr_irregularity]
}
