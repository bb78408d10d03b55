package api

import (
	"time"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

// ClassifyResponse is the 200 body of POST /v1/classify (DESIGN.md). The
// CLI's `classify --json` prints the same keys plus "file".
type ClassifyResponse struct {
	ID            string                 `json:"id"`
	Rhythm        ecg.Rhythm             `json:"rhythm"`
	Probabilities map[ecg.Rhythm]float64 `json:"probabilities"`
	HeartRateBPM  float64                `json:"heart_rate_bpm"`
	SignalQuality float64                `json:"signal_quality"`
	DurationS     float64                `json:"duration_s"`
	Model         inference.ModelInfo    `json:"model"`
	ProcessingMs  float64                `json:"processing_ms"`
	// Reason says why a strip is inconclusive before the model ran.
	Reason string `json:"reason,omitempty"`
	// AFBurden is present for input classified in several windows.
	AFBurden *float64 `json:"af_burden,omitempty"`
}

// NewClassifyResponse builds the response for one classified strip.
func NewClassifyResponse(id string, r inference.Result, model inference.ModelInfo, took time.Duration) ClassifyResponse {
	resp := ClassifyResponse{
		ID:            id,
		Rhythm:        r.Rhythm,
		Probabilities: r.Probabilities,
		HeartRateBPM:  r.HeartRateBPM,
		SignalQuality: r.SignalQuality,
		DurationS:     r.Duration.Seconds(),
		Model:         model,
		ProcessingMs:  float64(took.Microseconds()) / 1000,
		Reason:        r.Reason,
	}
	if len(r.Episodes) > 1 {
		burden := r.AFBurden
		resp.AFBurden = &burden
	}
	return resp
}
