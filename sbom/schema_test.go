package sbom

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ajvPath finds ajv-cli (installed by .ci/setup.d/60-sbom.sh): $AFSCAN_AJV,
// then PATH, then the CI install location.
func ajvPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("AFSCAN_AJV"); p != "" {
		return p
	}
	if p, err := exec.LookPath("ajv"); err == nil {
		return p
	}
	cache, err := os.UserCacheDir()
	if err == nil {
		p := filepath.Join(cache, "afscan", "npm", "node_modules", ".bin", "ajv")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("ajv-cli not installed (bash .ci/setup.d/60-sbom.sh installs it)")
	return ""
}

// TestSchemaValid validates the SPDX JSON against the SPDX 2.3 JSON schema
// and the CycloneDX JSON against the CycloneDX 1.6 schema with ajv-cli.
//
// Verifies: SRS-REG-003
func TestSchemaValid(t *testing.T) {
	ajv := ajvPath(t)
	b := fixtureBOM(t, time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	spdxFile, cdxFile := filepath.Join(dir, "bom.spdx.json"), filepath.Join(dir, "bom.cdx.json")
	for path, write := range map[string]func(f *os.File) error{
		spdxFile: func(f *os.File) error { return b.WriteSPDXJSON(f) },
		cdxFile:  func(f *os.File) error { return b.WriteCycloneDX(f) },
	} {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := write(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	schemas := filepath.Join("testdata", "schemas")
	tests := []struct {
		name string
		args []string
	}{
		{"spdx-2.3", []string{"-s", filepath.Join(schemas, "spdx-2.3.schema.json"), "-d", spdxFile}},
		{"cyclonedx-1.6", []string{"-s", filepath.Join(schemas, "bom-1.6.schema.json"), "-r", filepath.Join(schemas, "spdx.schema.json"), "-r", filepath.Join(schemas, "jsf-0.82.schema.json"), "-d", cdxFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"validate", "--spec=draft7", "-c", "ajv-formats", "--strict=false"}, tt.args...)
			cmd := exec.Command(ajv, args...)
			cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(filepath.Dir(filepath.Dir(ajv))))
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), " valid") {
				t.Errorf("ajv: %v\n%s", err, out)
			}
		})
	}
}
