package dataset

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPathExtractsBothSets(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  Set
		file string
	}{
		{name: "cinc2017", set: CinC2017, file: "REFERENCE.csv"},
		{name: "mitdb", set: MITDB, file: "100.atr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := ForTest(t, tc.set)
			if _, err := os.Stat(filepath.Join(dir, tc.file)); err != nil {
				t.Fatalf("got no %s in %s: %v", tc.file, dir, err)
			}
		})
	}
}

func TestChecksumMismatchIsReported(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.tar.xz")
	if err := os.WriteFile(p, []byte("not the data"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkSHA256(p, CinC2017.SHA256); err == nil {
		t.Fatal("got nil error for a tarball with the wrong checksum, want an error")
	}
}
