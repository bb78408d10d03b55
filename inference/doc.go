// Package inference is the AF classifier: it takes one lead of a strip
// (ecg.Record, mV, any rate 125–1000 Hz), resamples it to the internal rate,
// measures signal quality, detects beats, extracts features and runs the
// embedded ONNX model to call the rhythm (ecg.Rhythm) with probabilities.
//
// The pipeline, in the order it runs (Extractor.Extract, Features):
//
//  1. Validate: lead present, rate in 125–1000 Hz, at least MinDuration,
//     finite samples; otherwise ErrNoLead, ErrUnsupportedRate,
//     ErrSignalTooShort or ErrNonFinite (the API answers 422).
//  2. Resample to InternalRateHz (300 Hz, the CinC 2017 rate) with
//     ecg.Resample; every later step works at that one rate.
//  3. Filter to 0.5–40 Hz (ecg.Bandpass, zero phase).
//  4. Detect R peaks twice: ecg.DetectRPeaks (Pan–Tompkins family) and a
//     second, independent detector (Elgendi's two moving averages); their
//     agreement is the bSQI part of the quality index.
//  5. Correct polarity (inverted strips are common on hand-held devices)
//     and place each beat's fiducial on its largest positive deflection.
//  6. Extract the features FeatureNames lists: heart rate and RR
//     irregularity, signal quality, atrial activity (P wave, f waves after
//     QRST cancellation) and beat morphology/ectopy. Each group's source is
//     cited beside its code. Every value is finite for every input.
//  7. Gate: strips shorter than MinCallableDuration, flat, saturated or
//     below the signal-quality threshold are inconclusive with a Reason and
//     never reach the model.
//
// Speed: the model was trained on the exact feature values, so the pipeline
// is optimised only in ways that keep every floating-point operation and
// its order (a last-bit change can move a tree split). Independent
// recursions run side by side instead of one after the other (the two
// band-passes in one pass, ecg.Detector.DetectAndBandpass; four beats' or
// four outputs' sums at a time), sums shared by several measures are
// computed once, loops index length-matched slices so that they carry no
// bounds checks, and the Welch spectra use an FFTPACK-exact real FFT
// (rfft.go). TestFeatureDigest pins the feature bits of CinC 2017 and
// MIT-BIH strips to those of the pipeline the model was trained on, and
// TestFeatureGolden (opt-in) names any feature that moved.
//
// Classifier adds the model call (Model, satisfied by inference/onnx's
// Model), the decision rule (optionally the trainer's AF operating point)
// and, for input longer than one window, windowing and aggregation into AF
// burden and episodes. NewDefault builds it on the embedded model.
//
// Units: samples in millivolts, rates in hertz, times in milliseconds
// (names end in Ms) or time.Duration, heart rates in beats per minute.
// Feature names carry their unit or "_rel"/"_norm"/"_frac" for
// dimensionless ratios.
//
// inference imports ecg and model (the embedded artifact); only its
// subpackage inference/onnx imports the ONNX runtime. It must not import
// api, validation, dhf, sbom or cmd.
package inference
