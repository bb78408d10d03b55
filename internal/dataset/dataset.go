package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Set describes one tarball of ../shared/data.
type Set struct {
	Tarball string // file name inside the data directory
	SHA256  string // as listed in ../shared/data/README.md
	Root    string // top-level folder the tarball unpacks into
}

// The data sets of ../shared/data (checksums from its README).
var (
	CinC2017 = Set{
		Tarball: "cinc2017-train.tar.xz",
		SHA256:  "4c7f7f72af37af61d6b1e885caa8761c2e7605bbe84312cb0691df460556b156",
		Root:    "training2017",
	}
	MITDB = Set{
		Tarball: "mitdb.tar.xz",
		SHA256:  "bc564fcfdf537ceea313be8fbf4042d385cac3028062e26ee077788471c826ea",
		Root:    "mitdb",
	}
)

// ErrNoSharedData means ../shared/data (or $AFSCAN_SHARED_DATA) was not found.
var ErrNoSharedData = errors.New("shared data directory not found (set AFSCAN_SHARED_DATA or place ../shared beside the repository)")

// SharedDataDir locates the shared data directory: $AFSCAN_SHARED_DATA if set,
// otherwise shared/data in the repository's parent, found by walking up from
// the working directory to the folder holding go.mod.
func SharedDataDir() (string, error) {
	if d := os.Getenv("AFSCAN_SHARED_DATA"); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", fmt.Errorf("AFSCAN_SHARED_DATA: %w", err)
		}
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared", "data")
			if _, err := os.Stat(d); err == nil {
				return d, nil
			}
			return "", ErrNoSharedData
		}
		if filepath.Dir(dir) == dir {
			return "", ErrNoSharedData
		}
	}
}

// CacheDir is where extracted data sets live: $AFSCAN_DATA_CACHE, or
// afscan/data under the user's cache directory.
func CacheDir() (string, error) {
	if d := os.Getenv("AFSCAN_DATA_CACHE"); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(c, "afscan", "data"), nil
}

// Path returns the directory holding the extracted records of s, extracting
// the tarball on first use after checking its SHA-256. Extraction goes to a
// temporary folder renamed into place, so concurrent callers (parallel test
// binaries) never see a half-extracted set.
func Path(ctx context.Context, s Set) (string, error) {
	dataDir, err := SharedDataDir()
	if err != nil {
		return "", err
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	final := filepath.Join(cache, s.SHA256[:16])
	root := filepath.Join(final, s.Root)
	if _, err := os.Stat(root); err == nil {
		return root, nil
	}
	tarball := filepath.Join(dataDir, s.Tarball)
	if err := checkSHA256(tarball, s.SHA256); err != nil {
		return "", err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cache, "extract-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "tar", "-xJf", tarball, "-C", tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("extract %s: %v: %s", tarball, err, out)
	}
	if err := os.Rename(tmp, final); err != nil {
		// Another process won the race; its copy is as good as ours.
		if _, statErr := os.Stat(root); statErr == nil {
			return root, nil
		}
		return "", fmt.Errorf("install %s: %w", final, err)
	}
	return root, nil
}

func checkSHA256(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%s: sha256 %s, want %s (README of shared/data)", path, got, want)
	}
	return nil
}

// ForTest returns the extracted directory of s, or skips t with the reason
// when the shared data is not available (e.g. outside CI).
func ForTest(t testing.TB, s Set) string {
	t.Helper()
	dir, err := Path(context.Background(), s)
	if errors.Is(err, ErrNoSharedData) {
		t.Skipf("skipping: %s needs %s: %v", t.Name(), s.Tarball, err)
	}
	if err != nil {
		t.Fatalf("data set %s: %v", s.Tarball, err)
	}
	return dir
}
