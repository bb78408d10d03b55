package validation

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadReference(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []RefEntry
	}{
		{"CinC 2017, no header", "A00001,N\nA00002,A\nA00003,O\nA00004,~\n",
			[]RefEntry{{"A00001", ClassN}, {"A00002", ClassA}, {"A00003", ClassO}, {"A00004", ClassNo}}},
		{"CRLF and blank line", "A00001,N\r\n\r\nA00002,A\r\n",
			[]RefEntry{{"A00001", ClassN}, {"A00002", ClassA}}},
		{"generic header, other column order", "label,site,record\natrial_fibrillation,x,s1.json\nnormal,y,s2.json\n",
			[]RefEntry{{"s1.json", ClassA}, {"s2.json", ClassN}}},
		{"header with BOM and rhythm names", "\ufeffRecord,Rhythm\np1,AF\np2,Other\np3,inconclusive\n",
			[]RefEntry{{"p1", ClassA}, {"p2", ClassO}, {"p3", ClassNo}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadReference(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("entry %d: got %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestReadReferenceErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"unknown label", "A00001,N\nA00002,X\n", `row 2 (A00002): unknown label "X"`},
		{"duplicate", "A00001,N\nA00001,A\n", "already listed in row 1"},
		{"one column", "A00001\n", "1 fields"},
		{"empty name", ",N\n", "empty record name"},
		{"header only", "record,label\n", "no records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadReference(strings.NewReader(tt.in))
			if !errors.Is(err, ErrBadReference) {
				t.Fatalf("got %v, want ErrBadReference", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestReadRecordList(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(p, []byte("# tune fold\nA00011\n\nA00016\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	names, ref, err := ReadRecordList(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "A00011,A00016" {
		t.Errorf("got %v", names)
	}
	// sha256sum of the file content, computed with coreutils sha256sum.
	if ref.SHA256 != "d4fedeb8273d504a4f7d95bfda186c6c23dfe03f68ad2c53313ef1d43e29d6d2" {
		t.Errorf("got sha256 %s", ref.SHA256)
	}
	if err := os.WriteFile(p, []byte("A1\nA1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadRecordList(p); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("duplicate: got %v", err)
	}
}
