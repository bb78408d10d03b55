package onnx

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// replaceMeta swaps the bytes of one metadata value in a serialised model;
// old and new may differ in length only when the protobuf length prefixes
// are re-encoded, so it goes through the proto round trip instead.
func replaceMeta(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	out, err := setMeta(b, MetaFeatureNames, old, new)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzLoad feeds Load and ParseForest garbage and mangled models: they must
// return an error or a working model, never panic.
//
// Verifies: SRS-CLS-005
func FuzzLoad(f *testing.F) {
	good, err := randomForest(5, 4, 4, 2).MarshalONNX()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	f.Add([]byte("not an onnx file"))
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz-seeds", "*"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseForest(b) // must not panic either
		m, err := Load(b)
		if err != nil {
			return
		}
		x := make([]float32, len(m.FeatureNames()))
		p := make([]float32, NumClasses)
		if err := m.Predict(p, x); err != nil && bytes.Equal(b, good) {
			t.Fatalf("the good model failed to predict: %v", err)
		}
	})
}
