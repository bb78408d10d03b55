package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/afscan/afscan/dhf"
	"github.com/afscan/afscan/model"
	"github.com/spdx/tools-golang/tagvalue"
)

const regData = "testdata/regulatory"

// runMainEnv is runMain with an environment of its own.
func runMainEnv(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr, m.Stdin = &out, &errOut, strings.NewReader("")
	m.Getenv = func(k string) string { return env[k] }
	m.Now = func() time.Time { return time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC) }
	code = m.Run(context.Background(), args)
	if err := m.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	return code, out.String(), errOut.String()
}

// TestIMDRFCommand prints afscan's own classification and rejects an
// incomplete file with the field named and exit 2.
//
// Verifies: SRS-REG-001
func TestIMDRFCommand(t *testing.T) {
	code, out, _ := runMain(t, "imdrf", "--intended-use", "../../dhf/intended-use.yaml", "--json")
	if code != exitOK {
		t.Fatalf("got exit %d", code)
	}
	var c dhf.Classification
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if c.IMDRF.Category != "II" || c.MDR.Class != "IIa" || c.IEC62304.Class != "C" {
		t.Errorf("got %s / %s / %s", c.IMDRF.Category, c.MDR.Class, c.IEC62304.Class)
	}
	code, out, _ = runMain(t, "imdrf", "--intended-use", "../../dhf/intended-use.yaml")
	if code != exitOK || !strings.Contains(out, "**→ II**") || !strings.Contains(out, "Rule 11") {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}
	code, _, stderr := runMain(t, "imdrf", "--intended-use", filepath.Join(regData, "incomplete-intended-use.yaml"))
	if code != exitUsage || !strings.Contains(stderr, "field significance") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("got exit %d, stderr %q; want 2 naming significance on one line", code, stderr)
	}
	if code, _, _ := runMain(t, "imdrf"); code != exitUsage {
		t.Errorf("no flag: got exit %d, want 2", code)
	}
}

// TestTraceCommand: exit 0 when every requirement is verified, 1 when a
// test failed, 2 for a missing results file.
//
// Verifies: SRS-REG-002
func TestTraceCommand(t *testing.T) {
	tests := []struct {
		name, results string
		want          int
		wantOut       string
	}{
		{"verified", "go-test.json", exitOK, "1/1 requirements verified"},
		{"failed", "go-test-fail.json", exitFailed, "gap: requirement SRS-REG-001: a test failed"},
		{"missing results", "absent.json", exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			code, out, stderr := runMain(t, "trace", "--requirements", filepath.Join(regData, "requirements.yaml"),
				"--results", filepath.Join(regData, tt.results), "--module-root", filepath.Join(regData, "mod"), "--out", dir)
			if code != tt.want || !strings.Contains(out, tt.wantOut) {
				t.Errorf("got exit %d, stdout %q, stderr %q; want %d and %q", code, out, stderr, tt.want, tt.wantOut)
			}
			if tt.want != exitUsage {
				for _, f := range []string{"trace.md", "trace.html", "trace.csv", "trace.json"} {
					if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
}

// TestSBOMCommand writes each format; the tag-value reads back through
// tools-golang; the embedded model and the validation data set of
// report.json are components.
//
// Verifies: SRS-REG-003
func TestSBOMCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SOURCE_DATE_EPOCH": "1790000000"}
	for _, format := range []string{"spdx-json", "spdx-tv", "cyclonedx-json"} {
		out := filepath.Join(dir, format)
		code, _, stderr := runMainEnv(t, env, "sbom", "--format", format, "--out", out, "--report", filepath.Join(regData, "report.json"), "--module-dir", filepath.Join(regData, "mod"))
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", format, code, stderr)
		}
		// The fixture report validated another model than the embedded one.
		if !strings.Contains(stderr, "not the embedded "+model.SHA256()) {
			t.Errorf("no warning about the validated model: %q", stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"cinc2017-train", "validation-cinc2017", model.Name, model.SHA256(), strings.Repeat("b", 64), "2026-09-21T14:13:20Z"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s lacks %q", format, want)
			}
		}
		if format == "spdx-tv" {
			if _, err := tagvalue.Read(bytes.NewReader(b)); err != nil {
				t.Errorf("tag-value does not read back: %v", err)
			}
		}
	}
	if code, _, _ := runMain(t, "sbom", "--format", "xml"); code != exitUsage {
		t.Errorf("bad format: got exit %d, want 2", code)
	}
}

// TestDHFReproducible builds the bundle twice at different times: every
// file is identical apart from the timestamp, the manifest verifies, and
// index.html links every file.
//
// Verifies: SRS-REG-004
func TestDHFReproducible(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	build := func(epoch string) string {
		out := filepath.Join(base, epoch)
		code, stdout, stderr := runMainEnv(t, map[string]string{"SOURCE_DATE_EPOCH": epoch}, "dhf", "--out", out,
			"--module-root", root, "--requirements", filepath.Join(regData, "requirements.yaml"), "--risks", filepath.Join(regData, "risks.yaml"),
			"--results", filepath.Join(regData, "go-test.json"), "--report", filepath.Join(regData, "report.json"),
			"--module-dir", filepath.Join(regData, "mod"))
		// The fixture requirements do not cover the whole module's tags: gaps, exit 1.
		if code != exitFailed || !strings.Contains(stdout, "dhf: wrote") {
			t.Fatalf("got exit %d\n%s\n%s", code, stdout, stderr)
		}
		return out
	}
	a, b := build("1790000000"), build("1790003600")
	tsA, tsB := time.Unix(1790000000, 0).UTC().Format(time.RFC3339), time.Unix(1790003600, 0).UTC().Format(time.RFC3339)
	var files []string
	err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(a, p)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"index.html", "MANIFEST.sha256", "classification.md", "openapi.json", "trace/trace.html", "sbom/afscan.cdx.json", "sbom/afscan.spdx", "validation/report.json"} {
		found := false
		for _, f := range files {
			found = found || filepath.ToSlash(f) == want
		}
		if !found {
			t.Errorf("bundle lacks %s", want)
		}
	}
	index, err := os.ReadFile(filepath.Join(a, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		fa, _ := os.ReadFile(filepath.Join(a, f))
		fb, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Errorf("%s: only in the first bundle", f)
			continue
		}
		if f != "MANIFEST.sha256" && !bytes.Equal(bytes.ReplaceAll(fa, []byte(tsA), []byte("T")), bytes.ReplaceAll(fb, []byte(tsB), []byte("T"))) {
			t.Errorf("%s differs beyond its timestamp", f)
		}
		if f != "index.html" && f != "MANIFEST.sha256" && !bytes.Contains(index, []byte(`href="`+filepath.ToSlash(f)+`"`)) {
			t.Errorf("index.html does not link %s", f)
		}
	}
	for _, dir := range []string{a, b} {
		problems, err := dhf.VerifyManifest(dir)
		if err != nil || len(problems) > 0 {
			t.Errorf("manifest of %s: %v %v", dir, problems, err)
		}
	}
}
