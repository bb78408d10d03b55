package api

import (
	"bytes"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference/input"
)

// DefaultDecoders returns the decoders of inference/input: afscan JSON or a
// HealthKit-style export (voltages in volts with samplingFrequency) for
// application/json, and a FHIR R4 Observation for application/fhir+json.
// The device is afscan JSON's device_id and the FHIR Observation's device
// reference (input.DecodeFHIRDevice); a HealthKit export names none.
func DefaultDecoders() Decoders {
	return Decoders{JSON: decodeJSONBody, FHIR: input.DecodeFHIRDevice}
}

// healthKitKey marks a HealthKit export; only bodies containing it pay for
// input.Detect's extra pass over the top-level keys.
var healthKitKey = []byte(`"samplingFrequency"`)

func decodeJSONBody(body []byte) (*ecg.Record, string, error) {
	if bytes.Contains(body, healthKitKey) && input.Detect(body) == input.FormatHealthKit {
		rec, err := input.DecodeAppleHealthJSON(body)
		return rec, "", err
	}
	// input.DecodeJSON names the record after the client's device_id.
	rec, err := input.DecodeJSON(body)
	if err != nil {
		return nil, "", err
	}
	return rec, rec.Name, nil
}
