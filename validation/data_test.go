package validation

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/inference/input"
	"github.com/afscan/afscan/internal/dataset"
	"github.com/afscan/afscan/internal/fake"
)

// Verifies: SRS-VAL-007
// TestCutWindowsMITDB cuts the 48 MIT-BIH records and checks every kept
// window against the raw annotations: exactly one rhythm covers it, and
// its class follows that rhythm.
func TestCutWindowsMITDB(t *testing.T) {
	dir := dataset.ForTest(t, dataset.MITDB)
	names, err := filepath.Glob(filepath.Join(dir, "*.atr"))
	if err != nil || len(names) != 48 {
		t.Fatalf("got %d .atr files (%v), want 48", len(names), err)
	}
	total, perClass := 0, [nClasses]int{}
	for _, atr := range names {
		rec := strings.TrimSuffix(filepath.Base(atr), ".atr")
		h, err := ecg.ReadHeader(filepath.Join(dir, rec+".hea"))
		if err != nil {
			t.Fatal(err)
		}
		anns, err := ecg.ReadAnnotationFile(atr)
		if err != nil {
			t.Fatal(err)
		}
		ws := CutWindows(rec, int(h.NSamples), h.SampleRateHz, 30*time.Second, anns)
		for _, w := range ws {
			if w.EndIdx-w.StartIdx != 10800 {
				t.Fatalf("%s: %d samples, want 10800 (30 s at 360 Hz)", w.Name, w.EndIdx-w.StartIdx)
			}
			rhythm := ""
			for _, a := range anns {
				if a.Code != codeRhythm || int(a.SampleIdx) > w.StartIdx {
					continue
				}
				rhythm = normAux(a.Aux)
			}
			for _, a := range anns {
				if a.Code == codeRhythm && int(a.SampleIdx) > w.StartIdx && int(a.SampleIdx) < w.EndIdx && normAux(a.Aux) != rhythm {
					t.Errorf("%s: rhythm changes to %s inside the window", w.Name, a.Aux)
				}
			}
			if rhythm != w.Rhythm || RhythmClass(rhythm) != w.Class {
				t.Errorf("%s: got %s (%s), raw annotations say %s", w.Name, w.Rhythm, Labels[w.Class], rhythm)
			}
			perClass[w.Class]++
		}
		total += len(ws)
	}
	t.Logf("MIT-BIH: %d windows of 30 s (N %d, A %d, O %d)", total, perClass[ClassN], perClass[ClassA], perClass[ClassO])
	// 48 records of 30:05 hold 48·60 = 2880 whole windows, of which the
	// windows with a rhythm change are dropped; several records hold AF.
	if total < 2000 || total > 2880 || perClass[ClassA] < 100 || perClass[ClassNo] != 0 {
		t.Errorf("got %d windows, per class %v", total, perClass)
	}
}

// TestRunCinC2017Subset runs the harness end to end on real CinC 2017
// files (WFDB header + MATLAB v4 .mat) read by inference/input.
func TestRunCinC2017Subset(t *testing.T) {
	dir := dataset.ForTest(t, dataset.CinC2017)
	records := []string{"A00001", "A00002", "A00004", "A00005", "A00008", "A00013", "A00022", "A00034"}
	c := &fake.Classifier{Result: fake.NormalResult()}
	r, err := Run(context.Background(), c, Options{DataDir: dir, Records: records, ReadRecord: input.ReadFile, Resamples: 100})
	if err != nil {
		t.Fatal(err)
	}
	if r.NRecords != len(records) || r.NErrors != 0 || c.Calls() != len(records) {
		t.Fatalf("got %d records, %d errors, %d calls: %+v", r.NRecords, r.NErrors, c.Calls(), r.Errors)
	}
	ref, err := os.ReadFile(filepath.Join(dir, "REFERENCE.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Predictions {
		want := ""
		for _, l := range strings.Split(string(ref), "\n") {
			if name, lab, ok := strings.Cut(strings.TrimSpace(l), ","); ok && name == p.Record {
				want = lab
			}
		}
		if Labels[p.Reference] != want {
			t.Errorf("%s: got reference %s, want %s", p.Record, Labels[p.Reference], want)
		}
		if p.Duration < 9*time.Second || p.Duration > 61*time.Second {
			t.Errorf("%s: duration %v outside CinC's 9–61 s", p.Record, p.Duration)
		}
	}
}

// Verifies: SRS-VAL-005
// TestRunRealClassifierDeterministic runs the embedded model on the first
// 60 records of the locked tune fold with 1 and 2 workers: every record is
// read and called, and the reports are byte-identical.
func TestRunRealClassifierDeterministic(t *testing.T) {
	dir := dataset.ForTest(t, dataset.CinC2017)
	names, ref, err := ReadRecordList("splits/cinc2017-tune.txt")
	if err != nil {
		t.Fatal(err)
	}
	c, err := inference.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	var outs [][]byte
	for _, workers := range []int{1, 2} {
		r, err := Run(context.Background(), c, Options{DataDir: dir, Records: names[:60], RecordsFile: ref,
			ReadRecord: input.ReadFile, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if r.NRecords != 60 || r.NErrors != 0 {
			t.Fatalf("got %d records, %d errors: %+v", r.NRecords, r.NErrors, r.Errors)
		}
		b, err := r.JSON()
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b, r.PredictionsCSV())
	}
	if !bytes.Equal(outs[0], outs[2]) || !bytes.Equal(outs[1], outs[3]) {
		t.Error("1 and 2 workers gave different reports")
	}
}
