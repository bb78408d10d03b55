package dhf

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// TraceOptions name the files a trace is built from.
type TraceOptions struct {
	RequirementsFile string // requirements.yaml
	RisksFile        string // risks.yaml; empty: "risks.yaml" beside RequirementsFile when it exists
	ResultsFile      string // go test -json output
	ModuleRoot       string // directory of go.mod whose *_test.go files are scanned
	Now              time.Time
}

// Trace reads the requirements, risks, test sources and results and builds
// the matrix. The commit is the module root's git HEAD, or the binary's
// vcs.revision build setting when git is unavailable.
func Trace(ctx context.Context, o TraceOptions) (*Matrix, error) {
	reqs, err := readParsed(o.RequirementsFile, ParseRequirements)
	if err != nil {
		return nil, err
	}
	risksFile := o.RisksFile
	if risksFile == "" {
		cand := filepath.Join(filepath.Dir(o.RequirementsFile), "risks.yaml")
		if _, err := os.Stat(cand); err == nil {
			risksFile = cand
		}
	}
	var risks []Risk
	if risksFile != "" {
		if risks, err = readParsed(risksFile, ParseRisks); err != nil {
			return nil, err
		}
	}
	results, err := readParsed(o.ResultsFile, ParseResults)
	if err != nil {
		return nil, err
	}
	tests, err := ScanTests(ctx, o.ModuleRoot)
	if err != nil {
		return nil, err
	}
	return BuildMatrix(TraceInput{
		Requirements: reqs, Risks: risks, Tests: tests, Results: results,
		Commit: Commit(ctx, o.ModuleRoot), Generated: o.Now,
	}), nil
}

func readParsed[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	v, err := parse(f)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// Commit identifies the source revision: git rev-parse HEAD in dir (with
// "+dirty" when tracked files are modified), else the vcs.revision the Go
// toolchain stamped into the binary, else "unknown".
func Commit(ctx context.Context, dir string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	if err == nil {
		rev := strings.TrimSpace(string(out))
		if st, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
			rev += "+dirty"
		}
		return rev
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}

// WriteTrace writes trace.md, trace.html, trace.csv and trace.json into dir.
func WriteTrace(m *Matrix, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	jsonb, err := m.JSON()
	if err != nil {
		return err
	}
	csvb, err := m.CSV()
	if err != nil {
		return err
	}
	htmlb, err := m.HTML()
	if err != nil {
		return err
	}
	for name, b := range map[string][]byte{
		"trace.md": []byte(m.Markdown()), "trace.html": htmlb, "trace.csv": csvb, "trace.json": jsonb,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
