package onnx

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/advancedclimatesystems/gonnx"
	"gorgonia.org/tensor"
)

// Errors that Load and Predict return (wrapped); callers branch on them.
var (
	// ErrBadModel means the bytes are not an ONNX model afscan can run.
	ErrBadModel = errors.New("unusable ONNX model")
	// ErrFeatureCount means a feature vector's length is not the model's.
	ErrFeatureCount = errors.New("feature vector length does not match the model")
	// ErrNonFiniteFeature means a feature is NaN or infinite.
	ErrNonFiniteFeature = errors.New("feature is NaN or infinite")
)

// Model is a loaded afscan ONNX model. It is immutable after Load and safe
// for concurrent use: gonnx builds fresh operator and output tensors on every
// run and only reads the shared initializers.
type Model struct {
	g            *gonnx.Model
	featureNames []string
	meta         map[string]string
}

// Load parses an afscan ONNX model: one float32 input "features" of shape
// [1, F], one output "probabilities" of shape [1, 4], metadata_props holding
// F comma-separated feature names under "feature_names". Only graphs exactly
// as MarshalONNX writes them are accepted (the file must re-marshal to the
// same bytes): a mangled or foreign graph could otherwise make the runtime
// allocate without bound. Load runs the graph once on a zero vector to check
// it executes and yields 4 probabilities. Garbage input returns an error
// wrapping ErrBadModel and never panics.
func Load(onnxBytes []byte) (m *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%w: %v", ErrBadModel, r)
		}
	}()
	f, err := ParseForest(onnxBytes)
	if err != nil {
		return nil, err
	}
	canon, err := f.MarshalONNX()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	if !bytes.Equal(canon, onnxBytes) {
		return nil, fmt.Errorf("%w: not a canonical afscan tree-ensemble graph", ErrBadModel)
	}
	g, err := gonnx.NewModelFromBytes(onnxBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	mp, err := gonnx.ModelProtoFromBytes(onnxBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	meta := make(map[string]string, len(mp.GetMetadataProps()))
	for _, kv := range mp.GetMetadataProps() {
		meta[kv.GetKey()] = kv.GetValue()
	}
	names := strings.Split(meta[MetaFeatureNames], ",")
	if meta[MetaFeatureNames] == "" {
		return nil, fmt.Errorf("%w: no %q in metadata_props", ErrBadModel, MetaFeatureNames)
	}
	if c := meta[MetaClasses]; c != "N,A,O,~" {
		return nil, fmt.Errorf("%w: classes %q, want \"N,A,O,~\"", ErrBadModel, c)
	}
	in, out := g.InputNames(), g.OutputNames()
	params := map[string]bool{}
	for _, p := range g.ParamNames() {
		params[p] = true
	}
	var free []string
	for _, n := range in {
		if !params[n] {
			free = append(free, n)
		}
	}
	if len(free) != 1 || free[0] != InputName || len(out) != 1 || out[0] != OutputName {
		return nil, fmt.Errorf("%w: inputs %v, outputs %v; want [%s] and [%s]", ErrBadModel, free, out, InputName, OutputName)
	}
	shape := g.InputShapes()[InputName]
	if len(shape) != 2 || shape[0].Size != 1 || shape[1].Size != int64(len(names)) {
		return nil, fmt.Errorf("%w: input shape %v for %d feature names, want [1 %d]", ErrBadModel, shape, len(names), len(names))
	}
	m = &Model{g: g, featureNames: names, meta: meta}
	probs := make([]float32, NumClasses)
	if err := m.Predict(probs, make([]float32, len(names))); err != nil {
		return nil, fmt.Errorf("%w: trial run: %v", ErrBadModel, err)
	}
	return m, nil
}

// FeatureNames returns a copy of the model's feature names, in input order.
func (m *Model) FeatureNames() []string {
	return append([]string(nil), m.featureNames...)
}

// Meta returns the metadata_props value of key ("" when absent).
func (m *Model) Meta(key string) string { return m.meta[key] }

// Predict writes the calibrated probabilities of N, A, O, ~ (ecg.Rhythms
// order) for one feature vector into probs, which must have length 4.
// features must have len(FeatureNames()) finite values; they are not
// retained. Safe for concurrent use.
func (m *Model) Predict(probs, features []float32) (err error) {
	if len(probs) != NumClasses {
		return fmt.Errorf("onnx: probs has length %d, want %d", len(probs), NumClasses)
	}
	if len(features) != len(m.featureNames) {
		return fmt.Errorf("%w: got %d, want %d", ErrFeatureCount, len(features), len(m.featureNames))
	}
	for i, v := range features {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%w: %s = %v", ErrNonFiniteFeature, m.featureNames[i], v)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: run: %v", ErrBadModel, r)
		}
	}()
	x := tensor.New(tensor.WithShape(1, len(features)), tensor.WithBacking(append([]float32(nil), features...)))
	outs, err := m.g.Run(gonnx.Tensors{InputName: x})
	if err != nil {
		return fmt.Errorf("onnx: run: %w", err)
	}
	y, ok := outs[OutputName]
	if !ok || y == nil {
		return fmt.Errorf("%w: no output %q", ErrBadModel, OutputName)
	}
	data, ok := y.Data().([]float32)
	if !ok || len(data) != NumClasses {
		return fmt.Errorf("%w: output %v of %v, want 4 float32", ErrBadModel, y.Shape(), y.Dtype())
	}
	copy(probs, data)
	return nil
}
