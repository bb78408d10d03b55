package ecg

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors of the record readers. Every error returned by ReadHeader,
// ReadRecord, ReadAnnotations and ReadMat wraps one of them (test with
// errors.Is) together with the file and the problem.
var (
	// ErrSyntax means a header, annotation or .mat file is malformed.
	ErrSyntax = errors.New("malformed")
	// ErrUnsupported means a valid WFDB feature afscan does not read
	// (multi-segment records, an unknown signal format, several samples per
	// frame, skew).
	ErrUnsupported = errors.New("unsupported")
	// ErrInvalidGain means a signal's ADC gain is zero, negative or not finite.
	ErrInvalidGain = errors.New("invalid gain")
	// ErrInvalidRate means a sampling or counter frequency is not in (0, 1e6] Hz.
	ErrInvalidRate = errors.New("invalid sample rate")
	// ErrTruncated means a file holds fewer bytes than its header or its own
	// structure promises.
	ErrTruncated = errors.New("truncated")
)

// MaxSampleRateHz is the highest sampling or counter frequency a header may
// declare. Real ECG recordings stay far below it; larger values are garbage.
const MaxSampleRateHz = 1e6

// DefaultSampleRateHz is the sampling frequency WFDB assumes when a header
// line gives none (header(5), WFDB_DEFFREQ).
const DefaultSampleRateHz = 250

// maxHeaderBytes bounds how much of a header file is read: real headers are
// a few hundred bytes, with comments a few kilobytes.
const maxHeaderBytes = 1 << 20

// Header is a parsed WFDB header file (.hea), see PhysioNet's header(5).
type Header struct {
	// RecordName is the record name of the record line (e.g. "100").
	RecordName string
	// NSignals is the number of signals; len(Signals) == NSignals.
	NSignals int
	// SampleRateHz is the sampling frequency per signal, in hertz
	// (DefaultSampleRateHz when the header gives none).
	SampleRateHz float64
	// CounterFreqHz is the counter frequency in hertz, 0 when absent.
	CounterFreqHz float64
	// BaseCounter is the counter value of sample 0, 0 when absent.
	BaseCounter float64
	// NSamples is the number of samples per signal, 0 when the header does
	// not say (readers then derive it from the signal file's size).
	NSamples int64
	// BaseTime is the time of sample 0. Its date is the zero date
	// (0001-01-01) when the header gives a time but no date; the whole
	// value is zero when the header gives neither.
	BaseTime time.Time
	// HasBaseTime and HasBaseDate tell whether the fields were present.
	HasBaseTime, HasBaseDate bool
	// Signals describes each signal, in file order.
	Signals []SignalSpec
	// Comments holds the comment lines without their leading '#'.
	Comments []string
}

// SignalSpec is one signal line of a WFDB header.
type SignalSpec struct {
	// FileName is the signal file, relative to the header's directory.
	FileName string
	// Format is the WFDB storage format (16, 212, 80, ...).
	Format Format
	// SamplesPerFrame is the x-field of the format (1 when absent).
	SamplesPerFrame int
	// Skew is the :-field of the format, in frames (0 when absent).
	Skew int
	// ByteOffset is the +-field of the format: bytes to skip at the start
	// of the file (e.g. 24 for a CinC 2017 .mat file).
	ByteOffset int64
	// Gain is the ADC gain in ADC units per physical unit; 0 when the
	// header does not give one (an uncalibrated signal).
	Gain float64
	// Baseline is the ADC value of physical zero (defaults to ADCZero).
	Baseline int
	// Units names the physical unit ("mV" when absent).
	Units string
	// ADCResolution is the ADC resolution in bits, 0 when absent.
	ADCResolution int
	// ADCZero is the ADC value at the middle of the ADC's range.
	ADCZero int
	// InitialValue is the first sample's value (defaults to ADCZero); only
	// the difference format 8 uses it.
	InitialValue int
	// Checksum is the 16-bit sum of all samples of the signal, as WFDB
	// stores it; HasChecksum tells whether the field was present.
	Checksum    int16
	HasChecksum bool
	// BlockSize is the block size in bytes (0 for ordinary files).
	BlockSize int
	// Description names the signal (e.g. "MLII"); WFDB's default
	// "record NAME, signal N" when absent.
	Description string
}

// HeaderError reports a problem in one line of a header file.
type HeaderError struct {
	File string // header file name, "" when parsed from a reader
	Line int    // 1-based line number, 0 for whole-file problems
	Err  error  // wraps a sentinel such as ErrSyntax or ErrInvalidGain
}

func (e *HeaderError) Error() string {
	name := e.File
	if name == "" {
		name = "header"
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", name, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", name, e.Err)
}

// Unwrap returns the underlying error.
func (e *HeaderError) Unwrap() error { return e.Err }

// ReadHeader reads and parses the WFDB header at path. A path without the
// ".hea" extension gets it appended.
func ReadHeader(path string) (*Header, error) {
	if !strings.HasSuffix(path, ".hea") {
		path += ".hea"
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := ParseHeader(f)
	return h, withFile(err, path)
}

// readHeaderFS is ReadHeader on a file system.
func readHeaderFS(fsys fs.FS, name string) (*Header, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := ParseHeader(f)
	return h, withFile(err, name)
}

func withFile(err error, name string) error {
	var he *HeaderError
	if errors.As(err, &he) && he.File == "" {
		he.File = name
	}
	return err
}

// ParseHeader parses a WFDB header (header(5)) from r: the record line,
// one line per signal, and comment lines starting with '#'. LF and CRLF line
// endings are accepted. Multi-segment records are rejected with
// ErrUnsupported. Errors are *HeaderError values naming the line.
//
// Only a header's syntax and ranges are checked here; whether the signal
// files match it is ReadRecord's business.
func ParseHeader(r io.Reader) (*Header, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxHeaderBytes+1))
	sc.Buffer(make([]byte, 0, 4096), maxHeaderBytes)
	var h *Header
	lineNo, nBytes := 0, 0
	for sc.Scan() {
		lineNo++
		raw := sc.Text()
		nBytes += len(raw) + 1
		line := strings.TrimRight(raw, "\r")
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			if h != nil {
				h.Comments = append(h.Comments, strings.TrimPrefix(trimmed, "#"))
			}
			continue
		}
		if trimmed == "" {
			continue
		}
		if strings.ContainsRune(trimmed, 0) {
			return nil, &HeaderError{Line: lineNo, Err: fmt.Errorf("%w: NUL byte in header", ErrSyntax)}
		}
		var err error
		if h == nil {
			h, err = parseRecordLine(trimmed)
		} else if len(h.Signals) < h.NSignals {
			var s SignalSpec
			s, err = parseSignalLine(trimmed, h.RecordName, len(h.Signals))
			h.Signals = append(h.Signals, s)
		} else {
			err = fmt.Errorf("%w: more signal lines than the %d the record line declares", ErrSyntax, h.NSignals)
		}
		if err != nil {
			return nil, &HeaderError{Line: lineNo, Err: err}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("%w: line longer than %d bytes", ErrSyntax, maxHeaderBytes)
		}
		return nil, &HeaderError{Line: lineNo + 1, Err: err}
	}
	if nBytes > maxHeaderBytes {
		return nil, &HeaderError{Err: fmt.Errorf("%w: header larger than %d bytes", ErrSyntax, maxHeaderBytes)}
	}
	if h == nil {
		return nil, &HeaderError{Err: fmt.Errorf("%w: no record line", ErrSyntax)}
	}
	if len(h.Signals) != h.NSignals {
		return nil, &HeaderError{Err: fmt.Errorf("%w: record line declares %d signals, found %d signal lines: %w",
			ErrSyntax, h.NSignals, len(h.Signals), ErrTruncated)}
	}
	return h, nil
}

// parseRecordLine parses
//
//	name[/nseg] nsig [freq[/cfreq[(base)]] [nsamp [basetime [basedate]]]]
func parseRecordLine(line string) (*Header, error) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return nil, fmt.Errorf("%w: record line %q: want at least a name and a number of signals", ErrSyntax, line)
	}
	h := &Header{RecordName: f[0], SampleRateHz: DefaultSampleRateHz}
	if i := strings.IndexByte(f[0], '/'); i >= 0 {
		return nil, fmt.Errorf("%w: multi-segment record %q", ErrUnsupported, f[0])
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: number of signals %q", ErrSyntax, f[1])
	}
	h.NSignals = n
	if len(f) > 2 {
		if err := parseFreq(h, f[2]); err != nil {
			return nil, err
		}
	}
	if len(f) > 3 {
		ns, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil || ns < 0 {
			return nil, fmt.Errorf("%w: number of samples %q", ErrSyntax, f[3])
		}
		h.NSamples = ns
	}
	if len(f) > 4 {
		tod, err := parseBaseTime(f[4])
		if err != nil {
			return nil, err
		}
		h.HasBaseTime = true
		h.BaseTime = time.Time{}.Add(tod)
	}
	if len(f) > 5 {
		d, err := time.Parse("2/1/2006", f[5])
		if err != nil {
			return nil, fmt.Errorf("%w: base date %q (want DD/MM/YYYY)", ErrSyntax, f[5])
		}
		h.HasBaseDate = true
		h.BaseTime = d.Add(h.BaseTime.Sub(time.Time{}))
	}
	if len(f) > 6 {
		return nil, fmt.Errorf("%w: record line has %d fields, at most 6 expected", ErrSyntax, len(f))
	}
	return h, nil
}

// parseFreq parses freq[/cfreq[(base)]].
func parseFreq(h *Header, s string) error {
	fs, rest, hasCounter := strings.Cut(s, "/")
	v, err := parseRate(fs)
	if err != nil {
		return err
	}
	h.SampleRateHz = v
	if !hasCounter {
		return nil
	}
	cs, base, hasBase := strings.Cut(rest, "(")
	if h.CounterFreqHz, err = parseRate(cs); err != nil {
		return err
	}
	if hasBase {
		b, ok := strings.CutSuffix(base, ")")
		if !ok {
			return fmt.Errorf("%w: base counter value %q", ErrSyntax, s)
		}
		if h.BaseCounter, err = strconv.ParseFloat(b, 64); err != nil || math.IsNaN(h.BaseCounter) || math.IsInf(h.BaseCounter, 0) {
			return fmt.Errorf("%w: base counter value %q", ErrSyntax, b)
		}
	}
	return nil
}

func parseRate(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: frequency %q is not a number", ErrInvalidRate, s)
	}
	if !(v > 0 && v <= MaxSampleRateHz) {
		return 0, fmt.Errorf("%w: %q Hz is outside (0, %g]", ErrInvalidRate, s, float64(MaxSampleRateHz))
	}
	return v, nil
}

// parseBaseTime parses [[HH:]MM:]SS[.sss] as a time of day.
func parseBaseTime(s string) (time.Duration, error) {
	bad := fmt.Errorf("%w: base time %q (want HH:MM:SS)", ErrSyntax, s)
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0, bad
	}
	var whole time.Duration
	for _, p := range parts[:len(parts)-1] {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n >= 60*24 {
			return 0, bad
		}
		whole = whole*60 + time.Duration(n)
	}
	sec, err := strconv.ParseFloat(parts[len(parts)-1], 64)
	if err != nil || !(sec >= 0 && sec < 86400) {
		return 0, bad
	}
	d := whole*60*time.Second + time.Duration(sec*float64(time.Second))
	if d >= 24*time.Hour {
		return 0, bad
	}
	return d, nil
}

// parseSignalLine parses
//
//	file format[xspf][:skew][+offset] [gain[(baseline)][/units] [adcres [adczero [initval [checksum [blocksize [description]]]]]]]
func parseSignalLine(line, record string, idx int) (SignalSpec, error) {
	fields, desc := splitFields(line, 8)
	s := SignalSpec{SamplesPerFrame: 1, Units: "mV"}
	if len(fields) < 2 {
		return s, fmt.Errorf("%w: signal %d line %q: want at least a file name and a format", ErrSyntax, idx, line)
	}
	s.FileName = fields[0]
	if err := parseFormatField(&s, fields[1]); err != nil {
		return s, fmt.Errorf("signal %d: %w", idx, err)
	}
	atoi := func(name, v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%w: signal %d %s %q", ErrSyntax, idx, name, v)
		}
		return n, nil
	}
	var err error
	hasBaseline := false
	if len(fields) > 2 {
		if hasBaseline, err = parseGainField(&s, fields[2]); err != nil {
			return s, fmt.Errorf("signal %d: %w", idx, err)
		}
	}
	if len(fields) > 3 {
		if s.ADCResolution, err = atoi("adc resolution", fields[3]); err != nil {
			return s, err
		}
		if s.ADCResolution < 0 || s.ADCResolution > 32 {
			return s, fmt.Errorf("%w: signal %d adc resolution %d bits", ErrSyntax, idx, s.ADCResolution)
		}
	}
	if len(fields) > 4 {
		if s.ADCZero, err = atoi("adc zero", fields[4]); err != nil {
			return s, err
		}
	}
	s.InitialValue = s.ADCZero
	if !hasBaseline {
		s.Baseline = s.ADCZero
	}
	if len(fields) > 5 {
		if s.InitialValue, err = atoi("initial value", fields[5]); err != nil {
			return s, err
		}
	}
	if len(fields) > 6 {
		c, err := atoi("checksum", fields[6])
		if err != nil {
			return s, err
		}
		if c < math.MinInt16 || c > math.MaxUint16 {
			return s, fmt.Errorf("%w: signal %d checksum %d is not a 16-bit value", ErrSyntax, idx, c)
		}
		s.Checksum, s.HasChecksum = int16(uint16(c)), true
	}
	if len(fields) > 7 {
		if s.BlockSize, err = atoi("block size", fields[7]); err != nil {
			return s, err
		}
		if s.BlockSize < 0 {
			return s, fmt.Errorf("%w: signal %d block size %d", ErrSyntax, idx, s.BlockSize)
		}
	}
	s.Description = desc
	if s.Description == "" {
		s.Description = fmt.Sprintf("record %s, signal %d", record, idx)
	}
	return s, nil
}

// splitFields returns the first n whitespace-separated fields of line and
// the rest of the line, trimmed (a description may contain spaces).
func splitFields(line string, n int) (fields []string, rest string) {
	rest = strings.TrimSpace(line)
	for len(fields) < n && rest != "" {
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			fields = append(fields, rest)
			return fields, ""
		}
		fields = append(fields, rest[:i])
		rest = strings.TrimLeft(rest[i:], " \t")
	}
	return fields, rest
}

// parseFormatField parses format[xspf][:skew][+offset].
func parseFormatField(s *SignalSpec, v string) error {
	bad := fmt.Errorf("%w: format field %q", ErrSyntax, v)
	rest := v
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		off, err := strconv.ParseInt(rest[i+1:], 10, 64)
		if err != nil || off < 0 {
			return bad
		}
		s.ByteOffset, rest = off, rest[:i]
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		sk, err := strconv.Atoi(rest[i+1:])
		if err != nil || sk < 0 {
			return bad
		}
		s.Skew, rest = sk, rest[:i]
	}
	if i := strings.IndexByte(rest, 'x'); i >= 0 {
		spf, err := strconv.Atoi(rest[i+1:])
		if err != nil || spf < 1 {
			return bad
		}
		s.SamplesPerFrame, rest = spf, rest[:i]
	}
	f, err := strconv.Atoi(rest)
	if err != nil || f < 0 {
		return bad
	}
	s.Format = Format(f)
	return nil
}

// parseGainField parses gain[(baseline)][/units] and reports whether a
// baseline was given.
func parseGainField(s *SignalSpec, v string) (bool, error) {
	g, units, hasUnits := strings.Cut(v, "/")
	if hasUnits {
		if units == "" {
			return false, fmt.Errorf("%w: empty units in %q", ErrSyntax, v)
		}
		s.Units = units
	}
	hasBaseline := false
	if i := strings.IndexByte(g, '('); i >= 0 {
		b, ok := strings.CutSuffix(g[i+1:], ")")
		if !ok {
			return false, fmt.Errorf("%w: baseline in %q", ErrSyntax, v)
		}
		n, err := strconv.Atoi(b)
		if err != nil {
			return false, fmt.Errorf("%w: baseline in %q", ErrSyntax, v)
		}
		s.Baseline, hasBaseline, g = n, true, g[:i]
	}
	gain, err := strconv.ParseFloat(g, 64)
	if err != nil {
		return false, fmt.Errorf("%w: %q is not a number", ErrInvalidGain, g)
	}
	if !(gain > 0) || math.IsInf(gain, 0) {
		return false, fmt.Errorf("%w: %q (want a positive, finite number of ADC units per %s)", ErrInvalidGain, g, s.Units)
	}
	s.Gain = gain
	return hasBaseline, nil
}
