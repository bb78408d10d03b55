package dhf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func addSeeds(f *testing.F, paths ...string) {
	f.Helper()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseIntendedUse: any input either parses into an intended use that
// classifies, or is rejected with a *FieldError; it never panics.
//
// Verifies: SRS-REG-001
func FuzzParseIntendedUse(f *testing.F) {
	addSeeds(f, "intended-use.yaml", filepath.Join("testdata", "tracemod", "requirements.yaml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := ParseIntendedUse(bytes.NewReader(data))
		if err != nil {
			if _, ok := err.(*FieldError); !ok {
				t.Fatalf("got %T %v, want *FieldError", err, err)
			}
			return
		}
		c := Classify(u)
		if c.IMDRF.Category == "" || c.MDR.Class == "" || c.IEC62304.Class == "" {
			t.Fatalf("incomplete classification %+v", c)
		}
	})
}

// FuzzParseResults: go test -json input never panics the reader.
//
// Verifies: SRS-REG-002
func FuzzParseResults(f *testing.F) {
	addSeeds(f, filepath.Join("testdata", "tracemod", "go-test.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ParseResults(bytes.NewReader(data))
		if err == nil && res.Tests == nil {
			t.Fatal("nil result without error")
		}
	})
}

// FuzzParseRequirements: requirement files never panic the reader, and what
// parses has unique ids.
//
// Verifies: SRS-REG-002
func FuzzParseRequirements(f *testing.F) {
	addSeeds(f, "requirements.yaml", filepath.Join("testdata", "tracemod", "requirements.yaml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reqs, err := ParseRequirements(bytes.NewReader(data))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, q := range reqs {
			if seen[q.ID] {
				t.Fatalf("duplicate id %s accepted", q.ID)
			}
			seen[q.ID] = true
		}
	})
}
