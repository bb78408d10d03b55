package api

import (
	"encoding/json"
	"net/http"
	"testing"
)

// FuzzClassifyHandler posts arbitrary bodies as afscan JSON or as FHIR
// through the real router. No input may crash the service, answer anything
// but 200, 400, 413 or 422, or answer a body that is not JSON; the audit
// chain is verified when fuzzing ends (newTestEnv's cleanup). Seeds are the
// testdata strips and the hostile shapes of TestClassifyHostile.
//
// Verifies: SRS-API-002, SRS-SEC-004
func FuzzClassifyHandler(f *testing.F) {
	for _, name := range []string{"strip.json", "strip.fhir.json"} {
		b := readTestdata(f, name)
		f.Add(false, b)
		f.Add(true, b)
	}
	for _, s := range []string{
		``, `{}`, `[]`, `null`, `{"sample_rate_hz":300,"samples":[1,NaN]}`,
		`{"sample_rate_hz":0,"samples":[1]}`, `{"sample_rate_hz":300,"samples":[1e999]}`,
		`{"samplingFrequency":512,"voltageMeasurements":[0.001,0.002]}`,
		`{"resourceType":"Observation","valueSampledData":{"origin":{"value":0},"period":3.33,"dimensions":1,"data":"1 2 E L U x"}}`,
		`{"resourceType":"Observation","component":[{"code":{"coding":[{"code":"131329"}]},"valueSampledData":{"origin":{"value":0,"unit":"mV"},"period":-1,"dimensions":1,"data":"1"}}]}`,
	} {
		f.Add(false, []byte(s))
		f.Add(true, []byte(s))
	}
	env := newTestEnv(f, func(o *Options) { o.MaxBodyBytes = 256 << 10 })
	f.Fuzz(func(t *testing.T, fhir bool, body []byte) {
		ct := MediaJSON
		if fhir {
			ct = MediaFHIR
		}
		w := env.classify(ct, body)
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		default:
			t.Fatalf("got status %d for %q: %s", w.Code, body, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("response is not JSON: %q", w.Body)
		}
	})
}
