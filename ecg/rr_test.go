package ecg_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/afscan/afscan/ecg"
)

func TestIntervalsRR(t *testing.T) {
	tests := []struct {
		name   string
		peaks  []int
		rateHz float64
		want   []float64
	}{
		{"none", nil, 250, []float64{}},
		{"one", []int{10}, 250, []float64{}},
		{"250 Hz", []int{0, 200, 450}, 250, []float64{800, 1000}},
		{"360 Hz", []int{100, 460}, 360, []float64{1000}},
		{"1000 Hz", []int{5, 405, 1005}, 1000, []float64{400, 600}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ecg.IntervalsRR(nil, tc.peaks, tc.rateHz)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if math.Abs(got[i]-tc.want[i]) > 1e-9 {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestIntervalsRRPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a dst of the wrong length")
		}
	}()
	ecg.IntervalsRR(make([]float64, 5), []int{1, 2, 3}, 250)
}

func ExampleIntervalsRR() {
	peaks := []int{90, 378, 648, 936} // sample indices at 360 Hz
	rrMs := ecg.IntervalsRR(nil, peaks, 360)
	fmt.Println(rrMs)
	// Output: [800 750 800]
}
