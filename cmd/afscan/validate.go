package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/inference/input"
	"github.com/afscan/afscan/validation"
	"github.com/afscan/afscan/validation/criteria"
)

func init() {
	register(func(m *Main) *cobra.Command { return newValidateCmd(m, defaultClassifier) })
}

// newValidateCmd builds `afscan validate` with the classifier made by
// newClassifier (tests pass a fake), and adds every registered child
// (e.g. `validate qrs`).
func newValidateCmd(m *Main, newClassifier func() (validation.Classifier, error)) *cobra.Command {
	var (
		dataDir, criteriaPath, outDir, recordsPath, referencePath string
		asJSON                                                    bool
		window                                                    time.Duration
		workers, resamples                                        int
		seed                                                      uint64
	)
	cmd := &cobra.Command{
		Use:   "validate --data DIR [--criteria FILE] [--out DIR] [--json]",
		Short: "Clinical performance validation of the AF classifier against reference labels",
		Long: `validate classifies every record of a labelled data set and writes the validation
report (DESIGN.md): report.json, report.md, a self-contained report.html with ROC and
calibration plots, and predictions.csv, into --out.

Reference: DIR/REFERENCE.csv (CinC 2017: "record,label", labels N A O ~, no header),
or --reference FILE, a CSV whose header names a record and a label column. With
--windows 30s the records of DIR that have .hea and .atr files (MIT-BIH) are cut into
30 s windows of lead 0 labelled from the rhythm annotations ((AFIB → A, (N → N, other
rhythms → O; windows spanning a rhythm change are dropped).

Figures: confusion over N/A/O/~; per class sensitivity, specificity, PPV, F1; AF vs
non-AF with inconclusive excluded and the inconclusive rate beside it; the CinC 2017
score; Wilson 95% CIs for proportions, seeded percentile-bootstrap CIs for F1 and the
score; ROC/AUC and calibration of p(AF); subgroups by strip length, heart rate and
signal quality. A record that cannot be read or classified is an error row, scored
as an inconclusive call.

Acceptance criteria (YAML, --criteria; default: the built-in
validation/criteria/default.yaml) are lines "metric op number", op one of
>= <= > < ==, e.g. "af.sensitivity.ci95_lower >= 0.90". Metrics (append
.ci95_lower or .ci95_upper for a bound of the 95% interval):
  af.{sensitivity,specificity,ppv,f1}   (classifiable strips: inconclusive excluded)
  af_intent_to_diagnose.{sensitivity,specificity,ppv,f1}   (inconclusive counted as wrong)
  per_class.{N,A,O,~}.{sensitivity,specificity,ppv,f1}
  cinc2017_f1  inconclusive_rate  error_rate
and, without intervals: af.auc af.brier af.ece n_records n_errors.

Exit status: 0 all criteria met; 1 a criterion failed; 2 usage, data or criteria error.`,
		Example: `  afscan validate --data ~/.cache/afscan/data/4c7f7f72af37af61/training2017 \
      --records validation/splits/cinc2017-tune.txt --out out/tune
  afscan validate --data mitdb --windows 30s --out out/mitdb --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start := m.Now()
			if dataDir == "" {
				dataDir = m.env("data")
			}
			if dataDir == "" {
				return usageErr{errors.New("--data DIR is required")}
			}
			if resamples < 1000 {
				// Percentile intervals need enough resamples for stable
				// 2.5% tails (Efron & Tibshirani 1993, ch. 13).
				return usageErr{fmt.Errorf("--resamples %d: need at least 1000 for percentile bootstrap intervals", resamples)}
			}
			if window < 0 {
				return usageErr{fmt.Errorf("--windows %s: must be positive", window)}
			}
			crit, err := loadCriteria(criteriaPath)
			if err != nil {
				return usageErr{err}
			}
			opts := validation.Options{
				DataDir:         filepath.Clean(dataDir),
				Reference:       referencePath,
				Window:          window,
				Workers:         workers,
				ReadRecord:      input.ReadFile,
				ReadAnnotations: ecg.ReadAnnotationFile,
				Resamples:       resamples,
				Seed:            seed,
			}
			if recordsPath != "" {
				opts.Records, opts.RecordsFile, err = validation.ReadRecordList(recordsPath)
				if err != nil {
					return usageErr{err}
				}
			}
			// Run calls Started before it starts any worker, so the workers
			// see the bar it creates.
			advance, finish := func(int) {}, func() {}
			opts.Started = func(n int) { advance, finish = m.progress(n, "validate") }
			opts.Progress = func(n int) { advance(n) }
			c, err := newClassifier()
			if err != nil {
				return fmt.Errorf("load classifier: %w", err)
			}
			rep, err := validation.Run(cmd.Context(), c, opts)
			finish()
			if err != nil {
				return usageErr{err}
			}
			rep.ApplyCriteria(crit)
			rep.Software = validation.Software{Name: "afscan", Version: version(), CommandLine: commandLine(cmd)}
			rep.GeneratedAt = start.UTC().Format(time.RFC3339)
			rep.DurationS = m.Now().Sub(start).Round(time.Millisecond).Seconds()
			if err := validation.Write(outDir, rep); err != nil {
				return err
			}
			if asJSON {
				b, err := rep.JSON()
				if err != nil {
					return err
				}
				if _, err := m.Stdout.Write(b); err != nil {
					return err
				}
			} else {
				if workers <= 0 {
					workers = runtime.GOMAXPROCS(0)
				}
				printSummary(m, rep, outDir, workers)
			}
			if !rep.Pass {
				failed := rep.Failed()
				return fmt.Errorf("%w: %d of %d acceptance criteria not met: %s (report in %s)",
					errCheckFailed, len(failed), len(rep.Criteria), strings.Join(failed, "; "), outDir)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "directory of records and reference labels (env AFSCAN_DATA)")
	f.StringVar(&criteriaPath, "criteria", "", "acceptance criteria YAML (default: built-in validation/criteria/default.yaml)")
	f.StringVar(&outDir, "out", "validation-report", "directory for report.json, report.md, report.html, predictions.csv")
	f.BoolVar(&asJSON, "json", false, "print report.json on stdout instead of the summary")
	f.StringVar(&recordsPath, "records", "", "only the records listed in FILE (one name a line, e.g. validation/splits/cinc2017-tune.txt)")
	f.StringVar(&referencePath, "reference", "", "reference CSV (default DIR/REFERENCE.csv)")
	f.DurationVar(&window, "windows", 0, "cut annotated WFDB records (MIT-BIH .hea+.atr) into windows of this length, e.g. 30s")
	f.IntVar(&workers, "workers", 0, "records classified at once (default: number of CPUs)")
	f.IntVar(&resamples, "resamples", validation.DefaultResamples, "bootstrap resamples for the F1 and CinC score CIs (at least 1000)")
	f.Uint64Var(&seed, "seed", validation.DefaultSeed, "bootstrap seed")
	for _, c := range validateChildren {
		cmd.AddCommand(c(m))
	}
	return cmd
}

// loadCriteria reads the criteria file, or the built-in default.
func loadCriteria(path string) (*validation.Criteria, error) {
	if path == "" {
		return validation.NewCriteria(criteria.DefaultPath, criteria.Default())
	}
	return validation.ReadCriteria(path)
}

// commandLine reconstructs the invocation from the flags that were set, in
// name order, so the report records exactly what was run.
func commandLine(cmd *cobra.Command) string {
	parts := []string{cmd.CommandPath()}
	var flags []*pflag.Flag
	cmd.Flags().Visit(func(f *pflag.Flag) { flags = append(flags, f) })
	sort.Slice(flags, func(i, j int) bool { return flags[i].Name < flags[j].Name })
	for _, f := range flags {
		if f.Value.Type() == "bool" {
			parts = append(parts, "--"+f.Name)
			continue
		}
		parts = append(parts, "--"+f.Name+" "+f.Value.String())
	}
	return strings.Join(parts, " ")
}

func printSummary(m *Main, r *validation.Report, outDir string, workers int) {
	w := m.Stdout
	fmt.Fprintf(w, "validation %s: %d records (%d errors), model %s %s\n", r.Verdict(), r.NRecords, r.NErrors, r.Model.Name, r.Model.Version)
	fmt.Fprintf(w, "AF sensitivity %s  specificity %s  PPV %s  (inconclusive excluded, %d compared)\n",
		withCI(r.AF.Sensitivity, r.AF.CI95.Sensitivity), withCI(r.AF.Specificity, r.AF.CI95.Specificity), withCI(r.AF.PPV, r.AF.CI95.PPV), r.AF.N)
	fmt.Fprintf(w, "inconclusive rate %s  CinC 2017 score %s  AF AUC %s\n",
		withCI(r.InconclusiveRate, r.InconclusiveRateCI95), withCI(r.CinC2017F1, r.CinC2017F1CI95), fmtFig(r.AF.AUC))
	fmt.Fprintf(w, "confusion (rows: reference, columns: call %s):", strings.Join(r.Confusion.Labels, " "))
	for i, row := range r.Confusion.Matrix {
		fmt.Fprintf(w, "  %s %v", r.Confusion.Labels[i], row)
	}
	fmt.Fprintln(w)
	for _, c := range r.Criteria {
		res := "pass"
		if !c.Pass {
			res = "FAIL"
		}
		fmt.Fprintf(w, "  %-4s %s (value %s)\n", res, c.Name, fmtFig(c.Value))
	}
	fmt.Fprintf(w, "report: %s (%.1f s, %d workers)\n", filepath.Join(outDir, validation.FileHTML), r.DurationS, workers)
}

func fmtFig(v validation.Num) string {
	if !v.Defined() {
		return "n/a"
	}
	return fmt.Sprintf("%.4f", float64(v))
}

func withCI(v validation.Num, ci [2]validation.Num) string {
	return fmt.Sprintf("%s [%s, %s]", fmtFig(v), fmtFig(ci[0]), fmtFig(ci[1]))
}

// defaultClassifier loads the embedded model with its operating point.
func defaultClassifier() (validation.Classifier, error) {
	return inference.NewDefault()
}
