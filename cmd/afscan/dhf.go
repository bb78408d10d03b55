package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/afscan/afscan/api"
	"github.com/afscan/afscan/dhf"
	"github.com/spf13/cobra"
)

func init() { register(newDHFCmd) }

type dhfOptions struct {
	sbomOptions
	out, results, intendedUse, requirements, risks, modelCard, root string
}

func newDHFCmd(m *Main) *cobra.Command {
	var o dhfOptions
	cmd := &cobra.Command{
		Use:   "dhf --out DIR [--results go-test.json] [--report DIR]... [--vulns FILE]",
		Short: "Build the design history file bundle: classification, requirements, risks, trace, validation, model card, SBOM, OpenAPI",
		Long: `dhf runs the generators and gathers the design history file into DIR: the intended use
and its IMDRF / MDR / IEC 62304 classification, the requirements and the ISO 14971 risk
file, the trace matrix from a go test -json file (--results), the validation report
(--report), the model card, the SBOM in SPDX JSON, SPDX tag-value and CycloneDX with the
vulnerability statement (--vulns, --vulns-baseline: govulncheck -json output), the
OpenAPI document, an index.html linking them and MANIFEST.sha256 over every file.
The same commit and inputs give identical files apart from timestamps
(SOURCE_DATE_EPOCH fixes those too). Exit status 1 when traceability has a gap; the
bundle is written either way.`,
		Example: "  go test -json ./... > go-test.json\n  afscan dhf --out dhf-bundle --results go-test.json --report validation-out/",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.out == "" {
				return usageErr{errors.New("--out DIR is required")}
			}
			return m.runDHF(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "output directory (replaced if it holds a previous bundle)")
	f.StringVar(&o.results, "results", "", "go test -json output for the trace matrix")
	f.StringVar(&o.root, "module-root", "", "afscan source tree (default: the go.mod above the working directory)")
	f.StringVar(&o.intendedUse, "intended-use", "", "intended-use YAML (default: ROOT/dhf/intended-use.yaml)")
	f.StringVar(&o.requirements, "requirements", "", "requirements YAML (default: ROOT/dhf/requirements.yaml)")
	f.StringVar(&o.risks, "risks", "", "risk YAML (default: ROOT/dhf/risks.yaml)")
	f.StringVar(&o.modelCard, "model-card", "", "model card (default: ROOT/model/MODEL_CARD.md)")
	o.flags(cmd)
	return cmd
}

func (m *Main) runDHF(cmd *cobra.Command, o dhfOptions) error {
	ctx := cmd.Context()
	if o.root == "" {
		root, err := findModuleRoot(".")
		if err != nil {
			return usageErr{err}
		}
		o.root = root
	}
	def := func(p *string, rel string) {
		if *p == "" {
			*p = filepath.Join(o.root, filepath.FromSlash(rel))
		}
	}
	def(&o.intendedUse, "dhf/intended-use.yaml")
	def(&o.requirements, "dhf/requirements.yaml")
	def(&o.risks, "dhf/risks.yaml")
	def(&o.modelCard, "model/MODEL_CARD.md")
	if o.moduleDir == "" {
		o.moduleDir = o.root
	}
	now := m.now()
	b := &dhf.Bundle{Title: "afscan design history file", Commit: dhf.Commit(ctx, o.root), Generated: now}
	add := func(section, path, title string, data []byte) {
		b.Artifacts = append(b.Artifacts, dhf.Artifact{Section: section, Path: path, Title: title, Data: data})
	}
	readFile := func(p string) ([]byte, error) {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, usageErr{err}
		}
		return data, nil
	}

	// Intended use and classification.
	const secUse = "Intended use and classification"
	iu, err := readFile(o.intendedUse)
	if err != nil {
		return err
	}
	u, err := dhf.ParseIntendedUse(bytes.NewReader(iu))
	if err != nil {
		return usageErr{fmt.Errorf("%s: %w", o.intendedUse, err)}
	}
	c := dhf.Classify(u)
	cj, err := c.JSON()
	if err != nil {
		return err
	}
	add(secUse, "intended-use.yaml", "Intended use (machine-readable)", iu)
	add(secUse, "classification.md", "Classification: IMDRF, EU MDR Rule 11, IEC 62304", []byte(c.Markdown()))
	add(secUse, "classification.json", "Classification (JSON)", cj)
	b.Facts = append(b.Facts,
		[2]string{"IMDRF SaMD category", c.IMDRF.Category},
		[2]string{"EU MDR class (Rule 11)", c.MDR.Class},
		[2]string{"IEC 62304 software safety class", c.IEC62304.Class})

	// Requirements, risks, trace.
	const secReq, secTrace = "Requirements and risk management", "Verification: traceability"
	for _, f := range []struct{ path, name, title string }{
		{o.requirements, "requirements.yaml", "Requirements (user needs, software, risk controls)"},
		{o.risks, "risks.yaml", "ISO 14971 risk analysis"},
	} {
		data, err := readFile(f.path)
		if err != nil {
			return err
		}
		add(secReq, f.name, f.title, data)
	}
	var gaps []string
	if o.results == "" {
		b.Missing = append(b.Missing, dhf.Missing{Section: secTrace, Title: "Trace matrix", Reason: "no go test -json results given (--results)"})
		gaps = append(gaps, "no test results given")
	} else {
		mx, err := dhf.Trace(ctx, dhf.TraceOptions{RequirementsFile: o.requirements, RisksFile: o.risks, ResultsFile: o.results, ModuleRoot: o.root, Now: now})
		if err != nil {
			return usageErr{err}
		}
		tj, err := mx.JSON()
		if err != nil {
			return err
		}
		tc, err := mx.CSV()
		if err != nil {
			return err
		}
		th, err := mx.HTML()
		if err != nil {
			return err
		}
		add(secTrace, "trace/trace.html", "Trace matrix (HTML)", th)
		add(secTrace, "trace/trace.md", "Trace matrix (Markdown)", []byte(mx.Markdown()))
		add(secTrace, "trace/trace.csv", "Trace matrix (CSV)", tc)
		add(secTrace, "trace/trace.json", "Trace matrix (JSON)", tj)
		res, err := readFile(o.results)
		if err != nil {
			return err
		}
		add(secTrace, "trace/go-test.json", "Test results (go test -json)", res)
		b.Facts = append(b.Facts, [2]string{"traceability", mx.SummaryLine()})
		gaps = mx.Gaps()
		fmt.Fprintf(m.Stdout, "trace: %s\n", mx.SummaryLine())
		for _, w := range mx.Warnings() {
			fmt.Fprintf(m.Stdout, "warning: %s\n", w)
		}
	}

	// Validation and model.
	const secVal, secModel = "Clinical performance validation", "Model"
	if len(o.reports) == 0 {
		b.Missing = append(b.Missing, dhf.Missing{Section: secVal, Title: "Validation report", Reason: "no validation report given (--report)"})
	}
	for _, r := range o.reports {
		dir := r
		if st, err := os.Stat(dir); err == nil && !st.IsDir() {
			dir = filepath.Dir(dir)
		}
		prefix := "validation"
		if len(o.reports) > 1 {
			prefix += "/" + filepath.Base(filepath.Clean(dir))
		}
		arts, err := dhf.ReadDirArtifacts(dir, prefix, secVal)
		if err != nil {
			return usageErr{err}
		}
		b.Artifacts = append(b.Artifacts, arts...)
	}
	if card, err := os.ReadFile(o.modelCard); err == nil {
		add(secModel, "MODEL_CARD.md", "Model card", card)
	} else {
		b.Missing = append(b.Missing, dhf.Missing{Section: secModel, Title: "Model card", Reason: oneLine(err)})
	}

	// SBOM with VEX.
	const secSBOM = "Software bill of materials and vulnerabilities"
	bom, err := m.buildBOM(ctx, o.sbomOptions)
	if err != nil {
		return err
	}
	for _, f := range []struct{ format, name, title string }{
		{"spdx-json", "sbom/afscan.spdx.json", "SBOM, SPDX 2.3 JSON"},
		{"spdx-tv", "sbom/afscan.spdx", "SBOM, SPDX 2.3 tag-value"},
		{"cyclonedx-json", "sbom/afscan.cdx.json", "SBOM, CycloneDX 1.6 JSON (with VEX)"},
	} {
		var buf bytes.Buffer
		if err := writeBOM(&buf, bom, f.format); err != nil {
			return err
		}
		add(secSBOM, f.name, f.title, buf.Bytes())
	}
	add(secSBOM, "sbom/vulnerabilities.md", "Vulnerability status (VEX)", []byte(bom.VEXMarkdown()))
	if o.vulns != "" {
		data, err := readFile(o.vulns)
		if err != nil {
			return err
		}
		add(secSBOM, "sbom/govulncheck.json", "govulncheck -json output", data)
	}
	affected := "not assessed: no govulncheck output given (--vulns)"
	if bom.VulnSource != "" {
		affected = fmt.Sprintf("%d (%s)", len(bom.Affected()), bom.VulnSource)
	}
	b.Facts = append(b.Facts, [2]string{"SBOM components", fmt.Sprint(len(bom.Components))},
		[2]string{"known vulnerabilities reachable in the binary", affected})

	// Interfaces.
	add("Interfaces", "openapi.json", "HTTP API, OpenAPI 3.1", api.OpenAPI())

	if err := b.Write(o.out); err != nil {
		return usageErr{err}
	}
	fmt.Fprintf(m.Stdout, "dhf: wrote %d files and %s to %s\n", len(b.Artifacts)+1, dhf.ManifestName, o.out)
	for _, g := range gaps {
		fmt.Fprintf(m.Stdout, "gap: %s\n", g)
	}
	if len(gaps) > 0 {
		return fmt.Errorf("%w: %d traceability gaps (see %s)", errCheckFailed, len(gaps), filepath.Join(o.out, "trace", "trace.md"))
	}
	return nil
}
