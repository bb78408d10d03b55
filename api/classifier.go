package api

import (
	"context"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

// Classifier makes the rhythm call for one strip. inference.NewDefault
// returns the production implementation; internal/fake has the test double.
// Implementations must be safe for concurrent use and must not keep rec
// (or its samples) after Classify returns: the server reuses that memory
// for the next request.
type Classifier interface {
	Classify(ctx context.Context, rec *ecg.Record) (inference.Result, error)
	Model() inference.ModelInfo
}

// DecodeFunc turns a request body into a record and the identifier of the
// device that recorded it ("" when the body names none; the audit log
// records only its keyed hash, see DeviceKey). samples is a buffer the
// decoder may decode the samples into when its capacity holds them (the
// record's lead then aliases it; nil or too small: it allocates); the
// server reuses it once the record has been classified. Errors that wrap
// input.ErrMalformed become 400 and errors that wrap input.ErrUnusable or an
// inference input error become 422 (problem.go).
type DecodeFunc func(samples []float64, body []byte) (rec *ecg.Record, deviceID string, err error)

// Decoders holds one DecodeFunc per accepted request media type. A nil field
// means the media type is refused with 415.
type Decoders struct {
	// JSON decodes application/json: afscan JSON, or an Apple Health style
	// export when the decoder recognises one.
	JSON DecodeFunc
	// FHIR decodes application/fhir+json: a FHIR R4 Observation.
	FHIR DecodeFunc
}
