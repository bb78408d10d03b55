package inference

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference/input"
	"github.com/afscan/afscan/internal/benchcpu"
	"github.com/afscan/afscan/internal/dataset"
)

// cincStrips returns the first 30 s of the first n CinC 2017 records that
// last at least that long (300 Hz), the strips `afscan bench` posts: the
// synthetic strip of BenchmarkExtract understates what real ones cost.
func cincStrips(b *testing.B, n int) []*ecg.Record {
	b.Helper()
	dir := dataset.ForTest(b, dataset.CinC2017)
	const rateHz, seconds = 300, 30
	var recs []*ecg.Record
	for i := 1; len(recs) < n && i <= 8528; i++ {
		rec, err := input.ReadFile(filepath.Join(dir, fmt.Sprintf("A%05d.hea", i)))
		if err != nil {
			continue // the shared set holds 7,249 of the 8,528 names
		}
		if rec.SampleRateHz != rateHz || len(rec.Leads[0].Samples) < rateHz*seconds {
			continue
		}
		rec.Leads = []ecg.Lead{rec.Leads[0]}
		rec.Leads[0].Samples = rec.Leads[0].Samples[:rateHz*seconds]
		recs = append(recs, rec)
	}
	if len(recs) < n {
		b.Fatalf("found %d CinC strips of 30 s, want %d", len(recs), n)
	}
	return recs
}

// BenchmarkExtractCinC is BenchmarkExtract on 200 real 30 s strips, taken in
// turn.
func BenchmarkExtractCinC(b *testing.B) {
	recs := cincStrips(b, 200)
	e := NewExtractor()
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	start := benchcpu.Start()
	for b.Loop() {
		rec := recs[i%len(recs)]
		if _, err := e.Extract(ctx, rec.Leads[0].Samples, rec.SampleRateHz); err != nil {
			b.Fatal(err)
		}
		i++
	}
	benchcpu.Report(b, start)
}

// BenchmarkExtractCinCWarm is BenchmarkExtractCinC with each strip first
// copied into a reused buffer with the timer stopped, as the service's
// decoder writes the samples just before the extraction reads them: the
// strip is in cache. Taken in turn without that, the 200 strips (14 MB) are
// read from memory on every call. No CPU-time figure: it would include the
// copies and the timer's own cost (StopTimer reads the memory statistics).
func BenchmarkExtractCinCWarm(b *testing.B) {
	recs := cincStrips(b, 200)
	e := NewExtractor()
	ctx := context.Background()
	var buf []float64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		rec := recs[i%len(recs)]
		b.StopTimer()
		buf = append(buf[:0], rec.Leads[0].Samples...)
		b.StartTimer()
		if _, err := e.Extract(ctx, buf, rec.SampleRateHz); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkClassifyDefaultCinC is BenchmarkClassifyDefault on the same 200
// real strips.
func BenchmarkClassifyDefaultCinC(b *testing.B) {
	recs := cincStrips(b, 200)
	c, err := NewDefault()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	start := benchcpu.Start()
	for b.Loop() {
		if _, err := c.Classify(ctx, recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	benchcpu.Report(b, start)
}
