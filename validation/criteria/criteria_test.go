package criteria_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/afscan/afscan/validation"
	"github.com/afscan/afscan/validation/criteria"
)

// The embedded criteria are the file in the repository, parse, and cannot
// be changed through the returned slice.
//
// Verifies: SRS-VAL-004
func TestDefault(t *testing.T) {
	file, err := os.ReadFile("default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := criteria.Default()
	if !bytes.Equal(b, file) {
		t.Fatal("embedded criteria differ from default.yaml")
	}
	c, err := validation.NewCriteria(criteria.DefaultPath, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) < 4 {
		t.Errorf("got %d criteria, want the shipped claims (AF sensitivity, specificity, inconclusive rate, CinC score, errors)", len(c.Items))
	}
	b[0] ^= 0xff
	if !bytes.Equal(criteria.Default(), file) {
		t.Error("Default returned the embedded slice itself")
	}
}
