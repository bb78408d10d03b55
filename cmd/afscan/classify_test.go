package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/internal/fake"
)

const inputTestdata = "../../inference/input/testdata/"

// runClassify drives `afscan classify` built with the given classifier
// constructor (in place of the registered one) under the real root command,
// mapping errors to exit statuses as Main.Run does.
func runClassify(t *testing.T, newClassifier func() (stripClassifier, error), args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr, m.Stdin = &out, &errOut, strings.NewReader("")
	root := m.rootCmd()
	for _, c := range root.Commands() {
		if c.Name() == "classify" { // the registered one runs the embedded model
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(newClassifyCmd(m, newClassifier))
	root.SetArgs(append([]string{"classify"}, args...))
	err := root.ExecuteContext(context.Background())
	switch {
	case err == nil:
		code = exitOK
	case errors.Is(err, errCheckFailed):
		code = exitFailed
	default:
		fmt.Fprintf(&errOut, "afscan: %s\n", oneLine(err))
		code = exitUsage
	}
	return code, out.String(), errOut.String()
}

func fakeModel(c *fake.Classifier) func() (stripClassifier, error) {
	return func() (stripClassifier, error) { return c, nil }
}

func newFake() *fake.Classifier {
	return &fake.Classifier{Result: fake.NormalResult(), Info: inference.ModelInfo{Name: "afscan-test", Version: "0.0.1", SHA256: strings.Repeat("ab", 32)}}
}

var allFormats = []string{
	inputTestdata + "cinc_A00004_10s.hea",
	inputTestdata + "cinc_A00004_10s.json",
	inputTestdata + "cinc_A00004_10s.fhir.json",
	inputTestdata + "apple_en_US.csv",
	inputTestdata + "apple_pt_PT.csv",
	inputTestdata + "apple_de_DE.csv",
}

// Verifies: SRS-CLS-009
func TestClassifyEveryFormat(t *testing.T) {
	c := newFake()
	code, stdout, stderr := runClassify(t, fakeModel(c), allFormats...)
	if code != exitOK || stderr != "" {
		t.Fatalf("got exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(allFormats) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(allFormats), stdout)
	}
	if want := allFormats[0] + ": normal  N 0.90 A 0.03 O 0.05 ~ 0.02  HR 72 bpm  quality 0.95  10.0 s"; lines[0] != want {
		t.Errorf("got line\n%q, want\n%q", lines[0], want)
	}
	wantDur := []string{"10.0 s", "10.0 s", "10.0 s", "10.0 s", "10.0 s", "10.0 s"}
	for i, line := range lines {
		if !strings.HasPrefix(line, allFormats[i]+": normal ") || !strings.Contains(line, "HR 72 bpm") || !strings.Contains(line, wantDur[i]) {
			t.Errorf("line %d: got %q, want the file, its rhythm, HR 72 bpm and %s", i, line, wantDur[i])
		}
	}
	if c.Calls() != len(allFormats) {
		t.Errorf("classifier ran %d times, want %d", c.Calls(), len(allFormats))
	}
}

// Verifies: SRS-CLS-009
func TestClassifyJSON(t *testing.T) {
	code, stdout, stderr := runClassify(t, fakeModel(newFake()), append([]string{"--json"}, allFormats[:3]...)...)
	if code != exitOK || stderr != "" {
		t.Fatalf("got exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3", len(lines))
	}
	wantKeys := []string{"duration_s", "file", "heart_rate_bpm", "id", "model", "probabilities", "processing_ms", "rhythm", "signal_quality"}
	for i, line := range lines {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("line %d is not JSON: %v", i, err)
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("line %d: got keys %v, want %v", i, keys, wantKeys)
		}
		var got struct {
			File      string  `json:"file"`
			ID        string  `json:"id"`
			Rhythm    string  `json:"rhythm"`
			DurationS float64 `json:"duration_s"`
			Model     struct {
				SHA256 string `json:"sha256"`
			} `json:"model"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatal(err)
		}
		if _, err := uuid.Parse(got.ID); err != nil {
			t.Errorf("line %d: id %q is not a uuid", i, got.ID)
		}
		if got.File != allFormats[i] || got.Rhythm != "normal" || got.DurationS != 10 || got.Model.SHA256 != strings.Repeat("ab", 32) {
			t.Errorf("line %d: got %+v", i, got)
		}
	}
}

// Verifies: SRS-CLS-009
func TestClassifyUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.bin")
	if err := os.WriteFile(garbage, []byte("\x00\x01 not an ECG"), 0o600); err != nil {
		t.Fatal(err)
	}
	badRate := filepath.Join(dir, "bad-rate.json")
	if err := os.WriteFile(badRate, []byte(`{"sample_rate_hz": -1, "samples": [1]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.csv")
	files := []string{allFormats[0], garbage, allFormats[1], missing, badRate, allFormats[3]}
	code, stdout, stderr := runClassify(t, fakeModel(newFake()), files...)
	if code != exitUsage {
		t.Errorf("got exit %d, want %d", code, exitUsage)
	}
	if n := strings.Count(stdout, ": normal "); n != 3 {
		t.Errorf("got %d classified files, want 3:\n%s", n, stdout)
	}
	errLines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(errLines) != 4 {
		t.Fatalf("got %d stderr lines, want 3 files and a summary:\n%s", len(errLines), stderr)
	}
	for i, f := range []string{garbage, missing, badRate} {
		if !strings.Contains(errLines[i], f) {
			t.Errorf("stderr line %d: got %q, want it to name %s", i, errLines[i], f)
		}
	}
	if !strings.Contains(errLines[3], "3 of 6 files") {
		t.Errorf("got summary %q, want 3 of 6 files", errLines[3])
	}
}

// Verifies: SRS-CLS-009
func TestClassifyErrors(t *testing.T) {
	tests := []struct {
		name       string
		newModel   func() (stripClassifier, error)
		args       []string
		wantStderr string
	}{
		{"no files", fakeModel(newFake()), nil, "requires at least 1 arg"},
		{"unknown flag", fakeModel(newFake()), []string{"--csv", allFormats[0]}, "unknown flag"},
		{"model does not load", func() (stripClassifier, error) { return nil, errors.New("no model") }, allFormats[:1], "load model: no model"},
		{"classifier refuses the strip", fakeModel(&fake.Classifier{Err: inference.ErrUnsupportedRate}), allFormats[:1], "classify " + allFormats[0] + ": sample rate outside"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runClassify(t, tc.newModel, tc.args...)
			if code != exitUsage {
				t.Errorf("got exit %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("got stdout %q, want none", stdout)
			}
			if !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("got stderr %q, want it to contain %q", stderr, tc.wantStderr)
			}
		})
	}
}

// End to end with the embedded model, as users run it: the same strip in
// every format gets the same call, and --json carries the model's identity.
//
// Verifies: SRS-CLS-009
func TestClassifyRealModel(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.json")
	if err := os.WriteFile(garbage, []byte(`{"sample_rate_hz": 300, "samples": [1, null]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"classify", "--json"}, allFormats...)
	args = append(args, garbage)
	code, stdout, stderr := runMain(t, args...)
	if code != exitUsage {
		t.Errorf("got exit %d, want %d (one unreadable file)", code, exitUsage)
	}
	if !strings.Contains(stderr, garbage) || !strings.Contains(stderr, "1 of 7 files") {
		t.Errorf("got stderr %q, want the unreadable file named and 1 of 7 files", stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(allFormats) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(allFormats), stdout)
	}
	want, err := newDefaultStripClassifier()
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		File          string             `json:"file"`
		Rhythm        string             `json:"rhythm"`
		Probabilities map[string]float64 `json:"probabilities"`
		Model         inference.ModelInfo
	}
	got := make([]line, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &got[i]); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if got[i].File != allFormats[i] || got[i].Model != want.Model() || len(got[i].Probabilities) != 4 {
			t.Errorf("line %d: got %+v, want file %s, model %+v, 4 probabilities", i, got[i], allFormats[i], want.Model())
		}
	}
	// WFDB, afscan JSON and FHIR hold the same 300 Hz samples; the en_US,
	// pt_PT exports the same 512 Hz samples.
	for _, same := range [][]int{{0, 1, 2}, {3, 4}} {
		for _, i := range same[1:] {
			if got[i].Rhythm != got[same[0]].Rhythm || !maps.Equal(got[i].Probabilities, got[same[0]].Probabilities) {
				t.Errorf("%s and %s: got %v %v and %v %v, want the same call", got[same[0]].File, got[i].File,
					got[same[0]].Rhythm, got[same[0]].Probabilities, got[i].Rhythm, got[i].Probabilities)
			}
		}
	}
}
