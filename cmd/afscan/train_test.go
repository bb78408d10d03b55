package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/afscan/afscan/inference/onnx"
	"github.com/afscan/afscan/internal/dataset"
	"github.com/afscan/afscan/validation/splits"
)

func TestTrainUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{name: "no data", args: []string{"train", "--out", filepath.Join(dir, "m.onnx")}},
		{name: "no out", args: []string{"train", "--data", dir}},
		{name: "no REFERENCE.csv", args: []string{"train", "--data", dir, "--out", filepath.Join(dir, "m.onnx")}},
		{name: "stray argument", args: []string{"train", "--data", dir, "--out", "x", "extra"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runMain(t, tc.args...)
			if code != exitUsage {
				t.Fatalf("got exit %d (%s), want %d", code, stderr, exitUsage)
			}
		})
	}
}

// TestTrainWritesLoadableModel trains on 60 records of the locked training
// fold and scores 20 of the tune fold, end to end through the command.
//
// Verifies: SRS-CLS-008
func TestTrainWritesLoadableModel(t *testing.T) {
	data := dataset.ForTest(t, dataset.CinC2017)
	dir := t.TempDir()
	list := filepath.Join(dir, "train.txt")
	tune := filepath.Join(dir, "tune.txt")
	if err := os.WriteFile(list, splits.Format(splits.CinC2017Train()[:60]), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tune, splits.Format(splits.CinC2017Tune()[:20]), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "m.onnx")
	code, stdout, stderr := runMain(t, "train", "--data", data, "--out", out, "--records", list, "--tune", tune, "--report", filepath.Join(dir, "r.json"), "--seed", "3")
	if code != exitOK {
		t.Fatalf("got exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{"trained on 60 records", "tune fold", "sha256"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := onnx.Load(b); err != nil {
		t.Fatalf("written model does not load: %v", err)
	}
}
