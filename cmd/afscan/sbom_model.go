package main

import (
	"github.com/afscan/afscan/model"
	"github.com/afscan/afscan/sbom"
)

// embeddedModel describes the ONNX model embedded in this binary for the
// SBOM: its identity is the SHA-256 of the bytes the binary carries.
func embeddedModel() *sbom.Artifact {
	return &sbom.Artifact{
		Name: model.Name, Version: model.Version, SHA256: model.SHA256(),
		Description: "Rhythm classifier (ONNX, opset 13; input features, output probabilities of N, A, O, ~) embedded with go:embed; trained by afscan train on the locked CinC 2017 training fold",
	}
}
