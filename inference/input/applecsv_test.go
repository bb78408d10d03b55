package input

import (
	"math"
	"strings"
	"testing"
	"time"
)

const appleHeaderEN = "Name,Jane Example\nDate of Birth,\"Jan 8, 1962\"\nRecorded Date,2021-01-05 09:12:33 +0100\n" +
	"Classification,Sinus Rhythm\nSymptoms,\nSoftware Version,1.70\nDevice,\"Watch4,4\"\nSample Rate,512 hertz\n\n\nLead,Lead I\nUnit,µV\n\n"

// Verifies: SRS-IO-007
func TestDecodeAppleCSV(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantErr  error
		wantRate float64
		wantMV   []float64
		wantLead string
	}{
		{name: "en_US", in: appleHeaderEN + "-265.868\n12\n0.5\n", wantRate: 512, wantMV: []float64{-0.265868, 0.012, 0.0005}, wantLead: "Lead I"},
		{name: "pt_PT decimal commas", in: appleHeaderEN + "-265,868\n12\n0,5\n", wantRate: 512, wantMV: []float64{-0.265868, 0.012, 0.0005}},
		{name: "CRLF line ends and BOM", in: "\ufeff" + strings.ReplaceAll(appleHeaderEN+"1.5\n-2\n", "\n", "\r\n"), wantRate: 512, wantMV: []float64{0.0015, -0.002}},
		{name: "quoted keys and values", in: "\"Name\",\"Jane\"\n\"Sample Rate\",\"512 hertz\"\n\"Unit\",\"µV\"\n\n\"1,5\"\n\"-2,25\"\n", wantRate: 512, wantMV: []float64{0.0015, -0.00225}},
		{name: "semicolon separator", in: "Name;Jane\nSample Rate;512 Hz\nUnit;mV\n\n1,5\n-2\n", wantRate: 512, wantMV: []float64{1.5, -2}},
		{name: "German keys, no-break space, fractional rate", in: "Name\nGeburtstag,\"08.01.1962\"\nMessrate,511,562\u00a0Hertz\n\n\nAbleitung,Ableitung I\nEinheit,µV\n\n-180,596\n-199,83\n",
			wantRate: 511.562, wantMV: []float64{-0.180596, -0.19983}, wantLead: "Ableitung I"},
		{name: "spreadsheet padding", in: "Name,Jane,,\nSample Rate,512 hertz,,\nDevice,\"Watch4,4\",,\nUnit,µV,,\n,,\n1.5,,\n-2,,\n", wantRate: 512, wantMV: []float64{0.0015, -0.002}},
		{name: "spreadsheet padding, pt_PT", in: "Name;Jane;;\nSample Rate;512 hertz;;\nUnit;µV;;\n;;\n1,5;;\n-2;;\n", wantRate: 512, wantMV: []float64{0.0015, -0.002}},
		{name: "rate without space", in: "Name\nSample Rate,512Hz\n\n1\n", wantRate: 512, wantMV: []float64{0.001}},
		{name: "no unit line means µV", in: "Name,Jane\nSample Rate,512 hertz\n\n1000\n", wantRate: 512, wantMV: []float64{1}},
		{name: "mV unit", in: "Name,Jane\nSample Rate,512 hertz\nUnit,mV\n\n1\n", wantRate: 512, wantMV: []float64{1}},
		{name: "Latin-1 micro sign", in: "Name,Jane\nSample Rate,512 hertz\nUnit,\xb5V\n\n1000\n", wantRate: 512, wantMV: []float64{1}},
		{name: "a name that looks like a unit is not the unit", in: "Name,V\nSample Rate,512 hertz\n\n1000\n", wantRate: 512, wantMV: []float64{1}},
		{name: "leading blank lines, a name that looks like a unit", in: "\n\nName,mV\nSample Rate,512 hertz\n\n1000\n", wantRate: 512, wantMV: []float64{1}},
		{name: "one sample", in: appleHeaderEN + "7\n", wantRate: 512, wantMV: []float64{0.007}},

		{name: "no header", in: "1.0\n2.0\n3.0\n", wantErr: ErrMalformed},
		{name: "no rate line", in: "Name,Jane\nUnit,µV\n\n1\n2\n", wantErr: ErrMalformed},
		{name: "rate without unit", in: "Name,Jane\nSample Rate,512\n\n1\n", wantErr: ErrMalformed},
		{name: "rate in bpm", in: "Name,Jane\nSample Rate,512 bpm\n\n1\n", wantErr: ErrMalformed},
		{name: "grouped rate", in: "Name,Jane\nSample Rate,1.234,5 hertz\n\n1\n", wantErr: ErrMalformed},
		{name: "rate key is not words", in: "Name\nrate 2,512 hertz\n\n1\n", wantErr: ErrMalformed},
		{name: "two different rates", in: "Name\nSample Rate,512 hertz\nSample Rate,256 hertz\n\n1\n", wantErr: ErrMalformed},
		{name: "text among samples", in: appleHeaderEN + "1\n2\nwaveform\n3\n", wantErr: ErrMalformed},
		{name: "grouped number among samples", in: appleHeaderEN + "1\n1.234,5\n", wantErr: ErrMalformed},
		{name: "paired row after samples", in: appleHeaderEN + "1\nI,0.001\n", wantErr: ErrMalformed},
		{name: "NaN sample", in: appleHeaderEN + "1\nNaN\n", wantErr: ErrMalformed},
		{name: "Infinity sample", in: appleHeaderEN + "1\nInfinity\n", wantErr: ErrMalformed},
		{name: "empty input", in: "", wantErr: ErrMalformed},

		{name: "header only", in: appleHeaderEN, wantErr: ErrUnusable},
		{name: "rate zero", in: "Name\nSample Rate,0 hertz\n\n1\n", wantErr: ErrUnusable},
		{name: "rate negative", in: "Name\nSample Rate,-512 hertz\n\n1\n", wantErr: ErrUnusable},
		{name: "rate absurd", in: "Name\nSample Rate,1e9 hertz\n\n1\n", wantErr: ErrUnusable},
		{name: "sample out of float range", in: appleHeaderEN + "1e999\n", wantErr: ErrUnusable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := DecodeAppleCSV([]byte(tc.in))
			if !checkDecodeCase(t, rec, err, decoded{err: tc.wantErr, rateHz: tc.wantRate, rateTolHz: 1e-9, lead: tc.wantLead, mV: tc.wantMV}) {
				return
			}
		})
	}
}

// The three golden exports hold the same real CinC strip written by phones
// in three locales; en_US and pt_PT must decode to identical samples.
//
// Verifies: SRS-IO-007
func TestDecodeAppleCSVGolden(t *testing.T) {
	tests := []struct {
		file      string
		wantRate  float64
		wantStart time.Time
	}{
		{"apple_en_US.csv", 512, time.Date(2021, 1, 5, 8, 12, 33, 0, time.UTC)},
		{"apple_pt_PT.csv", 512, time.Date(2021, 1, 5, 9, 12, 33, 0, time.UTC)},
		{"apple_de_DE.csv", 511.562, time.Date(2021, 1, 5, 8, 12, 33, 0, time.UTC)},
	}
	cinc := cincA00004(t)
	var en []float64
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			raw := readFixture(t, tc.file)
			rec, err := DecodeAppleCSV(raw)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(rec.SampleRateHz-tc.wantRate) > 1e-9 {
				t.Errorf("got rate %g Hz, want %g", rec.SampleRateHz, tc.wantRate)
			}
			if !rec.Start.Equal(tc.wantStart) {
				t.Errorf("got start %v, want %v", rec.Start, tc.wantStart)
			}
			s := rec.Leads[0].Samples
			if want := int(10 * tc.wantRate); len(s) != want {
				t.Fatalf("got %d samples, want %d", len(s), want)
			}
			// Sample 0 is CinC sample 0 exactly (µV with three decimals).
			if math.Abs(s[0]-cinc[0]) > 5e-7 {
				t.Errorf("got first sample %g mV, want %g", s[0], cinc[0])
			}
			if tc.file == "apple_en_US.csv" {
				en = s
			}
			if tc.file == "apple_pt_PT.csv" {
				checkLead(t, rec.Leads, en)
			}
			// No personal data of the header reaches the record.
			for _, phi := range []string{"Jane", "João", "1962", "Example"} {
				if strings.Contains(rec.Name+rec.Leads[0].Name, phi) {
					t.Errorf("record carries %q from the header", phi)
				}
			}
		})
	}
}

// Verifies: SRS-IO-007
func TestDecodeAppleCSVErrorsHidePersonalData(t *testing.T) {
	for _, in := range []string{
		"Name,Jane Secret\nDate of Birth,Secret 1962\n\n1\n",
		"Name,Jane Secret\nDate of Birth,Secret 1962\nSample Rate,0 hertz\nUnit,Secret\n\n1\n",
		"Name,Jane Secret\nSample Rate,512 hertz\nDate of Birth,Secret 1962\n",
	} {
		_, err := DecodeAppleCSV([]byte(in))
		if err == nil {
			t.Fatalf("got no error for %q", in)
		}
		if strings.Contains(err.Error(), "Secret") {
			t.Errorf("error %q repeats the header", err)
		}
	}
}
