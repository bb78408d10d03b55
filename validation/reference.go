package validation

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Errors for data sets the harness cannot use at all. Callers treat them as
// input errors (exit status 2); a single unreadable record is an error row.
var (
	ErrNoReference  = errors.New("no reference labels")
	ErrBadReference = errors.New("bad reference file")
)

// RefEntry is one labelled record of a reference file.
type RefEntry struct {
	Record string
	Class  int
}

// Column names recognised in the header of a generic reference CSV,
// compared case-insensitively.
var (
	recordColumns = []string{"record", "record_id", "record_name", "recording", "name", "file", "filename", "id"}
	labelColumns  = []string{"label", "reference", "rhythm", "class", "diagnosis"}
)

// ReadReference parses a reference file: either the CinC 2017
// REFERENCE.csv layout (no header; "record,label" with N, A, O or ~), or a
// generic CSV whose header names a record column (record, record_id, name,
// file, …) and a label column (label, reference, rhythm, class, …). Labels
// are parsed with ParseLabel. Blank lines are skipped. Empty input, an
// unknown label or a duplicate record give an error wrapping
// ErrBadReference with the line number. The entries keep file order.
func ReadReference(r io.Reader) ([]RefEntry, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadReference, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrBadReference)
	}
	recCol, labCol, first := 0, 1, 0
	if rc, lc, ok := headerColumns(rows[0]); ok {
		recCol, labCol, first = rc, lc, 1
	}
	seen := make(map[string]int)
	var out []RefEntry
	for i := first; i < len(rows); i++ {
		row := rows[i]
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		if len(row) <= max(recCol, labCol) {
			return nil, fmt.Errorf("%w: row %d: %d fields, want at least %d", ErrBadReference, i+1, len(row), max(recCol, labCol)+1)
		}
		name := strings.TrimSpace(strings.TrimPrefix(row[recCol], "\ufeff"))
		if name == "" {
			return nil, fmt.Errorf("%w: row %d: empty record name", ErrBadReference, i+1)
		}
		k, err := ParseLabel(row[labCol])
		if err != nil {
			return nil, fmt.Errorf("%w: row %d (%s): %v", ErrBadReference, i+1, name, err)
		}
		if prev, dup := seen[name]; dup {
			return nil, fmt.Errorf("%w: row %d: record %s already listed in row %d", ErrBadReference, i+1, name, prev)
		}
		seen[name] = i + 1
		out = append(out, RefEntry{Record: name, Class: k})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no records", ErrBadReference)
	}
	return out, nil
}

// headerColumns reports whether row is a header naming a record and a label
// column, and their indexes.
func headerColumns(row []string) (rec, lab int, ok bool) {
	rec, lab = -1, -1
	for i, f := range row {
		f = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")))
		if rec < 0 && slices.Contains(recordColumns, f) {
			rec = i
		} else if lab < 0 && slices.Contains(labelColumns, f) {
			lab = i
		}
	}
	return rec, lab, rec >= 0 && lab >= 0
}

// ReadRecordList reads a list of record names, one a line (as
// validation/splits/*.txt and PhysioNet RECORDS files are); blank lines and
// lines starting with # are skipped. It returns the names in file order and
// the file's path and SHA-256.
func ReadRecordList(path string) ([]string, *FileRef, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("records list: %w", err)
	}
	var names []string
	seen := make(map[string]bool)
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if seen[line] {
			return nil, nil, fmt.Errorf("records list %s: line %d: %s listed twice", path, i+1, line)
		}
		seen[line] = true
		names = append(names, line)
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("records list %s: no record names", path)
	}
	sum := sha256.Sum256(b)
	return names, &FileRef{Path: path, SHA256: hex.EncodeToString(sum[:])}, nil
}
