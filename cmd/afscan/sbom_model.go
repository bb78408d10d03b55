package main

import "github.com/afscan/afscan/sbom"

// embeddedModel describes the ONNX model embedded in this binary for the
// SBOM. Until package model provides it, the SBOM takes the model identity
// from the validation report (--report) instead.
func embeddedModel() *sbom.Artifact { return nil }
