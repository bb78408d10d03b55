package validation

import (
	"context"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/inference/input"
	"github.com/afscan/afscan/internal/dataset"
	"github.com/afscan/afscan/internal/fake"
)

// BenchmarkHarnessCinC2017 measures the harness alone on all 7,249 CinC
// 2017 records: find, hash and read every record, score, bootstrap (2000
// resamples) and render every output, with a classifier that costs nothing.
// It is the floor under BenchmarkRunCinC2017.
func BenchmarkHarnessCinC2017(b *testing.B) {
	dir := dataset.ForTest(b, dataset.CinC2017)
	c := &fake.Classifier{Result: fake.NormalResult()}
	opts := Options{DataDir: dir, ReadRecord: input.ReadFile, ReadAnnotations: ecg.ReadAnnotationFile}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Run(context.Background(), c, opts)
		if err != nil {
			b.Fatal(err)
		}
		if r.NRecords != 7249 || r.NErrors != 0 {
			b.Fatalf("got %d records, %d errors", r.NRecords, r.NErrors)
		}
		if _, err := r.HTML(); err != nil {
			b.Fatal(err)
		}
		if _, err := r.JSON(); err != nil {
			b.Fatal(err)
		}
		_ = r.PredictionsCSV()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/7249, "ms/record")
}

// BenchmarkSummarize measures scoring alone (confusion, 2000 bootstrap
// resamples, ROC, calibration, subgroups) for a CinC-sized run.
func BenchmarkSummarize(b *testing.B) {
	preds := make([]Prediction, 7249)
	cls := scripted{}
	names := []string{"-N", "-A", "-O", "-I"}
	for i := range preds {
		rec := &ecg.Record{Name: "r" + string(rune('a'+i%26)) + names[(i*7)%4]}
		res, _ := cls.Classify(context.Background(), rec)
		preds[i] = Prediction{Record: rec.Name, Reference: i % 4, Result: res}
	}
	b.ReportAllocs()
	for b.Loop() {
		Summarize(preds, DefaultResamples, DefaultSeed)
	}
}

// BenchmarkRunCinC2017 is the full validation run with the real classifier
// (inference.NewDefault, the embedded model) on all 7,249 CinC 2017
// records, both cores, outputs rendered. Target: under 10 s on 2 cores.
func BenchmarkRunCinC2017(b *testing.B) {
	dir := dataset.ForTest(b, dataset.CinC2017)
	c, err := inference.NewDefault()
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{DataDir: dir, ReadRecord: input.ReadFile}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Run(context.Background(), c, opts)
		if err != nil {
			b.Fatal(err)
		}
		if r.NRecords != 7249 {
			b.Fatalf("got %d records", r.NRecords)
		}
		if err := Write(b.TempDir(), r); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.CinC2017F1), "cinc_score")
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/7249, "ms/record")
}
