package ecg_test

import (
	"encoding/binary"
	"testing"

	"github.com/afscan/afscan/ecg"
)

// FuzzDetectRPeaks feeds arbitrary int16 signals (200 adu/mV) at a rate
// chosen by rateSel across 125–1000 Hz. Properties: no panic, and the peaks
// are strictly ascending sample indices inside the signal, at least half
// the 200 ms refractory period apart. Seeds are in
// testdata/fuzz/FuzzDetectRPeaks and below.
func FuzzDetectRPeaks(f *testing.F) {
	x, _ := synthECG{rateHz: 250, durationS: 3, rrS: regularRR(0.7, 0.05), amplitude: 1, noiseMV: 0.02, seed: 3}.generate()
	f.Add(encodeADC(x), uint16(125))
	f.Add([]byte{}, uint16(0))
	f.Add([]byte{0, 0, 255, 127, 0, 128}, uint16(875))
	f.Fuzz(func(t *testing.T, raw []byte, rateSel uint16) {
		rateHz := 125 + float64(rateSel%876)
		samples := make([]float64, len(raw)/2)
		for i := range samples {
			samples[i] = float64(int16(binary.LittleEndian.Uint16(raw[2*i:]))) / 200
		}
		peaks, err := ecg.DetectRPeaks(samples, rateHz)
		if len(samples) == 0 {
			if err == nil {
				t.Fatal("empty input gave no error")
			}
			return
		}
		if err != nil {
			t.Fatalf("finite input at %g Hz: %v", rateHz, err)
		}
		minGap := int(0.1 * rateHz)
		for i, p := range peaks {
			if p < 0 || p >= len(samples) {
				t.Fatalf("peak %d outside the signal of %d samples", p, len(samples))
			}
			if i > 0 && p-peaks[i-1] < minGap {
				t.Fatalf("peaks %d and %d closer than %d samples", peaks[i-1], p, minGap)
			}
		}
	})
}

func encodeADC(x []float64) []byte {
	b := make([]byte, 2*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(int16(v*200)))
	}
	return b
}
