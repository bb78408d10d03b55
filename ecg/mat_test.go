package ecg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
)

// matBytes assembles a MATLAB v4 file: header fields, name and data.
func matBytes(order binary.AppendByteOrder, typ, rows, cols, imagf int32, name string, data []byte) []byte {
	var b []byte
	for _, v := range []int32{typ, rows, cols, imagf, int32(len(name) + 1)} {
		b = order.AppendUint32(b, uint32(v))
	}
	b = append(b, name...)
	b = append(b, 0)
	return append(b, data...)
}

// TestReadMatFixture reads the CinC 2017 A00001.mat: one int16 row "val"
// of 9000 samples starting at -127, matching the record read via its
// header (gain 1000/mV).
//
// Verifies: SRS-IO-005
func TestReadMatFixture(t *testing.T) {
	f, err := os.Open("testdata/A00001.mat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ReadMat(f)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Name", m.Name, "val")
	eq(t, "Rows", m.Rows, 1)
	eq(t, "Cols", m.Cols, 9000)
	eq(t, "Precision", m.Precision, MatInt16)
	eq(t, "BigEndian", m.BigEndian, false)
	eq(t, "DataOffset", m.DataOffset, int64(24))
	eq(t, "first", m.Data[0], -127.0)
	r, err := ReadRecord("testdata/A00001")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range m.Data {
		if math.Abs(r.Leads[0].Samples[i]*1000-v) > 1e-9 {
			t.Fatalf("sample %d: record %v mV, mat %v", i, r.Leads[0].Samples[i], v)
		}
	}
}

// TestReadMatTypes reads every element type in both byte orders.
//
// Verifies: SRS-IO-005
func TestReadMatTypes(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	tests := []struct {
		name  string
		data  []byte
		want  []float64
		order binary.AppendByteOrder
	}{
		{"float64 le", matBytes(le, 0, 1, 1, 0, "x", le.AppendUint64(nil, math.Float64bits(1.5))), []float64{1.5}, le},
		{"float32 be", matBytes(be, 1010, 1, 1, 0, "x", be.AppendUint32(nil, math.Float32bits(-2.25))), []float64{-2.25}, be},
		{"int32 le", matBytes(le, 20, 1, 1, 0, "x", le.AppendUint32(nil, uint32(0xfffffffe))), []float64{-2}, le},
		{"int16 be", matBytes(be, 1030, 2, 1, 0, "val", []byte{0xff, 0x81, 0x00, 0x05}), []float64{-127, 5}, be},
		{"uint16 le", matBytes(le, 40, 1, 1, 0, "x", []byte{0xff, 0xff}), []float64{65535}, le},
		{"uint8 le", matBytes(le, 50, 1, 3, 0, "x", []byte{0, 128, 255}), []float64{0, 128, 255}, le},
		{"empty", matBytes(le, 30, 0, 0, 0, "x", nil), []float64{}, le},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadMat(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if !floatsEqual(m.Data, tc.want, 0) {
				t.Errorf("got %v, want %v", m.Data, tc.want)
			}
			eq(t, "BigEndian", m.BigEndian, tc.order == be)
		})
	}
}

// TestReadMatErrors feeds malformed MATLAB files.
//
// Verifies: SRS-IO-005, SRS-IO-006
func TestReadMatErrors(t *testing.T) {
	le := binary.LittleEndian
	int16s := make([]byte, 8)
	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"empty", nil, ErrTruncated, "20"},
		{"short header", make([]byte, 12), ErrTruncated, "header"},
		{"O digit", matBytes(le, 130, 1, 4, 0, "val", int16s), ErrMat, "O digit"},
		{"text matrix", matBytes(le, 31, 1, 4, 0, "val", int16s), ErrMat, "full numeric"},
		{"unknown precision", matBytes(le, 60, 1, 4, 0, "val", int16s), ErrMat, "precision"},
		{"VAX order", matBytes(le, 2030, 1, 4, 0, "val", int16s), ErrMat, "IEEE"},
		{"negative dims", matBytes(le, 30, -1, 4, 0, "val", int16s), ErrMat, "negative"},
		{"complex", matBytes(le, 30, 1, 4, 1, "val", int16s), ErrMat, "complex"},
		{"huge dims", matBytes(le, 0, math.MaxInt32, math.MaxInt32, 0, "val", int16s), ErrMat, "larger than"},
		{"name without NUL", append(matBytes(le, 30, 1, 4, 0, "val", nil)[:23], 'l', 0, 0, 0, 0), ErrMat, "NUL-terminated"},
		{"name too long", matBytes(le, 30, 1, 4, 0, strings.Repeat("v", 80), int16s), ErrMat, "name length"},
		{"cut name", matBytes(le, 30, 1, 4, 0, "val", nil)[:22], ErrTruncated, "name"},
		{"cut data", matBytes(le, 30, 1, 4, 0, "val", int16s[:5]), ErrTruncated, "needs 8 data bytes, have 5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadMat(bytes.NewReader(tc.data))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %q, want it to mention %q", err, tc.msg)
			}
		})
	}
}

// TestReadMatNoHugeAllocation checks that a header claiming 2^31 elements
// over a few bytes of data fails without allocating for the claim.
//
// Verifies: SRS-IO-006
func TestReadMatNoHugeAllocation(t *testing.T) {
	data := matBytes(binary.LittleEndian, 0, 1<<15, 1<<16, 0, "val", make([]byte, 64))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadMat(bytes.NewReader(data))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("got %v, want ErrTruncated", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("allocated %d bytes for a 2^31-element claim", d)
	}
}

// TestReadRecordMatMismatch checks that a .mat signal file must agree
// with its WFDB header.
//
// Verifies: SRS-IO-005, SRS-IO-006
func TestReadRecordMatMismatch(t *testing.T) {
	le := binary.LittleEndian
	hea := "A 1 300 4\nA.mat 16+24 1000/mV 16 0 0 0 0 ECG\n"
	tests := []struct {
		name, hea string
		mat       []byte
		want      error
		msg       string
	}{
		{"ok", hea, matBytes(le, 30, 1, 4, 0, "val", make([]byte, 8)), nil, ""},
		{"double elements", hea, matBytes(le, 0, 1, 4, 0, "val", make([]byte, 32)), ErrMat, "element type 0"},
		{"two rows", hea, matBytes(le, 30, 2, 2, 0, "val", make([]byte, 8)), ErrMat, "is 2×2"},
		{"more columns than samples", hea, matBytes(le, 30, 1, 5, 0, "val", make([]byte, 10)), ErrMat, "1 signals × 4 samples"},
		{"offset disagrees", "A 1 300 4\nA.mat 16+20 1000/mV\n", matBytes(le, 30, 1, 4, 0, "val", make([]byte, 12)), ErrMat, "data starts at byte 24"},
		{"big-endian", hea, matBytes(binary.BigEndian, 1030, 1, 4, 0, "val", make([]byte, 8)), ErrMat, "big-endian"},
		{"format 212 in mat", "A 1 300 4\nA.mat 212+24 1000/mV\n", matBytes(le, 30, 1, 4, 0, "val", make([]byte, 8)), ErrMat, "format 212"},
		{"garbage", hea, bytes.Repeat([]byte{0xff}, 40), ErrMat, "type code"},
		{"data cut", hea, matBytes(le, 30, 1, 4, 0, "val", make([]byte, 6)), ErrTruncated, "holds 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"A.hea": {Data: []byte(tc.hea)}, "A.mat": {Data: tc.mat}}
			_, err := ReadRecordFS(fsys, "A.mat")
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "A.mat") {
				t.Errorf("got %q, want it to name A.mat and mention %q", err, tc.msg)
			}
		})
	}
}

// FuzzReadMat checks that ReadMat never panics on arbitrary bytes, that
// what it accepts has Rows×Cols elements, and that re-encoding an int16
// matrix reads back identically.
//
// Verifies: SRS-IO-005, SRS-IO-006
func FuzzReadMat(f *testing.F) {
	b, err := os.ReadFile("testdata/A00001.mat")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b[:200])
	f.Add(matBytes(binary.BigEndian, 1010, 1, 1, 0, "x", []byte{0x3f, 0x80, 0, 0}))
	f.Add(matBytes(binary.LittleEndian, 50, 2, 2, 0, "ab", []byte{1, 2, 3, 4}))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadMat(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(m.Data) != m.Rows*m.Cols {
			t.Fatalf("%d elements for %d×%d", len(m.Data), m.Rows, m.Cols)
		}
		if m.Precision != MatInt16 || m.BigEndian {
			return
		}
		raw := make([]byte, 0, 2*len(m.Data))
		for _, v := range m.Data {
			raw = binary.LittleEndian.AppendUint16(raw, uint16(int16(v)))
		}
		again, err := ReadMat(bytes.NewReader(matBytes(binary.LittleEndian, 30, int32(m.Rows), int32(m.Cols), 0, m.Name, raw)))
		if err != nil {
			t.Fatalf("re-encoded matrix: %v", err)
		}
		if again.MatHeader != m.MatHeader || !floatsEqual(again.Data, m.Data, 0) {
			t.Fatalf("round trip differs")
		}
	})
}
