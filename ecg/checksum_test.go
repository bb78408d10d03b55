package ecg

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/afscan/afscan/internal/dataset"
)

// TestChecksum checks the 16-bit sum on edge values and on the raw
// samples of MIT-BIH 100, whose header records -22131 (MLII) and 20052
// (V5).
//
// Verifies: SRS-IO-003
func TestChecksum(t *testing.T) {
	tests := []struct {
		name string
		adc  []int32
		want int16
	}{
		{"empty", nil, 0},
		{"small", []int32{1, 2, 3}, 6},
		{"wraps to negative", []int32{32767, 1}, -32768},
		{"negative samples", []int32{-5, 2}, -3},
		{"mod 65536", []int32{65536, 7}, 7},
		{"invalid values count", []int32{-32768, -32768}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { eq(t, "Checksum", Checksum(tc.adc), tc.want) })
	}
	t.Run("mitdb 100", func(t *testing.T) {
		dir := dataset.ForTest(t, dataset.MITDB)
		dat, err := os.ReadFile(filepath.Join(dir, "100.dat"))
		if err != nil {
			t.Fatal(err)
		}
		raw := make([]int32, 2*650000)
		if err := DecodeSamples(raw, dat, Format212, 2, nil); err != nil {
			t.Fatal(err)
		}
		sig := [2][]int32{}
		for i, v := range raw {
			sig[i%2] = append(sig[i%2], v)
		}
		eq(t, "MLII", Checksum(sig[0]), int16(-22131))
		eq(t, "V5", Checksum(sig[1]), int16(20052))
	})
}

// TestChecksumMismatch alters one header checksum of the 100s fixture and
// expects a *ChecksumError naming record and signal, wrapping ErrChecksum.
// A checksum field of 0 (CinC 2017's placeholder) or an absent one is not
// verified.
//
// Verifies: SRS-IO-003
func TestChecksumMismatch(t *testing.T) {
	hea, err := os.ReadFile("testdata/100s.hea")
	if err != nil {
		t.Fatal(err)
	}
	dat, err := os.ReadFile("testdata/100s.dat")
	if err != nil {
		t.Fatal(err)
	}
	with := func(from, to string) fstest.MapFS {
		h := strings.Replace(string(hea), from, to, 1)
		if h == string(hea) {
			t.Fatalf("fixture header lacks %q", from)
		}
		return fstest.MapFS{"100s.hea": {Data: []byte(h)}, "100s.dat": {Data: dat}}
	}
	_, err = ReadRecordFS(with("1011 1171 0 V5", "1011 1172 0 V5"), "100s")
	var ce *ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want *ChecksumError", err)
	}
	if !errors.Is(err, ErrChecksum) {
		t.Errorf("%v does not wrap ErrChecksum", err)
	}
	want := ChecksumError{Record: "100s", Signal: 1, SignalName: "V5", Want: 1172, Got: 1171}
	if *ce != want {
		t.Errorf("got %+v, want %+v", *ce, want)
	}
	if msg := err.Error(); !strings.Contains(msg, "record 100s signal 1 (V5)") {
		t.Errorf("message %q does not name record and signal", msg)
	}
	for _, tc := range []struct{ name, from, to string }{
		{"checksum 0 is not verified", "1011 1171 0 V5", "1011 0 0 V5"},
		{"absent checksum", "212 200 11 1024 1011 1171 0 V5", "212 200 11 1024 1011"},
		{"unknown sample count", "100s 2 360 3600", "100s 2 360"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadRecordFS(with(tc.from, tc.to), "100s"); err != nil {
				t.Error(err)
			}
		})
	}
}
