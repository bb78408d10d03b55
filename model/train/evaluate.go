package train

import (
	"fmt"

	"github.com/afscan/afscan/inference/onnx"
)

// Evaluation holds the figures of a model on a labelled set.
type Evaluation struct {
	// Model is the confusion of the model's argmax call on every record.
	Model Confusion
	// Gated calls ~ for the records the pipeline gates (Dataset.Reason not
	// empty) and the model's argmax for the others, as the classifier does.
	Gated Confusion
	// Threshold applies the AF operating point (CallWithThreshold) on top
	// of the gating.
	Threshold Confusion
}

// Evaluate runs the ONNX model (through the gonnx runtime) on every row of d.
// afThreshold is the P(A) operating point for Evaluation.Threshold.
func Evaluate(onnxBytes []byte, d *Dataset, afThreshold float64) (*Evaluation, error) {
	m, err := onnx.Load(onnxBytes)
	if err != nil {
		return nil, err
	}
	names := m.FeatureNames()
	if len(names) != len(d.FeatureNames) {
		return nil, fmt.Errorf("model has %d features, data set %d", len(names), len(d.FeatureNames))
	}
	for i := range names {
		if names[i] != d.FeatureNames[i] {
			return nil, fmt.Errorf("feature %d is %q in the model, %q in the data set", i, names[i], d.FeatureNames[i])
		}
	}
	ev := &Evaluation{}
	p32 := make([]float32, nClasses)
	p := make([]float64, nClasses)
	for i, x := range d.X {
		if err := m.Predict(p32, x); err != nil {
			return nil, fmt.Errorf("record %s: %w", d.Names[i], err)
		}
		for c := range p {
			p[c] = float64(p32[c])
		}
		call := Argmax(p)
		ev.Model.Add(d.Y[i], call)
		tcall := CallWithThreshold(p, afThreshold)
		if d.Reason[i] != "" {
			call, tcall = 3, 3
		}
		ev.Gated.Add(d.Y[i], call)
		ev.Threshold.Add(d.Y[i], tcall)
	}
	return ev, nil
}
