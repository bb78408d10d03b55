package ecg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
)

// ErrMat means a file is not a MATLAB v4 matrix file afscan can read, or
// its matrix disagrees with the WFDB header describing it.
var ErrMat = errors.New("invalid MATLAB v4 file")

// MatPrecision is the P digit of a MATLAB v4 type code: the element type.
type MatPrecision int

// The MATLAB v4 element types.
const (
	MatFloat64 MatPrecision = 0
	MatFloat32 MatPrecision = 1
	MatInt32   MatPrecision = 2
	MatInt16   MatPrecision = 3
	MatUint16  MatPrecision = 4
	MatUint8   MatPrecision = 5
)

// size returns the element size in bytes.
func (p MatPrecision) size() int64 {
	switch p {
	case MatFloat64:
		return 8
	case MatFloat32, MatInt32:
		return 4
	case MatInt16, MatUint16:
		return 2
	case MatUint8:
		return 1
	}
	return 0
}

// matHeaderBytes is the fixed part of a MATLAB v4 matrix header: five
// 32-bit integers (type, mrows, ncols, imagf, namlen).
const matHeaderBytes = 20

// maxMatNameBytes bounds the variable name (MATLAB allows 63 characters
// plus the NUL).
const maxMatNameBytes = 64

// maxMatElements bounds a matrix's element count so sizes never overflow
// (a day of 1 kHz samples is 8.64e7 elements).
const maxMatElements = 1 << 40

// MatHeader describes the first matrix of a MATLAB v4 file (MATLAB
// "MAT-File Format", Level 4), the form CinC 2017 records use: type 30
// (little-endian int16), 1 row, N columns, name "val".
type MatHeader struct {
	Name       string       // variable name without its NUL
	Rows, Cols int          // matrix dimensions; data is stored column by column
	Precision  MatPrecision // element type
	BigEndian  bool         // M digit 1 (IEEE big-endian) instead of 0
	// DataOffset is the byte offset of the first element: 20 + name length.
	DataOffset int64
}

// MatVar is one matrix of a MATLAB v4 file with its elements as float64,
// in file order (column-major: element (i, j) is Data[j*Rows+i]).
type MatVar struct {
	MatHeader
	Data []float64
}

// ParseMatHeader parses the header of the first matrix in b, which must
// hold at least its 20 fixed bytes and the name. Only full, real, numeric
// matrices (O = 0, T = 0, imagf = 0) in IEEE byte orders are accepted;
// errors wrap ErrMat, or ErrTruncated when b is too short.
func ParseMatHeader(b []byte) (MatHeader, error) {
	var h MatHeader
	if len(b) < matHeaderBytes {
		return h, fmt.Errorf("%w: %w: %d bytes, a MATLAB v4 header needs %d", ErrMat, ErrTruncated, len(b), matHeaderBytes)
	}
	var order binary.ByteOrder = binary.LittleEndian
	typ := int32(order.Uint32(b))
	if typ < 0 || typ > 9999 {
		order, h.BigEndian = binary.BigEndian, true
		typ = int32(order.Uint32(b))
	}
	m, o, p, t := typ/1000, typ/100%10, typ/10%10, typ%10
	switch {
	case typ < 0 || typ > 9999 || (m == 0) == h.BigEndian || m > 1:
		return h, fmt.Errorf("%w: type code %d: want IEEE little-endian (0xxx) or big-endian (1xxx)", ErrMat, typ)
	case o != 0:
		return h, fmt.Errorf("%w: type code %d: O digit must be 0", ErrMat, typ)
	case t != 0:
		return h, fmt.Errorf("%w: type code %d: only full numeric matrices (T = 0) are supported", ErrMat, typ)
	case MatPrecision(p).size() == 0:
		return h, fmt.Errorf("%w: type code %d: unknown precision %d", ErrMat, typ, p)
	}
	h.Precision = MatPrecision(p)
	rows, cols := int32(order.Uint32(b[4:])), int32(order.Uint32(b[8:]))
	imagf, namlen := int32(order.Uint32(b[12:])), int32(order.Uint32(b[16:]))
	if rows < 0 || cols < 0 {
		return h, fmt.Errorf("%w: negative dimensions %d×%d", ErrMat, rows, cols)
	}
	if imagf != 0 {
		return h, fmt.Errorf("%w: complex matrices are not supported", ErrMat)
	}
	if namlen < 1 || namlen > maxMatNameBytes {
		return h, fmt.Errorf("%w: name length %d outside [1, %d]", ErrMat, namlen, maxMatNameBytes)
	}
	if int64(rows)*int64(cols) > maxMatElements {
		return h, fmt.Errorf("%w: %d×%d matrix is larger than %d elements", ErrMat, rows, cols, int64(maxMatElements))
	}
	h.Rows, h.Cols = int(rows), int(cols)
	h.DataOffset = matHeaderBytes + int64(namlen)
	if int64(len(b)) < h.DataOffset {
		return h, fmt.Errorf("%w: %w: name needs %d bytes, have %d", ErrMat, ErrTruncated, namlen, len(b)-matHeaderBytes)
	}
	name := b[matHeaderBytes:h.DataOffset]
	if name[len(name)-1] != 0 {
		return h, fmt.Errorf("%w: variable name is not NUL-terminated", ErrMat)
	}
	h.Name = string(name[:len(name)-1])
	if bytes.IndexByte([]byte(h.Name), 0) >= 0 {
		return h, fmt.Errorf("%w: NUL inside the variable name", ErrMat)
	}
	return h, nil
}

// dataBytes returns the size of the matrix's real data in bytes.
func (h MatHeader) dataBytes() int64 {
	return int64(h.Rows) * int64(h.Cols) * h.Precision.size()
}

// ReadMat reads the first matrix of a MATLAB v4 file from r. The data is
// read as it arrives, so a header claiming more elements than r holds
// fails with ErrTruncated without allocating for the claim.
func ReadMat(r io.Reader) (*MatVar, error) {
	head := make([]byte, matHeaderBytes, matHeaderBytes+maxMatNameBytes)
	if n, err := io.ReadFull(r, head); err != nil {
		return nil, fmt.Errorf("%w: %w: %d bytes, a MATLAB v4 header needs %d", ErrMat, ErrTruncated, n, matHeaderBytes)
	}
	// Parse once for the name length, then again with the name.
	_, err := ParseMatHeader(head)
	if err != nil && !errors.Is(err, ErrTruncated) {
		return nil, err
	}
	var order binary.ByteOrder = binary.LittleEndian
	if t := int32(order.Uint32(head)); t < 0 || t > 9999 {
		order = binary.BigEndian
	}
	namlen := int64(order.Uint32(head[16:]))
	head = head[:matHeaderBytes+namlen]
	if _, err := io.ReadFull(r, head[matHeaderBytes:]); err != nil {
		return nil, fmt.Errorf("%w: %w: variable name: %v", ErrMat, ErrTruncated, err)
	}
	h, err := ParseMatHeader(head)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	want := h.dataBytes()
	if n, err := io.CopyN(&buf, r, want); err != nil {
		return nil, fmt.Errorf("%w: %w: %d×%d matrix needs %d data bytes, have %d", ErrMat, ErrTruncated, h.Rows, h.Cols, want, n)
	}
	v := &MatVar{MatHeader: h, Data: make([]float64, h.Rows*h.Cols)}
	decodeMat(v.Data, buf.Bytes(), h.Precision, order)
	return v, nil
}

// decodeMat converts raw elements to float64; len(src) is len(dst) times
// the element size.
func decodeMat(dst []float64, src []byte, p MatPrecision, order binary.ByteOrder) {
	for i := range dst {
		switch p {
		case MatFloat64:
			dst[i] = math.Float64frombits(order.Uint64(src[8*i:]))
		case MatFloat32:
			dst[i] = float64(math.Float32frombits(order.Uint32(src[4*i:])))
		case MatInt32:
			dst[i] = float64(int32(order.Uint32(src[4*i:])))
		case MatInt16:
			dst[i] = float64(int16(order.Uint16(src[2*i:])))
		case MatUint16:
			dst[i] = float64(order.Uint16(src[2*i:]))
		case MatUint8:
			dst[i] = float64(src[i])
		}
	}
}

// checkMatSignalFile validates the MATLAB v4 header of a .mat signal file
// against the WFDB header describing it: the element type must be the
// signal format's, the matrix nSig × nFrames, and the data must start at
// the header's byte offset and fit in the file (size bytes).
func checkMatSignalFile(fsys fs.FS, name string, size int64, h *Header, g signalGroup, nFrames int64) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, min(size, matHeaderBytes+maxMatNameBytes))
	if _, err := io.ReadFull(f, head); err != nil {
		return fmt.Errorf("%w: %w: %v", ErrMat, ErrTruncated, err)
	}
	mh, err := ParseMatHeader(head)
	if err != nil {
		return err
	}
	spec := h.Signals[g.first]
	var want MatPrecision
	switch spec.Format {
	case Format16:
		want = MatInt16
	case Format32:
		want = MatInt32
	default:
		return fmt.Errorf("%w: signal format %d in a .mat file", ErrMat, spec.Format)
	}
	switch {
	case mh.BigEndian:
		return fmt.Errorf("%w: big-endian matrix, WFDB format %d is little-endian", ErrMat, spec.Format)
	case mh.Precision != want:
		return fmt.Errorf("%w: element type %d does not match WFDB format %d", ErrMat, mh.Precision, spec.Format)
	case mh.DataOffset != spec.ByteOffset:
		return fmt.Errorf("%w: data starts at byte %d, the header says %d", ErrMat, mh.DataOffset, spec.ByteOffset)
	case int64(mh.Rows) != int64(g.nSig) || int64(mh.Cols) != nFrames:
		return fmt.Errorf("%w: matrix %q is %d×%d, the header describes %d signals × %d samples",
			ErrMat, mh.Name, mh.Rows, mh.Cols, g.nSig, nFrames)
	case mh.DataOffset+mh.dataBytes() > size:
		return fmt.Errorf("%w: %w: matrix needs %d bytes, the file has %d", ErrMat, ErrTruncated, mh.DataOffset+mh.dataBytes(), size)
	}
	return nil
}
