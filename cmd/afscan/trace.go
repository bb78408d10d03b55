package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/afscan/afscan/dhf"
	"github.com/spf13/cobra"
)

func init() { register(newTraceCmd) }

func newTraceCmd(m *Main) *cobra.Command {
	var o dhf.TraceOptions
	var out string
	cmd := &cobra.Command{
		Use:   "trace --requirements FILE --results go-test.json --out DIR",
		Short: "Build the requirements → tests → results trace matrix from go test -json output",
		Long: `trace reads the requirements (and the ISO 14971 risk file beside them, or --risks),
finds the tests that verify each requirement from the "// Verifies: ID, ..." line of
their doc comments (every *_test.go of the module), and joins them with the results of
a go test -json run. It writes trace.md, trace.html, trace.csv and trace.json to --out
with the commit and date, and lists the gaps: requirements without test, tests naming
unknown ids, requirements whose tests failed, were skipped or did not run, and risks
whose controls are not verified. Exit status 1 when there is any gap.`,
		Example: "  go test -json ./... > go-test.json\n  afscan trace --requirements dhf/requirements.yaml --results go-test.json --out trace/",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.RequirementsFile == "" || o.ResultsFile == "" || out == "" {
				return usageErr{errors.New("--requirements, --results and --out are required")}
			}
			if o.ModuleRoot == "" {
				root, err := findModuleRoot(filepath.Dir(o.RequirementsFile))
				if err != nil {
					return usageErr{err}
				}
				o.ModuleRoot = root
			}
			o.Now = m.now()
			mx, err := dhf.Trace(cmd.Context(), o)
			if err != nil {
				return usageErr{err}
			}
			if err := dhf.WriteTrace(mx, out); err != nil {
				return err
			}
			return reportGaps(m, mx, out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.RequirementsFile, "requirements", "", "requirements YAML file")
	f.StringVar(&o.RisksFile, "risks", "", "risk YAML file (default: risks.yaml beside --requirements)")
	f.StringVar(&o.ResultsFile, "results", "", "go test -json output")
	f.StringVar(&o.ModuleRoot, "module-root", "", "root of the Go module whose tests are scanned (default: the go.mod above --requirements)")
	f.StringVar(&out, "out", "", "output directory")
	return cmd
}

// reportGaps prints the coverage line and the gaps, and turns gaps into
// exit status 1.
func reportGaps(m *Main, mx *dhf.Matrix, out string) error {
	fmt.Fprintf(m.Stdout, "trace: %s\n", mx.SummaryLine())
	for _, w := range mx.Warnings() {
		fmt.Fprintf(m.Stdout, "warning: %s\n", w)
	}
	gaps := mx.Gaps()
	for _, g := range gaps {
		fmt.Fprintf(m.Stdout, "gap: %s\n", g)
	}
	if len(gaps) > 0 {
		return fmt.Errorf("%w: %d traceability gaps (see %s)", errCheckFailed, len(gaps), filepath.Join(out, "trace.md"))
	}
	return nil
}

// findModuleRoot walks up from dir to the first directory with a go.mod.
func findModuleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: give --module-root", abs)
		}
	}
}

// now is the timestamp written into generated evidence: SOURCE_DATE_EPOCH
// (reproducible-builds.org) when set, else the clock.
func (m *Main) now() time.Time {
	if s := m.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(sec, 0).UTC()
		}
	}
	return m.Now().UTC()
}
