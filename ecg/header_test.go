package ecg

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// TestParseHeader checks every header field against headers of the real
// data sets (MIT-BIH 100, CinC 2017 A00001 with CRLF) and WFDB header(5)
// variants.
//
// Verifies: SRS-IO-001
func TestParseHeader(t *testing.T) {
	tests := []struct {
		name  string
		input string
		check func(t *testing.T, h *Header)
	}{{
		name: "mitdb 100",
		input: "100 2 360 650000\n" +
			"100.dat 212 200 11 1024 995 -22131 0 MLII\n" +
			"100.dat 212 200 11 1024 1011 20052 0 V5\n" +
			"# 69 M 1085 1629 x1\n# Aldomet, Inderal\n",
		check: func(t *testing.T, h *Header) {
			eq(t, "RecordName", h.RecordName, "100")
			eq(t, "NSignals", h.NSignals, 2)
			eq(t, "SampleRateHz", h.SampleRateHz, 360.0)
			eq(t, "CounterFreqHz", h.CounterFreqHz, 0.0)
			eq(t, "NSamples", h.NSamples, int64(650000))
			eq(t, "HasBaseTime", h.HasBaseTime, false)
			eq(t, "Comments", strings.Join(h.Comments, "|"), " 69 M 1085 1629 x1| Aldomet, Inderal")
			s := h.Signals[0]
			eq(t, "FileName", s.FileName, "100.dat")
			eq(t, "Format", s.Format, Format212)
			eq(t, "Gain", s.Gain, 200.0)
			eq(t, "Baseline", s.Baseline, 1024)
			eq(t, "Units", s.Units, "mV")
			eq(t, "ADCResolution", s.ADCResolution, 11)
			eq(t, "ADCZero", s.ADCZero, 1024)
			eq(t, "InitialValue", s.InitialValue, 995)
			eq(t, "Checksum", s.Checksum, int16(-22131))
			eq(t, "HasChecksum", s.HasChecksum, true)
			eq(t, "Description", s.Description, "MLII")
			eq(t, "Signal 1 checksum", h.Signals[1].Checksum, int16(20052))
		},
	}, {
		name: "cinc A00001 with CRLF, base time and date, byte offset",
		input: "A00001 1 300 9000 05:05:15 1/05/2000 \r\n" +
			"A00001.mat 16+24 1000/mV 16 0 -127 0 0 ECG \r\n",
		check: func(t *testing.T, h *Header) {
			eq(t, "SampleRateHz", h.SampleRateHz, 300.0)
			eq(t, "NSamples", h.NSamples, int64(9000))
			eq(t, "BaseTime", h.BaseTime, time.Date(2000, 5, 1, 5, 5, 15, 0, time.UTC))
			eq(t, "HasBaseDate", h.HasBaseDate, true)
			s := h.Signals[0]
			eq(t, "FileName", s.FileName, "A00001.mat")
			eq(t, "Format", s.Format, Format16)
			eq(t, "ByteOffset", s.ByteOffset, int64(24))
			eq(t, "Gain", s.Gain, 1000.0)
			eq(t, "Baseline (defaults to ADC zero)", s.Baseline, 0)
			eq(t, "InitialValue", s.InitialValue, -127)
			eq(t, "Checksum", s.Checksum, int16(0))
			eq(t, "Description", s.Description, "ECG")
		},
	}, {
		name: "counter frequency with base counter, baseline, units, spf, skew, description with spaces",
		input: "rec 2 360/2(10.5) 1000 12:30\n" +
			"rec.dat 16x1:0+0 200(-5)/uV 16 3 7 -1 512 lead II left arm\n" +
			"rec.dat 16 100/degC\n",
		check: func(t *testing.T, h *Header) {
			eq(t, "SampleRateHz", h.SampleRateHz, 360.0)
			eq(t, "CounterFreqHz", h.CounterFreqHz, 2.0)
			eq(t, "BaseCounter", h.BaseCounter, 10.5)
			eq(t, "HasBaseDate", h.HasBaseDate, false)
			eq(t, "BaseTime", h.BaseTime, time.Time{}.Add(12*time.Minute+30*time.Second))
			s := h.Signals[0]
			eq(t, "Baseline", s.Baseline, -5)
			eq(t, "Units", s.Units, "uV")
			eq(t, "ADCZero", s.ADCZero, 3)
			eq(t, "InitialValue", s.InitialValue, 7)
			eq(t, "Checksum", s.Checksum, int16(-1))
			eq(t, "BlockSize", s.BlockSize, 512)
			eq(t, "Description", s.Description, "lead II left arm")
			s = h.Signals[1]
			eq(t, "Units", s.Units, "degC")
			eq(t, "HasChecksum", s.HasChecksum, false)
			eq(t, "default Description", s.Description, "record rec, signal 1")
		},
	}, {
		name:  "defaults: no frequency, no samples, minimal signal line",
		input: "# leading comment\n\nx 1\nx.dat 80\n",
		check: func(t *testing.T, h *Header) {
			eq(t, "SampleRateHz", h.SampleRateHz, float64(DefaultSampleRateHz))
			eq(t, "NSamples", h.NSamples, int64(0))
			eq(t, "Gain", h.Signals[0].Gain, 0.0)
			eq(t, "Format", h.Signals[0].Format, Format80)
			eq(t, "SamplesPerFrame", h.Signals[0].SamplesPerFrame, 1)
		},
	}, {
		name:  "checksum written unsigned",
		input: "x 1 250 10\nx.dat 16 200 12 0 0 65535\n",
		check: func(t *testing.T, h *Header) { eq(t, "Checksum", h.Signals[0].Checksum, int16(-1)) },
	}, {
		name:  "zero signals",
		input: "x 0 250\n",
		check: func(t *testing.T, h *Header) { eq(t, "NSignals", h.NSignals, 0) },
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseHeader(strings.NewReader(tc.input))
			if err != nil {
				t.Fatalf("ParseHeader: %v", err)
			}
			tc.check(t, h)
		})
	}
}

// TestParseHeaderErrors feeds malformed headers and checks the sentinel
// error, that the message names the problem, and that the line is given.
//
// Verifies: SRS-IO-001, SRS-IO-006
func TestParseHeaderErrors(t *testing.T) {
	tests := []struct {
		name, input string
		want        error
		line        int
		msg         string
	}{
		{"empty", "", ErrSyntax, 0, "no record line"},
		{"only comments", "# a\n# b\n", ErrSyntax, 0, "no record line"},
		{"multi-segment", "multi/3 2 360 1000\n", ErrUnsupported, 1, "multi-segment"},
		{"missing nsig", "x\n", ErrSyntax, 1, "number of signals"},
		{"bad nsig", "x two\n", ErrSyntax, 1, "number of signals"},
		{"negative nsig", "x -1\n", ErrSyntax, 1, "number of signals"},
		{"zero rate", "x 1 0\n", ErrInvalidRate, 1, "outside"},
		{"negative rate", "x 1 -360\n", ErrInvalidRate, 1, "outside"},
		{"huge rate", "x 1 2e6\n", ErrInvalidRate, 1, "outside"},
		{"NaN rate", "x 1 NaN\n", ErrInvalidRate, 1, "outside"},
		{"text rate", "x 1 fast\n", ErrInvalidRate, 1, "not a number"},
		{"zero counter freq", "x 1 360/0\n", ErrInvalidRate, 1, "outside"},
		{"bad base counter", "x 1 360/2(abc)\n", ErrSyntax, 1, "base counter"},
		{"negative samples", "x 1 360 -5\n", ErrSyntax, 1, "number of samples"},
		{"bad base time", "x 1 360 10 25:99:99\n", ErrSyntax, 1, "base time"},
		{"bad base date", "x 1 360 10 10:00:00 31/13/2000\n", ErrSyntax, 1, "base date"},
		{"too many fields", "x 1 360 10 10:00:00 1/1/2000 extra\n", ErrSyntax, 1, "at most 6"},
		{"missing signal line", "x 2 360\nx.dat 16 200\n", ErrTruncated, 0, "found 1 signal lines"},
		{"extra signal line", "x 1 360\nx.dat 16 200\nx.dat 16 200\n", ErrSyntax, 3, "more signal lines"},
		{"signal without format", "x 1 360\nx.dat\n", ErrSyntax, 2, "format"},
		{"bad format", "x 1 360\nx.dat 16xa\n", ErrSyntax, 2, "format field"},
		{"bad byte offset", "x 1 360\nx.dat 16+-4\n", ErrSyntax, 2, "format field"},
		{"zero gain", "x 1 360\nx.dat 16 0\n", ErrInvalidGain, 2, "positive"},
		{"negative gain", "x 1 360\nx.dat 16 -200/mV\n", ErrInvalidGain, 2, "positive"},
		{"NaN gain", "x 1 360\nx.dat 16 NaN\n", ErrInvalidGain, 2, "positive"},
		{"Inf gain", "x 1 360\nx.dat 16 +Inf\n", ErrInvalidGain, 2, "positive"},
		{"text gain", "x 1 360\nx.dat 16 big\n", ErrInvalidGain, 2, "not a number"},
		{"bad baseline", "x 1 360\nx.dat 16 200(x)/mV\n", ErrSyntax, 2, "baseline"},
		{"empty units", "x 1 360\nx.dat 16 200/\n", ErrSyntax, 2, "units"},
		{"bad adc resolution", "x 1 360\nx.dat 16 200 99\n", ErrSyntax, 2, "adc resolution"},
		{"bad checksum", "x 1 360\nx.dat 16 200 12 0 0 70000\n", ErrSyntax, 2, "checksum"},
		{"negative block size", "x 1 360\nx.dat 16 200 12 0 0 0 -1\n", ErrSyntax, 2, "block size"},
		{"NUL byte", "x 1 360\nx.dat 16 200\x00\n", ErrSyntax, 2, "NUL"},
		{"long line", "x 1 " + strings.Repeat("9", maxHeaderBytes+10) + "\n", ErrSyntax, 1, "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseHeader(strings.NewReader(tc.input))
			if err == nil {
				t.Fatalf("got header %+v, want error", h)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want errors.Is %v", err, tc.want)
			}
			var he *HeaderError
			if !errors.As(err, &he) {
				t.Fatalf("got %T, want *HeaderError", err)
			}
			if he.Line != tc.line {
				t.Errorf("got line %d, want %d (%v)", he.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %q, want it to mention %q", err, tc.msg)
			}
		})
	}
}

// TestReadHeaderNamesFile checks that ReadHeader adds ".hea" and that its
// errors name the file.
//
// Verifies: SRS-IO-001, SRS-IO-006
func TestReadHeaderNamesFile(t *testing.T) {
	h, err := ReadHeader("testdata/100s")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "NSamples", h.NSamples, int64(3600))
	path := t.TempDir() + "/bad.hea"
	if err := os.WriteFile(path, []byte("bad 1 360\nbad.dat 16 -1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadHeader(path)
	if err == nil || !strings.Contains(err.Error(), path+":2:") || !errors.Is(err, ErrInvalidGain) {
		t.Errorf("got %v, want an ErrInvalidGain naming %s line 2", err, path)
	}
}

// FuzzParseHeader checks that ParseHeader never panics, and that what it
// accepts is consistent: one spec per declared signal, rates in range,
// positive finite gains.
//
// Verifies: SRS-IO-006
func FuzzParseHeader(f *testing.F) {
	for _, name := range []string{"testdata/100s.hea", "testdata/A00001.hea"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("rec 2 360/2(10.5) 1000 12:30 1/1/2000\nrec.dat 16x1:0+0 200(-5)/uV 16 3 7 -1 512 lead II\nrec.dat 16 100/degC\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		if len(h.Signals) != h.NSignals {
			t.Fatalf("%d signals, header says %d", len(h.Signals), h.NSignals)
		}
		if !(h.SampleRateHz > 0 && h.SampleRateHz <= MaxSampleRateHz) {
			t.Fatalf("rate %v accepted", h.SampleRateHz)
		}
		for _, s := range h.Signals {
			if s.Gain < 0 || math.IsNaN(s.Gain) || math.IsInf(s.Gain, 0) {
				t.Fatalf("gain %v accepted", s.Gain)
			}
		}
	})
}

// eq fails t when got != want.
func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}
