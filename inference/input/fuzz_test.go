package input

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/afscan/afscan/ecg"
)

// addSeeds adds every fixture in testdata matching pattern, then extra.
func addSeeds(f *testing.F, pattern string, extra ...string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// checkDecoded holds for every decoder's output: either exactly one error
// class with a one-line message and no record, or a usable record in mV.
func checkDecoded(t *testing.T, rec *ecg.Record, err error) {
	t.Helper()
	if err != nil {
		if errors.Is(err, ErrMalformed) == errors.Is(err, ErrUnusable) {
			t.Fatalf("error %q is in %s error classes, want exactly one", err, map[bool]string{true: "both", false: "neither"}[errors.Is(err, ErrMalformed)])
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("error %q spans lines", err)
		}
		if rec != nil {
			t.Fatal("got a record with an error")
		}
		return
	}
	if rec == nil || len(rec.Leads) != 1 || len(rec.Leads[0].Samples) == 0 {
		t.Fatalf("got record %+v, want one non-empty lead", rec)
	}
	if r := rec.SampleRateHz; !(r > 0 && r <= MaxSampleRateHz) {
		t.Fatalf("got rate %g Hz", r)
	}
	if rec.Leads[0].Units != "mV" {
		t.Fatalf("got units %q, want mV", rec.Leads[0].Units)
	}
	for i, v := range rec.Leads[0].Samples {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("sample %d is %g", i, v)
		}
	}
}

// FuzzDecodeJSON: never panics, errors are classified, a decoded strip
// written back as afscan JSON decodes to the same samples, and decoding
// into a reused buffer (DecodeJSONInto, with stale values in it, too small
// or large enough) gives the same result.
//
// Verifies: SRS-IO-007
func FuzzDecodeJSON(f *testing.F) {
	addSeeds(f, "*.json",
		`{"sample_rate_hz": 300, "samples": [0.1, -0.2], "units": "uV"}`,
		`{"sample_rate_hz": 300, "samples": [null]}`,
		`{"sample_rate_hz": 1e400, "samples": []}`,
		`{"sample_rate_hz": 300, "samples": [1e306], "units": "V"}`,
		`{"samples": [1, 2, 3], "sample_rate_hz": 300, "samples": [4, 5]}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := DecodeJSON(data)
		checkDecoded(t, rec, err)
		for _, n := range []int{1, 4096} {
			dst := make([]float64, n)
			for i := range dst {
				dst[i] = math.NaN()
			}
			rec3, err3 := DecodeJSONInto(dst, data)
			sameDecoding(t, data, rec3, rec, err3, err)
		}
		if err != nil {
			return
		}
		again, err := json.Marshal(map[string]any{"sample_rate_hz": rec.SampleRateHz, "samples": rec.Leads[0].Samples})
		if err != nil {
			t.Fatal(err)
		}
		rec2, err := DecodeJSON(again)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", again, err)
		}
		for i, v := range rec.Leads[0].Samples {
			if rec2.Leads[0].Samples[i] != v {
				t.Fatalf("sample %d: round trip gave %g, want %g", i, rec2.Leads[0].Samples[i], v)
			}
		}
	})
}

// FuzzDecodeFHIR: never panics, errors are classified, and a decoded strip
// written back as mV decodes to the same samples.
//
// Verifies: SRS-IO-007
func FuzzDecodeFHIR(f *testing.F) {
	addSeeds(f, "*.fhir.json",
		obs(sdOK),
		obs(`"origin": {"code": "mV"}, "period": 4, "dimensions": 1, "data": "1 E L U 2"`),
		obs(`"origin": {"code": "uV"}, "interval": 4, "intervalUnit": "s", "period": 4000, "dimensions": 1, "data": "1"`),
		`{"resourceType": "Observation", "component": [{"code": {"coding": [{"code": "131329"}]}, "valueSampledData": {"origin": {"code": "V"}, "period": 1, "dimensions": 1, "data": "0.1"}}]}`,
		`{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}, {"resource": `+obs(sdOK)+`}]}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := DecodeFHIR(data)
		checkDecoded(t, rec, err)
		if err != nil {
			return
		}
		// Written back as mV with origin 0 and factor 1, the strip decodes the same.
		var b strings.Builder
		for i, v := range rec.Leads[0].Samples {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		again := obs(`"origin": {"value": 0, "code": "mV"}, "period": ` + strconv.FormatFloat(1000/rec.SampleRateHz, 'g', -1, 64) +
			`, "dimensions": 1, "data": "` + b.String() + `"`)
		rec2, err := DecodeFHIR([]byte(again))
		if err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		sameSamples(t, rec2.Leads[0].Samples, rec.Leads[0].Samples)
	})
}

// FuzzDecodeAppleCSV: never panics, errors are classified, and no header
// text but the lead name reaches the record.
//
// Verifies: SRS-IO-007
func FuzzDecodeAppleCSV(f *testing.F) {
	addSeeds(f, "*.csv",
		appleHeaderEN+"-265,868\n12\n",
		"\"Name\";\"x\"\n\"Sample Rate\";\"512 Hz\"\n\n\"1,5\"\n",
		"Name\nMessrate,511,562\u00a0Hertz\n\nEinheit,\xb5V\n\n-1,5\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := DecodeAppleCSV(data)
		checkDecoded(t, rec, err)
		if err != nil {
			return
		}
		if rec.Name != "" {
			t.Fatalf("record name %q taken from the header", rec.Name)
		}
		// The same strip written by an en_US and a pt_PT phone decodes the same.
		var en, pt strings.Builder
		for _, w := range []*strings.Builder{&en, &pt} {
			w.WriteString("Name,x\nSample Rate," + strconv.FormatFloat(rec.SampleRateHz, 'g', -1, 64) + " hertz\nUnit,mV\n\n")
		}
		for _, v := range rec.Leads[0].Samples {
			s := strconv.FormatFloat(v, 'g', -1, 64)
			en.WriteString(s + "\n")
			pt.WriteString(strings.Replace(s, ".", ",", 1) + "\n")
		}
		for _, w := range []*strings.Builder{&en, &pt} {
			rec2, err := DecodeAppleCSV([]byte(w.String()))
			if err != nil {
				t.Fatalf("re-decoding: %v", err)
			}
			if math.Abs(rec2.SampleRateHz-rec.SampleRateHz) > 1e-9*rec.SampleRateHz {
				t.Fatalf("re-decoded rate %g, want %g", rec2.SampleRateHz, rec.SampleRateHz)
			}
			sameSamples(t, rec2.Leads[0].Samples, rec.Leads[0].Samples)
		}
	})
}

// FuzzDecode: never panics, errors are classified, a decoded record comes
// with the format that decoded it.
//
// Verifies: SRS-IO-007
func FuzzDecode(f *testing.F) {
	addSeeds(f, "*.*",
		"A00001 1 300 9000 05:05:15 1/05/2000\nA00001.mat 16+24 1000/mV 16 0 -127 0 0 ECG\n",
		`{"samplingFrequency": 512, "voltageMeasurements": [0.001, {"voltage": 0.002}]}`,
		`{"harmonized": {"samplingFrequency": 512, "samplingFrequencyUnit": "Hz", "voltageMeasurements": [{"harmonized": {"value": 1, "unit": "mcV"}, "timeSinceSampleStart": 0}]}}`,
		"1\n2\n3\n", "")
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, format, err := Decode(data, "")
		checkDecoded(t, rec, err)
		if err == nil {
			switch format {
			case FormatJSON, FormatFHIR, FormatAppleCSV, FormatHealthKit:
			default:
				t.Fatalf("decoded a record as format %q", format)
			}
		}
	})
}

func sameSamples(t *testing.T, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d samples, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d: got %g, want %g", i, got[i], want[i])
		}
	}
}

// FuzzDecodeAppleHealthJSON: never panics, errors are classified.
//
// Verifies: SRS-IO-007
func FuzzDecodeAppleHealthJSON(f *testing.F) {
	addSeeds(f, "*.json",
		`{"samplingFrequency": 512, "voltageMeasurements": [0.001, {"voltage": 0.002}, {"value": 3, "unit": "mcV"}]}`,
		`{"samplingFrequency": {"value": 511.5, "unit": "Hz"}, "voltageUnit": "mV", "voltages": [1, 2]}`,
		`{"harmonized": {"samplingFrequency": 512, "samplingFrequencyUnit": "Hz", "voltageMeasurements": [{"serialized": {"value": 1, "unit": "V"}, "timeSinceSampleStart": 0}]}}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := DecodeAppleHealthJSON(data)
		checkDecoded(t, rec, err)
	})
}
