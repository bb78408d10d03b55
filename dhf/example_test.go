package dhf_test

import (
	"fmt"
	"strings"

	"github.com/afscan/afscan/dhf"
)

// ExampleClassify classifies a single-lead AF detector whose output drives
// the next clinical step for a serious condition.
//
// Verifies: SRS-REG-001
func ExampleClassify() {
	u, err := dhf.ParseIntendedUse(strings.NewReader(`
device: example
statement: flags possible atrial fibrillation in a 30 s strip
condition: atrial fibrillation
state: serious
significance: drive_clinical_management
monitoring: none
users: [physicians]
environment: [home, clinic]
population: adults
inputs: [single-lead ECG strip]
outputs: [rhythm label]
worst_credible_harm:
  description: missed AF leads to a stroke
  severity: death_or_serious_injury
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := dhf.Classify(u)
	fmt.Println("IMDRF", c.IMDRF.Category, "| MDR", c.MDR.Class, "| IEC 62304", c.IEC62304.Class)
	// Output: IMDRF II | MDR IIa | IEC 62304 C
}

// ExampleParseIntendedUse shows the error naming the missing field.
func ExampleParseIntendedUse() {
	_, err := dhf.ParseIntendedUse(strings.NewReader("device: x\nstatement: y\n"))
	fmt.Println(err)
	// Output: intended use: field condition: missing or empty
}
