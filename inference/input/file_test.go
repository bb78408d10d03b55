package input

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/internal/dataset"
)

// Verifies: SRS-IO-007
func TestReadFile(t *testing.T) {
	cinc := cincA00004(t)
	tests := []struct {
		path     string
		wantName string
		wantRate float64
		wantN    int
	}{
		{"testdata/cinc_A00004_10s.json", "cinc2017-A00004", 300, 3000},
		{"testdata/cinc_A00004_10s.fhir.json", "cinc2017-A00004", 300, 3000},
		{"testdata/cinc_A00004_10s.hea", "cinc_A00004_10s", 300, 3000},
		{"testdata/cinc_A00004_10s.dat", "cinc_A00004_10s", 300, 3000},
		{"testdata/apple_en_US.csv", "apple_en_US", 512, 5120},
		{"testdata/apple_pt_PT.csv", "apple_pt_PT", 512, 5120},
		{"testdata/apple_de_DE.csv", "apple_de_DE", 511.562, 5115},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			rec, err := ReadFile(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Name != tc.wantName || math.Abs(rec.SampleRateHz-tc.wantRate) > 1e-9 {
				t.Errorf("got name %q rate %g Hz, want %q %g", rec.Name, rec.SampleRateHz, tc.wantName, tc.wantRate)
			}
			s := rec.Leads[0].Samples
			if len(s) != tc.wantN {
				t.Fatalf("got %d samples, want %d", len(s), tc.wantN)
			}
			if rec.Leads[0].Units != "mV" || math.Abs(s[0]-cinc[0]) > 5e-7 {
				t.Errorf("got first sample %g %s, want %g mV", s[0], rec.Leads[0].Units, cinc[0])
			}
			if tc.wantRate == 300 {
				checkLead(t, rec.Leads, cinc)
			}
		})
	}
}

// Verifies: SRS-IO-006, SRS-IO-007
func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hea := readFixture(t, "cinc_A00004_10s.hea")
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileBytes + 1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	tests := []struct {
		name    string
		path    string
		wantErr error
	}{
		{"missing file", filepath.Join(dir, "nope.json"), fs.ErrNotExist},
		{"too large", big, ErrTooLarge},
		{"garbage", write("junk.bin", []byte("\x00\x01garbage")), ErrUnknownFormat},
		{"empty csv", write("empty.csv", nil), ErrMalformed},
		{"mat without header", write("lone.mat", []byte("MATLAB")), ErrMalformed},
		{"header not named .hea", write("rec.txt", hea), ErrUnknownFormat},
		{"truncated signal file", func() string {
			write("cinc_A00004_10s.hea", hea)
			write("cinc_A00004_10s.dat", readFixture(t, "cinc_A00004_10s.dat")[:100])
			return filepath.Join(dir, "cinc_A00004_10s.hea")
		}(), ErrMalformed},
		{"header without signal file", write("orphan.hea", []byte("orphan 1 300 3000\norphan.dat 16 1000/mV 16 0 0 0 0 ECG\n")), fs.ErrNotExist},
		{"record too large", func() string {
			write("huge.hea", []byte("huge 1 300\nhuge.dat 16 1000/mV 16 0 0 0 0 ECG\n"))
			f, err := os.Create(filepath.Join(dir, "huge.dat"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(MaxRecordBytes + 2); err != nil { // sparse
				t.Fatal(err)
			}
			return filepath.Join(dir, "huge.hea")
		}(), ErrTooLarge},
		{"unusable strip", write("zero.json", []byte(`{"sample_rate_hz": 0, "samples": [1]}`)), ErrUnusable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := ReadFile(tc.path)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if rec != nil {
				t.Error("got a record with an error")
			}
			if !errors.Is(tc.wantErr, fs.ErrNotExist) && !containsPath(err.Error(), tc.path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// containsPath reports whether msg names path (WFDB errors name the record,
// the header path without its extension).
func containsPath(msg, path string) bool {
	return strings.Contains(msg, path) || strings.Contains(msg, strings.TrimSuffix(path, filepath.Ext(path)))
}

// The CinC 2017 original (.mat + .hea) reads to the same strip as the
// golden fixtures, and an MIT-BIH record reads with both leads.
//
// Verifies: SRS-IO-007
func TestReadFilePhysioNet(t *testing.T) {
	cinc := cincA00004(t)
	dir := dataset.ForTest(t, dataset.CinC2017)
	for _, name := range []string{"A00004.hea", "A00004.mat"} {
		rec, err := ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if rec.SampleRateHz != 300 || len(rec.Leads) != 1 || len(rec.Leads[0].Samples) < len(cinc) {
			t.Fatalf("%s: got rate %g, %d leads", name, rec.SampleRateHz, len(rec.Leads))
		}
		checkLead(t, []ecg.Lead{{Units: rec.Leads[0].Units, Samples: rec.Leads[0].Samples[:len(cinc)]}}, cinc)
	}
	mit := dataset.ForTest(t, dataset.MITDB)
	rec, err := ReadFile(filepath.Join(mit, "100.hea"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.SampleRateHz != 360 || len(rec.Leads) != 2 || rec.Leads[0].Name != "MLII" {
		t.Errorf("got rate %g, %d leads, first %q; want 360 Hz, 2 leads, MLII", rec.SampleRateHz, len(rec.Leads), rec.Leads[0].Name)
	}
}
