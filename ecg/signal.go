package ecg

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Format is a WFDB signal storage format (signal(5)).
type Format int

// The signal formats afscan decodes. Multi-byte formats are little-endian
// except 61.
const (
	Format8   Format = 8   // 8-bit first differences from the initial value
	Format16  Format = 16  // 16-bit two's complement
	Format24  Format = 24  // 24-bit two's complement
	Format32  Format = 32  // 32-bit two's complement
	Format61  Format = 61  // 16-bit two's complement, big-endian
	Format80  Format = 80  // 8-bit offset binary (byte - 128)
	Format160 Format = 160 // 16-bit offset binary (word - 32768)
	Format212 Format = 212 // two 12-bit samples packed in 3 bytes
	Format310 Format = 310 // three 10-bit samples packed in two 16-bit words
	Format311 Format = 311 // three 10-bit samples packed in one 32-bit word
)

// Supported reports whether afscan can decode f.
func (f Format) Supported() bool {
	switch f {
	case Format8, Format16, Format24, Format32, Format61, Format80, Format160, Format212, Format310, Format311:
		return true
	}
	return false
}

// InvalidSample returns the ADC value WFDB reserves for "no valid sample"
// in format f (WFDB_INVALID_SAMPLE scaled to the format's width), and false
// for formats without one (8, first differences).
func (f Format) InvalidSample() (int32, bool) {
	switch f {
	case Format16, Format61, Format160:
		return math.MinInt16, true
	case Format24:
		return -1 << 23, true
	case Format32:
		return math.MinInt32, true
	case Format80:
		return math.MinInt8, true
	case Format212:
		return -1 << 11, true
	case Format310, Format311:
		return -1 << 9, true
	}
	return 0, false
}

// bytesFor returns the bytes that n samples occupy in format f (n >= 0,
// f supported). Packed formats round up to the bytes WFDB writes for a
// final partial group.
func (f Format) bytesFor(n int64) int64 {
	switch f {
	case Format8, Format80:
		return n
	case Format16, Format61, Format160:
		return 2 * n
	case Format24:
		return 3 * n
	case Format32:
		return 4 * n
	case Format212:
		// A trailing odd sample is written as two bytes.
		return 3*(n/2) + 2*(n%2)
	case Format310, Format311:
		// One 32-bit group per three samples; a partial group is written
		// with 2 bytes per remaining sample.
		return 4*(n/3) + 2*(n%3)
	}
	return -1
}

// samplesIn returns how many whole samples nBytes hold in format f.
func (f Format) samplesIn(nBytes int64) int64 {
	if nBytes <= 0 {
		return 0
	}
	switch f {
	case Format8, Format80:
		return nBytes
	case Format16, Format61, Format160:
		return nBytes / 2
	case Format24:
		return nBytes / 3
	case Format32:
		return nBytes / 4
	case Format212:
		n := 2 * (nBytes / 3)
		if nBytes%3 == 2 {
			n++
		}
		return n
	case Format310, Format311:
		return 3*(nBytes/4) + (nBytes%4)/2
	}
	return 0
}

// DecodeSamples decodes the first len(dst) ADC values of src, a signal file
// body in format f holding nSignals interleaved signals (sample k belongs
// to signal k % nSignals). initial holds each signal's initial value; only
// the difference format 8 uses it, and it may be nil for other formats
// (initial values of 0). The values are raw ADC units; invalid samples keep
// their reserved value (see Format.InvalidSample).
//
// DecodeSamples returns an error wrapping ErrUnsupported for an unknown
// format and ErrTruncated when src holds fewer than len(dst) samples. It
// panics if nSignals < 1 or initial is non-nil with a length other than
// nSignals (programmer errors). It never reads past src and never allocates.
func DecodeSamples(dst []int32, src []byte, f Format, nSignals int, initial []int32) error {
	if nSignals < 1 {
		panic("ecg: DecodeSamples with nSignals < 1")
	}
	if initial != nil && len(initial) != nSignals {
		panic("ecg: DecodeSamples initial length differs from nSignals")
	}
	if !f.Supported() {
		return fmt.Errorf("%w: signal format %d", ErrUnsupported, f)
	}
	if need := f.bytesFor(int64(len(dst))); need > int64(len(src)) {
		return fmt.Errorf("%w: %d samples in format %d need %d bytes, have %d", ErrTruncated, len(dst), f, need, len(src))
	}
	d := sampleDecoder{format: f, src: src, nSignals: nSignals}
	if f == Format8 {
		var buf [64]int32
		d.acc = buf[:0]
		if nSignals > len(buf) {
			d.acc = make([]int32, 0, nSignals)
		}
		for i := 0; i < nSignals; i++ {
			v := int32(0)
			if initial != nil {
				v = initial[i]
			}
			d.acc = append(d.acc, v)
		}
	}
	d.decode(dst, 0)
	return nil
}

// sampleDecoder decodes a signal file body in chunks. The caller has
// checked that src holds every sample asked for.
type sampleDecoder struct {
	format   Format
	src      []byte
	nSignals int
	acc      []int32 // format 8: running value per signal
}

// decode fills dst with samples first, first+1, ... of the stream. For
// format 8 calls must be sequential (first continues the previous call).
func (d *sampleDecoder) decode(dst []int32, first int64) {
	src := d.src
	switch d.format {
	case Format8:
		for i := range dst {
			k := first + int64(i)
			sig := int(k % int64(d.nSignals))
			d.acc[sig] += int32(int8(src[k]))
			dst[i] = d.acc[sig]
		}
	case Format16:
		for i := range dst {
			dst[i] = int32(int16(binary.LittleEndian.Uint16(src[2*(first+int64(i)):])))
		}
	case Format61:
		for i := range dst {
			dst[i] = int32(int16(binary.BigEndian.Uint16(src[2*(first+int64(i)):])))
		}
	case Format160:
		for i := range dst {
			dst[i] = int32(binary.LittleEndian.Uint16(src[2*(first+int64(i)):])) - 1<<15
		}
	case Format80:
		for i := range dst {
			dst[i] = int32(src[first+int64(i)]) - 128
		}
	case Format24:
		for i := range dst {
			o := 3 * (first + int64(i))
			v := int32(src[o]) | int32(src[o+1])<<8 | int32(src[o+2])<<16
			dst[i] = v << 8 >> 8
		}
	case Format32:
		for i := range dst {
			dst[i] = int32(binary.LittleEndian.Uint32(src[4*(first+int64(i)):]))
		}
	case Format212:
		// Samples come in pairs sharing 3 bytes; decode whole pairs and
		// handle a leading odd or trailing even sample alone.
		i, k := 0, first
		if k%2 == 1 && len(dst) > 0 {
			o := 3 * (k / 2)
			dst[0] = (int32(src[o+2]) | int32(src[o+1]&0xf0)<<4) << 20 >> 20
			i, k = 1, k+1
		}
		for ; i+1 < len(dst); i, k = i+2, k+2 {
			o := 3 * (k / 2)
			b0, b1, b2 := int32(src[o]), int32(src[o+1]), int32(src[o+2])
			dst[i] = (b0 | (b1&0x0f)<<8) << 20 >> 20
			dst[i+1] = (b2 | (b1&0xf0)<<4) << 20 >> 20
		}
		if i < len(dst) {
			o := 3 * (k / 2)
			dst[i] = (int32(src[o]) | int32(src[o+1]&0x0f)<<8) << 20 >> 20
		}
	case Format310:
		// Per 4 bytes (two little-endian words w0, w1): sample 0 is bits
		// 1-10 of w0, sample 1 bits 1-10 of w1, sample 2 bits 11-15 of w0
		// (low part) and bits 11-15 of w1 (high part) — signal(5).
		for i := range dst {
			k := first + int64(i)
			o := 4 * (k / 3)
			var v int32
			switch k % 3 {
			case 0:
				v = int32(binary.LittleEndian.Uint16(src[o:])) >> 1 & 0x3ff
			case 1:
				v = int32(binary.LittleEndian.Uint16(src[o+2:])) >> 1 & 0x3ff
			case 2:
				w0 := int32(binary.LittleEndian.Uint16(src[o:]))
				w1 := int32(binary.LittleEndian.Uint16(src[o+2:]))
				v = (w0>>11)&0x1f | ((w1>>11)&0x1f)<<5
			}
			dst[i] = v << 22 >> 22
		}
	case Format311:
		// Per little-endian 32-bit word: samples in bits 0-9, 10-19, 20-29.
		for i := range dst {
			k := first + int64(i)
			o := 4 * (k / 3)
			var v int32
			switch k % 3 {
			case 0:
				v = int32(src[o]) | int32(src[o+1]&0x03)<<8
			case 1:
				v = int32(src[o+1]>>2) | int32(src[o+2]&0x0f)<<6
			case 2:
				v = int32(src[o+2]>>4) | int32(src[o+3]&0x3f)<<4
			}
			dst[i] = v << 22 >> 22
		}
	}
}
