package ecg

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// MIT annotation file words (annot(5)): each 16-bit little-endian word
// holds a 6-bit code A in its top bits and a 10-bit datum I.
const (
	annCodeShift = 10
	annDataMask  = 0x3ff
	annSkip      = 59 // I ignored; a 32-bit interval follows
	annNum       = 60 // I is the num field of the current annotation
	annSub       = 61 // I is its subtype
	annChn       = 62 // I is its chan field
	annAux       = 63 // I's low byte is the aux length; the bytes follow
	annPseudoMin = annSkip
	annMaxDelta  = annDataMask // longest interval a word can hold (MAXRR)
)

// AnnotationError reports a malformed annotation file.
type AnnotationError struct {
	File   string // "" when read from a reader
	Offset int64  // byte offset of the offending word
	Err    error  // wraps ErrSyntax or ErrTruncated
}

func (e *AnnotationError) Error() string {
	name := e.File
	if name == "" {
		name = "annotation file"
	}
	return fmt.Sprintf("%s: byte %d: %v", name, e.Offset, e.Err)
}

// Unwrap returns the underlying error.
func (e *AnnotationError) Unwrap() error { return e.Err }

// ReadAnnotationFile reads the MIT-format annotation file at path (e.g.
// "mitdb/100.atr").
func ReadAnnotationFile(path string) ([]Annotation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	anns, err := ReadAnnotations(f)
	var ae *AnnotationError
	if errors.As(err, &ae) {
		ae.File = path
	}
	return anns, err
}

// ReadAnnotations reads an MIT-format annotation file (annot(5)) from r
// with the semantics of WFDB's getann(): times accumulate from the word
// intervals and SKIP words, chan and num carry over from one annotation to
// the next while subtype and aux reset, and a zero word ends the file
// (bytes after it are ignored). Aux strings are returned up to their
// first NUL byte (see Annotation.AuxPad).
//
// A file cut before its end word, or in the middle of a word, fails with
// an *AnnotationError wrapping ErrTruncated; a SUB or AUX word before the
// first annotation with one wrapping ErrSyntax. Memory grows with the
// annotations actually read, never with a length field.
func ReadAnnotations(r io.Reader) ([]Annotation, error) {
	br := bufio.NewReader(r)
	var (
		anns      []Annotation
		cur       *Annotation
		t         int64
		chn       uint8
		num       int8
		off       int64
		word      [2]byte
		auxBuf    [256]byte
		skipBytes [4]byte
	)
	fail := func(at int64, err error) ([]Annotation, error) {
		return nil, &AnnotationError{Offset: at, Err: err}
	}
	for {
		at := off
		if _, err := io.ReadFull(br, word[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return fail(at, fmt.Errorf("%w: no end-of-file word", ErrTruncated))
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fail(at, fmt.Errorf("%w: odd byte at end of file", ErrTruncated))
			}
			return fail(at, err)
		}
		off += 2
		w := binary.LittleEndian.Uint16(word[:])
		if w == 0 {
			return anns, nil
		}
		code, data := w>>annCodeShift, w&annDataMask
		switch code {
		case annSkip:
			if _, err := io.ReadFull(br, skipBytes[:]); err != nil {
				return fail(at, fmt.Errorf("%w: SKIP word without its 4-byte interval", ErrTruncated))
			}
			off += 4
			t += int64(getPDP32(skipBytes[:]))
		case annNum:
			num = int8(data)
			if cur != nil {
				cur.Num = num
			}
		case annChn:
			chn = uint8(data)
			if cur != nil {
				cur.Chan = chn
			}
		case annSub:
			if cur == nil {
				return fail(at, fmt.Errorf("%w: SUB word before the first annotation", ErrSyntax))
			}
			cur.Subtype = int8(data)
		case annAux:
			if cur == nil {
				return fail(at, fmt.Errorf("%w: AUX word before the first annotation", ErrSyntax))
			}
			n := int(data & 0xff)
			padded := (n + 1) &^ 1
			if _, err := io.ReadFull(br, auxBuf[:padded]); err != nil {
				return fail(at, fmt.Errorf("%w: aux string of %d bytes cut short", ErrTruncated, n))
			}
			off += int64(padded)
			aux := auxBuf[:n]
			text := aux
			for i, b := range aux {
				if b == 0 {
					text = aux[:i]
					break
				}
			}
			cur.Aux = string(text)
			cur.AuxPad = uint8(n - len(text))
			// Bytes after an embedded NUL are not part of the C string
			// WFDB returns; keep them only if they are all NULs.
			for _, b := range aux[len(text):] {
				if b != 0 {
					cur.AuxPad = 0
					cur.Aux = string(aux)
					break
				}
			}
		default:
			t += int64(data)
			anns = append(anns, Annotation{SampleIdx: t, Code: AnnotationCode(code), Chan: chn, Num: num})
			cur = &anns[len(anns)-1]
		}
	}
}

// getPDP32 decodes WFDB's 32-bit SKIP interval: the high 16-bit word
// first, each word little-endian ("PDP-11 order", wfdb_g32).
func getPDP32(b []byte) int32 {
	hi := binary.LittleEndian.Uint16(b)
	lo := binary.LittleEndian.Uint16(b[2:])
	return int32(uint32(hi)<<16 | uint32(lo))
}

func putPDP32(b []byte, v int32) {
	binary.LittleEndian.PutUint16(b, uint16(uint32(v)>>16))
	binary.LittleEndian.PutUint16(b[2:], uint16(uint32(v)))
}

// ErrAnnotation means an annotation cannot be written in MIT format.
var ErrAnnotation = errors.New("annotation not representable")

// WriteAnnotations writes anns to w as an MIT-format annotation file,
// byte for byte as WFDB's putann() and oannclose() write it: SKIP words
// for intervals beyond 1023 samples or going backwards, SUB when the
// subtype is non-zero, CHN and NUM when chan or num differ from the
// previous annotation's, AUX (padded to an even length) when Aux is set,
// and the zero end word. Annotations should be in time order (WFDB's
// sortann order); out-of-order input is written as given.
//
// It fails with ErrAnnotation for codes above 58 (59-63 are reserved for
// the file's pseudo-annotations), aux strings longer than 255 bytes, or
// intervals that do not fit in 32 bits.
func WriteAnnotations(w io.Writer, anns []Annotation) error {
	bw := bufio.NewWriter(w)
	var (
		prevT    int64
		prevChan uint8
		prevNum  int8
		buf      [8]byte
	)
	put16 := func(v uint16) {
		binary.LittleEndian.PutUint16(buf[:2], v)
		bw.Write(buf[:2])
	}
	putSkip := func(delta int64) {
		put16(annSkip << annCodeShift)
		putPDP32(buf[2:6], int32(delta))
		bw.Write(buf[2:6])
	}
	for i, a := range anns {
		if a.Code >= annPseudoMin {
			return fmt.Errorf("annotation %d at sample %d: %w: code %d is reserved", i, a.SampleIdx, ErrAnnotation, a.Code)
		}
		if n := len(a.Aux) + int(a.AuxPad); n > 255 {
			return fmt.Errorf("annotation %d at sample %d: %w: aux of %d bytes (at most 255)", i, a.SampleIdx, ErrAnnotation, n)
		}
		delta := a.SampleIdx - prevT
		if delta > math.MaxInt32 || delta < math.MinInt32+1 {
			return fmt.Errorf("annotation %d at sample %d: %w: interval %d does not fit in 32 bits", i, a.SampleIdx, ErrAnnotation, delta)
		}
		switch {
		case a.Code == CodeNotQRS:
			// A zero word would read as the end of file: skip to the
			// sample before and write an interval of 1 (as putann).
			putSkip(delta - 1)
			delta = 1
		case delta > annMaxDelta || delta < 0:
			putSkip(delta)
			delta = 0
		}
		put16(uint16(delta) | uint16(a.Code)<<annCodeShift)
		if a.Subtype != 0 {
			put16(annSub<<annCodeShift | uint16(a.Subtype)&annDataMask)
		}
		if a.Chan != prevChan {
			put16(annChn<<annCodeShift | uint16(a.Chan))
		}
		if a.Num != prevNum {
			put16(annNum<<annCodeShift | uint16(a.Num)&annDataMask)
		}
		if n := len(a.Aux) + int(a.AuxPad); n > 0 {
			put16(annAux<<annCodeShift | uint16(n))
			bw.WriteString(a.Aux)
			for range int(a.AuxPad) + n%2 {
				bw.WriteByte(0)
			}
		}
		prevT, prevChan, prevNum = a.SampleIdx, a.Chan, a.Num
	}
	put16(0)
	return bw.Flush()
}

// WriteAnnotationFile writes anns to path as WriteAnnotations does. The
// file is written beside path under a temporary name and renamed into
// place, so readers never see a half-written annotation file; on error
// nothing is left behind.
func WriteAnnotationFile(path string, anns []Annotation) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := WriteAnnotations(f, anns); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
