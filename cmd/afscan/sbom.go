package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/afscan/afscan/dhf"
	"github.com/afscan/afscan/sbom"
	"github.com/afscan/afscan/validation/splits"
	"github.com/spf13/cobra"
)

func init() { register(newSBOMCmd) }

// sbomOptions are the flags shared by afscan sbom and afscan dhf.
type sbomOptions struct {
	reports   []string // validation report.json files or the directories holding them
	vulns     string   // govulncheck -json output of this build
	baseline  string   // govulncheck -json output of an earlier build
	moduleDir string   // module source for the dependency graph
}

func (o *sbomOptions) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&o.reports, "report", nil, "validation report.json (or its directory), repeatable: lists each validation data set")
	f.StringVar(&o.vulns, "vulns", "", "govulncheck -json output for this build: VEX statements")
	f.StringVar(&o.baseline, "vulns-baseline", "", "govulncheck -json output of an earlier build: what it found and --vulns no longer finds is recorded as fixed")
	f.StringVar(&o.moduleDir, "module-dir", "", "module source directory for the dependency graph (go list -deps; default: the go.mod above the working directory when it is this binary's module)")
}

func newSBOMCmd(m *Main) *cobra.Command {
	var o sbomOptions
	var format, out string
	cmd := &cobra.Command{
		Use:   "sbom --format spdx-json|spdx-tv|cyclonedx-json [--out FILE]",
		Short: "Write this binary's software bill of materials (SPDX 2.3 or CycloneDX 1.6) with VEX",
		Long: `sbom writes the software bill of materials of the running afscan binary, from its own
build information: every linked Go module with version, package URL, supplier, SHA-256
and license (from the module cache when present), the Go standard library, dependency
relationships (go list -deps when the module source is at hand), the embedded model with
its SHA-256, the CinC 2017 training split, and the validation data set named in a
validation report. With --vulns, each vulnerability govulncheck reports becomes a VEX
statement (affected / not_affected with reachability as justification / fixed against
--vulns-baseline): CycloneDX vulnerabilities, SPDX annotations and SECURITY references.`,
		Example: "  afscan sbom --format cyclonedx-json --out afscan.cdx.json\n" +
			"  govulncheck -json ./... > vulns.json && afscan sbom --format spdx-json --vulns vulns.json --report out/report.json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "spdx-json", "spdx-tv", "cyclonedx-json":
			default:
				return usageErr{fmt.Errorf("--format %q: want spdx-json, spdx-tv or cyclonedx-json", format)}
			}
			b, err := m.buildBOM(cmd.Context(), o)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := writeBOM(&buf, b, format); err != nil {
				return err
			}
			if out == "" {
				_, err = m.Stdout.Write(buf.Bytes())
				return err
			}
			return os.WriteFile(out, buf.Bytes(), 0o644)
		},
	}
	cmd.Flags().StringVar(&format, "format", "spdx-json", "spdx-json, spdx-tv or cyclonedx-json")
	cmd.Flags().StringVar(&out, "out", "", "output file (default: stdout)")
	o.flags(cmd)
	return cmd
}

func writeBOM(w io.Writer, b *sbom.BOM, format string) error {
	switch format {
	case "spdx-tv":
		return b.WriteSPDXTagValue(w)
	case "cyclonedx-json":
		return b.WriteCycloneDX(w)
	}
	return b.WriteSPDXJSON(w)
}

// buildBOM gathers the inputs of the BOM of this very binary.
func (m *Main) buildBOM(ctx context.Context, o sbomOptions) (*sbom.BOM, error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil, sbom.ErrNoBuildInfo
	}
	opts := sbom.Options{
		BuildInfo: bi,
		Author:    sbom.Supplier{Type: "Organization", Name: "afscan project"},
		Tool:      "afscan-" + toolVersion(),
		Created:   m.now(),
		ModCache:  goEnv(ctx, "GOMODCACHE"),
	}
	dir := o.moduleDir
	if dir == "" {
		if root, err := findModuleRoot("."); err == nil {
			if p, err := dhf.ModulePath(root); err == nil && p == bi.Main.Path {
				dir = root
			}
		}
	}
	if dir != "" {
		opts.MainVersion = "0.0.0-devel+" + dhf.Commit(ctx, dir)
		if strings.HasPrefix(opts.Tool, "afscan-devel") {
			opts.Tool = "afscan-" + opts.MainVersion
		}
		opts.MainLicense = sbom.ModuleLicense(dir)
		pkg := bi.Path
		if bi.Path == "command-line-arguments" || bi.Path == "" {
			pkg = "./cmd/afscan"
		}
		g, err := sbom.ModuleGraph(ctx, "", dir, pkg)
		if err != nil {
			fmt.Fprintf(m.Stderr, "afscan sbom: no dependency graph (%v); every module is recorded as a dependency of the main module\n", oneLine(err))
		} else {
			opts.Graph = g
		}
	}
	opts.MainSHA256 = executableSHA256()
	opts.Model = embeddedModel()
	train := splits.CinC2017Train()
	sum := sha256.Sum256([]byte(strings.Join(train, "\n") + "\n"))
	opts.Datasets = append(opts.Datasets, sbom.Dataset{
		Name: "cinc2017-train", Version: "1.0.0", Purpose: "training", NRecords: len(train),
		SHA256:           hex.EncodeToString(sum[:]),
		Description:      "PhysioNet/Computing in Cardiology Challenge 2017 training set, afscan's locked stratified train split (validation/splits/cinc2017-train.txt; the SHA-256 is of that record list)",
		DownloadLocation: "https://physionet.org/content/challenge-2017/1.0.0/",
		Supplier:         sbom.Supplier{Type: "Organization", Name: "PhysioNet"},
	})
	for _, r := range o.reports {
		ds, reportModel, err := readReport(r)
		if err != nil {
			return nil, usageErr{err}
		}
		opts.Datasets = append(opts.Datasets, ds)
		if reportModel != nil && opts.Model != nil && reportModel.SHA256 != opts.Model.SHA256 {
			fmt.Fprintf(m.Stderr, "afscan sbom: warning: %s validated model %s, not the embedded %s\n", r, reportModel.SHA256, opts.Model.SHA256)
		}
		if opts.Model == nil {
			opts.Model = reportModel
		}
	}
	var err error
	if o.vulns != "" {
		if opts.Vulns, err = readVulns(o.vulns); err != nil {
			return nil, usageErr{err}
		}
	}
	if o.baseline != "" {
		if opts.Baseline, err = readVulns(o.baseline); err != nil {
			return nil, usageErr{err}
		}
	}
	return sbom.Build(opts)
}

func readVulns(path string) (*sbom.VulnReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := sbom.ParseGovulncheck(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// readReport reads the "model" and "dataset" keys of a validation
// report.json (DESIGN.md's stable keys).
func readReport(path string) (sbom.Dataset, *sbom.Artifact, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "report.json")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return sbom.Dataset{}, nil, err
	}
	var r struct {
		Model *struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			SHA256  string `json:"sha256"`
		} `json:"model"`
		Dataset *struct {
			Path        string  `json:"path"`
			NRecords    int     `json:"n_records"`
			SHA256      string  `json:"sha256"`
			Reference   string  `json:"reference"`
			WindowS     float64 `json:"window_s"`
			RecordsFile *struct {
				Path   string `json:"path"`
				SHA256 string `json:"sha256"`
			} `json:"records_file"`
		} `json:"dataset"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return sbom.Dataset{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Dataset == nil || r.Dataset.Path == "" {
		return sbom.Dataset{}, nil, fmt.Errorf("%s: %w", path, errors.New(`no "dataset" with a "path"`))
	}
	name := "validation-" + filepath.Base(filepath.Clean(r.Dataset.Path))
	desc := fmt.Sprintf("Validation data set of a clinical performance run: %s, %d records scored (SHA-256 of its sha256sum-style file manifest)", r.Dataset.Path, r.Dataset.NRecords)
	if rf := r.Dataset.RecordsFile; rf != nil && rf.Path != "" {
		name += "-" + strings.TrimSuffix(filepath.Base(rf.Path), filepath.Ext(rf.Path))
		desc += fmt.Sprintf("; records listed in %s (sha256 %s)", rf.Path, rf.SHA256)
	}
	if r.Dataset.WindowS > 0 {
		name += fmt.Sprintf("-%gs-windows", r.Dataset.WindowS)
		desc += fmt.Sprintf("; %g s windows", r.Dataset.WindowS)
	}
	ds := sbom.Dataset{
		Name: name, Path: r.Dataset.Path, NRecords: r.Dataset.NRecords, SHA256: r.Dataset.SHA256,
		Purpose: "validation", Description: desc,
		Supplier: sbom.Supplier{Type: "Organization", Name: "PhysioNet"},
	}
	var model *sbom.Artifact
	if r.Model != nil && r.Model.SHA256 != "" {
		model = &sbom.Artifact{Name: r.Model.Name, Version: r.Model.Version, SHA256: r.Model.SHA256,
			Description: "Rhythm classifier (ONNX) as identified by the validation report"}
	}
	return ds, model, nil
}

// goEnv returns `go env NAME`, or "" when the go command is unavailable
// (an installed binary without a toolchain still writes an SBOM).
func goEnv(ctx context.Context, name string) string {
	out, err := exec.CommandContext(ctx, "go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// toolVersion is version() without the "(devel)" a source build reports.
func toolVersion() string {
	v := version()
	if strings.HasPrefix(v, "(devel)") {
		return "devel" + strings.TrimPrefix(v, "(devel)")
	}
	return v
}

// executableSHA256 hashes the running executable, the artifact the SBOM
// describes; "" when it cannot be read.
func executableSHA256() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return sbom.FileSHA256(exe)
}
