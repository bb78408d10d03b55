// Package train fits afscan's rhythm model: gradient-boosted oblivious trees
// on the features of package inference, chosen by stratified k-fold
// cross-validation inside the locked CinC 2017 training fold
// (validation/splits), calibrated by temperature scaling on the out-of-fold
// predictions, and exported as ONNX through inference/onnx.
//
// Training is deterministic: records are processed in list order (feature
// extraction fans out over workers but results land by index), every
// iteration is over sorted slices, float sums run in a fixed order, and all
// randomness comes from a seeded SplitMix64 generator. The same data and seed
// give a byte-identical ONNX file.
//
// It imports ecg and inference (for the very feature code path the runtime
// uses) and inference/onnx; nothing imports it but cmd/afscan.
package train
