package input

import (
	"math"
	"strings"
	"testing"
	"time"
)

// obs builds an Observation whose valueSampledData is the given JSON members.
func obs(sampledData string) string {
	return `{"resourceType": "Observation", "id": "x1", "status": "final", "valueSampledData": {` + sampledData + `}}`
}

// obsDevice builds an Observation with a strip whose device member is the
// given JSON value.
func obsDevice(device string) string {
	return `{"resourceType": "Observation", "id": "x1", "device": ` + device + `, "valueSampledData": {` + sdOK + `}}`
}

const sdOK = `"origin": {"value": 0, "unit": "mV", "system": "http://unitsofmeasure.org", "code": "mV"}, "period": 4, "dimensions": 1, "data": "1 2 -3.5"`

// Verifies: SRS-IO-007
func TestDecodeFHIR(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantErr  error
		wantRate float64
		wantMV   []float64
		wantLead string
	}{
		{name: "top-level mV", in: obs(sdOK), wantRate: 250, wantMV: []float64{1, 2, -3.5}, wantLead: "ECG"},
		{name: "origin and factor", in: obs(`"origin": {"value": 10, "code": "uV"}, "period": 2, "factor": 2.5, "dimensions": 1, "data": "0 4 -4"`),
			wantRate: 500, wantMV: []float64{0.010, 0.020, 0}, wantLead: "ECG"},
		{name: "unit text when no code", in: obs(`"origin": {"value": 0, "unit": "µV"}, "period": 2, "dimensions": 1, "data": "1000"`), wantRate: 500, wantMV: []float64{1}},
		{name: "volts", in: obs(`"origin": {"value": 0, "code": "V"}, "period": 2, "dimensions": 1, "data": "0.001"`), wantRate: 500, wantMV: []float64{1}},
		{name: "fractional period", in: obs(`"origin": {"code": "mV"}, "period": 3.3333333333333335, "dimensions": 1, "data": "1"`), wantRate: 300, wantMV: []float64{1}},
		{name: "extra white space in data", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "  1\t2\n3  "`), wantRate: 250, wantMV: []float64{1, 2, 3}},
		{name: "exponent and plus sign", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1e-1 +2 -3E0"`), wantRate: 250, wantMV: []float64{0.1, 2, -3}},
		{name: "R5 interval in ms", in: obs(`"origin": {"code": "mV"}, "interval": 4, "intervalUnit": "ms", "dimensions": 1, "data": "1"`), wantRate: 250, wantMV: []float64{1}},
		{name: "R5 interval in s", in: obs(`"origin": {"code": "mV"}, "interval": 0.004, "intervalUnit": "s", "dimensions": 1, "data": "1"`), wantRate: 250, wantMV: []float64{1}},
		{name: "lead I component preferred", in: `{"resourceType": "Observation", "component": [
			{"code": {"coding": [{"system": "urn:oid:2.16.840.1.113883.6.24", "code": "131330", "display": "MDC_ECG_ELEC_POTL_II"}]}, "valueSampledData": {"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "2 2"}},
			{"code": {"coding": [{"system": "urn:oid:2.16.840.1.113883.6.24", "code": "131329", "display": "MDC_ECG_ELEC_POTL_I"}]}, "valueSampledData": {"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1 1"}}]}`,
			wantRate: 250, wantMV: []float64{1, 1}, wantLead: "I"},
		{name: "lead II over unspecified", in: `{"resourceType": "Observation", "component": [
			{"code": {"coding": [{"code": "131328"}]}, "valueSampledData": {"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "3"}},
			{"code": {"coding": [{"code": "131330"}]}, "valueSampledData": {"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "2"}}]}`,
			wantRate: 250, wantMV: []float64{2}, wantLead: "II"},
		{name: "first component with data", in: `{"resourceType": "Observation", "component": [
			{"code": {"text": "heart rate"}, "valueQuantity": {"value": 60}},
			{"code": {"text": "V5"}, "valueSampledData": {"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "5"}}]}`,
			wantRate: 250, wantMV: []float64{5}, wantLead: "V5"},
		{name: "effectivePeriod that agrees", in: `{"resourceType": "Observation", "effectivePeriod": {"start": "2024-01-01T10:00:00Z", "end": "2024-01-01T10:00:00.012Z"}, "valueSampledData": {` + sdOK + `}}`,
			wantRate: 250, wantMV: []float64{1, 2, -3.5}},

		{name: "Bundle: first Observation with a strip", in: `{"resourceType": "Bundle", "type": "collection", "entry": [
			{"resource": {"resourceType": "Patient", "id": "p"}},
			{"resource": {"resourceType": "Observation", "valueQuantity": {"value": 72}}},
			{"resource": ` + obs(sdOK) + `}]}`, wantRate: 250, wantMV: []float64{1, 2, -3.5}},

		{name: "not JSON", in: `<Observation/>`, wantErr: ErrMalformed},
		{name: "no resourceType", in: `{"valueSampledData": {` + sdOK + `}}`, wantErr: ErrMalformed},
		{name: "period as string", in: obs(`"origin": {"code": "mV"}, "period": "4", "dimensions": 1, "data": "1"`), wantErr: ErrMalformed},
		{name: "data as array", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": [1, 2]`), wantErr: ErrMalformed},
		{name: "dimensions fractional", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1.5, "data": "1"`), wantErr: ErrMalformed},
		{name: "dimensions zero", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 0, "data": "1"`), wantErr: ErrMalformed},
		{name: "missing origin", in: obs(`"period": 4, "dimensions": 1, "data": "1"`), wantErr: ErrMalformed},
		{name: "missing period", in: obs(`"origin": {"code": "mV"}, "dimensions": 1, "data": "1"`), wantErr: ErrMalformed},
		{name: "missing dimensions", in: obs(`"origin": {"code": "mV"}, "period": 4, "data": "1"`), wantErr: ErrMalformed},
		{name: "junk in data", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1 2 abc 4"`), wantErr: ErrMalformed},
		{name: "NaN in data", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1 NaN"`), wantErr: ErrMalformed},
		{name: "Inf in data", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "Inf 1"`), wantErr: ErrMalformed},
		{name: "hex float in data", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "0x1p3"`), wantErr: ErrMalformed},
		{name: "comma separated data", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1,2,3"`), wantErr: ErrMalformed},

		{name: "Bundle without Observation", in: `{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}]}`, wantErr: ErrUnusable},
		{name: "Bundle whose Observation is broken", in: `{"resourceType": "Bundle", "entry": [{"resource": ` + obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1 x"`) + `}]}`, wantErr: ErrMalformed},
		{name: "Bundle in a Bundle is not followed", in: `{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Bundle", "entry": [{"resource": ` + obs(sdOK) + `}]}}]}`, wantErr: ErrUnusable},
		{name: "Bundle entry not an array", in: `{"resourceType": "Bundle", "entry": {}}`, wantErr: ErrMalformed},
		{name: "a Patient", in: `{"resourceType": "Patient", "id": "p"}`, wantErr: ErrUnusable},
		{name: "missing valueSampledData", in: `{"resourceType": "Observation", "valueQuantity": {"value": 72, "unit": "/min"}}`, wantErr: ErrUnusable},
		{name: "components without SampledData", in: `{"resourceType": "Observation", "component": [{"code": {"text": "hr"}, "valueQuantity": {"value": 1}}]}`, wantErr: ErrUnusable},
		{name: "period zero", in: obs(`"origin": {"code": "mV"}, "period": 0, "dimensions": 1, "data": "1"`), wantErr: ErrUnusable},
		{name: "period negative", in: obs(`"origin": {"code": "mV"}, "period": -4, "dimensions": 1, "data": "1"`), wantErr: ErrUnusable},
		{name: "period absurdly small", in: obs(`"origin": {"code": "mV"}, "period": 1e-9, "dimensions": 1, "data": "1"`), wantErr: ErrUnusable},
		{name: "period and interval disagree", in: obs(`"origin": {"code": "mV"}, "period": 4, "interval": 2, "intervalUnit": "ms", "dimensions": 1, "data": "1"`), wantErr: ErrUnusable},
		{name: "interval unit not time", in: obs(`"origin": {"code": "mV"}, "interval": 4, "intervalUnit": "mV", "dimensions": 1, "data": "1"`), wantErr: ErrUnusable},
		{name: "effectivePeriod mismatch (period in seconds)", in: `{"resourceType": "Observation", "effectivePeriod": {"start": "2024-01-01T10:00:00Z", "end": "2024-01-01T10:00:30Z"},
			"valueSampledData": {"origin": {"code": "mV"}, "period": 0.004, "dimensions": 1, "data": "` + strings.Repeat("1 ", 7500) + `"}}`, wantErr: ErrUnusable},
		{name: "two dimensions", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 2, "data": "1 2"`), wantErr: ErrUnusable},
		{name: "unit not a voltage", in: obs(`"origin": {"code": "mm[Hg]"}, "period": 4, "dimensions": 1, "data": "1"`), wantErr: ErrUnusable},
		{name: "no unit", in: obs(`"origin": {"value": 0}, "period": 4, "dimensions": 1, "data": "1"`), wantErr: ErrUnusable},
		{name: "empty data", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "   "`), wantErr: ErrUnusable},
		{name: "no data", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1`), wantErr: ErrUnusable},
		{name: "E marker", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1 E 2"`), wantErr: ErrUnusable},
		{name: "L marker", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "lowerLimit": -5, "data": "L 1"`), wantErr: ErrUnusable},
		{name: "U marker", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "upperLimit": 5, "data": "1 U"`), wantErr: ErrUnusable},
		{name: "value out of float range", in: obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1e999"`), wantErr: ErrUnusable},
		{name: "factor overflows", in: obs(`"origin": {"code": "mV"}, "period": 4, "factor": 1e300, "dimensions": 1, "data": "1e300"`), wantErr: ErrUnusable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := DecodeFHIR([]byte(tc.in))
			if !checkDecodeCase(t, rec, err, decoded{err: tc.wantErr, rateHz: tc.wantRate, rateTolHz: 1e-9, lead: tc.wantLead, mV: tc.wantMV}) {
				return
			}
		})
	}
}

// Verifies: SRS-IO-007
func TestDecodeFHIRGolden(t *testing.T) {
	rec, err := DecodeFHIR(readFixture(t, "cinc_A00004_10s.fhir.json"))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(rec.SampleRateHz-300) > 1e-9 {
		t.Errorf("got rate %g Hz, want 300", rec.SampleRateHz)
	}
	if rec.Name != "cinc2017-A00004" || rec.Leads[0].Name != "I" {
		t.Errorf("got name %q lead %q, want cinc2017-A00004, I", rec.Name, rec.Leads[0].Name)
	}
	if want := time.Date(2000, 1, 5, 5, 5, 15, 0, time.UTC); !rec.Start.Equal(want) {
		t.Errorf("got start %v, want %v", rec.Start, want)
	}
	checkLead(t, rec.Leads, cincA00004(t))
}

// Verifies: SRS-IO-007
func TestDecodeFHIRErrorsAreOneLine(t *testing.T) {
	_, err := DecodeFHIR([]byte(obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1 2 ` + strings.Repeat("x", 500) + `"`)))
	if err == nil {
		t.Fatal("got no error")
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || len(msg) > 200 {
		t.Errorf("got message %q (%d bytes), want one short line", msg, len(msg))
	}
}

// TestDecodeFHIRDevice: the device an Observation names is its reference,
// else its identifier, else its display; a device of another shape is
// ignored and the strip still decoded, on the single-pass reader and on
// its encoding/json fallback alike.
//
// Verifies: SRS-SEC-004
func TestDecodeFHIRDevice(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"reference", obsDevice(`{"reference": "Device/watch-0042", "display": "Watch"}`), "Device/watch-0042"},
		{"absolute reference", obsDevice(`{"reference": "https://fhir.example.org/Device/7"}`), "https://fhir.example.org/Device/7"},
		{"identifier with system", obsDevice(`{"identifier": {"system": "urn:ieee:mac", "value": "00-1b-63"}, "display": "Watch"}`), "urn:ieee:mac|00-1b-63"},
		{"identifier without system", obsDevice(`{"identifier": {"value": "SN-123"}}`), "SN-123"},
		{"display only", obsDevice(`{"display": "chest patch"}`), "chest patch"},
		{"escaped reference (slow path)", obsDevice(`{"reference": "Device/\u0041"}`), "Device/A"},
		{"null", obsDevice(`null`), ""},
		{"empty object", obsDevice(`{}`), ""},
		{"string instead of Reference", obsDevice(`"Device/1"`), ""},
		{"wrong member type", obsDevice(`{"reference": 5}`), ""},
		{"none", obs(sdOK), ""},
		{"Bundle entry", `{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}, {"resource": ` +
			obsDevice(`{"reference": "Device/9"}`) + `}]}`, "Device/9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, device, err := DecodeFHIRDevice([]byte(tc.in))
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if device != tc.want {
				t.Errorf("got device %q, want %q", device, tc.want)
			}
			if len(rec.Leads) != 1 || len(rec.Leads[0].Samples) != 3 {
				t.Errorf("got record %+v", rec)
			}
			if _, stdDevice, _ := decodeFHIRStd([]byte(tc.in)); stdDevice != device {
				t.Errorf("encoding/json path: got device %q, want %q", stdDevice, device)
			}
		})
	}
}
