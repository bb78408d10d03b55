package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/internal/fake"
	"github.com/afscan/afscan/validation"
)

// runValidate runs `afscan validate args...` with classifier c and maps the
// error to an exit status exactly as Main.Run does.
func runValidate(t *testing.T, c validation.Classifier, now time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr, m.Stdin = &out, &errOut, strings.NewReader("")
	m.Getenv = func(string) string { return "" }
	m.Now = func() time.Time { return now }
	root := &cobra.Command{Use: "afscan", SilenceUsage: true, SilenceErrors: true}
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr{err} })
	root.AddCommand(newValidateCmd(m, func() (validation.Classifier, error) { return c, nil }))
	root.SetArgs(append([]string{"validate"}, args...))
	err := root.ExecuteContext(context.Background())
	switch {
	case err == nil:
		code = exitOK
	case errors.Is(err, errCheckFailed):
		code = exitFailed
	default:
		code = exitUsage
	}
	if err != nil {
		fmt.Fprintf(m.Stderr, "afscan: %s\n", oneLine(err))
	}
	return code, out.String(), errOut.String()
}

// validateSet writes n one-lead WFDB records (format 16, 300 Hz, 10 s) and
// a REFERENCE.csv labelling them all normal.
func validateSet(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	var ref strings.Builder
	for i := range n {
		name := fmt.Sprintf("A%05d", i+1)
		fmt.Fprintf(&ref, "%s,N\n", name)
		hea := fmt.Sprintf("%s 1 300 3000\n%s.dat 16 1000/mV 16 0 0 0 0 ECG\n", name, name)
		dat := make([]byte, 6000)
		for j := range 3000 {
			binary.LittleEndian.PutUint16(dat[2*j:], uint16(int16((j*7+i)%200)))
		}
		if err := os.WriteFile(filepath.Join(dir, name+".hea"), []byte(hea), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".dat"), dat, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "REFERENCE.csv"), []byte(ref.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeCriteria(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "criteria.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func normalClassifier() *fake.Classifier {
	return &fake.Classifier{Result: fake.NormalResult(), Info: inference.ModelInfo{Name: "fake", Version: "1", SHA256: strings.Repeat("0", 64)}}
}

var t0 = time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)

// Verifies: SRS-VAL-004
func TestValidateExitStatus(t *testing.T) {
	data := validateSet(t, 6)
	tests := []struct {
		name     string
		criteria string
		want     int
		stderr   string
	}{
		{"criteria met", "criteria:\n  - per_class.N.sensitivity >= 1\n  - n_errors == 0\n", exitOK, ""},
		{"criterion failed", "criteria:\n  - per_class.N.sensitivity >= 1\n  - inconclusive_rate >= 0.5\n", exitFailed, "1 of 2 acceptance criteria not met: inconclusive_rate >= 0.5 (value 0.0000)"},
		{"undefined figure fails", "criteria:\n  - af.sensitivity.ci95_lower >= 0.9\n", exitFailed, "af.sensitivity.ci95_lower >= 0.9 (value n/a)"},
		{"unknown metric", "criteria:\n  - af.sensitivty >= 0.9\n", exitUsage, `unknown metric "af.sensitivty"`},
		{"bad operator", "criteria:\n  - af.sensitivity => 0.9\n", exitUsage, `bad operator "=>"`},
		{"bad number", "criteria:\n  - af.sensitivity >= high\n", exitUsage, `bad number "high"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			c := normalClassifier()
			code, _, stderr := runValidate(t, c, t0, "--data", data, "--out", out, "--criteria", writeCriteria(t, tt.criteria))
			if code != tt.want {
				t.Errorf("got exit %d, want %d (stderr %q)", code, tt.want, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("got stderr %q, want it to contain %q", stderr, tt.stderr)
			}
			if strings.Count(stderr, "\n") > 1 {
				t.Errorf("got multi-line stderr %q", stderr)
			}
			if tt.want == exitUsage && c.Calls() != 0 {
				t.Errorf("malformed criteria: classifier ran %d times, want 0 (check before the run)", c.Calls())
			}
		})
	}
}

func TestValidateUsageErrors(t *testing.T) {
	data := validateSet(t, 2)
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no data", nil, "--data DIR is required"},
		{"no reference", []string{"--data", t.TempDir()}, "no REFERENCE.csv"},
		{"missing records list", []string{"--data", data, "--records", "/nonexistent/list.txt"}, "records list"},
		{"missing criteria file", []string{"--data", data, "--criteria", "/nonexistent.yaml"}, "criteria"},
		{"bad flag", []string{"--data", data, "--windows", "soon"}, "invalid argument"},
		{"too few resamples", []string{"--data", data, "--resamples", "200"}, "need at least 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runValidate(t, normalClassifier(), t0, append(tt.args, "--out", t.TempDir())...)
			if code != exitUsage || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("got exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tt.stderr)
			}
		})
	}
}

// Verifies: SRS-VAL-005
func TestValidateReportDeterministic(t *testing.T) {
	data := validateSet(t, 8)
	var reports []map[string]any
	for i, now := range []time.Time{t0, t0.Add(time.Hour)} {
		out := filepath.Join(t.TempDir(), fmt.Sprint(i))
		code, stdout, stderr := runValidate(t, normalClassifier(), now, "--data", data, "--out", out, "--json", "--workers", fmt.Sprint(1+i))
		if code != exitFailed { // the built-in criteria need AF records to pass
			t.Fatalf("got exit %d, want %d: %s", code, exitFailed, stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, validation.FileJSON))
		if err != nil {
			t.Fatal(err)
		}
		if stdout != string(b) {
			t.Error("--json output differs from report.json")
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if doc["generated_at"] != now.Format(time.RFC3339) {
			t.Errorf("generated_at: got %v, want %s", doc["generated_at"], now.Format(time.RFC3339))
		}
		cf := doc["criteria_file"].(map[string]any)
		if !strings.Contains(cf["path"].(string), "default.yaml") || len(cf["sha256"].(string)) != 64 {
			t.Errorf("criteria_file: got %v", cf)
		}
		delete(doc, "generated_at")
		delete(doc, "duration_s")
		// The command line names --out and --workers, which differ on purpose.
		delete(doc["software"].(map[string]any), "command_line")
		reports = append(reports, doc)
	}
	a, _ := json.Marshal(reports[0])
	b, _ := json.Marshal(reports[1])
	if !bytes.Equal(a, b) {
		t.Errorf("reports differ apart from timestamps:\n%s\n%s", a, b)
	}
}

func TestValidateSummary(t *testing.T) {
	data := validateSet(t, 3)
	out := t.TempDir()
	code, stdout, stderr := runValidate(t, normalClassifier(), t0, "--data", data, "--out", out,
		"--criteria", writeCriteria(t, "criteria:\n  - n_errors == 0\n"))
	if code != exitOK {
		t.Fatalf("got exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"validation PASS: 3 records (0 errors), model fake 1",
		"confusion (rows: reference, columns: call N A O ~):  N [3 0 0 0]",
		"pass n_errors == 0 (value 0.0000)",
		"report: " + filepath.Join(out, "report.html"),
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"report.json", "report.md", "report.html", "predictions.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}
