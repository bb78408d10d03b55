package input

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/afscan/afscan/ecg"
)

// jsonStrip is the afscan JSON body of POST /v1/classify (DESIGN.md).
// Samples stay raw: parseNumberArray reads them much faster than
// encoding/json would and refuses null, which encoding/json would leave as
// a silent zero in the middle of a strip.
type jsonStrip struct {
	SampleRateHz *float64        `json:"sample_rate_hz"`
	Samples      json.RawMessage `json:"samples"`
	Units        *string         `json:"units"`
	DeviceID     string          `json:"device_id"`
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
// device_id (empty when absent). Allocation is proportional to the input's
// length.
func DecodeJSON(data []byte) (*ecg.Record, error) {
	var s jsonStrip
	if err := strictUnmarshal(data, &s); err != nil {
		return nil, err
	}
	if s.SampleRateHz == nil {
		return nil, fmt.Errorf("%w: sample_rate_hz is missing", ErrMalformed)
	}
	if s.Samples == nil || isNull(s.Samples) {
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
	samples, err := parseNumberArray("samples", s.Samples)
	if err != nil {
		return nil, err
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

// parseNumberArray parses a JSON array of numbers (raw has already passed
// encoding/json's syntax check). The result's capacity is bounded by the
// input's length: one more element than there are commas.
func parseNumberArray(field string, raw []byte) ([]float64, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, fmt.Errorf("%w: field %q must be an array of numbers", ErrMalformed, field)
	}
	out := make([]float64, 0, bytes.Count(raw, []byte{','})+1)
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return out, nil
	}
	for i < len(raw) {
		j := i
		for j < len(raw) && raw[j] != ',' && raw[j] != ']' && !isSpace(raw[j]) {
			j++
		}
		tok := raw[i:j]
		if !isDecimal(tok) || tok[0] == '+' {
			return nil, fmt.Errorf("%w: every element of %q must be a JSON number, element %d is %s", ErrMalformed, field, len(out), clip(string(tok)))
		}
		v, err := strconv.ParseFloat(string(tok), 64)
		if err != nil {
			return nil, fmt.Errorf("%w: element %d of %q is out of range", ErrMalformed, len(out), field)
		}
		out = append(out, v)
		i = skipSpace(raw, j)
		if i < len(raw) && raw[i] == ']' {
			return out, nil
		}
		if i >= len(raw) || raw[i] != ',' {
			break
		}
		i = skipSpace(raw, i+1)
	}
	return nil, fmt.Errorf("%w: field %q is not a well-formed array", ErrMalformed, field)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}
