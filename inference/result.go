package inference

import (
	"errors"
	"time"

	"github.com/afscan/afscan/ecg"
)

// Result is the rhythm call for one strip. Its fields are what the API
// response and the validation report carry (DESIGN.md).
type Result struct {
	Rhythm ecg.Rhythm
	// Probabilities holds one calibrated probability per label of
	// ecg.Rhythms; they sum to 1.
	Probabilities map[ecg.Rhythm]float64
	// HeartRateBPM is the mean ventricular rate; 0 when no beats were found.
	HeartRateBPM float64
	// SignalQuality is in [0, 1]; 1 is clean.
	SignalQuality float64
	Duration      time.Duration
	// Reason is a machine-readable code when Rhythm is inconclusive for a
	// reason other than the model's call: "too_short", "flat_line",
	// "saturated", "noise". Empty otherwise.
	Reason string
	// AFBurden is the fraction of analysed windows called AF, for input
	// longer than one window; for a single window it is 0 or 1.
	AFBurden float64
	// Episodes lists the per-window calls of long input, in time order.
	Episodes []ecg.Episode
}

// ModelInfo identifies the model that made a call. SHA256 is the hex digest
// of the ONNX file and is the model's identity everywhere.
type ModelInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// Errors for input that is not a usable ECG at all (as opposed to a usable
// but unreadable strip, which is an inconclusive Result). The API maps them
// to 422.
var (
	ErrUnsupportedRate = errors.New("sample rate outside 125–1000 Hz")
	ErrSignalTooShort  = errors.New("recording too short to analyse")
	ErrNonFinite       = errors.New("samples contain NaN or infinity")
	ErrNoLead          = errors.New("record has no lead")
)
