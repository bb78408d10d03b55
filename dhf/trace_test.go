package dhf

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const traceMod = "testdata/tracemod"

// TestScanTests reads Verifies lines with go/ast: line and block comments,
// Test and Example functions, not helpers, not testdata.
//
// Verifies: SRS-REG-002
func TestScanTests(t *testing.T) {
	refs, err := ScanTests(context.Background(), traceMod)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range refs {
		got[r.Key()] = r.IDs
	}
	want := map[string][]string{
		"example.com/tracemod/pkg.TestPass":           {"SRS-A-001", "SRS-B-001"},
		"example.com/tracemod/pkg.TestFail":           {"SRS-A-002"},
		"example.com/tracemod/pkg.TestSkip":           {"SRS-A-003", "SRS-A-007"},
		"example.com/tracemod/pkg.TestUnknown":        {"SRS-ZZZ-999"},
		"example.com/tracemod/pkg.TestNeverRan":       {"SRS-A-004"},
		"example.com/tracemod/pkg.ExampleThing":       {"SRS-A-005", "SRS-A-007"},
		"example.com/tracemod/pkg_test_ext.TestBlock": {"SRS-A-001"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	for _, r := range refs {
		if r.Line == 0 || !strings.HasSuffix(r.File, "_test.go") {
			t.Errorf("%s: got file %q line %d", r.Key(), r.File, r.Line)
		}
	}
}

// TestParseResults folds subtests into their parent, keeps the worst
// outcome, records skip reasons and package failures.
//
// Verifies: SRS-REG-002
func TestParseResults(t *testing.T) {
	f, err := os.Open(filepath.Join(traceMod, "go-test.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ParseResults(f)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ref  TestRef
		want Status
	}{
		{"pass", TestRef{Package: "example.com/tracemod/pkg", Name: "TestPass"}, StatusPass},
		{"failed subtest fails parent", TestRef{Package: "example.com/tracemod/pkg", Name: "TestFail"}, StatusFail},
		{"skip", TestRef{Package: "example.com/tracemod/pkg", Name: "TestSkip"}, StatusSkip},
		{"absent", TestRef{Package: "example.com/tracemod/pkg", Name: "TestNeverRan"}, StatusNotRun},
		{"package did not build", TestRef{Package: "example.com/tracemod/pkg_test_ext", Name: "TestBlock"}, StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := res.Status(tt.ref); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if got := res.SkipReasons["example.com/tracemod/pkg.TestSkip"]; got != "a_test.go:17: data absent" {
		t.Errorf("skip reason: got %q", got)
	}
	if _, err := ParseResults(strings.NewReader("not json\n")); err == nil {
		t.Error("got nil error for output without events")
	}
}

func traceFixture(t *testing.T) *Matrix {
	t.Helper()
	m, err := Trace(context.Background(), TraceOptions{
		RequirementsFile: filepath.Join(traceMod, "requirements.yaml"),
		ResultsFile:      filepath.Join(traceMod, "go-test.json"),
		ModuleRoot:       traceMod,
		Now:              time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBuildMatrixVerdicts covers every verdict and every kind of gap.
//
// Verifies: SRS-REG-002
func TestBuildMatrixVerdicts(t *testing.T) {
	m := traceFixture(t)
	got := map[string]Verdict{}
	for _, r := range m.Requirements {
		got[r.ID] = r.Verdict
	}
	for _, k := range m.Risks {
		got[k.ID] = k.Verdict
	}
	want := map[string]Verdict{
		"UN-A": VerdictSkipped, "UN-B": VerdictPartial, "SRS-A-007": VerdictPartial,
		"SRS-A-001": VerdictFailed, "SRS-A-002": VerdictFailed, "SRS-A-003": VerdictSkipped,
		"SRS-A-004": VerdictSkipped, "SRS-A-005": VerdictVerified, "SRS-A-006": VerdictUntested,
		"SRS-B-001": VerdictVerified, "RISK-1": VerdictVerified, "RISK-2": VerdictSkipped,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	wantSum := Summary{Requirements: 8, Verified: 3, Partial: 1, Failed: 2, Unverified: 2, Untested: 1,
		UserNeeds: 2, UserNeedsVerified: 1, Risks: 2, RisksVerified: 1, Tests: 7, TestsPassed: 3, UnknownIDs: 1}
	if m.Summary != wantSum {
		t.Errorf("summary: got %+v\nwant %+v", m.Summary, wantSum)
	}
	if len(m.Unknown) != 1 || m.Unknown[0].ID != "SRS-ZZZ-999" {
		t.Errorf("unknown: got %+v", m.Unknown)
	}
	gaps := strings.Join(m.Gaps(), "\n")
	for _, w := range []string{"SRS-A-006 has no test", "SRS-A-002: a test failed", "SRS-A-003: no test passed", "unknown requirement SRS-ZZZ-999", "risk RISK-2", "user need UN-A"} {
		if !strings.Contains(gaps, w) {
			t.Errorf("gaps lack %q:\n%s", w, gaps)
		}
	}
	if strings.Contains(gaps, "UN-B") || strings.Contains(gaps, "RISK-1") || strings.Contains(gaps, "SRS-A-007") {
		t.Errorf("verified items listed as gaps:\n%s", gaps)
	}
	if w := m.Warnings(); len(w) != 1 || w[0] != "requirement SRS-A-007: pkg.TestSkip skip (a_test.go:17: data absent)" {
		t.Errorf("warnings: got %q", w)
	}
}

// TestWriteTrace writes the four renderings with commit and date.
//
// Verifies: SRS-REG-002
func TestWriteTrace(t *testing.T) {
	m := traceFixture(t)
	dir := t.TempDir()
	if err := WriteTrace(m, dir); err != nil {
		t.Fatal(err)
	}
	commit := m.Commit
	if len(commit) > 12 {
		commit = commit[:12] // html/template escapes the "+" of "+dirty"
	}
	for _, name := range []string{"trace.md", "trace.html", "trace.csv", "trace.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{commit, "2026-01-02T03:04:05Z", "SRS-A-003"} {
			if !bytes.Contains(b, []byte(w)) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
	f, err := os.Open(filepath.Join(dir, "trace.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header lines + one row per requirement × test (SRS-A-001 and SRS-A-007 have 2 tests).
	if got, want := len(rows), 2+12; got != want {
		t.Errorf("csv: got %d rows, want %d", got, want)
	}
}

// TestOwnRequirementsAndRisks: afscan's own files parse and their risk links
// agree in both directions; every risk control requirement names a risk.
//
// Verifies: SRS-REG-002
func TestOwnRequirementsAndRisks(t *testing.T) {
	rf, err := os.Open("requirements.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	reqs, err := ParseRequirements(rf)
	if err != nil {
		t.Fatal(err)
	}
	kf, err := os.Open("risks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()
	risks, err := ParseRisks(kf)
	if err != nil {
		t.Fatal(err)
	}
	if len(risks) < 10 {
		t.Errorf("got %d risks, want the 10+ of the risk analysis", len(risks))
	}
	if p := CheckLinks(reqs, risks); len(p) != 0 {
		t.Errorf("link problems: %v", p)
	}
	for _, k := range risks {
		if k.RiskBefore() == LevelAcceptable && k.ProbabilityBefore == k.ProbabilityAfter {
			t.Logf("%s is acceptable before controls", k.ID)
		}
	}
}

// TestParseRequirementsRejects names what is wrong with a requirement file.
//
// Verifies: SRS-REG-002
func TestParseRequirementsRejects(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"duplicate", "requirements:\n  - {id: A, type: software, text: x}\n  - {id: A, type: software, text: y}\n", "A: duplicate id"},
		{"bad type", "requirements:\n  - {id: A, type: wish, text: x}\n", "type \"wish\""},
		{"unknown parent", "requirements:\n  - {id: A, type: software, parents: [B], text: x}\n", "unknown parent B"},
		{"risk control without risk", "requirements:\n  - {id: A, type: risk_control, text: x}\n", "names the risks"},
		{"unknown field", "requirements:\n  - {id: A, type: software, text: x, owner: me}\n", "owner"},
		{"empty", "requirements: []\n", "no requirements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRequirements(strings.NewReader(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	_, err := ParseRisks(strings.NewReader("risks:\n  - {id: R, hazard: h, sequence_of_events: s, hazardous_situation: x, harm: y, severity: critical, probability_before: remote, probability_after: frequent, controls: [A]}\n"))
	if err == nil || !strings.Contains(err.Error(), "probability_after exceeds") {
		t.Errorf("got %v, want probability_after exceeds", err)
	}
}
