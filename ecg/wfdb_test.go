package ecg

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/afscan/afscan/internal/dataset"
)

// mitdbRecords are the 48 records of the MIT-BIH Arrhythmia Database (its
// RECORDS file).
var mitdbRecords = []string{
	"100", "101", "102", "103", "104", "105", "106", "107", "108", "109",
	"111", "112", "113", "114", "115", "116", "117", "118", "119", "121",
	"122", "123", "124", "200", "201", "202", "203", "205", "207", "208",
	"209", "210", "212", "213", "214", "215", "217", "219", "220", "221",
	"222", "223", "228", "230", "231", "232", "233", "234",
}

// TestReadRecordFixtures reads the two fixtures in every accepted spelling
// and checks values known from the real files: MIT-BIH 100 starts at MLII
// 995 and V5 1011 (header initial values), (995-1024)/200 = -0.145 mV and
// (1011-1024)/200 = -0.065 mV; CinC A00001 starts at -127 (its header's
// initial value), -127/1000 = -0.127 mV, and has 9000 samples at 300 Hz.
//
// Verifies: SRS-IO-001, SRS-IO-002, SRS-IO-005
func TestReadRecordFixtures(t *testing.T) {
	tests := []struct {
		path       string
		name       string
		rateHz     float64
		leads      []string
		n          int
		first      []float64
		start      time.Time
		durationMs int64
	}{
		{"testdata/100s", "100s", 360, []string{"MLII", "V5"}, 3600, []float64{-0.145, -0.065}, time.Time{}, 10000},
		{"testdata/100s.hea", "100s", 360, []string{"MLII", "V5"}, 3600, []float64{-0.145, -0.065}, time.Time{}, 10000},
		{"testdata/A00001", "A00001", 300, []string{"ECG"}, 9000, []float64{-0.127}, time.Date(2000, 5, 1, 5, 5, 15, 0, time.UTC), 30000},
		{"testdata/A00001.mat", "A00001", 300, []string{"ECG"}, 9000, []float64{-0.127}, time.Date(2000, 5, 1, 5, 5, 15, 0, time.UTC), 30000},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r, err := ReadRecord(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "Name", r.Name, tc.name)
			eq(t, "SampleRateHz", r.SampleRateHz, tc.rateHz)
			eq(t, "Start", r.Start, tc.start)
			eq(t, "Duration", r.Duration().Milliseconds(), tc.durationMs)
			if len(r.Leads) != len(tc.leads) {
				t.Fatalf("got %d leads, want %d", len(r.Leads), len(tc.leads))
			}
			for i, l := range r.Leads {
				eq(t, "lead name", l.Name, tc.leads[i])
				eq(t, "units", l.Units, "mV")
				eq(t, "samples", len(l.Samples), tc.n)
				if math.Abs(l.Samples[0]-tc.first[i]) > 1e-12 {
					t.Errorf("lead %d first sample: got %v mV, want %v", i, l.Samples[0], tc.first[i])
				}
			}
		})
	}
	// The same through an fs.FS, from a sub-directory.
	r, err := ReadRecordFS(os.DirFS("."), "testdata/100s")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "FS samples", len(r.Leads[1].Samples), 3600)
}

// TestFixturesAreExcerpts proves the fixtures are the real data: 100s.dat
// is the first 10800 bytes of mitdb/100.dat, 100s.atr holds exactly the
// annotations of 100.atr before sample 3600, and A00001 is byte-identical
// to the CinC 2017 file.
//
// Verifies: SRS-IO-002, SRS-IO-004
func TestFixturesAreExcerpts(t *testing.T) {
	mit := dataset.ForTest(t, dataset.MITDB)
	full, err := os.ReadFile(filepath.Join(mit, "100.dat"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := os.ReadFile("testdata/100s.dat")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ex, full[:len(ex)]) {
		t.Error("testdata/100s.dat is not a prefix of mitdb/100.dat")
	}
	anns, err := ReadAnnotationFile(filepath.Join(mit, "100.atr"))
	if err != nil {
		t.Fatal(err)
	}
	exAnns, err := ReadAnnotationFile("testdata/100s.atr")
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for k < len(anns) && anns[k].SampleIdx < 3600 {
		k++
	}
	if !slices.Equal(exAnns, anns[:k]) {
		t.Errorf("100s.atr holds %d annotations, want the %d of 100.atr before sample 3600", len(exAnns), k)
	}
	cinc := dataset.ForTest(t, dataset.CinC2017)
	for _, name := range []string{"A00001.hea", "A00001.mat"} {
		a, err1 := os.ReadFile(filepath.Join(cinc, name))
		b, err2 := os.ReadFile(filepath.Join("testdata", name))
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("testdata/%s differs from the CinC 2017 file", name)
		}
	}
}

// TestReadRecordMITDB reads all 48 MIT-BIH records: every header checksum
// must verify (ReadRecord fails otherwise), every signal has 650000
// samples at 360 Hz, and the first sample equals the header's initial
// value converted to mV.
//
// Verifies: SRS-IO-001, SRS-IO-002, SRS-IO-003
func TestReadRecordMITDB(t *testing.T) {
	dir := dataset.ForTest(t, dataset.MITDB)
	for _, name := range mitdbRecords {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			r, err := ReadRecord(path)
			if err != nil {
				t.Fatal(err)
			}
			h, err := ReadHeader(path)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "SampleRateHz", r.SampleRateHz, 360.0)
			for i, l := range r.Leads {
				s := h.Signals[i]
				eq(t, "samples", len(l.Samples), 650000)
				want := float64(s.InitialValue-s.Baseline) / s.Gain
				if math.Abs(l.Samples[0]-want) > 1e-12 {
					t.Errorf("%s first sample %v mV, want %v", l.Name, l.Samples[0], want)
				}
				if !s.HasChecksum || s.Checksum == 0 {
					t.Errorf("%s: header has no checksum to verify", l.Name)
				}
			}
		})
	}
}

// TestReadRecordCinC2017 reads every CinC 2017 record of the data set via
// its header and validated .mat file. It logs how many records have an
// initial value that differs from their first sample (the header field is
// informational for format 16 and must not matter) and how many signals'
// samples really do sum to 0 mod 65536 (the only ones a checksum field of 0
// would have verified).
//
// Verifies: SRS-IO-005, SRS-IO-003
func TestReadRecordCinC2017(t *testing.T) {
	dir := dataset.ForTest(t, dataset.CinC2017)
	heads, err := filepath.Glob(filepath.Join(dir, "*.hea"))
	if err != nil {
		t.Fatal(err)
	}
	if len(heads) < 7000 {
		t.Fatalf("found %d CinC headers, want the ~7249 of the data set", len(heads))
	}
	step := 1
	if testing.Short() || raceEnabled {
		step = 10 // every tenth record keeps -race runs short
	}
	nInitDiffers, nZeroSum, nRead := 0, 0, 0
	for i := 0; i < len(heads); i += step {
		r, err := ReadRecord(heads[i])
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		nRead++
		h, err := ReadHeader(heads[i])
		if err != nil {
			t.Fatal(err)
		}
		s := h.Signals[0]
		eq(t, "rate", r.SampleRateHz, 300.0)
		eq(t, "samples", int64(len(r.Leads[0].Samples)), h.NSamples)
		if math.Abs(r.Leads[0].Samples[0]-float64(s.InitialValue)/s.Gain) > 1e-12 {
			nInitDiffers++
		}
		var sum int64
		for _, v := range r.Leads[0].Samples {
			sum += int64(math.Round(v * s.Gain))
		}
		if uint16(sum) == 0 {
			nZeroSum++
		}
	}
	t.Logf("read %d CinC 2017 records; %d with initial value != first sample; %d whose samples sum to 0 mod 65536",
		nRead, nInitDiffers, nZeroSum)
}

// TestReadRecordBadInput feeds records broken in every way the header and
// file sizes allow and checks for a clear error naming the file and
// problem, with the sentinel callers branch on.
//
// Verifies: SRS-IO-006
func TestReadRecordBadInput(t *testing.T) {
	dat16 := make([]byte, 20) // 10 samples of format 16
	tests := []struct {
		name  string
		files fstest.MapFS
		want  error
		msg   string
	}{
		{"missing header", fstest.MapFS{}, fs.ErrNotExist, "x.hea"},
		{"missing signal file", mapFS("x 1 360 10\nx.dat 16 200\n", nil), fs.ErrNotExist, "x.dat"},
		{"header promises more samples", mapFS("x 1 360 100\nx.dat 16 200\n", dat16), ErrTruncated, "x.dat: truncated: header promises 100 samples per signal, the file holds 10"},
		{"two signals promise more", mapFS("x 2 360 6\nx.dat 16 200\nx.dat 16 200\n", dat16), ErrTruncated, "the file holds 5"},
		{"truncated 212", mapFS("x 2 360 4\nx.dat 212 200\nx.dat 212 200\n", make([]byte, 11)), ErrTruncated, "holds 3"},
		{"byte offset past end", mapFS("x 1 360\nx.dat 16+64 200\n", dat16), ErrTruncated, "byte offset 64"},
		{"absurd sample count", mapFS("x 1 360 900000000000000000\nx.dat 16 200\n", dat16), ErrTruncated, "promises 900000000000000000"},
		{"unknown format", mapFS("x 1 360\nx.dat 999 200\n", dat16), ErrUnsupported, "signal format 999"},
		{"null signal", mapFS("x 1 360\nx.dat 0 200\n", dat16), ErrUnsupported, "null signal"},
		{"samples per frame", mapFS("x 1 360\nx.dat 16x2 200\n", dat16), ErrUnsupported, "2 samples per frame"},
		{"skew", mapFS("x 1 360\nx.dat 16:3 200\n", dat16), ErrUnsupported, "skew 3"},
		{"uncalibrated", mapFS("x 1 360\nx.dat 16\n", dat16), ErrInvalidGain, "no gain"},
		{"zero gain", mapFS("x 1 360\nx.dat 16 0/mV\n", dat16), ErrInvalidGain, "x.hea:2:"},
		{"zero rate", mapFS("x 1 0\nx.dat 16 200\n", dat16), ErrInvalidRate, "x.hea:1:"},
		{"garbage header", fstest.MapFS{"x.hea": {Data: []byte("\x89PNG\r\n\x1a\n\x00\x00")}}, ErrSyntax, "x.hea:1:"},
		{"path escape", mapFS("x 1 360\n../x.dat 16 200\n", dat16), ErrUnsupported, "../x.dat"},
		{"subdirectory", mapFS("x 1 360\nd/x.dat 16 200\n", dat16), ErrUnsupported, "d/x.dat"},
		{"non-consecutive group", fstest.MapFS{
			"x.hea": {Data: []byte("x 3 360\nx.dat 16 200\ny.dat 16 200\nx.dat 16 200\n")},
			"x.dat": {Data: dat16}, "y.dat": {Data: dat16},
		}, ErrSyntax, "not consecutive"},
		{"mixed formats in one file", mapFS("x 2 360\nx.dat 16 200\nx.dat 80 200\n", dat16), ErrUnsupported, "differs from signal 0"},
		{"signal file is a directory", fstest.MapFS{
			"x.hea":       {Data: []byte("x 1 360\nx.dat 16 200\n")},
			"x.dat/inner": {Data: dat16},
		}, ErrSyntax, "not a regular file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ReadRecordFS(tc.files, "x")
			if err == nil {
				t.Fatalf("got record %s with %d leads, want error", r.Name, len(r.Leads))
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want errors.Is %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %q, want it to contain %q", err, tc.msg)
			}
		})
	}
}

// TestReadRecordNoHugeAllocation checks that a header claiming an absurd
// number of samples is rejected before anything is allocated for them.
//
// Verifies: SRS-IO-006
func TestReadRecordNoHugeAllocation(t *testing.T) {
	fsys := mapFS("x 4 360 100000000\nx.dat 16 200\nx.dat 16 200\nx.dat 16 200\nx.dat 16 200\n", make([]byte, 64))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadRecordFS(fsys, "x")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("got %v, want ErrTruncated", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("allocated %d bytes for a rejected 100-million-sample header", d)
	}
}

// TestReadRecordConversion checks physical conversion: baseline and gain,
// unit scaling to mV, non-voltage units kept, invalid samples as NaN,
// several signal files, and a sample count derived from the file size.
//
// Verifies: SRS-IO-001, SRS-IO-002
func TestReadRecordConversion(t *testing.T) {
	le16 := func(v ...int16) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, byte(x), byte(uint16(x)>>8))
		}
		return b
	}
	nan := math.NaN()
	tests := []struct {
		name  string
		files fstest.MapFS
		units []string
		want  [][]float64
	}{
		{"16 baseline gain and invalid", mapFS("x 1 250 3\nx.dat 16 100(10)/mV\n", le16(110, -32768, -90)),
			[]string{"mV"}, [][]float64{{1, nan, -1}}},
		{"uV to mV", mapFS("x 1 250\nx.dat 16 2/uV\n", le16(2000, -4)),
			[]string{"mV"}, [][]float64{{1, -0.002}}},
		{"V to mV", mapFS("x 1 250\nx.dat 16 1000/V\n", le16(1)),
			[]string{"mV"}, [][]float64{{1}}},
		{"other units kept", mapFS("x 1 250\nx.dat 16 10/mmHg\n", le16(1200)),
			[]string{"mmHg"}, [][]float64{{120}}},
		{"212 interleaved with invalid", mapFS("x 2 360\nx.dat 212 200 12 0\nx.dat 212 100 12 0\n",
			[]byte{0xc8, 0x80, 0x01, 0x00, 0x80, 0x00}), // 200, -2047, 0, -2048
			[]string{"mV", "mV"}, [][]float64{{1, 0}, {-20.47, nan}}},
		{"80 invalid", mapFS("x 1 360\nx.dat 80 1\n", []byte{0x81, 0x00, 0x7f}),
			[]string{"mV"}, [][]float64{{1, nan, -1}}},
		{"8 differences from initial value", mapFS("x 1 360 3\nx.dat 8 1 8 0 100\n", []byte{1, 0xfe, 5}),
			[]string{"mV"}, [][]float64{{101, 99, 104}}},
		{"two files", fstest.MapFS{
			"x.hea": {Data: []byte("x 2 250\na.dat 16 1\nb.dat 80 1\n")},
			"a.dat": {Data: le16(7, 8)},
			"b.dat": {Data: []byte{0x85, 0x86, 0x87}},
		}, []string{"mV", "mV"}, [][]float64{{7, 8}, {5, 6}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ReadRecordFS(tc.files, "x")
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range r.Leads {
				eq(t, "units", l.Units, tc.units[i])
				if !floatsEqual(l.Samples, tc.want[i], 1e-12) {
					t.Errorf("lead %d: got %v, want %v", i, l.Samples, tc.want[i])
				}
			}
		})
	}
}

// mapFS returns a file system holding x.hea and, if dat is non-nil, x.dat.
func mapFS(hea string, dat []byte) fstest.MapFS {
	m := fstest.MapFS{"x.hea": {Data: []byte(hea)}}
	if dat != nil {
		m["x.dat"] = &fstest.MapFile{Data: dat}
	}
	return m
}

func floatsEqual(got, want []float64, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > tol {
			return false
		}
	}
	return true
}

func ExampleReadRecord() {
	r, err := ReadRecord("testdata/100s")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %v at %g Hz\n", r.Name, r.Duration(), r.SampleRateHz)
	for _, l := range r.Leads {
		fmt.Printf("%s: %d samples, first %.3f %s\n", l.Name, len(l.Samples), l.Samples[0], l.Units)
	}
	// Output:
	// 100s: 10s at 360 Hz
	// MLII: 3600 samples, first -0.145 mV
	// V5: 3600 samples, first -0.065 mV
}

// BenchmarkReadRecord reads a format-212 MIT-BIH record: the 10 s fixture
// and the full 30 min record 100 (2 × 650000 samples, checksums verified).
func BenchmarkReadRecord(b *testing.B) {
	b.Run("10s", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ReadRecord("testdata/100s"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("30min", func(b *testing.B) {
		path := filepath.Join(dataset.ForTest(b, dataset.MITDB), "100")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ReadRecord(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzReadRecord feeds arbitrary header text and signal bytes through
// ReadRecordFS: it must never panic, and a record it returns must have
// equally long leads that the signal file really holds.
//
// Verifies: SRS-IO-006
func FuzzReadRecord(f *testing.F) {
	hea, err := os.ReadFile("testdata/100s.hea")
	if err != nil {
		f.Fatal(err)
	}
	dat, err := os.ReadFile("testdata/100s.dat")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(strings.ReplaceAll(string(hea), "100s", "x"), dat[:600])
	f.Add("x 1 300 4 05:05:15 1/05/2000\nx.dat 16+24 1000/mV 16 0 -127 0 0 ECG\n", make([]byte, 32))
	f.Add("x 2 250\nx.dat 8 1 8 0 100\nx.dat 8 2/uV\n", []byte{1, 2, 3, 4, 5})
	f.Add("x 1 360 0\nx.dat 311 200\n", []byte{0x01, 0xfc, 0x0f, 0x20, 0x05, 0x80})
	f.Fuzz(func(t *testing.T, hea string, dat []byte) {
		r, err := ReadRecordFS(mapFS(hea, dat), "x")
		if err != nil {
			return
		}
		for _, l := range r.Leads {
			if len(l.Samples) != len(r.Leads[0].Samples) {
				t.Fatalf("leads of %d and %d samples", len(l.Samples), len(r.Leads[0].Samples))
			}
		}
		if n := len(r.Leads); n > 0 && int64(len(r.Leads[0].Samples))*int64(n) > 8*int64(len(dat)) {
			t.Fatalf("%d×%d samples from %d bytes", n, len(r.Leads[0].Samples), len(dat))
		}
	})
}
