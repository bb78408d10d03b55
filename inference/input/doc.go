// Package input decodes every strip format afscan accepts into an
// *ecg.Record: afscan JSON, FHIR R4 Observation (SampledData), the Apple
// Health ECG export CSV (any locale), HealthKit-style JSON, and — through
// ReadFile — PhysioNet WFDB records (.hea with .dat or CinC .mat).
//
// Decode detects the format from the content, not the file name; the name
// only breaks ties and sharpens error messages.
//
// Errors fall into two classes that callers branch on with errors.Is:
// ErrMalformed (the bytes do not follow the format: syntax, wrong JSON type,
// a required field missing, junk in a FHIR data string) and ErrUnusable (the
// input is well formed but is not a usable ECG: no samples, NaN or infinity,
// a non-positive or absurd rate, a unit that is not a voltage, more than one
// dimension). The API maps them to HTTP 400 and 422. Messages are one plain
// line fit for a user; they never echo personal data (the Apple export's
// name or date of birth), which is never stored in the Record either.
//
// Units: decoded samples are always millivolts (mV), whatever the input
// unit (V, mV, µV); sample rates are hertz. The length policy (too short,
// too long) is the classifier's; decoders only refuse an empty strip, and
// they never allocate from a count written in the input, only in proportion
// to the input's size.
//
// Speed: DecodeJSON and DecodeFHIR read the request bytes once with a
// hand-written scanner that follows encoding/json's grammar (numbers parsed
// as they are scanned, exactly as strconv.ParseFloat would); DecodeFHIR
// hands unusual documents to encoding/json. Differential fuzz tests hold
// both to the encoding/json reading they replaced (same acceptance, same
// error class, same values bit for bit). A 30 s strip decodes in about
// 0.1 ms (BenchmarkDecodeJSON30s, BenchmarkDecodeFHIR30s).
//
// input imports ecg and the standard library only; it must not import api,
// validation, dhf, sbom or cmd.
package input
