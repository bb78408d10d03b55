package dhf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBundleManifest writes a bundle (sections in the order the caller
// listed them), verifies its manifest, detects a
// tampered, a removed and an added file, and refuses to overwrite a
// directory that is not a bundle.
//
// Verifies: SRS-REG-004
func TestBundleManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bundle")
	b := &Bundle{Title: "t", Commit: "abc", Generated: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Artifacts: []Artifact{
			{Path: "b/two.txt", Section: "S2", Title: "two", Data: []byte("2")},
			{Path: "one.txt", Section: "S1", Title: "one", Data: []byte("1")},
		},
		Missing: []Missing{{Section: "S3", Title: "three", Reason: "not given"}},
	}
	if err := b.Write(dir); err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	// sha256("2") and sha256("1"), in path order.
	if !strings.HasPrefix(string(manifest), "d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35  b/two.txt\n") ||
		!strings.Contains(string(manifest), "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b  one.txt\n") {
		t.Errorf("manifest:\n%s", manifest)
	}
	if lines := strings.Count(string(manifest), "\n"); lines != 3 {
		t.Errorf("manifest has %d lines, want 3 (two artifacts and index.html)", lines)
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if !strings.Contains(string(index), "three: not included — not given") || strings.Index(string(index), ">S2<") > strings.Index(string(index), ">S1<") {
		t.Errorf("index:\n%s", index)
	}
	if p, err := VerifyManifest(dir); err != nil || len(p) != 0 {
		t.Fatalf("fresh bundle: %v %v", p, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "one.txt"), []byte("X"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "b", "two.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "extra"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := VerifyManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p, "; ")
	for _, w := range []string{"one.txt: checksum differs", "b/two.txt: missing", "extra: not in manifest"} {
		if !strings.Contains(got, w) {
			t.Errorf("problems %q lack %q", got, w)
		}
	}
	// A previous bundle is replaced; any other directory is refused.
	if err := b.Write(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "extra")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale file survived: %v", err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(other); !errors.Is(err, ErrNotBundle) {
		t.Errorf("got %v, want ErrNotBundle", err)
	}
	bad := &Bundle{Artifacts: []Artifact{{Path: "../escape", Data: nil}}}
	if err := bad.Write(filepath.Join(t.TempDir(), "x")); err == nil {
		t.Error("got nil error for an artifact path outside the bundle")
	}
}
