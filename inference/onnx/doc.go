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
// with few nodes, since gonnx allocates a fresh tensor (and often a clone of
// an input) for every node: 21 nodes whatever the ensemble size. A
// one-hot float32 matrix product copies the tested feature of every (tree,
// level); in float64 it is compared with the midpoint between the threshold
// and the next float32, which no float32 equals, so the difference is never
// 0 and difference / |difference| is exactly ±1, the sign of x > t (gonnx at
// opset 13 cannot Cast booleans, and its Gemm runs only in float32). A second
// product of the signs with ±½ per (level, leaf) counts for every leaf how
// many levels agree with its index, less depth − 1: every tree has one more,
// always-true condition whose row holds that constant, so no Add is needed;
// PRelu with a zero slope (gonnx's Relu is a comparison and a product: two
// passes, two tensors) turns the result into the one-hot leaf. This stage
// runs in float32 (exact: half-integers), which keeps its tensors under
// Go's 32 KB large-object size. A last float32 product sums the leaf values
// (stored negated) into the four class totals; the prior, the temperature
// and the softmax follow in float64. The softmax is not gonnx's Softmax,
// which starts a goroutine per row and waits for it, but exp(s) =
// σ(s)/σ(−s) of the centred scores, normalised by a product with ones. The
// wide products run as batched MatMuls of whole trees, narrow enough that
// gonum computes each batch without starting goroutines (productBatches).
// Trees may hold one value per class in their leaves (AllClasses). One-hot
// products add exact zeros, so the graph differs from the plain-Go pass
// (float64 sums) only by the float32 rounding of the running class totals,
// once per tree, and a few ulp in the softmax: at most 3.2e-7 in
// probability on the shipped model's threshold inputs.
package onnx
