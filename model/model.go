package model

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
)

// ONNX is the trained model, an ONNX file (opset 13) with input "features"
// (float32 [1, F]) and output "probabilities" (float32 [1, 4], N, A, O, ~).
// It is produced by `afscan train` on the locked CinC 2017 training fold and
// must not be modified by callers.
//
//go:embed afscan.onnx
var ONNX []byte

// Name and Version identify the model; Version changes whenever afscan.onnx
// is retrained.
const (
	Name    = "afscan-af-gbdt"
	Version = "1.5.5"
)

// SHA256 returns the lowercase hex SHA-256 of ONNX.
func SHA256() string {
	sum := sha256.Sum256(ONNX)
	return hex.EncodeToString(sum[:])
}
