package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/afscan/afscan/ecg"
)

// decodeJSONRef is DecodeJSON as it was before the single-pass scanner:
// encoding/json validates and decodes the object, then parseNumberArrayRef
// parses the samples a second time with strconv.ParseFloat. It is the
// reference the differential tests hold DecodeJSON to.
func decodeJSONRef(data []byte) (*ecg.Record, error) {
	var s struct {
		SampleRateHz *float64        `json:"sample_rate_hz"`
		Samples      json.RawMessage `json:"samples"`
		Units        *string         `json:"units"`
		DeviceID     string          `json:"device_id"`
	}
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
	samples, err := parseNumberArrayRef("samples", s.Samples)
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

func parseNumberArrayRef(field string, raw []byte) ([]float64, error) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	skipSpace := func(b []byte, i int) int {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		return i
	}
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

// errClass names an error's class for the differential tests.
func errClass(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrMalformed) && errors.Is(err, ErrUnusable):
		return "both"
	case errors.Is(err, ErrMalformed):
		return "malformed"
	case errors.Is(err, ErrUnusable):
		return "unusable"
	}
	return "unclassified"
}

// sameDecoding fails unless the fast and the reference decoder agree: the
// same error class, or records equal bit for bit.
func sameDecoding(t *testing.T, in []byte, got, want *ecg.Record, gotErr, wantErr error) {
	t.Helper()
	if errClass(gotErr) != errClass(wantErr) {
		t.Fatalf("input %q: got %s (%v), reference %s (%v)", clip(string(in)), errClass(gotErr), gotErr, errClass(wantErr), wantErr)
	}
	if gotErr != nil {
		return
	}
	if got.Name != want.Name || math.Float64bits(got.SampleRateHz) != math.Float64bits(want.SampleRateHz) ||
		len(got.Leads) != len(want.Leads) || !got.Start.Equal(want.Start) {
		t.Fatalf("input %q: got record %q %g Hz %d leads, reference %q %g Hz %d leads", clip(string(in)), got.Name, got.SampleRateHz, len(got.Leads), want.Name, want.SampleRateHz, len(want.Leads))
	}
	for l := range got.Leads {
		g, w := got.Leads[l], want.Leads[l]
		if g.Name != w.Name || g.Units != w.Units || len(g.Samples) != len(w.Samples) {
			t.Fatalf("input %q: lead %d: got %q %q %d samples, reference %q %q %d", clip(string(in)), l, g.Name, g.Units, len(g.Samples), w.Name, w.Units, len(w.Samples))
		}
		for i := range g.Samples {
			if math.Float64bits(g.Samples[i]) != math.Float64bits(w.Samples[i]) {
				t.Fatalf("input %q: sample %d: got %g, reference %g", clip(string(in)), i, g.Samples[i], w.Samples[i])
			}
		}
	}
}

// jsonDiffSeeds are inputs where a hand-written JSON reader most easily
// parts from encoding/json: key matching, duplicates, nulls, escapes,
// number grammar and range, nesting, trailing data.
var jsonDiffSeeds = []string{
	`{"sample_rate_hz": 300, "samples": [0.1, -0.2, 1]}`,
	`{"SAMPLE_RATE_HZ": 300, "Samples": [1]}`,
	"{\"\u017fample_rate_hz\": 300, \"samples\": [1]}", // long s folds to s
	`{"sample\u005frate_hz": 300, "samples": [1], "units": "\u00b5V"}`,
	`{"sample_rate_hz": 300, "sample_rate_hz": null, "samples": [1]}`,
	`{"sample_rate_hz": null, "sample_rate_hz": 250, "samples": [1]}`,
	`{"sample_rate_hz": 300, "samples": [1], "samples": null}`,
	`{"sample_rate_hz": 300, "samples": null, "samples": [2, 3]}`,
	`{"sample_rate_hz": 300, "samples": ["x"], "samples": [2]}`,
	`{"sample_rate_hz": 300, "samples": [1], "units": "uV", "units": null}`,
	`{"sample_rate_hz": 300, "samples": [1], "device_id": "a", "device_id": null}`,
	`{"sample_rate_hz": 300, "samples": [1], "device_id": "\ud800x\udc00\u00e9\xff"}`,
	`{"sample_rate_hz": 0, "samples": [null]}`,
	`{"sample_rate_hz": 300, "samples": [null], "units": "mmHg"}`,
	`{"sample_rate_hz": 300, "samples": [1e400]}`,
	`{"sample_rate_hz": 300, "samples": [1e-400, -0, 0e999, 123456789012345678901234567890, 9007199254740993, 0.1e-22, 4.35, 1e23]}`,
	`{"sample_rate_hz": 1e400, "samples": [1]}`,
	`{"sample_rate_hz": 300, "samples": [01]}`,
	`{"sample_rate_hz": 300, "samples": [1.]}`,
	`{"sample_rate_hz": 300, "samples": [.5]}`,
	`{"sample_rate_hz": 300, "samples": [+1]}`,
	`{"sample_rate_hz": 300, "samples": [-]}`,
	`{"sample_rate_hz": 300, "samples": [1e+]}`,
	`{"sample_rate_hz": 300, "samples": [1,]}`,
	`{"sample_rate_hz": 300, "samples": [1 2]}`,
	`{"sample_rate_hz": 300, "samples": [[1]]}`,
	`{"sample_rate_hz": 300, "samples": {"a": 1}}`,
	`{"sample_rate_hz": 300, "samples": [1], "x": [{"a": [true, false, null, "s\n"]}]}`,
	"{\"sample_rate_hz\": 300, \"samples\": [1], \"x\": \"ctl\x01\"}",
	`{"sample_rate_hz": 300, "samples": [1], "x": "\q"}`,
	`{"sample_rate_hz": 300, "samples": [1], "x": nul}`,
	`{"sample_rate_hz": 300, "samples": [1]} `,
	`{"sample_rate_hz": 300, "samples": [1]} {}`,
	`{"sample_rate_hz": 300, "samples": [1],}`,
	`{"sample_rate_hz": "300", "samples": [1]}`,
	`{"sample_rate_hz": 300, "samples": [1], "units": 3}`,
	`{"sample_rate_hz": 300, "samples": [1], "device_id": 3}`,
	`{"sample_rate_hz": true, "samples": [1}`,
	"\ufeff{\"sample_rate_hz\": 300, \"samples\": [1]}",
	`null`, `[]`, `"x"`, `3`, ``, ` `, `{`, `{}`,
}

// TestDecodeJSONDifferentialNesting: encoding/json's nesting limit holds
// for DecodeJSON too (kept out of the fuzz seeds: minimizing a 20 kB input
// stalls the fuzzer).
//
// Verifies: SRS-IO-007
func TestDecodeJSONDifferentialNesting(t *testing.T) {
	for _, depth := range []int{9999, 10000} {
		for _, field := range []string{"x", "samples"} {
			in := []byte(`{"sample_rate_hz": 300, "samples": [1], "` + field + `": ` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`)
			got, gotErr := DecodeJSON(in)
			want, wantErr := decodeJSONRef(in)
			sameDecoding(t, in, got, want, gotErr, wantErr)
		}
	}
}

// FuzzDecodeJSONDifferential: on any input DecodeJSON accepts and refuses
// like the two-pass reference (encoding/json, then strconv), with the same
// error class, and decodes the same record bit for bit.
//
// Verifies: SRS-IO-007
func FuzzDecodeJSONDifferential(f *testing.F) {
	addSeeds(f, "*.json", jsonDiffSeeds...)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, gotErr := DecodeJSON(data)
		want, wantErr := decodeJSONRef(data)
		sameDecoding(t, data, got, want, gotErr, wantErr)
	})
}
