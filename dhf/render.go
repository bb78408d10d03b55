package dhf

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"
)

// TimeFormat is how every generated artifact writes its timestamp.
const TimeFormat = time.RFC3339

// JSON renders the matrix as indented JSON.
func (m *Matrix) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode trace matrix: %w", err)
	}
	return append(b, '\n'), nil
}

// CSV renders one row per requirement × test (a requirement without test
// gets one row with empty test columns).
func (m *Matrix) CSV() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rows := [][]string{
		{"# commit", m.Commit, "generated", m.Generated.Format(TimeFormat)},
		{"requirement", "type", "parents", "risks", "verdict", "package", "test", "file", "line", "status"},
	}
	for _, r := range m.Requirements {
		base := []string{r.ID, r.Type, strings.Join(r.Parents, " "), strings.Join(r.Risks, " "), string(r.Verdict)}
		if len(r.Tests) == 0 {
			rows = append(rows, append(base, "", "", "", "", ""))
			continue
		}
		for _, t := range r.Tests {
			rows = append(rows, append(append([]string{}, base...), t.Package, t.Name, t.File, fmt.Sprint(t.Line), string(t.Status)))
		}
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("encode trace csv: %w", err)
	}
	return buf.Bytes(), nil
}

func (s Summary) line() string {
	return fmt.Sprintf("%d/%d requirements verified (%d of them partially: a test skipped or not run; %d failed, %d without a passing test, %d without test); %d/%d user needs covered; %d/%d risks with verified controls; %d tagged tests, %d passed; %d unknown ids; %d risk-link problems",
		s.Verified, s.Requirements, s.Partial, s.Failed, s.Unverified, s.Untested, s.UserNeedsVerified, s.UserNeeds, s.RisksVerified, s.Risks, s.Tests, s.TestsPassed, s.UnknownIDs, s.LinkProblems)
}

// SummaryLine is the matrix's coverage in one sentence.
func (m *Matrix) SummaryLine() string { return m.Summary.line() }

func mdEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// Markdown renders the matrix, the risks and the gaps.
func (m *Matrix) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Traceability matrix\n\nCommit `%s`, generated %s.\n\n", m.Commit, m.Generated.Format(TimeFormat))
	fmt.Fprintf(&b, "**%s.**\n\n", m.SummaryLine())
	gaps := m.Gaps()
	if len(gaps) == 0 {
		b.WriteString("No traceability gaps.\n\n")
	} else {
		b.WriteString("## Gaps\n\n")
		writeBullets(&b, gaps)
		b.WriteString("\n")
	}
	if w := m.Warnings(); len(w) > 0 {
		b.WriteString("## Warnings: partially verified\n\n")
		writeBullets(&b, w)
		b.WriteString("\n")
	}
	b.WriteString("## Requirements → tests\n\n| requirement | type | parents | risks | verdict | tests |\n|---|---|---|---|---|---|\n")
	for _, r := range m.Requirements {
		var ts []string
		if !r.Verifiable() {
			ts = append(ts, "children: "+strings.Join(r.Children, ", "))
		}
		for _, t := range r.Tests {
			ts = append(ts, fmt.Sprintf("`%s.%s` %s", shortPkg(t.Package), t.Name, t.Status))
		}
		fmt.Fprintf(&b, "| **%s** %s | %s | %s | %s | %s | %s |\n", r.ID, mdEscape(r.Text), r.Type, strings.Join(r.Parents, ", "), strings.Join(r.Risks, ", "), r.Verdict, strings.Join(ts, "<br>"))
	}
	b.WriteString("\n## Risks (ISO 14971)\n\n| risk | hazard | hazardous situation | harm | severity | P before → after | risk before → after | controls | verdict |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, k := range m.Risks {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s → %s | %s → %s | %s | %s |\n", k.ID, mdEscape(k.Hazard), mdEscape(k.HazardousSituation), mdEscape(k.Harm), k.Severity, k.ProbabilityBefore, k.ProbabilityAfter, k.RiskBeforeLevel, k.RiskAfterLevel, strings.Join(k.Controls, ", "), k.Verdict)
	}
	return b.String()
}

// shortPkg drops the module path's host part for compact tables.
func shortPkg(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) > 3 {
		return strings.Join(parts[3:], "/")
	}
	return parts[len(parts)-1]
}

var traceHTML = template.Must(template.New("trace").Funcs(template.FuncMap{
	"join": strings.Join, "short": shortPkg,
	"ts": func(t time.Time) string { return t.Format(TimeFormat) },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Traceability matrix {{.M.Commit}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;width:100%;margin-bottom:2em}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}.verified,.pass{color:#116611}.failed,.fail{color:#aa1111;font-weight:bold}
.unverified,.untested,.skip,.not_run{color:#aa6600;font-weight:bold}.partially_verified{color:#667711}code{font-size:.9em}
</style></head><body>
<h1>Traceability matrix</h1>
<p>Commit <code>{{.M.Commit}}</code>, generated {{ts .M.Generated}}.</p>
<p><strong>{{.M.SummaryLine}}.</strong></p>
{{if .Gaps}}<h2>Gaps</h2><ul>{{range .Gaps}}<li>{{.}}</li>{{end}}</ul>{{else}}<p>No traceability gaps.</p>{{end}}
{{if .Warnings}}<h2>Warnings: partially verified</h2><ul>{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>Requirements → tests</h2>
<table><tr><th>requirement</th><th>type</th><th>parents</th><th>risks</th><th>verdict</th><th>tests</th></tr>
{{range .M.Requirements}}<tr id="{{.ID}}"><td><strong>{{.ID}}</strong> {{.Text}}</td><td>{{.Type}}</td><td>{{range .Parents}}<a href="#{{.}}">{{.}}</a> {{end}}</td><td>{{range .Risks}}<a href="#{{.}}">{{.}}</a> {{end}}</td><td class="{{.Verdict}}">{{.Verdict}}</td>
<td>{{if .Children}}children: {{range .Children}}<a href="#{{.}}">{{.}}</a> {{end}}<br>{{end}}{{range .Tests}}<code>{{short .Package}}.{{.Name}}</code> <span class="{{.Status}}">{{.Status}}</span>{{if .SkipReason}} ({{.SkipReason}}){{end}}<br>{{end}}</td></tr>
{{end}}</table>
<h2>Risks (ISO 14971)</h2>
<table><tr><th>risk</th><th>hazard</th><th>sequence of events</th><th>hazardous situation</th><th>harm</th><th>severity</th><th>probability before → after</th><th>risk before → after</th><th>controls</th><th>verdict</th></tr>
{{range .M.Risks}}<tr id="{{.ID}}"><td>{{.ID}}</td><td>{{.Hazard}}</td><td>{{.SequenceOfEvents}}</td><td>{{.HazardousSituation}}</td><td>{{.Harm}}</td><td>{{.Severity}}</td><td>{{.ProbabilityBefore}} → {{.ProbabilityAfter}}</td><td>{{.RiskBeforeLevel}} → {{.RiskAfterLevel}}</td><td>{{range .Controls}}<a href="#{{.}}">{{.}}</a> {{end}}</td><td class="{{.Verdict}}">{{.Verdict}}</td></tr>
{{end}}</table>
</body></html>
`))

// HTML renders the matrix as a self-contained HTML page.
func (m *Matrix) HTML() ([]byte, error) {
	var buf bytes.Buffer
	if err := traceHTML.Execute(&buf, struct {
		M              *Matrix
		Gaps, Warnings []string
	}{m, m.Gaps(), m.Warnings()}); err != nil {
		return nil, fmt.Errorf("render trace html: %w", err)
	}
	return buf.Bytes(), nil
}
