package api

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

// TestAppendClassifyResponse: the hand-written response encoding is what
// encoding/json writes, for usual responses, edge numbers and strings that
// need escaping; non-finite numbers fail as they do in encoding/json.
func TestAppendClassifyResponse(t *testing.T) {
	burden := 0.25
	base := ClassifyResponse{
		ID: "5e0c6a7e-2f57-4f0e-9b8e-0d8f0b1d2c3a", Rhythm: ecg.RhythmAF,
		Probabilities: map[ecg.Rhythm]float64{ecg.RhythmNormal: 0.1, ecg.RhythmAF: 0.8, ecg.RhythmOther: 0.07, ecg.RhythmInconclusive: 0.03},
		HeartRateBPM:  87.123456789, SignalQuality: 0.95, DurationS: 30, Model: testModel, ProcessingMs: 1.234,
	}
	mod := func(f func(r *ClassifyResponse)) ClassifyResponse {
		r := base
		r.Probabilities = map[ecg.Rhythm]float64{}
		for k, v := range base.Probabilities {
			r.Probabilities[k] = v
		}
		f(&r)
		return r
	}
	tests := []struct {
		name    string
		r       ClassifyResponse
		wantErr bool
	}{
		{"usual", base, false},
		{"zero", ClassifyResponse{}, false},
		{"empty map", mod(func(r *ClassifyResponse) { r.Probabilities = map[ecg.Rhythm]float64{} }), false},
		{"reason and burden", mod(func(r *ClassifyResponse) { r.Reason, r.AFBurden = "too noisy", &burden }), false},
		{"tiny and huge", mod(func(r *ClassifyResponse) { r.HeartRateBPM, r.SignalQuality, r.DurationS = 1e-7, 1e21, 9.99e-7 }), false},
		{"negative exponent forms", mod(func(r *ClassifyResponse) { r.HeartRateBPM, r.ProcessingMs = -1.5e-10, 123456789e-300 }), false},
		{"negative zero", mod(func(r *ClassifyResponse) { r.SignalQuality = math.Copysign(0, -1) }), false},
		{"max float", mod(func(r *ClassifyResponse) { r.DurationS = math.MaxFloat64 }), false},
		{"html in model", mod(func(r *ClassifyResponse) { r.Model = inference.ModelInfo{Name: "a<b>", Version: "1&2"} }), false},
		{"odd rhythm key", mod(func(r *ClassifyResponse) { r.Probabilities["é\"x"] = 0.5 }), false},
		{"nine keys", mod(func(r *ClassifyResponse) {
			for _, k := range []ecg.Rhythm{"a", "b", "c", "d", "e"} {
				r.Probabilities[k] = 0.01
			}
		}), false},
		{"NaN", mod(func(r *ClassifyResponse) { r.HeartRateBPM = math.NaN() }), true},
		{"Inf probability", mod(func(r *ClassifyResponse) { r.Probabilities[ecg.RhythmAF] = math.Inf(1) }), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkResponseEncoding(t, tc.r, tc.wantErr)
		})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		r := mod(func(r *ClassifyResponse) {
			for k := range r.Probabilities {
				r.Probabilities[k] = rng.Float64()
			}
			r.HeartRateBPM = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(60)-30))
			r.ProcessingMs = float64(rng.IntN(100000)) / 1000
		})
		checkResponseEncoding(t, r, false)
	}
}

func checkResponseEncoding(t *testing.T, r ClassifyResponse, wantErr bool) {
	t.Helper()
	want, jerr := json.Marshal(r)
	got, err := appendClassifyResponse([]byte("x"), r)
	if (err != nil) != wantErr || (jerr != nil) != wantErr {
		t.Fatalf("got error %v, encoding/json %v, want error %v", err, jerr, wantErr)
	}
	if err == nil && !bytes.Equal(got, append([]byte("x"), want...)) {
		t.Errorf("got  %s\nwant x%s", got, want)
	}
}

// BenchmarkAppendClassifyResponse compares the response encodings.
func BenchmarkAppendClassifyResponse(b *testing.B) {
	r := ClassifyResponse{
		ID: "5e0c6a7e-2f57-4f0e-9b8e-0d8f0b1d2c3a", Rhythm: ecg.RhythmAF,
		Probabilities: map[ecg.Rhythm]float64{ecg.RhythmNormal: 0.1, ecg.RhythmAF: 0.8, ecg.RhythmOther: 0.07, ecg.RhythmInconclusive: 0.03},
		HeartRateBPM:  87.123456789, SignalQuality: 0.95, DurationS: 30, Model: testModel, ProcessingMs: 1.234,
	}
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf, _ = appendClassifyResponse(buf[:0], r)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = json.Marshal(r)
		}
	})
}
