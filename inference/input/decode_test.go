package input

import (
	"errors"
	"testing"
)

// Verifies: SRS-IO-007
func TestDecode(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		nameHint   string
		wantFormat Format
		wantErr    error
	}{
		{name: "afscan JSON", in: `{"sample_rate_hz": 300, "samples": [1, 2]}`, wantFormat: FormatJSON},
		{name: "afscan JSON samples first", in: ` {"samples": [1, 2], "sample_rate_hz": 300}`, nameHint: "strip.txt", wantFormat: FormatJSON},
		{name: "FHIR with resourceType last", in: `{"valueSampledData": {` + sdOK + `}, "resourceType": "Observation"}`, wantFormat: FormatFHIR},
		{name: "FHIR named .json", in: obs(sdOK), nameHint: "x.json", wantFormat: FormatFHIR},
		{name: "afscan JSON with byte-order mark", in: "\ufeff" + `{"sample_rate_hz": 300, "samples": [1, 2]}`, wantFormat: FormatJSON},
		{name: "FHIR with byte-order mark", in: "\ufeff" + obs(sdOK), wantFormat: FormatFHIR},
		{name: "HealthKitReporter JSON", in: `{"harmonized": {"samplingFrequency": 512, "voltageMeasurements": [{"harmonized": {"value": 1, "unit": "mcV"}}]}}`, wantFormat: FormatHealthKit},
		{name: "HealthKit JSON", in: `{"samplingFrequency": 512, "voltageMeasurements": [0.001, 0.002]}`, wantFormat: FormatHealthKit},
		{name: "Apple CSV without extension", in: appleHeaderEN + "1\n2\n", nameHint: "ecg", wantFormat: FormatAppleCSV},
		{name: "Apple CSV named .json", in: appleHeaderEN + "1\n2\n", nameHint: "ecg.json", wantFormat: FormatAppleCSV},
		{name: "German Apple CSV", in: "Name\nMessrate,511,562\u00a0Hertz\n\nEinheit,µV\n\n-1,5\n", wantFormat: FormatAppleCSV},

		{name: "WFDB header", in: "A00001 1 300 9000 05:05:15 1/05/2000\nA00001.mat 16+24 1000/mV 16 0 -127 0 0 ECG\n", wantFormat: FormatWFDB, wantErr: ErrUnknownFormat},
		{name: "WFDB header with comments", in: "# MIT-BIH\n100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n", wantFormat: FormatWFDB, wantErr: ErrUnknownFormat},
		{name: "unknown JSON object is afscan JSON's error", in: `{"foo": 1}`, wantFormat: FormatJSON, wantErr: ErrMalformed},
		{name: "prose mentioning a rate", in: "// record 7 (AF, 300 Hz,\npackage main\n", nameHint: "main.go", wantFormat: FormatUnknown, wantErr: ErrUnknownFormat},
		{name: "French keys", in: "Nom\nFréquence d'échantillonnage,512 hertz\n\n1\n", wantFormat: FormatAppleCSV},
		{name: "bare numbers", in: "1\n2\n3\n", wantFormat: FormatUnknown, wantErr: ErrUnknownFormat},
		{name: "bare numbers named .csv get the CSV error", in: "1\n2\n3\n", nameHint: "x.CSV", wantFormat: FormatAppleCSV, wantErr: ErrMalformed},
		{name: "empty", in: "", wantFormat: FormatUnknown, wantErr: ErrUnknownFormat},
		{name: "JSON array", in: "[1,2]", wantFormat: FormatUnknown, wantErr: ErrUnknownFormat},
		{name: "XML", in: "<Observation/>", wantFormat: FormatUnknown, wantErr: ErrMalformed},
		{name: "FHIR errors stay FHIR errors", in: obs(`"origin": {"code": "mV"}, "period": 0, "dimensions": 1, "data": "1"`), wantFormat: FormatFHIR, wantErr: ErrUnusable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, f, err := Decode([]byte(tc.in), tc.nameHint)
			if f != tc.wantFormat {
				t.Errorf("got format %q, want %q", f, tc.wantFormat)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got error %v, want %v", err, tc.wantErr)
				}
				if rec != nil {
					t.Errorf("got a record with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if rec == nil || len(rec.Leads) != 1 || len(rec.Leads[0].Samples) == 0 {
				t.Fatalf("got record %+v, want one lead with samples", rec)
			}
		})
	}
}

// Verifies: SRS-IO-007
func TestErrUnknownFormatIsMalformed(t *testing.T) {
	if !errors.Is(ErrUnknownFormat, ErrMalformed) {
		t.Error("ErrUnknownFormat does not wrap ErrMalformed")
	}
	if errors.Is(ErrUnknownFormat, ErrUnusable) {
		t.Error("ErrUnknownFormat wraps ErrUnusable")
	}
}

// Verifies: SRS-IO-007
func TestDecodeAppleHealthJSON(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantErr  error
		wantRate float64
		wantMV   []float64
	}{
		{name: "numbers in volts", in: `{"samplingFrequency": 512, "voltageMeasurements": [0.001, -0.0002]}`, wantRate: 512, wantMV: []float64{1, -0.2}},
		{name: "quantity rate and objects", in: `{"samplingFrequency": {"value": 511.5, "unit": "Hz"}, "voltageMeasurements": [{"timeSinceSampleStart": 0, "voltage": 0.001}, {"value": 0.002}]}`, wantRate: 511.5, wantMV: []float64{1, 2}},
		{name: "voltages in µV", in: `{"samplingFrequency": 512, "voltageUnit": "µV", "voltages": [1000]}`, wantRate: 512, wantMV: []float64{1}},
		{name: "HealthKitReporter harmonized export", in: `{"uuid": "x", "harmonized": {"samplingFrequency": 512.0, "samplingFrequencyUnit": "Hz", "classification": "sinusRhythm",
			"voltageMeasurements": [{"harmonized": {"value": 120.5, "unit": "mcV"}, "timeSinceSampleStart": 0}, {"serialized": {"value": -0.001, "unit": "V"}, "timeSinceSampleStart": 0.00195}]}}`,
			wantRate: 512, wantMV: []float64{0.1205, -1}},
		{name: "measurement with its own unit", in: `{"samplingFrequency": 512, "voltageMeasurements": [{"value": 1, "unit": "mV"}, {"voltage": 0.002}]}`, wantRate: 512, wantMV: []float64{1, 2}},
		{name: "null voltage", in: `{"samplingFrequency": 512, "voltageMeasurements": [{"timeSinceStart": 0, "voltage": null}]}`, wantErr: ErrMalformed},
		{name: "measurement unit not a voltage", in: `{"samplingFrequency": 512, "voltageMeasurements": [{"value": 1, "unit": "count/min"}]}`, wantErr: ErrUnusable},
		{name: "samplingFrequencyUnit not hertz", in: `{"samplingFrequency": 512, "samplingFrequencyUnit": "count/min", "voltageMeasurements": [0.1]}`, wantErr: ErrUnusable},
		{name: "null measurement", in: `{"samplingFrequency": 512, "voltageMeasurements": [null]}`, wantErr: ErrMalformed},
		{name: "measurement without voltage", in: `{"samplingFrequency": 512, "voltageMeasurements": [{"t": 1}]}`, wantErr: ErrMalformed},
		{name: "string measurement", in: `{"samplingFrequency": 512, "voltageMeasurements": ["0.1"]}`, wantErr: ErrMalformed},
		{name: "missing rate", in: `{"voltageMeasurements": [0.1]}`, wantErr: ErrMalformed},
		{name: "null rate", in: `{"samplingFrequency": null, "voltageMeasurements": [0.1]}`, wantErr: ErrMalformed},
		{name: "rate as string", in: `{"samplingFrequency": "512 Hz", "voltageMeasurements": [0.1]}`, wantErr: ErrMalformed},
		{name: "missing measurements", in: `{"samplingFrequency": 512}`, wantErr: ErrMalformed},
		{name: "empty measurements", in: `{"samplingFrequency": 512, "voltageMeasurements": []}`, wantErr: ErrUnusable},
		{name: "rate zero", in: `{"samplingFrequency": 0, "voltageMeasurements": [0.1]}`, wantErr: ErrUnusable},
		{name: "rate unit not hertz", in: `{"samplingFrequency": {"value": 512, "unit": "mV"}, "voltageMeasurements": [0.1]}`, wantErr: ErrUnusable},
		{name: "unit not a voltage", in: `{"samplingFrequency": 512, "voltageUnit": "A", "voltageMeasurements": [0.1]}`, wantErr: ErrUnusable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := DecodeAppleHealthJSON([]byte(tc.in))
			if !checkDecodeCase(t, rec, err, decoded{err: tc.wantErr, rateHz: tc.wantRate, rateTolHz: 0, lead: "", mV: tc.wantMV}) {
				return
			}
		})
	}
}
