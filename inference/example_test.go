package inference_test

import (
	"context"
	"fmt"
	"math"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

// sinusStrip renders 20 s of a clean 72 bpm sinus rhythm at 250 Hz: P, QRS
// and T waves as Gaussians.
func sinusStrip() *ecg.Record {
	const rateHz, rrS = 250.0, 60.0 / 72
	x := make([]float64, 20*rateHz)
	g := func(t, mu, sigma float64) float64 { d := (t - mu) / sigma; return math.Exp(-d * d / 2) }
	for i := range x {
		t := float64(i) / rateHz
		b := math.Round(t/rrS)*rrS + 0.3 // nearest beat
		x[i] = 0.15*g(t, b-0.16, 0.025) + 1.2*g(t, b, 0.011) - 0.25*g(t, b+0.035, 0.012) + 0.3*g(t, b+0.28, 0.05)
	}
	return &ecg.Record{Name: "example", SampleRateHz: rateHz, Leads: []ecg.Lead{{Name: "ECG", Units: "mV", Samples: x}}}
}

func ExampleFeatures() {
	a, err := inference.Features(context.Background(), sinusStrip())
	if err != nil {
		fmt.Println(err)
		return
	}
	names := inference.FeatureNames()
	fmt.Printf("%d features at %g Hz, %d beats\n", len(a.Features), a.SampleRateHz, len(a.RPeakIdx))
	fmt.Printf("heart rate %.0f bpm, quality %.2f, reason %q\n", a.HeartRateBPM, a.SignalQuality, a.Reason)
	for i, n := range names {
		if n == "rmssd_norm" || n == "p_present_frac" {
			fmt.Printf("%s = %.2f\n", n, a.Features[i])
		}
	}
	// Output:
	// 89 features at 300 Hz, 24 beats
	// heart rate 72 bpm, quality 1.00, reason ""
	// rmssd_norm = 0.00
	// p_present_frac = 1.00
}

func ExampleFeatureNames() {
	names := inference.FeatureNames()
	fmt.Println(len(names), names[0], names[1])
	// Output: 89 hr_mean_bpm hr_median_bpm
}

// constModel is a stand-in for the ONNX model: it always answers the same
// probabilities (N, A, O, ~).
type constModel [4]float32

func (m constModel) Predict(probs, _ []float32) error { copy(probs, m[:]); return nil }

func ExampleClassifier_Classify() {
	c, err := inference.New(constModel{0.9, 0.04, 0.05, 0.01}, inference.ModelInfo{Name: "demo", Version: "0"}, inference.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := c.Classify(context.Background(), sinusStrip())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s p=%.2f, %.0f bpm, %v\n", r.Rhythm, r.Probabilities[r.Rhythm], r.HeartRateBPM, r.Duration)

	// Too short to call: inconclusive without running the model.
	short := sinusStrip()
	short.Leads[0].Samples = short.Leads[0].Samples[:5*250]
	r, _ = c.Classify(context.Background(), short)
	fmt.Printf("%s (%s)\n", r.Rhythm, r.Reason)

	// Not an ECG the pipeline accepts: an error.
	short.SampleRateHz = 100
	_, err = c.Classify(context.Background(), short)
	fmt.Println(err)
	// Output:
	// normal p=0.90, 72 bpm, 20s
	// inconclusive (too_short)
	// sample rate outside 125–1000 Hz: 100 Hz
}

func ExampleExtractor_Extract() {
	e := inference.NewExtractor() // one per goroutine; reuses its buffers
	rec := sinusStrip()
	a, err := e.Extract(context.Background(), rec.Leads[0].Samples, rec.SampleRateHz)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v at %g Hz resampled to %g Hz: %d R peaks, first at %.3f s\n",
		a.Duration, rec.SampleRateHz, a.SampleRateHz, len(a.RPeakIdx), float64(a.RPeakIdx[0])/a.SampleRateHz)
	// Output: 20s at 250 Hz resampled to 300 Hz: 24 R peaks, first at 0.300 s
}

func ExampleNewDefault() {
	c, err := inference.NewDefault()
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := c.Classify(context.Background(), sinusStrip())
	if err != nil {
		fmt.Println(err)
		return
	}
	var sum float64
	for _, p := range r.Probabilities {
		sum += p
	}
	fmt.Printf("model %s, %d probabilities summing to %.3f, heart rate %.0f bpm\n", c.Model().Name, len(r.Probabilities), sum, r.HeartRateBPM)
	// Output: model afscan-af-gbdt, 4 probabilities summing to 1.000, heart rate 72 bpm
}
