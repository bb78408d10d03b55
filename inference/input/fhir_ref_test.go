package input

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// parseFHIRDataRef is parseFHIRData as it was before the in-place reader
// (strings.TrimLeft/IndexAny tokens, isDecimal, strconv.ParseFloat for
// every token): the reference FuzzParseFHIRDataDifferential holds it to.
func parseFHIRDataRef(data string, origin, factor float64) ([]float64, error) {
	n := 1
	for i := 0; i < len(data); i++ {
		if c := data[i]; c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			n++
		}
	}
	samples := make([]float64, 0, n)
	for i, tok := 0, ""; len(data) > 0; i++ {
		data = strings.TrimLeft(data, " \t\r\n")
		if data == "" {
			break
		}
		end := strings.IndexAny(data, " \t\r\n")
		if end < 0 {
			end = len(data)
		}
		tok, data = data[:end], data[end:]
		switch tok {
		case "E":
			return nil, fmt.Errorf("%w: SampledData data marks sample %d as an error (E)", ErrUnusable, i)
		case "L", "U":
			return nil, fmt.Errorf("%w: SampledData data marks sample %d beyond the detection limit (%s)", ErrUnusable, i, tok)
		}
		if !isDecimal(tok) {
			return nil, fmt.Errorf("%w: SampledData data token %d %q is not a decimal", ErrMalformed, i, clip(tok))
		}
		v, err := strconv.ParseFloat(tok, 64)
		if err != nil { // out of float64 range
			return nil, fmt.Errorf("%w: SampledData data value %d is out of range", ErrUnusable, i)
		}
		samples = append(samples, origin+factor*v)
	}
	return samples, nil
}

// FuzzParseFHIRDataDifferential: the in-place data reader accepts and
// refuses like the reference, with the same error class, and gives the same
// samples bit for bit.
//
// Verifies: SRS-IO-007
func FuzzParseFHIRDataDifferential(f *testing.F) {
	for _, s := range []string{
		"1 2 3", " -12 +7\t0.5\r\n1e3 ", "007 -0 +0.0 0.25", "1. .5 1e 1e+ --1 +-1",
		"E", "1 L", "U 2", "1e400", "1e-400", "123456789012345678901234567890 9007199254740993 4.35 0.1",
		"0x10 1_000 Inf NaN infinity", "1,5", "", "   ", "\u00a01", "5\v6",
	} {
		f.Add(s, 0.0, 1.0)
		f.Add(s, -1.5, 0.001)
	}
	f.Fuzz(func(t *testing.T, data string, origin, factor float64) {
		got, gotErr := parseFHIRData(data, origin, factor)
		want, wantErr := parseFHIRDataRef(data, origin, factor)
		if errClass(gotErr) != errClass(wantErr) {
			t.Fatalf("%q: got %s (%v), reference %s (%v)", data, errClass(gotErr), gotErr, errClass(wantErr), wantErr)
		}
		if gotErr == nil {
			if len(got) != len(want) {
				t.Fatalf("%q: got %d samples, reference %d", data, len(got), len(want))
			}
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
					t.Fatalf("%q: sample %d: got %g, reference %g", data, i, got[i], want[i])
				}
			}
		}
	})
}

// fhirDiffSeeds are Observations where the single-pass reader must give
// way to encoding/json or agree with it: case-folded and escaped keys,
// repeated keys (encoding/json merges repeated objects), nulls, wrong
// types, integers written as decimals, escapes in the data string, Bundles.
var fhirDiffSeeds = []string{
	obs(sdOK),
	obs(`"origin": {"value": 1.5, "code": "uV"}, "period": 2, "factor": 0.5, "dimensions": 1, "data": "1 2 3"`),
	obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1 E L U 2"`),
	obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1.0, "data": "1"`),
	obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1e0, "data": "1"`),
	obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 99999999999999999999, "data": "1"`),
	obs(`"origin": {"code": "mV"}, "period": 1e400, "dimensions": 1, "data": "1"`),
	obs(`"origin": {"code": "mV"}, "period": null, "dimensions": 1, "data": "1"`),
	obs(`"origin": {"code": "mV"}, "Period": 4, "dimensions": 1, "data": "1"`),
	obs(`"origin": {"code": "mV"}, "per\u0069od": 4, "dimensions": 1, "data": "1"`),
	obs(`"origin": {"code": "mV"}, "period": 4, "period": 8, "dimensions": 1, "data": "1 2"`),
	obs(`"origin": {"code": "mV"}, "origin": {"value": 3}, "period": 4, "dimensions": 1, "data": "1"`),
	obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1\u00202\t3"`),
	obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1\u00a02"`),
	obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "\u00a0"`),
	obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": ""`),
	obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": 5`),
	obs(`"origin": {"code": "\u00b5V"}, "period": 4, "dimensions": 1, "data": "1"`),
	obs(`"origin": "mV", "period": 4, "dimensions": 1, "data": "1"`),
	`{"resourceType": "Observation", "valueSampledData": null}`,
	`{"resourceType": "Observation", "RESOURCETYPE": "Patient", "valueSampledData": {"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1"}}`,
	`{"resourceType": "Observation", "component": [{"code": {"coding": [{"code": "131329"}]}, "valueSampledData": {"origin": {"code": "V"}, "period": 1, "dimensions": 1, "data": "0.1"}}]}`,
	`{"resourceType": "Observation", "component": [{"valueSampledData": {"origin": {"code": "V"}, "period": 1, "dimensions": 1, "data": "0.1"}}], "component": [{"code": {"coding": [{"code": "131330"}]}}]}`,
	`{"resourceType": "Observation", "component": [{"code": {"coding": [{"code": "131330"}]}, "valueSampledData": {"origin": {"code": "uV"}, "period": 2, "dimensions": 1, "data": "5"}}, {"code": {"coding": [{"code": "131329"}], "text": "I"}, "valueSampledData": {"origin": {"code": "uV"}, "period": 2, "dimensions": 1, "data": "7"}}]}`,
	`{"resourceType": "Observation", "component": {}}`,
	`{"resourceType": "Observation", "component": [null]}`,
	`{"resourceType": "Observation", "component": [{"code": null}]}`,
	`{"resourceType": 5}`, `{"resourceType": null}`, `{}`, `[]`, `null`, ``, `{"resourceType": "Observation"} x`,
	`{"resourceType": "Observation", "effectivePeriod": {"start": "2020-01-01T00:00:00Z", "end": "2020-01-01T00:00:30Z"}, "valueSampledData": {"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1 2 3"}}`,
	`{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}, {"resource": ` + obs(sdOK) + `}]}`,
	`{"resourceType": "Patient", "valueSampledData": {"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1"}}`,
	obsDevice(`{"reference": "Device/watch-0042", "display": "watch"}`),
	obsDevice(`{"identifier": {"system": "urn:ieee:mac", "value": "00-1b"}}`),
	obsDevice(`{"display": "chest patch"}`),
	obsDevice(`{"reference": 5}`),
	obsDevice(`"Device/1"`),
	obsDevice(`null`),
	obsDevice(`{"reference": "Device/\u0041"}`),
	obsDevice(`{"reference": "Device/1"}, "device": {"reference": "Device/2"}`),
	obsDevice(`{"Reference": "Device/3"}`),
	`{"resourceType": "Observation", "Device": {"reference": "Device/4"}, "valueSampledData": {` + sdOK + `}}`,
	`{"resourceType": "Bundle", "entry": [{"resource": ` + obsDevice(`{"reference": "Device/5"}`) + `}]}`,
}

// FuzzDecodeFHIRDifferential: on any input DecodeFHIR (single-pass reader
// with its encoding/json fallback) accepts and refuses like the
// encoding/json path alone, with the same error class, and decodes the
// same record bit for bit.
//
// Verifies: SRS-IO-007
func FuzzDecodeFHIRDifferential(f *testing.F) {
	addSeeds(f, "*.fhir.json", fhirDiffSeeds...)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, gotDevice, gotErr := DecodeFHIRDevice(data)
		want, wantDevice, wantErr := decodeFHIRStd(data)
		sameDecoding(t, data, got, want, gotErr, wantErr)
		if gotDevice != wantDevice {
			t.Fatalf("input %q: got device %q, reference %q", clip(string(data)), gotDevice, wantDevice)
		}
	})
}
