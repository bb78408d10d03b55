package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/afscan/afscan/ecg"
)

// writeSynthRecord writes a one-lead WFDB record NAME (format 16, 200
// adu/mV) of durationS seconds at rateHz with an R wave every rrS seconds
// from 0.5 s on, and its reference annotations NAME.atr; it returns the
// R-peak sample indices.
func writeSynthRecord(t *testing.T, dir, name string, rateHz, durationS, rrS float64) []int64 {
	t.Helper()
	n := int(durationS * rateHz)
	var rIdx []int64
	for r := 0.5; r < durationS-0.5; r += rrS {
		rIdx = append(rIdx, int64(math.Round(r*rateHz)))
	}
	buf := make([]byte, 2*n)
	for i := range n {
		var v float64
		for _, r := range rIdx {
			dt := (float64(i) - float64(r)) / rateHz
			if math.Abs(dt) > 0.6 {
				continue
			}
			q := dt / 0.012
			tw := (dt - 0.3) / 0.06
			v += 1.2*math.Exp(-q*q/2) + 0.3*math.Exp(-tw*tw/2)
		}
		v += 0.2 * math.Sin(2*math.Pi*0.25*float64(i)/rateHz) // baseline wander
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(int16(math.Round(v*200))))
	}
	hea := fmt.Sprintf("%s 1 %g %d\n%s.dat 16 200 16 0 0 0 0 ECG\n", name, rateHz, n, name)
	mustWrite(t, filepath.Join(dir, name+".hea"), []byte(hea))
	mustWrite(t, filepath.Join(dir, name+".dat"), buf)
	anns := make([]ecg.Annotation, len(rIdx))
	for i, r := range rIdx {
		anns[i] = ecg.Annotation{SampleIdx: r, Code: ecg.CodeNormal}
	}
	writeAnnotations(t, filepath.Join(dir, name+".atr"), anns)
	return rIdx
}

func mustWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeAnnotations(t *testing.T, path string, anns []ecg.Annotation) {
	t.Helper()
	var b bytes.Buffer
	if err := ecg.WriteAnnotations(&b, anns); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, path, b.Bytes())
}

// Verifies: SRS-QRS-004
func TestQRSWritesAnnotationFile(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	truth := writeSynthRecord(t, dir, "syn", 250, 20, 0.75)
	code, stdout, stderr := runMain(t, "qrs", "--out-dir", out, filepath.Join(dir, "syn.hea"))
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "syn: ") {
		t.Errorf("stdout %q does not report the record", stdout)
	}
	anns, err := ecg.ReadAnnotationFile(filepath.Join(out, "syn.qrs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(anns) != len(truth) {
		t.Fatalf("wrote %d beats, want %d", len(anns), len(truth))
	}
	for i, a := range anns {
		if a.Code != ecg.CodeNormal || a.Chan != 0 {
			t.Errorf("annotation %d: code %v chan %d, want N chan 0", i, a.Code, a.Chan)
		}
		if d := a.SampleIdx - truth[i]; d < -5 || d > 5 { // 20 ms at 250 Hz
			t.Errorf("beat %d at %d, want %d ± 5", i, a.SampleIdx, truth[i])
		}
	}
}

// On the real 10 s excerpt of MIT-BIH record 100, every reference beat gets
// a detection within EC57's 150 ms and there are no others. Without
// --out-dir the file lands beside the record, with the --annotator name.
//
// Verifies: SRS-QRS-004
func TestQRSRealExcerpt(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{".hea", ".dat", ".atr"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "ecg", "testdata", "100s"+ext))
		if err != nil {
			t.Skipf("fixture: %v", err)
		}
		mustWrite(t, filepath.Join(dir, "100s"+ext), b)
	}
	if code, _, stderr := runMain(t, "qrs", "--annotator", "test", filepath.Join(dir, "100s")); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	test, err := ecg.ReadAnnotationFile(filepath.Join(dir, "100s.test"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := ecg.ReadAnnotationFile(filepath.Join(dir, "100s.atr"))
	if err != nil {
		t.Fatal(err)
	}
	var beats []int64
	for _, a := range ref {
		if ecg.IsBeat(a.Code) {
			beats = append(beats, a.SampleIdx)
		}
	}
	if len(test) != len(beats) {
		t.Fatalf("detected %d beats, reference has %d", len(test), len(beats))
	}
	for i := range beats {
		if d := test[i].SampleIdx - beats[i]; d < -54 || d > 54 {
			t.Errorf("beat %d at %d, reference %d", i, test[i].SampleIdx, beats[i])
		}
	}
}

func TestQRSUsageErrors(t *testing.T) {
	dir := t.TempDir()
	writeSynthRecord(t, dir, "syn", 250, 10, 0.8)
	writeSynthRecord(t, dir, "slow", 100, 10, 0.8)
	tests := []struct {
		name string
		args []string
	}{
		{"no record", []string{"qrs"}},
		{"missing record", []string{"qrs", filepath.Join(dir, "nope")}},
		{"lead out of range", []string{"qrs", "--lead", "3", filepath.Join(dir, "syn")}},
		{"bad annotator", []string{"qrs", "--annotator", "../x", filepath.Join(dir, "syn")}},
		{"unsupported rate", []string{"qrs", filepath.Join(dir, "slow")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runMain(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, exitUsage, stderr)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("stderr %q, want one line", stderr)
			}
		})
	}
}

// execValidateQRS runs the `validate qrs` command on its own, as the brief
// asks (the parent command is another file's), and returns its error and
// stdout.
func execValidateQRS(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr, m.Stdin = &out, &errOut, strings.NewReader("")
	m.Getenv = func(string) string { return "" }
	cmd := newValidateQRSCmd(m)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// Verifies: SRS-QRS-003
func TestValidateQRS(t *testing.T) {
	dir := t.TempDir()
	truth := writeSynthRecord(t, dir, "syn", 250, 400, 0.8) // 6 min 40 s: 100 s scored
	var scored int64
	for _, r := range truth {
		if r >= 300*250 {
			scored++
		}
	}

	t.Run("detected on the fly", func(t *testing.T) {
		out, err := execValidateQRS(t, "--data", dir)
		if err != nil {
			t.Fatalf("error %v; output:\n%s", err, out)
		}
		for _, want := range []string{"syn ", "Gross", "100.00", "detected"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		out, err := execValidateQRS(t, "--data", dir, "--json")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			NRecords int `json:"n_records"`
			Gross    struct {
				ReferenceBeats int64    `json:"reference_beats"`
				Sensitivity    *float64 `json:"sensitivity"`
			} `json:"gross"`
			MatchWindowMs float64 `json:"match_window_ms"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if doc.NRecords != 1 || doc.Gross.ReferenceBeats != scored || doc.MatchWindowMs != 150 {
			t.Errorf("got %+v, want 1 record, %d scored beats, 150 ms window", doc, scored)
		}
		if doc.Gross.Sensitivity == nil || *doc.Gross.Sensitivity != 1 {
			t.Errorf("gross sensitivity %v, want 1", doc.Gross.Sensitivity)
		}
	})

	t.Run("test annotation file used and failing", func(t *testing.T) {
		// Beats 200 ms late: outside the 150 ms window, so Se = +P = 0.
		late := make([]ecg.Annotation, len(truth))
		for i, r := range truth {
			late[i] = ecg.Annotation{SampleIdx: r + 50, Code: ecg.CodeNormal}
		}
		writeAnnotations(t, filepath.Join(dir, "syn.late"), late)
		out, err := execValidateQRS(t, "--data", dir, "--annotator", "late")
		if !errors.Is(err, errCheckFailed) {
			t.Fatalf("error %v, want errCheckFailed; output:\n%s", err, out)
		}
		if !strings.Contains(out, "file") || !strings.Contains(out, "   0.00") {
			t.Errorf("output does not show the file scored at 0%%:\n%s", out)
		}
		// --detect ignores the file and passes again.
		if out, err := execValidateQRS(t, "--data", dir, "--annotator", "late", "--detect"); err != nil {
			t.Errorf("--detect: %v\n%s", err, out)
		}
	})

	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{{}, {"--data", filepath.Join(dir, "missing")}, {"--data", t.TempDir()}} {
			_, err := execValidateQRS(t, args...)
			var ue usageErr
			if !errors.As(err, &ue) {
				t.Errorf("%v: error %v, want a usage error", args, err)
			}
		}
	})
}
