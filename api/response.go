package api

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
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

// appendClassifyResponse appends the JSON of r to dst: byte for byte what
// encoding/json.Marshal writes (TestAppendClassifyResponse checks it),
// without reflection or a map iterator for the usual response whose
// strings are printable ASCII needing no escape and whose numbers are
// finite; any other response is handed to encoding/json, which also
// reports non-finite numbers as errors.
func appendClassifyResponse(dst []byte, r ClassifyResponse) ([]byte, error) {
	if !plainResponse(r) {
		b, err := json.Marshal(r)
		return append(dst, b...), err
	}
	dst = append(dst, `{"id":"`...)
	dst = append(dst, r.ID...)
	dst = append(dst, `","rhythm":"`...)
	dst = append(dst, r.Rhythm...)
	dst = append(dst, `","probabilities":`...)
	if r.Probabilities == nil {
		dst = append(dst, "null"...)
	} else {
		// encoding/json writes map keys in sorted order.
		var keys [8]ecg.Rhythm
		ks := keys[:0]
		for k := range r.Probabilities {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		dst = append(dst, '{')
		for i, k := range ks {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '"')
			dst = append(dst, k...)
			dst = append(dst, `":`...)
			dst = appendJSONFloat(dst, r.Probabilities[k])
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"heart_rate_bpm":`...)
	dst = appendJSONFloat(dst, r.HeartRateBPM)
	dst = append(dst, `,"signal_quality":`...)
	dst = appendJSONFloat(dst, r.SignalQuality)
	dst = append(dst, `,"duration_s":`...)
	dst = appendJSONFloat(dst, r.DurationS)
	dst = append(dst, `,"model":{"name":"`...)
	dst = append(dst, r.Model.Name...)
	dst = append(dst, `","version":"`...)
	dst = append(dst, r.Model.Version...)
	dst = append(dst, `","sha256":"`...)
	dst = append(dst, r.Model.SHA256...)
	dst = append(dst, `"},"processing_ms":`...)
	dst = appendJSONFloat(dst, r.ProcessingMs)
	if r.Reason != "" {
		dst = append(dst, `,"reason":"`...)
		dst = append(dst, r.Reason...)
		dst = append(dst, '"')
	}
	if r.AFBurden != nil {
		dst = append(dst, `,"af_burden":`...)
		dst = appendJSONFloat(dst, *r.AFBurden)
	}
	return append(dst, '}'), nil
}

// plainResponse reports whether appendClassifyResponse can write r itself.
func plainResponse(r ClassifyResponse) bool {
	if !plainJSON(r.ID) || !plainJSON(string(r.Rhythm)) || !plainJSON(r.Model.Name) ||
		!plainJSON(r.Model.Version) || !plainJSON(r.Model.SHA256) || !plainJSON(r.Reason) ||
		!finite(r.HeartRateBPM) || !finite(r.SignalQuality) || !finite(r.DurationS) || !finite(r.ProcessingMs) ||
		r.AFBurden != nil && !finite(*r.AFBurden) || len(r.Probabilities) > 8 {
		return false
	}
	for k, p := range r.Probabilities {
		if !plainJSON(string(k)) || !finite(p) {
			return false
		}
	}
	return true
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// appendJSONFloat appends finite v as encoding/json writes a float64: the
// shortest representation that round-trips, in exponent form only below
// 1e-6 or from 1e21 on, with a two-digit negative exponent shortened
// (1e-07 → 1e-7).
func appendJSONFloat(dst []byte, v float64) []byte {
	fmtc := byte('f')
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		fmtc = 'e'
	}
	dst = strconv.AppendFloat(dst, v, fmtc, -1, 64)
	if fmtc == 'e' {
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}
