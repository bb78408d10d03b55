package ecg

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ReadRecord reads the WFDB record at p: a header path with or without its
// ".hea" extension (for CinC 2017 records also the ".mat" path). Signal
// files are resolved relative to the header's directory.
//
// Samples are converted to physical units, (adc - baseline) / gain; voltage
// units (V, mV, uV/µV, nV) are converted to "mV", other units are kept as
// the header names them. WFDB's invalid-sample value becomes NaN.
//
// Header checksums are verified as WFDB's getvec does, once all samples
// are read, when the header gives both the number of samples and a
// checksum (see Checksum); a mismatch is a *ChecksumError. A checksum field
// of 0 is read as "not recorded": all 7249 CinC 2017 headers of afscan's
// data set carry 0, and none of those signals sums to 0 (measured by
// TestReadRecordCinC2017). The initial-value field only seeds the
// difference format 8; for other formats it is not compared with the
// first sample (it differs in 487 of those 7249 records).
// A .mat signal file's own MATLAB header is validated against the WFDB
// header (element type, nSignals × nSamples, data offset, size).
//
// Errors name the file and wrap one of ErrSyntax, ErrUnsupported,
// ErrInvalidGain, ErrInvalidRate, ErrTruncated, ErrChecksum, ErrMat or an
// fs error. Nothing is allocated from a header field before it has been
// checked against the signal file's actual size.
func ReadRecord(p string) (*Record, error) {
	dir, name := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	r, err := ReadRecordFS(os.DirFS(dir), name)
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", filepath.Join(dir, recordBase(name)), err)
	}
	return r, nil
}

// ReadRecordFS is ReadRecord on a file system: name is the slash-separated
// path of the header within fsys, with or without ".hea" (or ".mat").
func ReadRecordFS(fsys fs.FS, name string) (*Record, error) {
	base := recordBase(name)
	h, err := readHeaderFS(fsys, base+".hea")
	if err != nil {
		return nil, err
	}
	return decodeRecord(fsys, path.Dir(base), h)
}

// recordBase strips a ".hea" or ".mat" extension.
func recordBase(name string) string {
	for _, ext := range []string{".hea", ".mat"} {
		if b, ok := strings.CutSuffix(name, ext); ok {
			return b
		}
	}
	return name
}

// signalGroup is a run of consecutive signals stored in one file.
type signalGroup struct {
	file        string
	first, nSig int
}

func decodeRecord(fsys fs.FS, dir string, h *Header) (*Record, error) {
	rec := &Record{Name: h.RecordName, SampleRateHz: h.SampleRateHz}
	if h.HasBaseTime {
		rec.Start = h.BaseTime
	}
	groups, err := groupSignals(h)
	if err != nil {
		return nil, err
	}
	// First pass: check every file against the header before allocating.
	nFrames := h.NSamples
	sizes := make([]int64, len(groups))
	for gi, g := range groups {
		spec := h.Signals[g.first]
		fi, err := fs.Stat(fsys, path.Join(dir, g.file))
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: %w: not a regular file", g.file, ErrSyntax)
		}
		sizes[gi] = fi.Size()
		avail := fi.Size() - spec.ByteOffset
		if avail < 0 {
			return nil, fmt.Errorf("%s: %w: byte offset %d beyond the file's %d bytes", g.file, ErrTruncated, spec.ByteOffset, fi.Size())
		}
		have := spec.Format.samplesIn(avail) / int64(g.nSig)
		switch {
		case h.NSamples > 0 && h.NSamples > have:
			return nil, fmt.Errorf("%s: %w: header promises %d samples per signal, the file holds %d",
				g.file, ErrTruncated, h.NSamples, have)
		case h.NSamples == 0 && (gi == 0 || have < nFrames):
			nFrames = have
		}
	}
	for gi, g := range groups {
		if strings.EqualFold(path.Ext(g.file), ".mat") {
			if err := checkMatSignalFile(fsys, path.Join(dir, g.file), sizes[gi], h, g, nFrames); err != nil {
				return nil, fmt.Errorf("%s: %w", g.file, err)
			}
		}
	}
	rec.Leads = make([]Lead, h.NSignals)
	for i, s := range h.Signals {
		_, units := unitScale(s.Units)
		rec.Leads[i] = Lead{Name: s.Description, Units: units, Samples: make([]float64, nFrames)}
	}
	for _, g := range groups {
		if err := decodeGroup(fsys, dir, h, g, nFrames, rec.Leads); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// groupSignals checks the signal specs afscan can read and groups signals
// sharing a file. WFDB requires such signals to be consecutive.
func groupSignals(h *Header) ([]signalGroup, error) {
	var groups []signalGroup
	seen := map[string]bool{}
	for i, s := range h.Signals {
		switch {
		case s.Format == 0:
			return nil, fmt.Errorf("signal %d: %w: null signal (format 0)", i, ErrUnsupported)
		case !s.Format.Supported():
			return nil, fmt.Errorf("signal %d: %w: signal format %d", i, ErrUnsupported, s.Format)
		case s.SamplesPerFrame != 1:
			return nil, fmt.Errorf("signal %d: %w: %d samples per frame", i, ErrUnsupported, s.SamplesPerFrame)
		case s.Skew != 0:
			return nil, fmt.Errorf("signal %d: %w: skew %d", i, ErrUnsupported, s.Skew)
		case s.Gain == 0:
			return nil, fmt.Errorf("signal %d: %w: header gives no gain (uncalibrated signal)", i, ErrInvalidGain)
		case !fs.ValidPath(s.FileName) || strings.Contains(s.FileName, "/"):
			return nil, fmt.Errorf("signal %d: %w: signal file name %q", i, ErrUnsupported, s.FileName)
		}
		if n := len(groups); n > 0 && groups[n-1].file == s.FileName {
			g := &groups[n-1]
			first := h.Signals[g.first]
			if s.Format != first.Format || s.ByteOffset != first.ByteOffset {
				return nil, fmt.Errorf("signal %d: %w: format %d+%d differs from signal %d's %d+%d in the same file",
					i, ErrUnsupported, s.Format, s.ByteOffset, g.first, first.Format, first.ByteOffset)
			}
			g.nSig++
			continue
		}
		if seen[s.FileName] {
			return nil, fmt.Errorf("signal %d: %w: signals of file %s are not consecutive", i, ErrSyntax, s.FileName)
		}
		seen[s.FileName] = true
		groups = append(groups, signalGroup{file: s.FileName, first: i, nSig: 1})
	}
	return groups, nil
}

// decodeChunkFrames is how many frames decodeGroup converts at a time.
const decodeChunkFrames = 4096

// decodeGroup decodes nFrames frames of group g into leads, verifying
// checksums. The file's size has been checked against nFrames.
func decodeGroup(fsys fs.FS, dir string, h *Header, g signalGroup, nFrames int64, leads []Lead) error {
	spec0 := h.Signals[g.first]
	f, err := fsys.Open(path.Join(dir, g.file))
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.CopyN(io.Discard, f, spec0.ByteOffset); err != nil {
		return fmt.Errorf("%s: %w: %v", g.file, ErrTruncated, err)
	}
	nBytes := spec0.Format.bytesFor(nFrames * int64(g.nSig))
	data := make([]byte, nBytes)
	if _, err := io.ReadFull(f, data); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: %w: file shrank while reading", g.file, ErrTruncated)
		}
		return fmt.Errorf("%s: %w", g.file, err)
	}
	d := sampleDecoder{format: spec0.Format, src: data, nSignals: g.nSig}
	type conv struct {
		baseline, gain, scale float64
		invalid               int32
		hasInvalid            bool
		sum                   uint32
	}
	cv := make([]conv, g.nSig)
	for j := range cv {
		s := h.Signals[g.first+j]
		scale, _ := unitScale(s.Units)
		cv[j].baseline, cv[j].gain, cv[j].scale = float64(s.Baseline), s.Gain, scale
		cv[j].invalid, cv[j].hasInvalid = s.Format.InvalidSample()
		if s.Format == Format8 {
			d.acc = append(d.acc, int32(s.InitialValue))
		}
	}
	buf := make([]int32, decodeChunkFrames*g.nSig)
	nSig := int64(g.nSig)
	for start := int64(0); start < nFrames; start += decodeChunkFrames {
		n := min(nFrames-start, decodeChunkFrames)
		chunk := buf[:n*nSig]
		d.decode(chunk, start*nSig)
		for j := range cv {
			c := &cv[j]
			out := leads[g.first+j].Samples[start : start+n]
			for f := range out {
				v := chunk[int64(f)*nSig+int64(j)]
				c.sum += uint32(v)
				if c.hasInvalid && v == c.invalid {
					out[f] = math.NaN()
					continue
				}
				x := (float64(v) - c.baseline) / c.gain
				if c.scale != 1 {
					x *= c.scale
				}
				out[f] = x
			}
		}
	}
	for j := range cv {
		s := h.Signals[g.first+j]
		if got := int16(uint16(cv[j].sum)); verifiesChecksum(s, h.NSamples) && got != s.Checksum {
			return &ChecksumError{Record: h.RecordName, Signal: g.first + j, SignalName: s.Description, Want: s.Checksum, Got: got}
		}
	}
	return nil
}

// unitScale returns the factor converting a physical unit to afscan's
// units: voltages to mV, anything else unchanged.
func unitScale(units string) (float64, string) {
	switch units {
	case "mV":
		return 1, "mV"
	case "V":
		return 1e3, "mV"
	case "uV", "µV", "μV":
		return 1e-3, "mV"
	case "nV":
		return 1e-6, "mV"
	}
	return 1, units
}
