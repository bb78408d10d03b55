package input_test

import (
	"errors"
	"fmt"

	"github.com/afscan/afscan/inference/input"
)

func ExampleDecode() {
	body := []byte(`{"sample_rate_hz": 300, "samples": [120, -45, 980], "units": "uV"}`)
	rec, format, err := input.Decode(body, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(format, rec.SampleRateHz, "Hz", rec.Leads[0].Samples, rec.Leads[0].Units)
	// Output: afscan-json 300 Hz [0.12 -0.045 0.98] mV
}

func ExampleDecode_errors() {
	for _, body := range []string{
		`{"sample_rate_hz": "300", "samples": [1]}`,
		`{"sample_rate_hz": 0, "samples": [1]}`,
		`{"sample_rate_hz": 300, "samples": [1], "units": "mmHg"}`,
	} {
		_, _, err := input.Decode([]byte(body), "")
		fmt.Printf("malformed=%t unusable=%t: %v\n", errors.Is(err, input.ErrMalformed), errors.Is(err, input.ErrUnusable), err)
	}
	// Output:
	// malformed=true unusable=false: malformed input: field "sample_rate_hz" must be a number, got JSON string
	// malformed=false unusable=true: not a usable ECG: sample_rate_hz must be positive, got 0
	// malformed=false unusable=true: not a usable ECG: units "mmHg" is not a voltage (want mV, uV or V)
}

func ExampleDecodeFHIR() {
	obs := []byte(`{
	  "resourceType": "Observation",
	  "component": [{
	    "code": {"coding": [{"system": "urn:oid:2.16.840.1.113883.6.24", "code": "131329", "display": "MDC_ECG_ELEC_POTL_I"}]},
	    "valueSampledData": {
	      "origin": {"value": 0, "unit": "uV", "system": "http://unitsofmeasure.org", "code": "uV"},
	      "period": 2, "factor": 2.5, "dimensions": 1,
	      "data": "40 -8 400"
	    }
	  }]
	}`)
	rec, err := input.DecodeFHIR(obs)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec.SampleRateHz, "Hz, lead", rec.Leads[0].Name, rec.Leads[0].Samples, "mV")
	// Output: 500 Hz, lead I [0.1 -0.02 1] mV
}

func ExampleDecodeAppleCSV() {
	// A Portuguese-locale export: decimal commas in the samples.
	csv := []byte("Name,Maria\nDate of Birth,\"8 de jan. de 1962\"\nRecorded Date,2021-01-05 09:12:33 +0000\n" +
		"Classification,Ritmo sinusal\nSymptoms,\nSoftware Version,1.70\nDevice,\"Watch4,4\"\nSample Rate,512 hertz\n\n\n" +
		"Lead,Lead I\nUnit,µV\n\n-265,868\n12\n1003,5\n")
	rec, err := input.DecodeAppleCSV(csv)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec.SampleRateHz, "Hz,", rec.Leads[0].Name, rec.Leads[0].Samples, rec.Leads[0].Units, rec.Start.UTC().Format("2006-01-02 15:04"), rec.Name == "")
	// Output: 512 Hz, Lead I [-0.265868 0.012 1.0035] mV 2021-01-05 09:12 true
}

func ExampleReadFile() {
	for _, path := range []string{
		"testdata/cinc_A00004_10s.hea",       // WFDB record (format 16)
		"testdata/cinc_A00004_10s.fhir.json", // FHIR Observation
		"testdata/apple_de_DE.csv",           // German Apple Health export
	} {
		rec, err := input.ReadFile(path)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: %g Hz, %d samples, %.1f s, first %.3f %s\n", rec.Name, rec.SampleRateHz,
			len(rec.Leads[0].Samples), rec.Duration().Seconds(), rec.Leads[0].Samples[0], rec.Leads[0].Units)
	}
	// Output:
	// cinc_A00004_10s: 300 Hz, 3000 samples, 10.0 s, first 0.519 mV
	// cinc2017-A00004: 300 Hz, 3000 samples, 10.0 s, first 0.519 mV
	// apple_de_DE: 511.562 Hz, 5115 samples, 10.0 s, first 0.519 mV
}

func ExampleDetect() {
	for _, s := range []string{
		`{"resourceType": "Observation"}`,
		`{"sample_rate_hz": 300, "samples": []}`,
		"Name,Jane\nSample Rate,512 hertz\n\n1\n",
		"100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n",
		"1\n2\n",
	} {
		fmt.Printf("%q\n", input.Detect([]byte(s)))
	}
	// Output:
	// "fhir-observation"
	// "afscan-json"
	// "apple-health-csv"
	// "wfdb"
	// ""
}
