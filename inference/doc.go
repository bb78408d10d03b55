// Package inference is the AF classifier: it takes one lead of a strip
// (ecg.Record, mV, any rate 125–1000 Hz), resamples it to the internal rate,
// measures signal quality, detects beats, extracts features and runs the
// embedded ONNX model to call the rhythm (ecg.Rhythm) with probabilities.
//
// inference imports ecg and model (the embedded artifact); only its
// subpackage inference/onnx imports the ONNX runtime. It must not import
// api, validation, dhf, sbom or cmd.
package inference
