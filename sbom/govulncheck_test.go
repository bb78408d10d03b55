package sbom

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ciPins reads the pinned versions from .ci/setup.d/60-sbom.env, the one
// place CI and this test take them from.
func ciPins(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", ".ci", "setup.d", "60-sbom.env"))
	if err != nil {
		t.Skipf("no CI pins: %v", err)
	}
	defer f.Close()
	pins := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if ok && !strings.HasPrefix(k, "#") && !strings.ContainsAny(v, "$") {
			pins[k] = v
		}
	}
	return pins
}

// TestNoReachableVulnerability runs govulncheck on the shipped binary's
// packages (./cmd/afscan) with the patched toolchain against the pinned
// vulnerability database, and fails on any vulnerable symbol reachable
// from afscan's code. It skips where govulncheck, the database or the
// toolchain is not installed (.ci/setup.d/60-sbom.sh installs them) and in
// -short mode.
//
// Verifies: SRS-SEC-005
func TestNoReachableVulnerability(t *testing.T) {
	if testing.Short() {
		t.Skip("govulncheck takes about a minute")
	}
	pins := ciPins(t)
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	db := filepath.Join(cache, "afscan", "vulndb-"+pins["VULNDB_VERSION"])
	if _, err := os.Stat(filepath.Join(db, "index")); err != nil {
		t.Skipf("vulnerability database %s not built: %v", pins["VULNDB_VERSION"], err)
	}
	gv, err := exec.LookPath("govulncheck")
	if err != nil {
		gopath, gerr := exec.Command("go", "env", "GOPATH").Output()
		if gerr != nil {
			t.Skip(err)
		}
		gv = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "govulncheck")
		if _, err := os.Stat(gv); err != nil {
			t.Skip("govulncheck not installed")
		}
	}
	toolchain := pins["AFSCAN_GOTOOLCHAIN"]
	cmd := exec.Command(gv, "-db", "file://"+db, "-json", "./cmd/afscan")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+toolchain)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("govulncheck: %v\n%s", err, stderr.Bytes())
	}
	rep, err := ParseGovulncheck(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Config.GoVersion != toolchain {
		t.Errorf("scanned with %s, want %s", rep.Config.GoVersion, toolchain)
	}
	st := Statements(rep, nil, map[string]string{}, "app")
	for _, s := range st {
		if s.Status == StatusAffected {
			t.Errorf("%s (%s %s, fixed in %s) is reachable: %s", s.ID, s.Module, s.Version, s.FixedVersion, s.Detail)
		}
	}
	t.Logf("%s: %d known vulnerabilities in required modules, none reachable", rep.Source(), len(st))
}
