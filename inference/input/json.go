package input

import (
	"fmt"
	"strconv"

	"github.com/afscan/afscan/ecg"
)

// jsonStrip is the afscan JSON body of POST /v1/classify (DESIGN.md).
type jsonStrip struct {
	SampleRateHz *float64     `json:"sample_rate_hz"`
	Samples      []jsonSample `json:"samples"`
	Units        *string      `json:"units"`
	DeviceID     string       `json:"device_id"`
}

// jsonSample refuses null, which encoding/json would otherwise leave as a
// silent zero in the middle of a strip.
type jsonSample float64

func (s *jsonSample) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || !isDecimal(string(b)) {
		return fmt.Errorf("%w: every sample must be a JSON number, got %s", ErrMalformed, clip(string(b)))
	}
	*s = jsonSample(v)
	return nil
}

// DecodeJSON decodes an afscan JSON strip:
//
//	{"sample_rate_hz": 300, "samples": [mV, ...], "units": "mV", "device_id": "optional"}
//
// units defaults to "mV"; "uV", "µV" and "V" (and the spelled-out words) are
// converted to mV, anything else is ErrUnusable. A missing sample_rate_hz or
// samples, a value of the wrong JSON type, or a syntax error is
// ErrMalformed; an empty samples array, a rate that is not positive or above
// MaxSampleRateHz, or a sample that overflows on conversion is ErrUnusable.
// JSON has no NaN or infinity, so such values (as strings, or numbers out of
// float64 range) are ErrMalformed. Unknown fields are ignored.
//
// The Record has one lead named "ECG" with Units "mV"; its Name is the
// device_id (empty when absent). The samples slice is allocated by the JSON
// decoder in proportion to the input.
func DecodeJSON(data []byte) (*ecg.Record, error) {
	var s jsonStrip
	if err := strictUnmarshal(data, &s); err != nil {
		return nil, err
	}
	if s.SampleRateHz == nil {
		return nil, fmt.Errorf("%w: sample_rate_hz is missing", ErrMalformed)
	}
	if s.Samples == nil {
		return nil, fmt.Errorf("%w: samples is missing", ErrMalformed)
	}
	if err := checkRate("sample_rate_hz", *s.SampleRateHz); err != nil {
		return nil, err
	}
	unit := "mV"
	if s.Units != nil {
		unit = *s.Units
	}
	scale, ok := scaleToMV(unit)
	if !ok {
		return nil, fmt.Errorf("%w: units %q is not a voltage (want mV, uV or V)", ErrUnusable, clip(unit))
	}
	samples := make([]float64, len(s.Samples))
	for i, v := range s.Samples {
		samples[i] = float64(v)
	}
	if err := toMV(samples, scale); err != nil {
		return nil, err
	}
	return &ecg.Record{
		Name:         s.DeviceID,
		SampleRateHz: *s.SampleRateHz,
		Leads:        []ecg.Lead{{Name: "ECG", Units: "mV", Samples: samples}},
	}, nil
}
