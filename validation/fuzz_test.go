package validation

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// addSeeds adds every file of testdata/dir to f's corpus.
func addSeeds(f *testing.F, dir string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds in testdata/%s: %v", dir, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzReadReference: any input either parses into entries with valid
// classes and unique, non-empty names, or fails with ErrBadReference;
// it never panics.
func FuzzReadReference(f *testing.F) {
	addSeeds(f, "reference")
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := ReadReference(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrBadReference) {
				t.Fatalf("error %v does not wrap ErrBadReference", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if e.Record == "" || seen[e.Record] || e.Class < 0 || e.Class >= nClasses {
				t.Fatalf("bad entry %+v", e)
			}
			seen[e.Record] = true
		}
	})
}

// FuzzParseCriteria: any input either parses into criteria with known
// metrics, known operators and finite thresholds that re-parse to the same
// criteria from their names, or fails with ErrBadCriteria; it never panics.
func FuzzParseCriteria(f *testing.F) {
	addSeeds(f, "criteria")
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := ParseCriteria(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrBadCriteria) {
				t.Fatalf("error %v does not wrap ErrBadCriteria", err)
			}
			return
		}
		for _, c := range items {
			doc := "criteria:\n  - '" + c.Name + "'\n"
			again, err := ParseCriteria(bytes.NewReader([]byte(doc)))
			if err != nil || len(again) != 1 || again[0] != c {
				t.Fatalf("criterion %+v does not round-trip: %+v, %v", c, again, err)
			}
		}
	})
}
