package ecg

import (
	"errors"
	"os"
	"slices"
	"testing"
)

// TestDecodeSamples decodes hand-assembled bytes in every format, built
// from the bit layouts of WFDB's signal(5), and the first frame of the
// real MIT-BIH record 100 (format 212: MLII 995, V5 1011 per its header's
// initial values).
//
// Verifies: SRS-IO-002
func TestDecodeSamples(t *testing.T) {
	dat100, err := os.ReadFile("testdata/100s.dat")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		format  Format
		nSig    int
		initial []int32
		src     []byte
		want    []int32
	}{
		{"8 differences, two signals", Format8, 2, []int32{10, -5}, []byte{1, 0xff, 2, 3}, []int32{11, -6, 13, -3}},
		{"16", Format16, 1, nil, []byte{0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f}, []int32{1, -1, -32768, 32767}},
		{"61 big-endian", Format61, 1, nil, []byte{0x00, 0x01, 0xff, 0xfe}, []int32{1, -2}},
		{"80 offset binary", Format80, 1, nil, []byte{0x80, 0x81, 0x00, 0xff}, []int32{0, 1, -128, 127}},
		{"160 offset binary", Format160, 1, nil, []byte{0x00, 0x80, 0x01, 0x80, 0x00, 0x00}, []int32{0, 1, -32768}},
		{"24", Format24, 1, nil, []byte{0x01, 0, 0, 0xff, 0xff, 0xff, 0, 0, 0x80}, []int32{1, -1, -1 << 23}},
		{"32", Format32, 1, nil, []byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x80}, []int32{1, -1, -1 << 31}},
		// 0x123 and -1: byte0 = low 8 bits of s0, byte1 = s0 high nibble |
		// s1 high nibble << 4, byte2 = low 8 bits of s1.
		{"212 pair", Format212, 2, nil, []byte{0x23, 0xf1, 0xff}, []int32{0x123, -1}},
		{"212 odd sample in two bytes", Format212, 1, nil, []byte{0x23, 0xf1, 0xff, 0x00, 0x08}, []int32{0x123, -1, -2048}},
		{"212 mitdb 100 first frame", Format212, 2, nil, dat100[:3], []int32{995, 1011}},
		// 1, -1, 341: w0 = 1<<1 | (341&31)<<11, w1 = 0x3ff<<1 | (341>>5)<<11.
		{"310", Format310, 1, nil, []byte{0x02, 0xa8, 0xfe, 0x57}, []int32{1, -1, 341}},
		// 1, -1, -512 in bits 0-9, 10-19, 20-29 of one word.
		{"311", Format311, 1, nil, []byte{0x01, 0xfc, 0x0f, 0x20}, []int32{1, -1, -512}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := make([]int32, len(tc.want))
			if err := DecodeSamples(got, tc.src, tc.format, tc.nSig, tc.initial); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if n := tc.format.samplesIn(int64(len(tc.src))); n != int64(len(tc.want)) {
				t.Errorf("samplesIn(%d bytes) = %d, want %d", len(tc.src), n, len(tc.want))
			}
			if b := tc.format.bytesFor(int64(len(tc.want))); b != int64(len(tc.src)) {
				t.Errorf("bytesFor(%d samples) = %d, want %d", len(tc.want), b, len(tc.src))
			}
			// One sample more than the bytes hold is a truncation.
			more := make([]int32, len(tc.want)+1)
			if err := DecodeSamples(more, tc.src, tc.format, tc.nSig, tc.initial); !errors.Is(err, ErrTruncated) {
				t.Errorf("decoding %d samples from %d bytes: got %v, want ErrTruncated", len(more), len(tc.src), err)
			}
		})
	}
}

// TestDecodeSamplesErrors checks unknown formats and programmer errors.
//
// Verifies: SRS-IO-006
func TestDecodeSamplesErrors(t *testing.T) {
	for _, f := range []Format{0, 1, 212 + 1, 508, -16} {
		if err := DecodeSamples(make([]int32, 1), make([]byte, 8), f, 1, nil); !errors.Is(err, ErrUnsupported) {
			t.Errorf("format %d: got %v, want ErrUnsupported", f, err)
		}
	}
	mustPanic(t, "nSignals 0", func() { _ = DecodeSamples(nil, nil, Format16, 0, nil) })
	mustPanic(t, "initial length", func() { _ = DecodeSamples(nil, nil, Format8, 2, []int32{1}) })
}

// FuzzDecodeSignal decodes arbitrary bytes in every format: it must never
// panic, decode exactly the samples the bytes hold, stay within the
// format's bit width, and give the same values in one call as in chunks.
//
// Verifies: SRS-IO-002, SRS-IO-006
func FuzzDecodeSignal(f *testing.F) {
	dat, err := os.ReadFile("testdata/100s.dat")
	if err != nil {
		f.Fatal(err)
	}
	mat, err := os.ReadFile("testdata/A00001.mat")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(dat[:300], uint16(212), uint8(2))
	f.Add(mat[24:324], uint16(16), uint8(1))
	f.Add([]byte{0x02, 0xa8, 0xfe, 0x57, 1, 2, 3}, uint16(310), uint8(1))
	f.Add([]byte{0x01, 0xfc, 0x0f, 0x20, 9}, uint16(311), uint8(3))
	f.Add([]byte{1, 0xff, 2, 3, 0x80}, uint16(8), uint8(2))
	f.Add([]byte{0, 0x80, 1}, uint16(80), uint8(1))
	f.Fuzz(func(t *testing.T, src []byte, format uint16, nSig uint8) {
		fm := Format(format)
		n := max(int(nSig), 1)
		count := fm.samplesIn(int64(len(src)))
		all := make([]int32, count)
		err := DecodeSamples(all, src, fm, n, nil)
		if !fm.Supported() {
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("format %d: got %v, want ErrUnsupported", fm, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("format %d, %d bytes, %d samples: %v", fm, len(src), count, err)
		}
		var bits uint
		switch fm {
		case Format8:
			bits = 32 // running sums are unbounded within int32
		case Format80:
			bits = 8
		case Format16, Format61, Format160:
			bits = 16
		case Format24:
			bits = 24
		case Format32:
			bits = 32
		case Format212:
			bits = 12
		case Format310, Format311:
			bits = 10
		}
		if bits < 32 {
			lo, hi := int32(-1)<<(bits-1), int32(1)<<(bits-1)-1
			for i, v := range all {
				if v < lo || v > hi {
					t.Fatalf("format %d sample %d = %d outside [%d, %d]", fm, i, v, lo, hi)
				}
			}
		}
		// Chunked decoding (as ReadRecord does) gives the same values.
		d := sampleDecoder{format: fm, src: src, nSignals: n}
		if fm == Format8 {
			d.acc = make([]int32, n)
		}
		chunked := make([]int32, count)
		for start := int64(0); start < count; start += 7 {
			d.decode(chunked[start:min(start+7, count)], start)
		}
		if !slices.Equal(all, chunked) {
			t.Fatalf("format %d: chunked decoding differs", fm)
		}
	})
}

func mustPanic(t *testing.T, name string, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", name)
		}
	}()
	fn()
}
