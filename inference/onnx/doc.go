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
// without Gather, whose gonnx implementation costs about 1 µs per index: the
// tested feature of every (tree, level) is selected by a one-hot matrix built
// in the graph, the leaf index is a matrix product of the condition bits with
// powers of two, and the leaf value is picked by a one-hot product. gonnx at
// opset 13 cannot Cast booleans, so the comparison x > t is computed exactly
// in float64 on the float32 values as 1 − Relu(1 − Relu(x − t)·2²⁰⁰): x − t
// is 0 only when x == t and is at least 2⁻¹⁴⁹ otherwise, and nothing reaches
// infinity (gonnx's Relu(−Inf) is NaN). One-hot selections multiply by exact
// 0 and 1 and add exact zeros, so the graph reproduces the plain-Go pass up
// to the float64 summation order of the class totals.
package onnx
