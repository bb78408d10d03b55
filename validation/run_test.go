package validation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/inference/input"
	"github.com/afscan/afscan/internal/fake"
	"go.uber.org/goleak"
)

// testSet writes a small CinC-style data set: WFDB records whose names
// script the call (see scripted), a REFERENCE.csv, a record with a
// truncated signal file, one the classifier refuses and one with no files.
func testSet(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	ref := [][2]string{
		{"r01-N", "N"}, {"r02-N", "N"}, {"r03-A", "A"}, {"r04-N", "A"}, {"r05-A", "N"},
		{"r06-O", "O"}, {"r07-I", "N"}, {"r08-A", "A"}, {"r09-O", "N"}, {"r10-N", "O"},
		{"r11-refuse", "A"}, {"r12-N", "N"}, {"r13-N", "O"},
	}
	var b strings.Builder
	for i, r := range ref {
		b.WriteString(r[0] + "," + r[1] + "\n")
		switch r[0] {
		case "r13-N": // no files at all
		default:
			writeWFDB(t, dir, r[0], 300, 3000+300*i)
		}
	}
	// r12: the header promises more samples than the signal file holds.
	if err := os.Truncate(filepath.Join(dir, "r12-N.dat"), 100); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "REFERENCE.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func testOptions(dir string) Options {
	return Options{DataDir: dir, ReadRecord: ecg.ReadRecord, ReadAnnotations: ecg.ReadAnnotationFile, Resamples: 200}
}

// Verifies: SRS-VAL-001
// Verifies: SRS-VAL-006
func TestRunScoresEveryRecordAndErrorRows(t *testing.T) {
	dir := testSet(t)
	var started, progressed int
	opts := testOptions(dir)
	opts.Started = func(n int) { started = n }
	opts.Progress = func(n int) { progressed += n }
	r, err := Run(context.Background(), scripted{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{
		{2, 1, 1, 2}, // N: r01 r02 | r05 | r09 | r07 (inconclusive), r12 (error)
		{1, 2, 0, 1}, // A: r04 | r03 r08 | | r11 (refused)
		{1, 0, 1, 1}, // O: r10 | | r06 | r13 (no file)
		{0, 0, 0, 0},
	}
	for i := range want {
		if !slices.Equal(r.Confusion.Matrix[i], want[i]) {
			t.Errorf("confusion row %s: got %v, want %v", Labels[i], r.Confusion.Matrix[i], want[i])
		}
	}
	if r.NRecords != 13 || r.NErrors != 3 || r.Dataset.NRecords != 13 {
		t.Errorf("got %d records, %d errors, want 13 and 3", r.NRecords, r.NErrors)
	}
	if started != 13 || progressed != 13 {
		t.Errorf("progress: got started %d, advanced %d, want 13, 13", started, progressed)
	}
	// Error rows count against the run: they are inconclusive calls.
	if r.NInconclusive != 4 || float64(r.InconclusiveRate) != 4.0/13 {
		t.Errorf("inconclusive: got %d (%v), want 4 (4/13)", r.NInconclusive, r.InconclusiveRate)
	}
	reasons := map[string]string{}
	for _, e := range r.Errors {
		reasons[e.Record] = e.Error
		if e.Predicted != "" {
			t.Errorf("error row %s: got predicted %q, want empty", e.Record, e.Predicted)
		}
	}
	for rec, want := range map[string]string{
		"r11-refuse": "recording too short",
		"r12-N":      "read r12-N.hea",
		"r13-N":      "record file not found",
	} {
		if !strings.Contains(reasons[rec], want) {
			t.Errorf("error row %s: got %q, want it to contain %q", rec, reasons[rec], want)
		}
		if strings.Contains(reasons[rec], dir) {
			t.Errorf("error row %s: reason %q names the data directory", rec, reasons[rec])
		}
	}
	// AF binary: reference ~ and calls ~ excluded: r03 r08 TP, r04 FN, r05 FP,
	// TN r01 r02 r06 r09 r10.
	if r.AF.TP != 2 || r.AF.FN != 1 || r.AF.FP != 1 || r.AF.TN != 5 || r.AF.NExcluded != 4 {
		t.Errorf("AF: got %+v", r.AF.Figures)
	}

	// predictions.csv: header plus one row per record, errors included.
	rows, err := csv.NewReader(bytes.NewReader(r.PredictionsCSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 14 {
		t.Fatalf("predictions.csv: got %d rows, want 14", len(rows))
	}
	if rows[0][0] != "record" || rows[11][0] != "r11-refuse" || rows[11][2] != "" || rows[11][11] == "" {
		t.Errorf("predictions.csv: got header %v, row 11 %v", rows[0], rows[11])
	}
}

// Verifies: SRS-VAL-005
func TestRunDeterministic(t *testing.T) {
	dir := testSet(t)
	var outs [][]byte
	for _, workers := range []int{1, 2, 7} {
		opts := testOptions(dir)
		opts.Workers = workers
		r, err := Run(context.Background(), scripted{}, opts)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.JSON()
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
		h, err := r.HTML()
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, h, r.Markdown(), r.PredictionsCSV())
	}
	for i := 4; i < len(outs); i++ {
		if !bytes.Equal(outs[i], outs[i%4]) {
			t.Errorf("output %d differs between worker counts", i%4)
		}
	}
}

// The dataset digest is the sha256 of a sha256sum manifest of the reference
// and every record file in reference order; recompute it independently.
func TestRunDatasetSHA256(t *testing.T) {
	dir := testSet(t)
	r, err := Run(context.Background(), scripted{}, testOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	var manifest strings.Builder
	line := func(name string) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		manifest.WriteString(hex.EncodeToString(s[:]) + "  " + name + "\n")
	}
	line("REFERENCE.csv")
	for _, p := range r.Predictions {
		if p.Record == "r13-N" {
			continue
		}
		line(p.Record + ".dat")
		line(p.Record + ".hea")
	}
	sum := sha256.Sum256([]byte(manifest.String()))
	if got, want := r.Dataset.SHA256, hex.EncodeToString(sum[:]); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	// Changing one sample changes the digest.
	f, err := os.OpenFile(filepath.Join(dir, "r01-N.dat"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0x7f}, 11); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r2, err := Run(context.Background(), scripted{}, testOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if r2.Dataset.SHA256 == r.Dataset.SHA256 {
		t.Error("digest did not change with the data")
	}
}

func TestRunRecordsList(t *testing.T) {
	dir := testSet(t)
	opts := testOptions(dir)
	opts.Records = []string{"r08-A", "r01-N"}
	r, err := Run(context.Background(), scripted{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.NRecords != 2 || r.Predictions[0].Record != "r08-A" || r.Predictions[1].Record != "r01-N" {
		t.Errorf("got %d records: %v", r.NRecords, r.Predictions)
	}
	opts.Records = []string{"r01-N", "nope"}
	if _, err := Run(context.Background(), scripted{}, opts); !errors.Is(err, ErrBadReference) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown record: got %v, want ErrBadReference naming it", err)
	}
}

func TestRunDataSetErrors(t *testing.T) {
	empty := t.TempDir()
	if _, err := Run(context.Background(), scripted{}, testOptions(empty)); !errors.Is(err, ErrNoReference) {
		t.Errorf("no REFERENCE.csv: got %v, want ErrNoReference", err)
	}
	opts := testOptions(empty)
	opts.Window = 30 * time.Second
	if _, err := Run(context.Background(), scripted{}, opts); !errors.Is(err, ErrNoReference) {
		t.Errorf("no .atr files: got %v, want ErrNoReference", err)
	}
	if _, err := Run(context.Background(), scripted{}, testOptions(filepath.Join(empty, "missing"))); err == nil {
		t.Error("missing directory: got no error")
	}
}

// cancelAfter cancels the run's context on its n-th call.
type cancelAfter struct {
	scripted
	n      atomic.Int32
	after  int32
	cancel context.CancelFunc
}

func (c *cancelAfter) Classify(ctx context.Context, rec *ecg.Record) (inference.Result, error) {
	if c.n.Add(1) == c.after {
		c.cancel()
	}
	return c.scripted.Classify(ctx, rec)
}

func TestRunCancelled(t *testing.T) {
	defer goleak.VerifyNone(t)
	dir := testSet(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, scripted{}, testOptions(dir)); !errors.Is(err, context.Canceled) {
		t.Errorf("before the run: got %v, want context.Canceled", err)
	}
	// Cancelled mid-run: Run stops early, returns the cause and leaves no
	// goroutine behind.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	c := &cancelAfter{after: 3, cancel: cancel}
	opts := testOptions(dir)
	opts.Workers = 2
	if _, err := Run(ctx, c, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("mid-run: got %v, want context.Canceled", err)
	}
	if n := c.n.Load(); n > 6 {
		t.Errorf("mid-run: classifier ran %d times after cancelling at 3", n)
	}
}

// Verifies: SRS-VAL-007
func TestRunWindows(t *testing.T) {
	dir := t.TempDir()
	// Two 100 s records at 100 Hz: 3 windows of 30 s each.
	writeAtr := func(name string, anns []ecg.Annotation) {
		var b bytes.Buffer
		if err := ecg.WriteAnnotations(&b, anns); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".atr"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeWFDB(t, dir, "201", 100, 10000)
	writeAtr("201", []ecg.Annotation{
		{SampleIdx: 0, Code: codeRhythm, Aux: "(N"},
		{SampleIdx: 4000, Code: codeRhythm, Aux: "(AFIB"}, // inside window 1: dropped
	})
	writeWFDB(t, dir, "202", 100, 10000)
	writeAtr("202", []ecg.Annotation{{SampleIdx: 0, Code: codeRhythm, Aux: "(B"}})
	writeWFDB(t, dir, "203", 100, 10000) // no .atr: not a source record

	c := &fake.Classifier{Result: fake.NormalResult()}
	opts := testOptions(dir)
	opts.Window = 30 * time.Second
	r, err := Run(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range r.Predictions {
		names = append(names, p.Record+":"+Labels[p.Reference])
		if p.Duration != 30*time.Second {
			t.Errorf("%s: got duration %v, want 30s", p.Record, p.Duration)
		}
	}
	want := "201_w000:N 201_w002:A 202_w000:O 202_w001:O 202_w002:O"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	var perSource []string
	for _, s := range r.Subgroups {
		if s.Dimension == "source_record" {
			perSource = append(perSource, fmt.Sprintf("%s:%d", s.Band, s.N))
		}
	}
	if got := strings.Join(perSource, " "); got != "201:2 202:3" {
		t.Errorf("per source record: got %s, want 201:2 202:3", got)
	}
	var perRhythm []string
	for _, p := range r.Predictions {
		perRhythm = append(perRhythm, p.Record+":"+p.Rhythm)
	}
	if got, want := strings.Join(perRhythm, " "), "201_w000:(N 201_w002:(AFIB 202_w000:(B 202_w001:(B 202_w002:(B"; got != want {
		t.Errorf("window rhythms: got %s, want %s", got, want)
	}
	perRhythm = perRhythm[:0]
	for _, s := range r.Subgroups {
		if s.Dimension == "annotated_rhythm" {
			perRhythm = append(perRhythm, fmt.Sprintf("%s:%d:%d", s.Band, s.N, s.NAF))
		}
	}
	// In name order; the fake classifier calls every window normal.
	if got, want := strings.Join(perRhythm, " "), "(AFIB:1:1 (B:3:0 (N:1:0"; got != want {
		t.Errorf("per annotated rhythm: got %s, want %s", got, want)
	}
	if r.Dataset.NSourceRecord != 2 || r.Dataset.WindowS != 30 || c.Calls() != 5 {
		t.Errorf("got %d source records, window %v s, %d calls", r.Dataset.NSourceRecord, r.Dataset.WindowS, c.Calls())
	}
}

// Verifies: SRS-VAL-005
func TestReportJSONKeys(t *testing.T) {
	r, err := Run(context.Background(), scripted{}, testOptions(testSet(t)))
	if err != nil {
		t.Fatal(err)
	}
	crit, err := NewCriteria("c.yaml", []byte("criteria:\n  - af.sensitivity >= 0.5\n"))
	if err != nil {
		t.Fatal(err)
	}
	r.ApplyCriteria(crit)
	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	// The keys DESIGN.md fixes ("Validation report").
	figureKeys := []string{"sensitivity", "specificity", "ppv", "f1", "ci95"}
	need := map[string][]string{
		"model":     {"name", "version", "sha256"},
		"dataset":   {"path", "n_records", "sha256"},
		"confusion": {"labels", "matrix"},
		"af":        figureKeys,
		"per_class": {"N", "A", "O", "~"},
	}
	for _, k := range []string{"cinc2017_f1", "inconclusive_rate", "criteria", "pass"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("missing key %s", k)
		}
	}
	for obj, keys := range need {
		m, ok := doc[obj].(map[string]any)
		if !ok {
			t.Errorf("key %s: got %T, want an object", obj, doc[obj])
			continue
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("missing key %s.%s", obj, k)
			}
		}
	}
	for _, l := range Labels {
		cls := doc["per_class"].(map[string]any)[l].(map[string]any)
		for _, k := range figureKeys {
			if _, ok := cls[k]; !ok {
				t.Errorf("missing key per_class.%s.%s", l, k)
			}
		}
		ci := cls["ci95"].(map[string]any)
		for _, k := range figureKeys[:4] {
			if v, ok := ci[k].([]any); !ok || len(v) != 2 {
				t.Errorf("per_class.%s.ci95.%s: got %v, want [lo, hi]", l, k, ci[k])
			}
		}
	}
	labels := doc["confusion"].(map[string]any)["labels"].([]any)
	if len(labels) != 4 || labels[0] != "N" || labels[3] != "~" {
		t.Errorf("confusion.labels: got %v", labels)
	}
	c := doc["criteria"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "threshold", "value", "pass"} {
		if _, ok := c[k]; !ok {
			t.Errorf("missing key criteria[0].%s", k)
		}
	}
}

// Verifies: SRS-VAL-005
func TestHTMLSelfContained(t *testing.T) {
	r, err := Run(context.Background(), scripted{}, testOptions(testSet(t)))
	if err != nil {
		t.Fatal(err)
	}
	crit, err := NewCriteria("c.yaml", []byte("criteria:\n  - af.sensitivity >= 0.99\n"))
	if err != nil {
		t.Fatal(err)
	}
	r.ApplyCriteria(crit)
	b, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if n := strings.Count(page, "<svg"); n != 2 {
		t.Errorf("got %d inline SVG plots, want 2 (ROC, calibration)", n)
	}
	for _, bad := range []string{"<script", " src=", "<link", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q: not self-contained", bad)
		}
	}
	for _, want := range []string{"FAIL", "af.sensitivity &gt;= 0.99", "r11-refuse", "Subgroups", "heart_rate", "ref \\ call"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	out := t.TempDir()
	if err := Write(out, r); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{FileJSON, FileMarkdown, FileHTML, FilePredictions} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// A generic reference CSV (header naming the columns, rhythm names as
// labels) over afscan JSON strips read by inference/input: the record column
// names files, and an unparsable strip is an error row.
func TestRunGenericReferenceJSONStrips(t *testing.T) {
	dir := t.TempDir()
	strip := func(name string, n int) {
		var b strings.Builder
		b.WriteString(`{"sample_rate_hz": 250, "units": "mV", "samples": [`)
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("0.1")
		}
		b.WriteString("]}")
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	strip("watch-1-N.json", 2500)
	strip("watch-2-A.json", 5000)
	if err := os.WriteFile(filepath.Join(dir, "watch-3-N.json"), []byte(`{"sample_rate_hz": 250`), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := "site,file,rhythm\nw,watch-1-N.json,normal\nw,watch-2-A.json,atrial_fibrillation\nw,watch-3-N.json,other\n"
	refPath := filepath.Join(t.TempDir(), "labels.csv")
	if err := os.WriteFile(refPath, []byte(ref), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), scripted{}, Options{DataDir: dir, Reference: refPath, ReadRecord: input.ReadFile, Resamples: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range r.Predictions {
		s := p.Record + ":" + Labels[p.Reference] + ">" + Labels[p.Call()]
		if p.Err != nil {
			s += "!"
		}
		got = append(got, s)
	}
	if want := "watch-1-N.json:N>N watch-2-A.json:A>A watch-3-N.json:O>~!"; strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
	if r.Predictions[1].Duration != 20*time.Second {
		t.Errorf("duration: got %v, want 20s", r.Predictions[1].Duration)
	}
	if r.Dataset.Reference != refPath {
		t.Errorf("reference: got %q, want %q", r.Dataset.Reference, refPath)
	}
}

// Files derived from the data (e.g. a detector's .qrs output written next to
// the records) do not change the data set digest; data files do.
func TestRunDigestIgnoresDerivedFiles(t *testing.T) {
	dir := testSet(t)
	r1, err := Run(context.Background(), scripted{}, testOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "r01-N.qrs"), []byte{0, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	r2, err := Run(context.Background(), scripted{}, testOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if r1.Dataset.SHA256 != r2.Dataset.SHA256 {
		t.Error("a .qrs file changed the digest")
	}
	if err := os.WriteFile(filepath.Join(dir, "r01-N.atr"), []byte{0, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	r3, err := Run(context.Background(), scripted{}, testOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if r3.Dataset.SHA256 == r1.Dataset.SHA256 {
		t.Error("an .atr file did not change the digest")
	}
}

// The worst list puts missed AF first, then false AF, other wrong rhythms,
// then inconclusive calls.
func TestWorstOrder(t *testing.T) {
	r, err := Run(context.Background(), scripted{}, testOptions(testSet(t)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range r.Worst {
		got = append(got, w.Record)
	}
	// r04: AF called N; r05: N called AF; r09, r10: N↔O (by confidence);
	// r07: inconclusive. Error rows are listed apart.
	want := []string{"r04-N", "r05-A"}
	if len(got) != 5 || !slices.Equal(got[:2], want) || got[4] != "r07-I" {
		t.Errorf("got %v, want r04-N r05-A, r09/r10, r07-I", got)
	}
}
