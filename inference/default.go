package inference

import (
	"fmt"
	"strconv"

	"github.com/afscan/afscan/inference/onnx"
	"github.com/afscan/afscan/model"
)

// NewDefault returns a Classifier running the embedded model (model.ONNX)
// with default Options and the AF operating point the trainer stored in the
// model's metadata ("af_threshold"; absent means the most probable label).
// It fails when the embedded model cannot be loaded or was trained on other
// features than FeatureNames lists.
func NewDefault() (*Classifier, error) {
	m, err := onnx.Load(model.ONNX)
	if err != nil {
		return nil, fmt.Errorf("load embedded model: %w", err)
	}
	var opts Options
	if s := m.Meta("af_threshold"); s != "" {
		tau, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("embedded model af_threshold %q: %w", s, err)
		}
		opts.AFThreshold = tau
	}
	info := ModelInfo{Name: model.Name, Version: model.Version, SHA256: model.SHA256()}
	return New(m, info, opts)
}
