package inference

import (
	"context"
	"fmt"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/internal/benchcpu"
)

// BenchmarkExtract measures the whole feature pipeline (resample, filter,
// two QRS detectors, features) on synthetic irregular strips.
func BenchmarkExtract(b *testing.B) {
	for _, tc := range []struct {
		rateHz, durationS float64
	}{{300, 10}, {300, 30}, {300, 60}, {500, 30}} {
		x := synth{rateHz: tc.rateHz, durationS: tc.durationS, rrMs: irregularRR(700, 0.3, 1), fwaveMV: 0.03, noiseMV: 0.02, seed: 1}.samples()
		b.Run(fmt.Sprintf("%gs@%gHz", tc.durationS, tc.rateHz), func(b *testing.B) {
			e := NewExtractor()
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(x) * 8))
			start := benchcpu.Start()
			for b.Loop() {
				if _, err := e.Extract(ctx, x, tc.rateHz); err != nil {
					b.Fatal(err)
				}
			}
			benchcpu.Report(b, start)
		})
	}
}

// BenchmarkClassify measures a whole call with a trivial fake model, so it
// shows the pipeline's cost around the model: 30 s strip, and a 10-minute
// recording in 20 windows.
func BenchmarkClassify(b *testing.B) {
	for _, durationS := range []float64{30, 600} {
		rec := &ecg.Record{SampleRateHz: 300, Leads: []ecg.Lead{{Samples: synth{rateHz: 300, durationS: durationS, rrMs: irregularRR(700, 0.3, 2), noiseMV: 0.02, seed: 2}.samples()}}}
		b.Run(fmt.Sprintf("%gs", durationS), func(b *testing.B) {
			c := newTestClassifier(b, &rrModel{}, Options{})
			ctx := context.Background()
			b.ReportAllocs()
			start := benchcpu.Start()
			for b.Loop() {
				if _, err := c.Classify(ctx, rec); err != nil {
					b.Fatal(err)
				}
			}
			benchcpu.Report(b, start)
		})
	}
}
