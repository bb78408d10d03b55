package dhf

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// baseYAML is a complete intended use whose state, significance, monitoring
// and severity tests substitute.
const baseYAML = `device: testdev
statement: flags a condition
condition: a condition
state: %s
significance: %s
monitoring: %s
users: [clinicians]
environment: [clinic]
population: adults
inputs: [a strip]
outputs: [a label]
worst_credible_harm:
  description: a harm
  severity: %s
`

func intendedUse(t *testing.T, state, significance, monitoring, severity string) *IntendedUse {
	t.Helper()
	u, err := ParseIntendedUse(strings.NewReader(fmt.Sprintf(baseYAML, state, significance, monitoring, severity)))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return u
}

// TestClassifyIMDRFTable checks every cell of the IMDRF N12 category table and
// the MDR Rule 11 class MDCG 2019-11 pairs with it.
//
// Verifies: SRS-REG-001
func TestClassifyIMDRFTable(t *testing.T) {
	tests := []struct {
		state, significance string
		wantIMDRF, wantMDR  string
	}{
		{"critical", "treat_or_diagnose", "IV", "III"},
		{"critical", "drive_clinical_management", "III", "IIb"},
		{"critical", "inform_clinical_management", "II", "IIa"},
		{"serious", "treat_or_diagnose", "III", "IIb"},
		{"serious", "drive_clinical_management", "II", "IIa"},
		{"serious", "inform_clinical_management", "I", "IIa"},
		{"non_serious", "treat_or_diagnose", "II", "IIa"},
		{"non_serious", "drive_clinical_management", "I", "IIa"},
		{"non_serious", "inform_clinical_management", "I", "IIa"},
	}
	for _, tt := range tests {
		t.Run(tt.state+"/"+tt.significance, func(t *testing.T) {
			sev := "death_or_serious_injury"
			c := Classify(intendedUse(t, tt.state, tt.significance, "none", sev))
			if c.IMDRF.Category != tt.wantIMDRF {
				t.Errorf("IMDRF: got %s, want %s", c.IMDRF.Category, tt.wantIMDRF)
			}
			if c.MDR.Class != tt.wantMDR {
				t.Errorf("MDR: got %s, want %s", c.MDR.Class, tt.wantMDR)
			}
			md := c.Markdown()
			if !strings.Contains(md, "**→ "+tt.wantIMDRF+"**") {
				t.Errorf("markdown does not mark the chosen cell %s", tt.wantIMDRF)
			}
			if !strings.Contains(strings.Join(c.IMDRF.Reasoning, " "), "row "+tt.state+", column "+tt.significance) {
				t.Errorf("reasoning does not name the cell: %q", c.IMDRF.Reasoning)
			}
		})
	}
}

// TestClassifyMonitoringAndSafetyClass checks Rule 11's monitoring paragraph
// and the IEC 62304 class from the worst credible harm.
//
// Verifies: SRS-REG-001
func TestClassifyMonitoringAndSafetyClass(t *testing.T) {
	tests := []struct {
		name                                      string
		state, significance, monitoring, severity string
		wantMDR, want62304                        string
	}{
		{"vital monitoring raises IIa to IIb", "serious", "inform_clinical_management", "vital_immediate_danger", "death_or_serious_injury", "IIb", "C"},
		{"physiological monitoring stays IIa", "non_serious", "drive_clinical_management", "physiological", "non_serious_injury", "IIa", "B"},
		{"monitoring never lowers III", "critical", "treat_or_diagnose", "physiological", "death_or_serious_injury", "III", "C"},
		{"no injury is class A", "non_serious", "inform_clinical_management", "none", "no_injury", "IIa", "A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Classify(intendedUse(t, tt.state, tt.significance, tt.monitoring, tt.severity))
			if c.MDR.Class != tt.wantMDR {
				t.Errorf("MDR: got %s, want %s", c.MDR.Class, tt.wantMDR)
			}
			if c.IEC62304.Class != tt.want62304 {
				t.Errorf("IEC 62304: got %s, want %s", c.IEC62304.Class, tt.want62304)
			}
		})
	}
}

// TestExternalControlsLowerSafetyClass: IEC 62304 A1 lets risk controls
// outside the software lower the class, and only when they are named.
//
// Verifies: SRS-REG-001
func TestExternalControlsLowerSafetyClass(t *testing.T) {
	y := fmt.Sprintf(baseYAML, "serious", "drive_clinical_management", "none", "death_or_serious_injury") +
		"  external_risk_controls: [hardware interlock]\n  severity_with_external_controls: non_serious_injury\n"
	u, err := ParseIntendedUse(strings.NewReader(y))
	if err != nil {
		t.Fatal(err)
	}
	if got := Classify(u).IEC62304.Class; got != "B" {
		t.Errorf("got class %s, want B", got)
	}
}

// TestParseIntendedUseRejects names the field at fault for every kind of
// incomplete, invalid or inconsistent file.
//
// Verifies: SRS-REG-001
func TestParseIntendedUseRejects(t *testing.T) {
	ok := fmt.Sprintf(baseYAML, "serious", "drive_clinical_management", "none", "death_or_serious_injury")
	tests := []struct {
		name      string
		yaml      string
		wantField string
		wantErr   error
	}{
		{"empty file", "", "device", ErrIncomplete},
		{"no state", strings.Replace(ok, "state: serious\n", "", 1), "state", ErrIncomplete},
		{"bad state", strings.Replace(ok, "state: serious", "state: grave", 1), "state", ErrInvalid},
		{"no significance", strings.Replace(ok, "significance: drive_clinical_management\n", "", 1), "significance", ErrIncomplete},
		{"bad significance", strings.Replace(ok, "significance: drive_clinical_management", "significance: cure", 1), "significance", ErrInvalid},
		{"no users", strings.Replace(ok, "users: [clinicians]\n", "", 1), "users", ErrIncomplete},
		{"empty environment", strings.Replace(ok, "environment: [clinic]", "environment: []", 1), "environment", ErrIncomplete},
		{"bad environment", strings.Replace(ok, "environment: [clinic]", "environment: [space]", 1), "environment", ErrInvalid},
		{"no inputs", strings.Replace(ok, "inputs: [a strip]\n", "", 1), "inputs", ErrIncomplete},
		{"no outputs", strings.Replace(ok, "outputs: [a label]\n", "", 1), "outputs", ErrIncomplete},
		{"no condition", strings.Replace(ok, "condition: a condition\n", "", 1), "condition", ErrIncomplete},
		{"no harm severity", strings.Replace(ok, "  severity: death_or_serious_injury\n", "", 1), "worst_credible_harm.severity", ErrIncomplete},
		{"unknown field", ok + "colour: red\n", "colour", ErrInvalid},
		{"critical but no injury", fmt.Sprintf(baseYAML, "critical", "inform_clinical_management", "none", "no_injury"), "worst_credible_harm.severity", ErrInconsistent},
		{"serious but no injury", fmt.Sprintf(baseYAML, "serious", "inform_clinical_management", "none", "no_injury"), "worst_credible_harm.severity", ErrInconsistent},
		{"vital danger but non-serious", fmt.Sprintf(baseYAML, "non_serious", "inform_clinical_management", "vital_immediate_danger", "no_injury"), "monitoring", ErrInconsistent},
		{"reduction without controls", ok + "  severity_with_external_controls: no_injury\n", "worst_credible_harm.external_risk_controls", ErrInconsistent},
		{"controls raise severity", fmt.Sprintf(baseYAML, "non_serious", "inform_clinical_management", "none", "no_injury") + "  external_risk_controls: [x]\n  severity_with_external_controls: non_serious_injury\n", "worst_credible_harm.severity_with_external_controls", ErrInconsistent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseIntendedUse(strings.NewReader(tt.yaml))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FieldError", err)
			}
			if fe.Field != tt.wantField {
				t.Errorf("got field %q, want %q (%v)", fe.Field, tt.wantField, err)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantField) {
				t.Errorf("message %q does not name %q", err, tt.wantField)
			}
		})
	}
}

// TestOwnIntendedUse classifies afscan's own intended use and checks that
// the committed classification.json is current.
//
// Verifies: SRS-REG-001
func TestOwnIntendedUse(t *testing.T) {
	f, err := os.Open("intended-use.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u, err := ParseIntendedUse(f)
	if err != nil {
		t.Fatal(err)
	}
	c := Classify(u)
	if c.IMDRF.Category != "II" || c.MDR.Class != "IIa" || c.IEC62304.Class != "C" {
		t.Errorf("got IMDRF %s, MDR %s, IEC 62304 %s; want II, IIa, C", c.IMDRF.Category, c.MDR.Class, c.IEC62304.Class)
	}
	want, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("classification.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("classification.json is stale: run afscan imdrf --intended-use dhf/intended-use.yaml --json > dhf/classification.json")
	}
	md, err := os.ReadFile("classification.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(md) != c.Markdown() {
		t.Errorf("classification.md is stale: run afscan imdrf --intended-use dhf/intended-use.yaml > dhf/classification.md")
	}
}
