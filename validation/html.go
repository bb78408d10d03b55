package validation

import (
	"bytes"
	"fmt"
	"html/template"
)

// HTML returns report.html: one self-contained page (inline CSS and SVG, no
// scripts, nothing fetched) with the verdict, the criteria, the summary with
// CIs, the confusion heat map, ROC and calibration plots, subgroups, the most
// confident misclassifications and the error rows.
func (r *Report) HTML() ([]byte, error) {
	roc, err := r.ROCSVG()
	if err != nil {
		return nil, err
	}
	cal, err := r.CalibrationSVG()
	if err != nil {
		return nil, err
	}
	type cell struct {
		N     int
		Style template.CSS
		Diag  bool
	}
	heat := make([][]cell, len(r.Confusion.Matrix))
	for i, row := range r.Confusion.Matrix {
		total := 0
		for _, v := range row {
			total += v
		}
		heat[i] = make([]cell, len(row))
		for j, v := range row {
			frac := 0.0
			if total > 0 {
				frac = float64(v) / float64(total)
			}
			// Row-normalised shading: blue on the diagonal (agreement),
			// red off it (errors), so weak spots stand out.
			rgb := "214,39,40"
			if i == j {
				rgb = "31,119,180"
			}
			fg := "#000"
			if frac > 0.55 {
				fg = "#fff"
			}
			heat[i][j] = cell{N: v, Diag: i == j, Style: template.CSS(fmt.Sprintf("background:rgba(%s,%.3f);color:%s", rgb, 0.08+0.92*frac, fg))}
		}
	}
	type classRow struct {
		Label string
		F     Figures
	}
	var classes []classRow
	for _, l := range Labels {
		classes = append(classes, classRow{l, r.PerClass[l]})
	}
	data := struct {
		R           *Report
		ROC, Cal    template.HTML
		Heat        [][]cell
		Classes     []classRow
		Labels      []string
		LabelsNames map[string]string
	}{r, template.HTML(roc), template.HTML(cal), heat, classes, Labels[:], map[string]string{
		"N": "normal", "A": "AF", "O": "other", "~": "noisy/inconclusive",
	}}
	var buf bytes.Buffer
	if err := reportTmpl.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render report.html: %w", err)
	}
	return buf.Bytes(), nil
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":   pct,
	"pctCI": pctCI,
	"numCI": numCI,
	"num":   fmtNum,
	"add":   func(a, b int) int { return a + b },
}).Parse(reportHTML))

const reportHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>afscan validation — {{.R.Verdict}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.2em;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}
td.l,th.l{text-align:left}
.pass{color:#fff;background:#2e7d32;font-weight:bold}.fail{color:#fff;background:#c62828;font-weight:bold}
.verdict{display:inline-block;padding:4px 14px;border-radius:4px;font-size:1.1em}
.prov td{text-align:left}.prov td:first-child{font-weight:bold;white-space:nowrap}
code{font-size:.9em;word-break:break-all}
.heat td{width:80px;height:44px;text-align:center;font-size:1.05em}.heat td.diag{font-weight:bold}
.plots{display:flex;flex-wrap:wrap;gap:16px}.plots figure{margin:0}
.note{color:#555;font-size:.88em;max-width:900px}
</style>
</head>
<body>
<h1>afscan clinical performance validation</h1>
<p><span class="verdict {{if .R.Pass}}pass{{else}}fail{{end}}">{{.R.Verdict}}</span>
{{- if .R.CriteriaFile}} against {{len .R.Criteria}} pre-specified criteria{{else}} (no criteria file given){{end}}</p>

<table class="prov">
<tr><td>Model</td><td>{{.R.Model.Name}} {{.R.Model.Version}} — sha256 <code>{{.R.Model.SHA256}}</code></td></tr>
<tr><td>Data set</td><td><code>{{.R.Dataset.Path}}</code> — {{.R.Dataset.NRecords}} records scored from {{.R.Dataset.NSourceRecord}} source records; reference: {{.R.Dataset.Reference}}{{if .R.Dataset.WindowS}}; {{.R.Dataset.WindowS}} s windows of lead 0{{end}}</td></tr>
<tr><td>Data set sha256</td><td><code>{{.R.Dataset.SHA256}}</code></td></tr>
{{- with .R.Dataset.RecordsFile}}
<tr><td>Records list</td><td><code>{{.Path}}</code> — sha256 <code>{{.SHA256}}</code></td></tr>
{{- end}}
{{- with .R.CriteriaFile}}
<tr><td>Criteria file</td><td><code>{{.Path}}</code> — sha256 <code>{{.SHA256}}</code></td></tr>
{{- end}}
<tr><td>Software</td><td>{{.R.Software.Name}} {{.R.Software.Version}}</td></tr>
<tr><td>Command line</td><td><code>{{.R.Software.CommandLine}}</code></td></tr>
<tr><td>Generated</td><td>{{.R.GeneratedAt}} ({{printf "%.1f" .R.DurationS}} s)</td></tr>
</table>

<h2>Acceptance criteria</h2>
{{- if .R.Criteria}}
<table>
<tr><th class="l">criterion</th><th>value</th><th>result</th></tr>
{{- range .R.Criteria}}
<tr><td class="l"><code>{{.Name}}</code></td><td>{{num .Value 4}}</td><td class="{{if .Pass}}pass{{else}}fail{{end}}">{{if .Pass}}pass{{else}}FAIL{{end}}</td></tr>
{{- end}}
</table>
{{- else}}
<p>No criteria file was given; figures are reported without a verdict.</p>
{{- end}}

<h2>Summary</h2>
<p class="note">AF vs non-AF on classifiable strips: records with a noisy reference or an inconclusive call are excluded
({{.R.AF.N}} records compared, {{.R.AF.NExcluded}} excluded); the inconclusive rate is stated beside it.
95% intervals: Wilson score for proportions, percentile bootstrap ({{.R.Bootstrap.Resamples}} resamples, seed {{.R.Bootstrap.Seed}}) for F1 and the CinC score.</p>
<table>
<tr><th class="l">figure</th><th>value</th><th>95% CI</th><th class="l">counts</th></tr>
<tr><td class="l">AF sensitivity</td><td>{{pct .R.AF.Sensitivity}}</td><td>{{pctCI .R.AF.CI95.Sensitivity}}</td><td class="l">{{.R.AF.TP}} / {{.R.AF.TP}}+{{.R.AF.FN}}</td></tr>
<tr><td class="l">AF specificity</td><td>{{pct .R.AF.Specificity}}</td><td>{{pctCI .R.AF.CI95.Specificity}}</td><td class="l">{{.R.AF.TN}} / {{.R.AF.TN}}+{{.R.AF.FP}}</td></tr>
<tr><td class="l">AF PPV</td><td>{{pct .R.AF.PPV}}</td><td>{{pctCI .R.AF.CI95.PPV}}</td><td class="l">{{.R.AF.TP}} / {{.R.AF.TP}}+{{.R.AF.FP}}</td></tr>
<tr><td class="l">AF F1</td><td>{{num .R.AF.F1 3}}</td><td>{{numCI .R.AF.CI95.F1}}</td><td></td></tr>
<tr><td class="l">Inconclusive rate (all records)</td><td>{{pct .R.InconclusiveRate}}</td><td>{{pctCI .R.InconclusiveRateCI95}}</td><td class="l">{{.R.NInconclusive}} of {{.R.NRecords}}</td></tr>
<tr><td class="l">CinC 2017 score (mean F1 of N, A, O)</td><td>{{num .R.CinC2017F1 3}}</td><td>{{numCI .R.CinC2017F1CI95}}</td><td></td></tr>
<tr><td class="l">AF sensitivity, inconclusive counted as missed</td><td>{{pct .R.AFIntentToDiagnose.Sensitivity}}</td><td>{{pctCI .R.AFIntentToDiagnose.CI95.Sensitivity}}</td><td class="l">{{.R.AFIntentToDiagnose.TP}} / {{.R.AFIntentToDiagnose.TP}}+{{.R.AFIntentToDiagnose.FN}}</td></tr>
<tr><td class="l">AF specificity, inconclusive counted as false alarm</td><td>{{pct .R.AFIntentToDiagnose.Specificity}}</td><td>{{pctCI .R.AFIntentToDiagnose.CI95.Specificity}}</td><td class="l">{{.R.AFIntentToDiagnose.TN}} / {{.R.AFIntentToDiagnose.TN}}+{{.R.AFIntentToDiagnose.FP}}</td></tr>
<tr><td class="l">AF AUC</td><td>{{num .R.AF.AUC 3}}</td><td></td><td class="l">{{.R.ROC.NPositive}} AF, {{.R.ROC.NNegative}} non-AF</td></tr>
<tr><td class="l">Error rows (scored as inconclusive)</td><td>{{pct .R.ErrorRate}}</td><td>{{pctCI .R.ErrorRateCI95}}</td><td class="l">{{.R.NErrors}} of {{.R.NRecords}}</td></tr>
</table>

<h2>Per class (one vs rest, all records)</h2>
<table>
<tr><th class="l">class</th><th>n</th><th>sensitivity</th><th>specificity</th><th>PPV</th><th>F1</th><th>challenge F1</th></tr>
{{- range .Classes}}
<tr><td class="l">{{.Label}} ({{index $.LabelsNames .Label}})</td><td>{{add .F.TP .F.FN}}</td>
<td>{{pct .F.Sensitivity}}<br><small>{{pctCI .F.CI95.Sensitivity}}</small></td>
<td>{{pct .F.Specificity}}<br><small>{{pctCI .F.CI95.Specificity}}</small></td>
<td>{{pct .F.PPV}}<br><small>{{pctCI .F.CI95.PPV}}</small></td>
<td>{{num .F.F1 3}}<br><small>{{numCI .F.CI95.F1}}</small></td>
<td>{{num (index $.R.ChallengeF1 .Label) 3}}</td></tr>
{{- end}}
</table>

<h2>Confusion matrix</h2>
<p class="note">Rows: reference; columns: call. Shading is the share of the row: blue on the diagonal (agreement), red off it (errors).</p>
<table class="heat">
<tr><th>ref \ call</th>{{range .Labels}}<th>{{.}}</th>{{end}}</tr>
{{- range $i, $row := .Heat}}
<tr><th>{{index $.Labels $i}}</th>{{range $row}}<td class="{{if .Diag}}diag{{end}}" style="{{.Style}}">{{.N}}</td>{{end}}</tr>
{{- end}}
</table>

<h2>ROC and calibration of p(AF)</h2>
<p class="note">Over records with a rhythm reference (N, A, O) and a call ({{.R.ROC.NPositive}} AF, {{.R.ROC.NNegative}} non-AF); the red point is the classifier's own AF call on the same records.
Inconclusive calls stay in and count as "not AF" here, so the point can sit below the summary sensitivity, which excludes them.
Calibration: observed AF frequency per tenth of p(AF) with its Wilson 95% interval.</p>
<div class="plots"><figure>{{.ROC}}</figure><figure>{{.Cal}}</figure></div>

<h2>Subgroups</h2>
<table>
<tr><th class="l">dimension</th><th class="l">band</th><th>n</th><th>n AF</th><th>accuracy</th><th>AF sensitivity (95% CI)</th><th>AF specificity (95% CI)</th><th>inconclusive</th><th>CinC score</th></tr>
{{- range .R.Subgroups}}
<tr><td class="l">{{.Dimension}}</td><td class="l">{{.Band}}</td><td>{{.N}}</td><td>{{.NAF}}</td><td>{{pct .Accuracy}}</td>
<td>{{pct .AFSensitivity}} <small>({{pctCI .AFSensitivityCI95}})</small></td><td>{{pct .AFSpecificity}} <small>({{pctCI .AFSpecificityCI95}})</small></td>
<td>{{pct .InconclusiveRate}}</td><td>{{num .CinC2017F1 3}}</td></tr>
{{- end}}
</table>

<h2>Worst misclassifications</h2>
<p class="note">Missed AF first, then false AF, other wrong rhythm calls and inconclusive calls; each most confident first.</p>
{{- template "rows" .R.Worst}}

<h2>Error rows</h2>
{{- if .R.Errors}}{{template "rows" .R.Errors}}{{else}}<p>None: every record was read and classified.</p>{{end}}
</body>
</html>
{{define "rows"}}
<table>
<tr><th class="l">record</th><th>reference</th><th>call</th><th>confidence</th><th>p(AF)</th><th>HR (bpm)</th><th>quality</th><th>duration (s)</th><th class="l">error</th></tr>
{{- range .}}
<tr><td class="l">{{.Record}}</td><td>{{.Reference}}</td><td>{{.Predicted}}</td><td>{{num .Confidence 3}}</td><td>{{num .ProbAF 3}}</td><td>{{num .HeartRateBPM 0}}</td><td>{{num .SignalQuality 2}}</td><td>{{.DurationS}}</td><td class="l">{{.Error}}</td></tr>
{{- end}}
</table>
{{- end}}
`
