package api

import (
	"bytes"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference/input"
)

// DefaultDecoders returns the decoders of inference/input: afscan JSON or a
// HealthKit-style export (voltages in volts with samplingFrequency) for
// application/json, and a FHIR R4 Observation for application/fhir+json.
func DefaultDecoders() Decoders {
	return Decoders{JSON: decodeJSONBody, FHIR: input.DecodeFHIR}
}

// healthKitKey marks a HealthKit export; only bodies containing it pay for
// input.Detect's extra pass over the top-level keys.
var healthKitKey = []byte(`"samplingFrequency"`)

func decodeJSONBody(body []byte) (*ecg.Record, error) {
	if bytes.Contains(body, healthKitKey) && input.Detect(body) == input.FormatHealthKit {
		return input.DecodeAppleHealthJSON(body)
	}
	return input.DecodeJSON(body)
}
