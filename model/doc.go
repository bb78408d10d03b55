// Package model is afscan's trained rhythm model as an artifact: the ONNX
// file afscan.onnx embedded with go:embed, its name, version and SHA-256
// (the model's identity in every API response and report), and its model
// card (MODEL_CARD.md). The trainer lives in model/train.
//
// The package imports nothing of the project and holds no code that runs the
// model; inference/onnx does that.
package model
