package ecg

// IntervalsRR writes to dst the intervals between consecutive R peaks, in
// milliseconds, and returns dst: dst[i] = (rPeakIdx[i+1]-rPeakIdx[i]) /
// sampleRateHz * 1000. rPeakIdx holds sample indices in ascending order (as
// DetectRPeaks returns them); a non-ascending pair yields a zero or
// negative interval, which the caller can screen out.
//
// The result has len(rPeakIdx)-1 values (none for fewer than two peaks).
// dst may be nil (allocated) or must have exactly that length; any other
// length, or sampleRateHz <= 0, panics (programmer errors).
func IntervalsRR(dst []float64, rPeakIdx []int, sampleRateHz float64) []float64 {
	if !(sampleRateHz > 0) {
		panic("ecg: IntervalsRR sample rate must be positive")
	}
	n := max(len(rPeakIdx)-1, 0)
	dst = prepareDst(dst, n, "IntervalsRR")
	msPerSample := 1000 / sampleRateHz
	for i := range n {
		dst[i] = float64(rPeakIdx[i+1]-rPeakIdx[i]) * msPerSample
	}
	return dst
}
