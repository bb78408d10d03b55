package input

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// validateFHIR runs the npm "fhir" R4 validator (installed by
// .ci/setup.d/50-fhir.sh into the repository's node_modules) on resource
// and returns its verdict and error messages; it skips when node or the
// package is absent.
func validateFHIR(t *testing.T, resource []byte) (valid bool, errs []string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "fhir", "package.json")); err != nil {
		t.Skip("npm package fhir not installed (.ci/setup.d/50-fhir.sh)")
	}
	const script = `const {Fhir} = require("fhir");
let data = ""; process.stdin.on("data", d => data += d).on("end", () => {
  const r = new Fhir().validate(JSON.parse(data), {errorOnUnexpected: true});
  console.log(JSON.stringify({valid: r.valid, errors: r.messages.filter(m => m.severity === "error").map(m => m.location + ": " + m.message)}));
});`
	cmd := exec.Command(node, "-e", script)
	cmd.Dir = root
	cmd.Stdin = strings.NewReader(string(resource))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("fhir validator: %v", err)
	}
	var v struct {
		Valid  bool     `json:"valid"`
		Errors []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("fhir validator output %q: %v", out, err)
	}
	return v.Valid, v.Errors
}

// The golden FHIR fixture is a valid R4 Observation per an independent
// validator, and the validator does reject it without SampledData.origin.
//
// Verifies: SRS-IO-007
func TestFHIRFixtureIsValidR4(t *testing.T) {
	raw := readFixture(t, "cinc_A00004_10s.fhir.json")
	if valid, errs := validateFHIR(t, raw); !valid {
		t.Errorf("fixture is not a valid R4 Observation: %v", errs)
	}
	var obs map[string]any
	if err := json.Unmarshal(raw, &obs); err != nil {
		t.Fatal(err)
	}
	sd := obs["component"].([]any)[0].(map[string]any)["valueSampledData"].(map[string]any)
	delete(sd, "origin")
	broken, err := json.Marshal(obs)
	if err != nil {
		t.Fatal(err)
	}
	if valid, _ := validateFHIR(t, broken); valid {
		t.Error("validator accepts SampledData without origin; it checks nothing")
	}
	if _, err := DecodeFHIR(broken); err == nil {
		t.Error("DecodeFHIR accepts SampledData without origin")
	}
}
