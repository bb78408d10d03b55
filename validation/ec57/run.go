package ec57

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/afscan/afscan/ecg"
	"golang.org/x/sync/errgroup"
)

// DetectFunc finds R peaks in one lead (millivolts at sampleRateHz) and
// returns their sample indices in ascending order; ecg.DetectRPeaks is one.
type DetectFunc func(samplesMV []float64, sampleRateHz float64) ([]int, error)

// RunOptions configures Run.
type RunOptions struct {
	// Dir holds the records: NAME.hea (+ signal files) and NAME.<Reference>.
	Dir string
	// Records names the records to score; empty means those listed in
	// Dir/RECORDS, or else every NAME.hea with a reference annotation file.
	Records []string
	// Reference is the reference annotator (file extension), default "atr".
	Reference string
	// Test is the test annotator, default "qrs". When Dir/NAME.<Test>
	// exists it is scored as is; otherwise Detect runs on the record.
	Test string
	// ForceDetect ignores test annotation files and always runs Detect.
	ForceDetect bool
	// Detect finds beats in records without a test annotation file;
	// nil means ecg.DetectRPeaks.
	Detect DetectFunc
	// Lead is the signal detected on (default 0, MIT-BIH's MLII for all
	// records but 102 and 104).
	Lead int
	// Workers is the number of records processed at once (default 1).
	// Detect must then be safe for concurrent use, as ecg.DetectRPeaks is.
	Workers int
	// Progress, when set, is called after each record scored with the
	// number done so far and the total, from one goroutine at a time.
	Progress func(done, total int)
}

// RecordResult is the comparison of one record.
type RecordResult struct {
	Result
	// Source says where the test beats came from: "file" (an annotation
	// file) or "detected" (Detect ran on the signal).
	Source string
	// SampleRateHz is the record's sampling rate.
	SampleRateHz float64
}

// Report is the outcome of Run: per-record results and the gross and
// average statistics over them.
type Report struct {
	Records []RecordResult
	// Gross sums the counts of every record (EC57 gross statistics).
	Gross Result
	// Reference and Test name the annotators compared.
	Reference, Test string
}

// AverageSensitivity is the mean of the per-record QRS sensitivities
// (records without reference beats left out), NaN when there is none.
func (r *Report) AverageSensitivity() float64 {
	return r.average((*Result).Sensitivity)
}

// AveragePositivePredictivity is the mean of the per-record QRS positive
// predictivities (records without test beats left out).
func (r *Report) AveragePositivePredictivity() float64 {
	return r.average((*Result).PositivePredictivity)
}

func (r *Report) average(stat func(*Result) float64) float64 {
	var sum float64
	var n int
	for i := range r.Records {
		if v := stat(&r.Records[i].Result); !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// ErrNoRecords means the directory held no record to score.
var ErrNoRecords = errors.New("no annotated records found")

// Run scores every record of opts.Dir with the EC57 default comparison
// (DefaultOptions with the header's record length), reading the test beats
// from annotation files where present and detecting them otherwise. It
// stops at the first unreadable record with an error naming it, and
// between records when ctx is done (returning ctx's error).
func Run(ctx context.Context, opts RunOptions) (*Report, error) {
	if opts.Reference == "" {
		opts.Reference = "atr"
	}
	if opts.Test == "" {
		opts.Test = "qrs"
	}
	if opts.Detect == nil {
		opts.Detect = ecg.DetectRPeaks
	}
	names := opts.Records
	if len(names) == 0 {
		var err error
		if names, err = listRecords(opts.Dir, opts.Reference); err != nil {
			return nil, err
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: %w", opts.Dir, ErrNoRecords)
	}
	results := make([]RecordResult, len(names))
	var mu sync.Mutex
	done := 0
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(opts.Workers, 1))
	for i, name := range names {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			rr, err := runRecord(opts, name)
			if err != nil {
				return fmt.Errorf("record %s: %w", name, err)
			}
			results[i] = rr
			if opts.Progress != nil {
				mu.Lock()
				done++
				opts.Progress(done, len(names))
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := &Report{Reference: opts.Reference, Test: opts.Test, Records: results}
	for i := range results {
		rep.Gross.Add(&results[i].Result)
	}
	return rep, nil
}

func runRecord(opts RunOptions, name string) (RecordResult, error) {
	base := filepath.Join(opts.Dir, name)
	h, err := ecg.ReadHeader(base + ".hea")
	if err != nil {
		return RecordResult{}, err
	}
	ref, err := ecg.ReadAnnotationFile(base + "." + opts.Reference)
	if err != nil {
		return RecordResult{}, err
	}
	rr := RecordResult{SampleRateHz: h.SampleRateHz}
	var test []ecg.Annotation
	err = fs.ErrNotExist
	if !opts.ForceDetect {
		test, err = ecg.ReadAnnotationFile(base + "." + opts.Test)
	}
	switch {
	case err == nil:
		rr.Source = "file"
	case errors.Is(err, fs.ErrNotExist):
		rec, err := ecg.ReadRecord(base)
		if err != nil {
			return RecordResult{}, err
		}
		if opts.Lead < 0 || opts.Lead >= len(rec.Leads) {
			return RecordResult{}, fmt.Errorf("lead %d: record has %d", opts.Lead, len(rec.Leads))
		}
		peaks, err := opts.Detect(HoldInvalid(rec.Leads[opts.Lead].Samples), rec.SampleRateHz)
		if err != nil {
			return RecordResult{}, fmt.Errorf("detect: %w", err)
		}
		test = BeatAnnotations(peaks)
		rr.Source = "detected"
	default:
		return RecordResult{}, err
	}
	rr.Result = Compare(ref, test, DefaultOptions(h.SampleRateHz, h.NSamples))
	rr.Record = name
	return rr, nil
}

// BeatAnnotations turns R-peak sample indices into annotations of normal
// beats (code N, chan 0), the form test annotators write.
func BeatAnnotations(peaksIdx []int) []ecg.Annotation {
	anns := make([]ecg.Annotation, len(peaksIdx))
	for i, p := range peaksIdx {
		anns[i] = ecg.Annotation{SampleIdx: int64(p), Code: ecg.CodeNormal}
	}
	return anns
}

// HoldInvalid replaces, in place, each NaN or infinite sample (WFDB's
// invalid-sample value reads as NaN) by the last valid one before it, or
// the first valid one for a leading run, so detection can run over the gap;
// it returns samples. An all-invalid lead becomes zeros.
func HoldInvalid(samples []float64) []float64 {
	last := math.NaN()
	for _, v := range samples {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			last = v
			break
		}
	}
	if math.IsNaN(last) {
		last = 0
	}
	for i, v := range samples {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			samples[i] = last
		} else {
			last = v
		}
	}
	return samples
}

// listRecords reads dir/RECORDS, or lists the headers that have a
// reference annotation file beside them, sorted.
func listRecords(dir, reference string) ([]string, error) {
	if f, err := os.Open(filepath.Join(dir, "RECORDS")); err == nil {
		defer f.Close()
		var names []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" && !strings.HasPrefix(s, "#") {
				names = append(names, s)
			}
		}
		return names, sc.Err()
	}
	heads, err := filepath.Glob(filepath.Join(dir, "*.hea"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, h := range heads {
		name := strings.TrimSuffix(filepath.Base(h), ".hea")
		if _, err := os.Stat(filepath.Join(dir, name+"."+reference)); err == nil {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// jsonStats is the JSON form of one row's QRS statistics.
type jsonStats struct {
	Record               string   `json:"record,omitempty"`
	Source               string   `json:"source,omitempty"`
	ReferenceBeats       int64    `json:"reference_beats"`
	TP                   int64    `json:"tp"`
	FN                   int64    `json:"fn"`
	FP                   int64    `json:"fp"`
	Sensitivity          *float64 `json:"sensitivity"`
	PositivePredictivity *float64 `json:"positive_predictivity"`
}

func statsOf(r *Result) jsonStats {
	return jsonStats{
		Record: r.Record, ReferenceBeats: r.TP() + r.FN(),
		TP: r.TP(), FN: r.FN(), FP: r.FP(),
		Sensitivity: finite(r.Sensitivity()), PositivePredictivity: finite(r.PositivePredictivity()),
	}
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// MarshalJSON writes the report as one document: the comparison settings,
// per-record and gross counts, and gross and average Se and +P (fractions;
// null when undefined).
func (r *Report) MarshalJSON() ([]byte, error) {
	doc := struct {
		Standard       string      `json:"standard"`
		Reference      string      `json:"reference"`
		Test           string      `json:"test"`
		MatchWindowMs  float64     `json:"match_window_ms"`
		LearningS      float64     `json:"learning_period_s"`
		Records        []jsonStats `json:"records"`
		Gross          jsonStats   `json:"gross"`
		AverageSe      *float64    `json:"average_sensitivity"`
		AveragePPV     *float64    `json:"average_positive_predictivity"`
		NRecords       int         `json:"n_records"`
		ShutdownTotalS float64     `json:"test_shutdown_s"`
	}{
		Standard: "ANSI/AAMI EC57 beat-by-beat (WFDB bxb rules)", Reference: r.Reference, Test: r.Test,
		MatchWindowMs: 150, LearningS: 300,
		Records: make([]jsonStats, len(r.Records)), Gross: statsOf(&r.Gross),
		AverageSe: finite(r.AverageSensitivity()), AveragePPV: finite(r.AveragePositivePredictivity()),
		NRecords: len(r.Records),
	}
	for i := range r.Records {
		rr := &r.Records[i]
		doc.Records[i] = statsOf(&rr.Result)
		doc.Records[i].Source = rr.Source
		if rr.SampleRateHz > 0 {
			doc.ShutdownTotalS += float64(rr.ShutdownIdx) / rr.SampleRateHz
		}
	}
	return json.Marshal(doc)
}
