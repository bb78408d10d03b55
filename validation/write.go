package validation

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The files Write produces in the output directory.
const (
	FileJSON        = "report.json"
	FileMarkdown    = "report.md"
	FileHTML        = "report.html"
	FilePredictions = "predictions.csv"
)

// Write writes report.json, report.md, report.html and predictions.csv of r
// into dir (created if needed). Each file is written to a temporary name and
// renamed, so a reader never sees half a report.
func Write(dir string, r *Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	js, err := r.JSON()
	if err != nil {
		return err
	}
	html, err := r.HTML()
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{FileJSON, js},
		{FileMarkdown, r.Markdown()},
		{FileHTML, html},
		{FilePredictions, r.PredictionsCSV()},
	} {
		if err := writeAtomic(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// JSON returns report.json: indented, keys as DESIGN.md fixes them, with a
// trailing newline.
func (r *Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	return append(b, '\n'), nil
}

// PredictionsCSV returns predictions.csv: a header and one row per record
// in run order: record, reference and predicted label (CinC letters;
// predicted empty for an error row), the four probabilities, heart rate
// (bpm), signal quality, strip duration (s), the inconclusive reason and
// the error.
func (r *Report) PredictionsCSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"record", "reference", "predicted", "p_N", "p_A", "p_O", "p_~",
		"heart_rate_bpm", "signal_quality", "duration_s", "reason", "error"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	for i := range r.Predictions {
		p := &r.Predictions[i]
		row := []string{p.Record, Labels[p.Reference], Labels[p.Call()], "", "", "", "", "", "", "", "", ""}
		if p.Duration > 0 {
			row[9] = strconv.FormatFloat(p.Duration.Seconds(), 'f', 3, 64)
		}
		if p.Err != nil {
			row[2] = ""
			row[11] = p.Err.Error()
		} else {
			for k := range nClasses {
				row[3+k] = f(p.Prob(k))
			}
			row[7] = strconv.FormatFloat(p.Result.HeartRateBPM, 'f', 1, 64)
			row[8] = f(p.Result.SignalQuality)
			row[10] = p.Result.Reason
		}
		_ = w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

// pct formats a proportion as a percentage with one decimal.
func pct(v Num) string {
	if !v.Defined() {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(v))
}

func pctCI(ci [2]Num) string {
	if !ci[0].Defined() || !ci[1].Defined() {
		return "n/a"
	}
	return fmt.Sprintf("%.1f–%.1f%%", 100*float64(ci[0]), 100*float64(ci[1]))
}

func numCI(ci [2]Num) string {
	if !ci[0].Defined() || !ci[1].Defined() {
		return "n/a"
	}
	return fmt.Sprintf("%.3f–%.3f", float64(ci[0]), float64(ci[1]))
}

// Verdict returns "PASS" or "FAIL".
func (r *Report) Verdict() string {
	if r.Pass {
		return "PASS"
	}
	return "FAIL"
}

// Markdown returns report.md: the same figures as report.json, for people.
func (r *Report) Markdown() []byte {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# afscan clinical performance validation — %s\n\n", r.Verdict())
	p("| | |\n|---|---|\n")
	p("| Model | %s %s (sha256 `%s`) |\n", r.Model.Name, r.Model.Version, r.Model.SHA256)
	p("| Data set | `%s` — %d records scored (%d source records), reference %s |\n", r.Dataset.Path, r.Dataset.NRecords, r.Dataset.NSourceRecord, r.Dataset.Reference)
	p("| Data set sha256 | `%s` |\n", r.Dataset.SHA256)
	if r.Dataset.WindowS > 0 {
		p("| Windows | %g s on lead 0, labelled from rhythm annotations |\n", r.Dataset.WindowS)
	}
	if rf := r.Dataset.RecordsFile; rf != nil {
		p("| Records list | `%s` (sha256 `%s`) |\n", rf.Path, rf.SHA256)
	}
	if cf := r.CriteriaFile; cf != nil {
		p("| Criteria | `%s` (sha256 `%s`) |\n", cf.Path, cf.SHA256)
	}
	p("| Software | %s %s |\n", r.Software.Name, r.Software.Version)
	p("| Command | `%s` |\n", r.Software.CommandLine)
	p("| Generated | %s (%.1f s) |\n\n", r.GeneratedAt, r.DurationS)

	p("## Acceptance criteria\n\n")
	if len(r.Criteria) == 0 {
		p("No criteria file was given.\n\n")
	} else {
		p("| criterion | value | result |\n|---|---|---|\n")
		for _, c := range r.Criteria {
			res := "pass"
			if !c.Pass {
				res = "**FAIL**"
			}
			p("| `%s` | %s | %s |\n", c.Name, fmtNum(c.Value, 4), res)
		}
		p("\n")
	}

	p("## Summary (95%% CI)\n\n")
	p("AF vs non-AF on classifiable strips (reference and call not inconclusive; %d records, %d excluded):\n\n", r.AF.N, r.AF.NExcluded)
	p("| figure | value | 95%% CI |\n|---|---|---|\n")
	p("| AF sensitivity | %s | %s |\n", pct(r.AF.Sensitivity), pctCI(r.AF.CI95.Sensitivity))
	p("| AF specificity | %s | %s |\n", pct(r.AF.Specificity), pctCI(r.AF.CI95.Specificity))
	p("| AF PPV | %s | %s |\n", pct(r.AF.PPV), pctCI(r.AF.CI95.PPV))
	p("| AF F1 | %s | %s |\n", fmtNum(r.AF.F1, 3), numCI(r.AF.CI95.F1))
	p("| Inconclusive rate | %s | %s |\n", pct(r.InconclusiveRate), pctCI(r.InconclusiveRateCI95))
	p("| CinC 2017 score (mean F1 N, A, O) | %s | %s |\n", fmtNum(r.CinC2017F1, 3), numCI(r.CinC2017F1CI95))
	itd := r.AFIntentToDiagnose
	p("| AF sensitivity, inconclusive counted as missed (%d records) | %s | %s |\n", itd.N, pct(itd.Sensitivity), pctCI(itd.CI95.Sensitivity))
	p("| AF specificity, inconclusive counted as false alarm | %s | %s |\n", pct(itd.Specificity), pctCI(itd.CI95.Specificity))
	p("| AF AUC | %s | |\n", fmtNum(r.AF.AUC, 3))
	p("| Error rows | %d (%s) | %s |\n\n", r.NErrors, pct(r.ErrorRate), pctCI(r.ErrorRateCI95))

	p("## Per class (one vs rest, all records)\n\n")
	p("| class | n | sensitivity | specificity | PPV | F1 |\n|---|---|---|---|---|---|\n")
	for _, l := range Labels {
		f := r.PerClass[l]
		p("| %s | %d | %s (%s) | %s (%s) | %s (%s) | %s (%s) |\n", l, f.TP+f.FN,
			pct(f.Sensitivity), pctCI(f.CI95.Sensitivity), pct(f.Specificity), pctCI(f.CI95.Specificity),
			pct(f.PPV), pctCI(f.CI95.PPV), fmtNum(f.F1, 3), numCI(f.CI95.F1))
	}
	p("\n## Confusion matrix (rows: reference, columns: call)\n\n")
	p("| | %s |\n|---|---|---|---|---|\n", strings.Join(r.Confusion.Labels, " | "))
	for i, row := range r.Confusion.Matrix {
		cells := make([]string, len(row))
		for j, v := range row {
			cells[j] = strconv.Itoa(v)
		}
		p("| **%s** | %s |\n", r.Confusion.Labels[i], strings.Join(cells, " | "))
	}
	p("\n## Subgroups\n\n")
	p("| dimension | band | n | n AF | accuracy | AF sensitivity | AF specificity | inconclusive | CinC score |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range r.Subgroups {
		p("| %s | %s | %d | %d | %s | %s (%s) | %s (%s) | %s | %s |\n", s.Dimension, s.Band, s.N, s.NAF,
			pct(s.Accuracy), pct(s.AFSensitivity), pctCI(s.AFSensitivityCI95), pct(s.AFSpecificity), pctCI(s.AFSpecificityCI95),
			pct(s.InconclusiveRate), fmtNum(s.CinC2017F1, 3))
	}
	p("\n## Worst misclassifications (missed AF, false AF, other, inconclusive; most confident first)\n\n")
	rows(&b, r.Worst)
	p("\n## Error rows\n\n")
	if len(r.Errors) == 0 {
		p("None.\n")
	} else {
		rows(&b, r.Errors)
	}
	return []byte(b.String())
}

func rows(b *strings.Builder, rs []Row) {
	fmt.Fprintf(b, "| record | reference | call | confidence | p(AF) | HR (bpm) | quality | error |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Record, r.Reference, r.Predicted,
			fmtNum(r.Confidence, 3), fmtNum(r.ProbAF, 3), fmtNum(r.HeartRateBPM, 0), fmtNum(r.SignalQuality, 2),
			strings.ReplaceAll(r.Error, "|", "\\|"))
	}
}
