package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/validation/ec57"
	"github.com/spf13/cobra"
)

func init() { register(newQRSCmd) }

func newQRSCmd(m *Main) *cobra.Command {
	var annotator, outDir string
	var lead int
	cmd := &cobra.Command{
		Use:   "qrs [--annotator qrs] [--out-dir DIR] [--lead N] RECORD...",
		Short: "Detect QRS complexes and write them as a WFDB annotation file (RECORD.qrs)",
		Long: `qrs reads each WFDB record (header path, with or without .hea), detects the
QRS complexes of one lead with afscan's Pan–Tompkins/Hamilton–Tompkins detector
(ecg.DetectRPeaks), and writes them next to the record, or into --out-dir, as a
standard MIT-format annotation file named RECORD.<annotator>: every beat has
code N, chan 0. WFDB tools (rdann, bxb) and 'afscan validate qrs' read it.
Invalid samples are held at the last valid value. Rates outside 125–1000 Hz
are rejected.`,
		Example: "  afscan qrs --out-dir /tmp/qrs mitdb/100 mitdb/101\n  afscan validate qrs --data mitdb",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if outDir == "" {
				outDir = m.env("out-dir")
			}
			if annotator == "" || strings.ContainsAny(annotator, `/\.`) {
				return usageErr{fmt.Errorf("--annotator %q: want a plain file extension such as qrs", annotator)}
			}
			det := ecg.NewDetector(ecg.Options{})
			advance, finish := m.progress(len(args), "qrs")
			defer finish()
			var peaks []int
			for _, arg := range args {
				if err := cmd.Context().Err(); err != nil {
					return err
				}
				rec, err := ecg.ReadRecord(arg)
				if err != nil {
					return usageErr{err}
				}
				if lead < 0 || lead >= len(rec.Leads) {
					return usageErr{fmt.Errorf("%s: --lead %d: record has %d leads", arg, lead, len(rec.Leads))}
				}
				samples := ec57.HoldInvalid(rec.Leads[lead].Samples)
				peaks, err = det.Detect(peaks, samples, rec.SampleRateHz)
				if err != nil {
					return usageErr{fmt.Errorf("%s: %w", arg, err)}
				}
				var buf bytes.Buffer
				if err := ecg.WriteAnnotations(&buf, ec57.BeatAnnotations(peaks)); err != nil {
					return fmt.Errorf("%s: %w", arg, err)
				}
				dir, base := filepath.Split(arg)
				base = strings.TrimSuffix(strings.TrimSuffix(base, ".hea"), ".mat")
				if outDir != "" {
					dir = outDir
				}
				out := filepath.Join(dir, base+"."+annotator)
				if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
					return err
				}
				advance(1)
				fmt.Fprintf(m.Stdout, "%s: %d beats in %s, lead %s -> %s\n",
					rec.Name, len(peaks), rec.Duration().Round(1e9), rec.Leads[lead].Name, out)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&annotator, "annotator", "qrs", "annotator name: the output file's extension")
	f.StringVar(&outDir, "out-dir", "", "write the annotation files here instead of beside each record (env AFSCAN_OUT_DIR)")
	f.IntVar(&lead, "lead", 0, "signal number to detect on (0 = first)")
	return cmd
}
