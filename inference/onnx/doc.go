// Package onnx runs afscan's rhythm model, a standard ONNX file (opset 13),
// in pure Go with github.com/advancedclimatesystems/gonnx, and builds that
// file from a trained gradient-boosted tree ensemble (Forest).
//
// It is the only package of the project that imports the ONNX runtime and
// the ONNX protobuf types; no ONNX type crosses its API. It must not import
// package inference (inference imports it) nor anything above it.
//
// Units: the model takes one float32 feature vector, in the order and units
// named by FeatureNames (the ONNX metadata_props entry "feature_names"), and
// returns four probabilities in ecg.Rhythms order: N, A, O, ~. The
// probabilities are calibrated (temperature scaling inside the graph) and sum
// to 1.
//
// The ensemble of oblivious trees is compiled into dense tensor operations
// in the spirit of Hummingbird's GEMM strategy (Nakandala et al., OSDI 2020)
// without Gather, whose gonnx implementation costs about 1 µs per index, and
// with as few nodes as possible, since gonnx allocates a fresh tensor (and
// often a clone of an input) for every node: 15 or 16 nodes whatever the
// ensemble size. A one-hot matrix product selects the tested feature of
// every (tree, level), scaled by 2²⁰⁰, and adds the negated, equally scaled
// midpoint between the threshold and the next float32; no float32 lies on
// that midpoint, so the result is never 0 and at least 2⁵⁰ in magnitude,
// and 1 − min(Relu(·), 1), two Relu and one Sub, is the exact "not" bit of
// x > t (gonnx at opset 13 cannot Cast booleans, and its Gemm runs only in
// float32). A second product counts for every leaf how many levels agree
// with its index; Relu(count − (depth − 1)) is the one-hot leaf. This stage
// runs in float32 (exact: small integers), which keeps its tensors under
// Go's 32 KB large-object size. A last product sums the leaf values (stored
// divided by the temperature) into the four class scores. The two wide
// products run as batched MatMuls of whole trees, narrow enough that gonum
// computes each batch without starting goroutines (productBatches). Trees
// may hold one value per class in their leaves (AllClasses). One-hot
// products add exact zeros, so the graph reproduces the plain-Go pass up to
// the float64 summation order of the class totals.
package onnx
