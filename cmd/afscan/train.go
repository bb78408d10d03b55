package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/afscan/afscan/model"
	"github.com/afscan/afscan/model/train"
	"github.com/afscan/afscan/validation/splits"
	"github.com/spf13/cobra"
)

func init() { register(newTrainCmd) }

// defaultTrainList names the locked training fold; the list itself is
// embedded in package splits so the command works from any directory.
const defaultTrainList = "validation/splits/cinc2017-train.txt"

func newTrainCmd(m *Main) *cobra.Command {
	var dataDir, out, records, reportPath, tunePath string
	var seed uint64
	var search bool
	var workers int
	cmd := &cobra.Command{
		Use:   "train --data DIR --out FILE [--seed N] [--records LIST]",
		Short: "Train the AF model on CinC 2017 records and write it as an ONNX file",
		Long: `train reads every record named in --records (default: the locked CinC 2017
training fold, ` + defaultTrainList + `) from --data (the CinC 2017
training2017 folder with REFERENCE.csv), extracts the features with the very
code the classifier runs, chooses the number of boosting rounds by stratified
5-fold cross-validation, fits a temperature on the out-of-fold scores, refits
gradient-boosted oblivious trees on all records and writes the ONNX model to
--out. The same data and seed give a byte-identical file; its SHA-256 is
printed. --search also cross-validates a small hyper-parameter grid first.
--tune scores the new model once on a held-out list (the locked tune fold);
nothing is chosen from that figure.`,
		Example: "  afscan train --data ~/.cache/afscan/data/4c7f7f72af37af61/training2017 --out model/afscan.onnx\n" +
			"  afscan train --data DIR --out /tmp/m.onnx --tune validation/splits/cinc2017-tune.txt --report /tmp/report.json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dataDir == "" {
				dataDir = m.env("data")
			}
			if dataDir == "" || out == "" {
				return usageErr{errors.New("--data and --out are required")}
			}
			labels, err := train.ReadReference(filepath.Join(dataDir, "REFERENCE.csv"))
			if err != nil {
				return usageErr{fmt.Errorf("--data: %w", err)}
			}
			names := splits.CinC2017Train()
			if records != "" {
				if names, err = readList(records); err != nil {
					return usageErr{fmt.Errorf("--records: %w", err)}
				}
			}
			ctx := cmd.Context()
			advance, finish := m.progress(len(names), "features")
			d, err := train.Extract(ctx, dataDir, names, labels, train.ExtractOptions{Workers: workers, Progress: func() { advance(1) }})
			finish()
			if err != nil {
				return err
			}
			opt := train.Options{Name: model.Name, Version: model.Version, Seed: seed,
				Log: func(format string, a ...any) { fmt.Fprintf(m.Stderr, format+"\n", a...) }}
			if search {
				opt.Search = train.SearchGrid()
			}
			b, rep, err := train.TrainDataset(ctx, d, opt)
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
			printTrainReport(m.Stdout, rep)
			result := map[string]any{"train": rep}
			if tunePath != "" {
				tnames, err := readList(tunePath)
				if err != nil {
					return usageErr{fmt.Errorf("--tune: %w", err)}
				}
				td, err := train.Extract(ctx, dataDir, tnames, labels, train.ExtractOptions{Workers: workers})
				if err != nil {
					return err
				}
				ev, err := train.Evaluate(b, td, rep.AFThreshold)
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "\ntune fold (%s, %d records), scored once:\n", tunePath, len(tnames))
				printConfusion(m.Stdout, "model argmax", ev.Model)
				printConfusion(m.Stdout, "with pipeline gating", ev.Gated)
				printConfusion(m.Stdout, fmt.Sprintf("gating + AF threshold %.3f", rep.AFThreshold), ev.Threshold)
				result["tune"] = ev
			}
			if reportPath != "" {
				j, err := json.MarshalIndent(result, "", "  ")
				if err != nil {
					return err
				}
				if err := os.WriteFile(reportPath, append(j, '\n'), 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(m.Stdout, "\nwrote %s (%d bytes) sha256 %s\n", out, rep.Bytes, rep.SHA256)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "CinC 2017 folder holding REFERENCE.csv and the records (env AFSCAN_DATA)")
	f.StringVar(&out, "out", "", "ONNX file to write")
	f.Uint64Var(&seed, "seed", 1, "seed of the fold assignment and subsampling")
	f.StringVar(&records, "records", "", "file listing the training records, one a line (default: the embedded "+defaultTrainList+")")
	f.BoolVar(&search, "search", false, "cross-validate the hyper-parameter grid before the final fit")
	f.StringVar(&reportPath, "report", "", "write the training (and tune) figures as JSON to this file")
	f.StringVar(&tunePath, "tune", "", "score the new model once on the records of this list")
	f.IntVar(&workers, "workers", 0, "parallel feature extractors (default GOMAXPROCS)")
	return cmd
}

func readList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return train.ReadList(f)
}

func printTrainReport(w io.Writer, r *train.Report) {
	p := r.Params
	fmt.Fprintf(w, "trained on %d records (N %d, A %d, O %d, ~ %d)\n", r.Records, r.ClassCounts[0], r.ClassCounts[1], r.ClassCounts[2], r.ClassCounts[3])
	trees := fmt.Sprintf("%d rounds × 4 oblivious trees of depth %d (one per class)", p.Rounds, p.Depth)
	if p.VectorLeaves {
		trees = fmt.Sprintf("%d oblivious trees of depth %d (a value per class in each leaf)", p.Rounds, p.Depth)
	}
	fmt.Fprintf(w, "model: %s, learning rate %g, L2 %g, class-weight power %g, temperature %.4f\n",
		trees, p.LearningRate, p.L2, p.ClassWeightPower, r.Temperature)
	for _, row := range r.Search {
		fmt.Fprintf(w, "rounds: CV CinC %.4f ± %.4f (bootstrap SE) at best, %d rounds; one-SE rule keeps %d rounds (CinC %.4f)\n",
			row.TopCinCScore, row.CinCStdErr, row.TopRound, row.BestRound, row.CinCScore)
	}
	fmt.Fprintf(w, "\n%d-fold cross-validation inside the training records (out-of-fold):\n", r.Folds)
	printConfusion(w, "model argmax", r.CV.Confusion)
	fmt.Fprintf(w, "log loss %.4f (raw) → %.4f (calibrated)\n", r.CV.LogLossRaw, r.CV.LogLossCalib)
	b := r.AFThresholdFigures
	fmt.Fprintf(w, "AF operating point P(A) ≥ %.3f: sensitivity %s, specificity %s\n", r.AFThreshold, fmtProp(b.Sensitivity()), fmtProp(b.Specificity()))
}

func printConfusion(w io.Writer, title string, c train.Confusion) {
	labels := []string{"N", "A", "O", "~"}
	fmt.Fprintf(w, "%s: CinC score %.4f; F1 N %.4f A %.4f O %.4f ~ %.4f\n", title, c.CinCScore(), c.F1(0), c.F1(1), c.F1(2), c.F1(3))
	fmt.Fprintf(w, "  truth\\called %s\n", strings.Join(labels, "      "))
	for t, row := range c {
		fmt.Fprintf(w, "  %-12s", labels[t])
		for _, n := range row {
			fmt.Fprintf(w, "%-7d", n)
		}
		fmt.Fprintln(w)
	}
	b := c.AFBinary()
	fmt.Fprintf(w, "  AF vs rest (called ~ excluded): sensitivity %s, specificity %s, PPV %s, F1 %.4f, inconclusive %s\n",
		fmtProp(b.Sensitivity()), fmtProp(b.Specificity()), fmtProp(b.PPV()), b.F1(), fmtProp(b.InconclusiveRate()))
}

func fmtProp(p train.Proportion) string {
	return fmt.Sprintf("%.4f [%.4f, %.4f] (%d/%d)", p.Value, p.Low, p.High, p.K, p.N)
}
