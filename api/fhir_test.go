package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

// fhirValidator returns the node binary and the NODE_PATH that hold the npm
// "fhir" package, or skips: .ci/setup.d/50-fhir.sh installs it in CI.
func fhirValidator(t *testing.T) (node, nodePath string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed (CI installs it with .ci/setup.d/50-fhir.sh)")
	}
	nodePath, err = filepath.Abs(filepath.Join("..", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(nodePath, "fhir", "package.json")); err != nil {
		t.Skip("npm package fhir not installed (run .ci/setup.d/50-fhir.sh)")
	}
	return node, nodePath
}

type fhirVerdict struct {
	Index    int  `json:"index"`
	Valid    bool `json:"valid"`
	Messages []struct {
		Location string `json:"location"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
	} `json:"messages"`
}

// validateFHIR runs the FHIR R4 validator on resources and returns one
// verdict each.
func validateFHIR(t *testing.T, resources []json.RawMessage) []fhirVerdict {
	t.Helper()
	node, nodePath := fhirValidator(t)
	in, err := json.Marshal(resources)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "fhir-validate.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodePath)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("validator: %v: %s", err, stderr.String())
	}
	var verdicts []fhirVerdict
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var v fhirVerdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("validator output %q: %v", sc.Text(), err)
		}
		verdicts = append(verdicts, v)
	}
	if len(verdicts) != len(resources) {
		t.Fatalf("got %d verdicts for %d resources", len(verdicts), len(resources))
	}
	return verdicts
}

// TestFHIRValidator round-trips a FHIR R4 Observation through the service
// and validates what goes in and what comes out with a real FHIR R4
// validator (npm fhir 4.12.0), for every rhythm and for a strip without
// heart rate; warnings (e.g. unexpected properties) fail too.
//
// Verifies: SRS-API-001
func TestFHIRValidator(t *testing.T) {
	fhirValidator(t) // skip early, before building the server
	in := readTestdata(t, "strip.fhir.json")
	resources := []json.RawMessage{in}
	names := []string{"request fixture"}
	for _, r := range ecg.Rhythms {
		env := newTestEnv(t, nil)
		res := fakeResultFor(r)
		env.clf.Result = res
		w := env.do(http.MethodPost, RouteClassify, map[string]string{
			"Authorization": "Bearer " + env.key, "Content-Type": MediaFHIR, "Accept": MediaFHIR,
		}, in)
		if w.Code != 200 {
			t.Fatalf("%s: got %d: %s", r, w.Code, w.Body)
		}
		resources = append(resources, json.RawMessage(w.Body.Bytes()))
		names = append(names, "response "+string(r))
	}
	for i, v := range validateFHIR(t, resources) {
		if !v.Valid {
			t.Errorf("%s: invalid: %+v", names[i], v.Messages)
		}
		for _, m := range v.Messages {
			if !exampleBindingNote(m.Location, m.Severity, m.Message) {
				t.Errorf("%s: %s %s: %s", names[i], m.Severity, m.Location, m.Message)
			}
		}
	}
}

// exampleBindingNote reports the validator's notes on Observation.code and
// component.code: R4 binds them to the example value set observation-codes
// (all of LOINC), which the npm package does not ship, so every LOINC,
// SNOMED CT or MDC code draws "value set could not be found" and "not
// found in value set". Every other message fails the test.
func exampleBindingNote(location, severity, message string) bool {
	if !strings.HasSuffix(location, ".code") {
		return false
	}
	switch severity {
	case "info":
		return strings.Contains(message, `"http://hl7.org/fhir/ValueSet/observation-codes" could not be found`)
	case "warning":
		return strings.HasSuffix(message, "not found in value set")
	}
	return false
}

// TestFHIRValidatorCatchesErrors is the negative control: a broken
// Observation must fail the same validator.
func TestFHIRValidatorCatchesErrors(t *testing.T) {
	obs := NewFHIRObservation(NewClassifyResponse("x", fakeResultFor(ecg.RhythmAF), testModel, time.Millisecond), time.Unix(0, 0))
	obs.Status = "done"
	b, err := json.Marshal(obs)
	if err != nil {
		t.Fatal(err)
	}
	v := validateFHIR(t, []json.RawMessage{b, json.RawMessage(`{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"high"}}`)})
	for i := range v {
		if v[i].Valid {
			t.Errorf("resource %d: validator accepted an invalid Observation", i)
		}
	}
}

// fakeResultFor is a plausible result for rhythm r; inconclusive comes with
// a reason and no heart rate.
func fakeResultFor(r ecg.Rhythm) inference.Result {
	p := map[ecg.Rhythm]float64{}
	for _, l := range ecg.Rhythms {
		p[l] = 0.1
	}
	p[r] = 0.7
	res := inference.Result{Rhythm: r, Probabilities: p, HeartRateBPM: 88, SignalQuality: 0.9}
	if r == ecg.RhythmInconclusive {
		res.HeartRateBPM, res.Reason, res.SignalQuality = 0, "noise", 0.1
	}
	return res
}
