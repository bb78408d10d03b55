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
	return Decoders{JSON: decodeJSONBody, FHIR: decodeFHIRBody}
}

func decodeFHIRBody(_ []float64, body []byte) (*ecg.Record, string, error) {
	return input.DecodeFHIRDevice(body)
}

// healthKitKey marks a HealthKit export; only bodies containing it pay for
// input.Detect's extra pass over the top-level keys.
const healthKitKey = `"samplingFrequency"`

// containsQuoted reports whether body contains key, which starts with a
// quote: what bytes.Contains reports, found by jumping from quote to quote.
// An afscan JSON body is mostly a samples array without a quote in it, so
// this is one vectorised byte search over it (~1 µs for a 30 s strip),
// where bytes.Contains gives up its first-byte skipping after the few
// quotes of the header and compares at every offset (~33 µs).
func containsQuoted(body []byte, key string) bool {
	for i := 0; ; i++ {
		j := bytes.IndexByte(body[i:], '"')
		if j < 0 {
			return false
		}
		i += j
		if bytes.HasPrefix(body[i:], []byte(key)) {
			return true
		}
	}
}

func decodeJSONBody(samples []float64, body []byte) (*ecg.Record, string, error) {
	if containsQuoted(body, healthKitKey) && input.Detect(body) == input.FormatHealthKit {
		rec, err := input.DecodeAppleHealthJSON(body)
		return rec, "", err
	}
	// input.DecodeJSON names the record after the client's device_id.
	rec, err := input.DecodeJSONInto(samples, body)
	if err != nil {
		return nil, "", err
	}
	return rec, rec.Name, nil
}
