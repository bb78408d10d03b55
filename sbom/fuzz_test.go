package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseGovulncheck: any input is parsed or rejected, never panics, and
// what parses yields statements with a known status.
//
// Verifies: SRS-REG-003
func FuzzParseGovulncheck(f *testing.F) {
	for _, name := range []string{"govulncheck.json", "govulncheck-baseline.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseGovulncheck(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, s := range Statements(r, r, map[string]string{}, "app") {
			switch s.Status {
			case StatusAffected, StatusNotAffected, StatusFixed:
			default:
				t.Fatalf("status %q", s.Status)
			}
		}
	})
}
