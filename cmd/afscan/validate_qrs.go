package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"

	"github.com/afscan/afscan/validation/ec57"
	"github.com/spf13/cobra"
)

func init() { registerValidate(newValidateQRSCmd) }

func newValidateQRSCmd(m *Main) *cobra.Command {
	var (
		dataDir, reference, annotator string
		asJSON, detect                bool
		lead                          int
		minSePct, minPPVPct           float64
	)
	cmd := &cobra.Command{
		Use:   "qrs --data DIR [--json]",
		Short: "Score QRS detection beat by beat against reference annotations (ANSI/AAMI EC57, as WFDB bxb)",
		Long: `validate qrs compares test beats with the reference beat annotations (.atr) of
every record in DIR (those listed in DIR/RECORDS, else every NAME.hea with a
NAME.atr) with the ANSI/AAMI EC57 beat-by-beat method as WFDB's bxb applies it:
150 ms match window, the first 5 minutes as learning period, reference VF
episodes excluded, paced and unclassifiable beats scored as Q. Test beats come
from DIR/NAME.<annotator> when that file exists (e.g. written by 'afscan qrs'),
otherwise afscan's detector runs on the record's lead on the fly.

It prints per-record and gross QRS sensitivity (Se) and positive predictivity
(+P), or with --json one JSON document, and exits 1 when gross Se or +P is
below --min-se / --min-ppv (default 99.8%, requirement SRS-QRS-002).`,
		Example: "  afscan validate qrs --data ~/.cache/afscan/data/bc564fcfdf537cee/mitdb\n  afscan validate qrs --data mitdb --json > ec57.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dataDir == "" {
				dataDir = m.env("data")
			}
			if dataDir == "" {
				return usageErr{fmt.Errorf("--data DIR is required")}
			}
			opts := ec57.RunOptions{Dir: dataDir, Reference: reference, Test: annotator, Lead: lead, ForceDetect: detect, Workers: runtime.GOMAXPROCS(0)}
			var advance func(int)
			finish := func() {}
			opts.Progress = func(_, total int) {
				if advance == nil {
					advance, finish = m.progress(total, "validate qrs")
				}
				advance(1)
			}
			rep, err := ec57.Run(cmd.Context(), opts)
			finish()
			if err != nil {
				return usageErr{err}
			}
			if asJSON {
				b, err := json.Marshal(rep)
				if err != nil {
					return err
				}
				if _, err := m.Stdout.Write(append(b, '\n')); err != nil {
					return err
				}
			} else {
				printEC57(m.Stdout, rep)
			}
			se, ppv := 100*rep.Gross.Sensitivity(), 100*rep.Gross.PositivePredictivity()
			if !(se >= minSePct) || !(ppv >= minPPVPct) {
				return fmt.Errorf("%w: gross Se %.2f%% (min %.2f%%), +P %.2f%% (min %.2f%%)",
					errCheckFailed, se, minSePct, ppv, minPPVPct)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "directory of WFDB records with reference annotations (env AFSCAN_DATA)")
	f.BoolVar(&asJSON, "json", false, "print one JSON document instead of the table")
	f.StringVar(&reference, "reference", "atr", "reference annotator (file extension)")
	f.StringVar(&annotator, "annotator", "qrs", "test annotator: scored from DIR/NAME.<annotator> when present, else detected")
	f.BoolVar(&detect, "detect", false, "ignore test annotation files and run the detector on every record")
	f.IntVar(&lead, "lead", 0, "signal number to detect on when no test annotation file exists")
	f.Float64Var(&minSePct, "min-se", 99.8, "lowest passing gross QRS sensitivity, percent")
	f.Float64Var(&minPPVPct, "min-ppv", 99.8, "lowest passing gross QRS positive predictivity, percent")
	return cmd
}

// printEC57 writes the per-record and gross table in bxb's units (percent,
// two decimals).
func printEC57(w io.Writer, rep *ec57.Report) {
	pct := func(v float64) string {
		if math.IsNaN(v) {
			return "      -"
		}
		return fmt.Sprintf("%7.2f", 100*v)
	}
	fmt.Fprintf(w, "ANSI/AAMI EC57 beat-by-beat QRS detection (bxb rules: 150 ms window, 5 min learning period)\n")
	fmt.Fprintf(w, "reference %s, test %s\n\n", rep.Reference, rep.Test)
	fmt.Fprintf(w, "%-8s %7s %7s %5s %5s %7s %7s  %s\n", "Record", "Beats", "TP", "FN", "FP", "Se%", "+P%", "source")
	for i := range rep.Records {
		r := &rep.Records[i]
		fmt.Fprintf(w, "%-8s %7d %7d %5d %5d %s %s  %s\n", r.Record, r.TP()+r.FN(), r.TP(), r.FN(), r.FP(),
			pct(r.Sensitivity()), pct(r.PositivePredictivity()), r.Source)
	}
	g := &rep.Gross
	fmt.Fprintf(w, "%-8s %7d %7d %5d %5d %s %s\n", "Gross", g.TP()+g.FN(), g.TP(), g.FN(), g.FP(),
		pct(g.Sensitivity()), pct(g.PositivePredictivity()))
	fmt.Fprintf(w, "%-8s %7s %7s %5s %5s %s %s\n", "Average", "", "", "", "",
		pct(rep.AverageSensitivity()), pct(rep.AveragePositivePredictivity()))
	fmt.Fprintf(w, "\n%d records; gross QRS Se %.3f%%, +P %.3f%%\n", len(rep.Records), 100*g.Sensitivity(), 100*g.PositivePredictivity())
}
