package input

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/afscan/afscan/ecg"
)

// ReadFile reads the strip or record at path. A ".hea" path, or a ".mat" or
// ".dat" path whose sibling ".hea" exists, is a PhysioNet WFDB record read
// by ecg.ReadRecord (all its leads, in mV where the header says a voltage),
// when its signal files hold at most MaxRecordBytes (else ErrTooLarge).
// Any other file is read whole, at most MaxFileBytes (else ErrTooLarge), and
// decoded by Decode with path as the name hint.
//
// Errors name the file. Decoder errors keep their class; WFDB errors also
// match ErrMalformed (syntax, truncated file, checksum, bad .mat) or
// ErrUnusable (a valid WFDB feature afscan does not read, a bad gain or
// rate) besides the ecg sentinel they wrap. A record without a name gets
// the file's base name without extension.
func ReadFile(path string) (*ecg.Record, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".hea":
		return readWFDB(path)
	case ".mat", ".dat":
		hea := strings.TrimSuffix(path, filepath.Ext(path)) + ".hea"
		if _, err := os.Stat(hea); err != nil {
			return nil, fmt.Errorf("read %s: %w: a %s signal file needs its WFDB header %s", path, ErrMalformed, ext, filepath.Base(hea))
		}
		return readWFDB(hea)
	}
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	rec, format, err := Decode(data, path)
	if format == FormatWFDB {
		return nil, fmt.Errorf("read %s: %w: a WFDB header must be named RECORD.hea beside its signal file", path, ErrUnknownFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if rec.Name == "" {
		rec.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return rec, nil
}

// readBounded reads at most MaxFileBytes of the file at path.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxFileBytes {
		return nil, fmt.Errorf("read %s: %w: %d bytes, the limit is %d", path, ErrTooLarge, fi.Size(), MaxFileBytes)
	} else if err == nil && fi.IsDir() {
		return nil, fmt.Errorf("read %s: is a directory", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("read %s: %w: more than %d bytes", path, ErrTooLarge, MaxFileBytes)
	}
	return data, nil
}

func readWFDB(heaPath string) (*ecg.Record, error) {
	h, err := ecg.ReadHeader(heaPath)
	if err != nil {
		return nil, classify(err)
	}
	var total int64
	seen := map[string]bool{}
	for _, sig := range h.Signals {
		if seen[sig.FileName] || sig.FileName == "~" { // "~": a null signal, no file
			continue
		}
		seen[sig.FileName] = true
		if fi, err := os.Stat(filepath.Join(filepath.Dir(heaPath), filepath.FromSlash(sig.FileName))); err == nil {
			total += fi.Size()
		}
	}
	if total > MaxRecordBytes {
		return nil, fmt.Errorf("read record %s: %w: signal files hold %d bytes, the limit is %d", heaPath, ErrTooLarge, total, MaxRecordBytes)
	}
	rec, err := ecg.ReadRecord(heaPath)
	if err != nil {
		return nil, classify(err)
	}
	return rec, nil
}

// classedError adds one of the package's error classes to an error without
// changing its message.
type classedError struct {
	class error
	err   error
}

func (e *classedError) Error() string   { return e.err.Error() }
func (e *classedError) Unwrap() []error { return []error{e.class, e.err} }

// classify puts an ecg reader error into ErrMalformed or ErrUnusable; file
// system errors (not found, permission) stay as they are.
func classify(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return err
	case errors.Is(err, ecg.ErrUnsupported), errors.Is(err, ecg.ErrInvalidGain), errors.Is(err, ecg.ErrInvalidRate):
		return &classedError{ErrUnusable, err}
	case errors.Is(err, ecg.ErrSyntax), errors.Is(err, ecg.ErrTruncated), errors.Is(err, ecg.ErrChecksum), errors.Is(err, ecg.ErrMat):
		return &classedError{ErrMalformed, err}
	}
	return err
}
