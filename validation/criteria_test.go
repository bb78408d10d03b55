package validation

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// Verifies: SRS-VAL-004
func TestParseCriteria(t *testing.T) {
	doc := `description: test
criteria:
  - af.sensitivity.ci95_lower >= 0.90
  - "inconclusive_rate<=0.1"
  - n_errors == 0
  - per_class.O.f1 > 0.5
  - cinc2017_f1 < 1
`
	got, err := ParseCriteria(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Criterion{
		{"af.sensitivity.ci95_lower >= 0.90", "af.sensitivity.ci95_lower", ">=", 0.9},
		{"inconclusive_rate <= 0.1", "inconclusive_rate", "<=", 0.1},
		{"n_errors == 0", "n_errors", "==", 0},
		{"per_class.O.f1 > 0.5", "per_class.O.f1", ">", 0.5},
		{"cinc2017_f1 < 1", "cinc2017_f1", "<", 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d criteria, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("criterion %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// Verifies: SRS-VAL-004
func TestParseCriteriaErrors(t *testing.T) {
	tests := []struct {
		name, doc, wantMsg string
	}{
		{"unknown metric", "criteria:\n  - af.sensitivty >= 0.9\n", `unknown metric "af.sensitivty"`},
		{"bad operator =>", "criteria:\n  - af.sensitivity => 0.9\n", `bad operator "=>"`},
		{"bad operator !=", "criteria:\n  - af.sensitivity != 0.9\n", `bad operator "!="`},
		{"bad operator >>", "criteria:\n  - af.sensitivity >> 0.9\n", "bad operator"},
		{"single =", "criteria:\n  - af.sensitivity = 0.9\n", `bad operator "="`},
		{"no operator", "criteria:\n  - af.sensitivity 0.9\n", "no operator"},
		{"bad number", "criteria:\n  - af.sensitivity >= 0.9x\n", `bad number "0.9x"`},
		{"NaN", "criteria:\n  - af.sensitivity >= NaN\n", `bad number "NaN"`},
		{"missing number", "criteria:\n  - af.sensitivity >=\n", `bad number ""`},
		{"missing metric", "criteria:\n  - \">= 0.9\"\n", "missing metric"},
		{"unknown key", "criterion:\n  - af.sensitivity >= 0.9\n", "field criterion not found"},
		{"not a list", "criteria: af.sensitivity >= 0.9\n", "cannot unmarshal"},
		{"empty list", "criteria: []\n", "no criteria"},
		{"empty file", "", "empty file"},
		{"not yaml", "criteria: [\n", "yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCriteria(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatal("got no error")
			}
			if !errors.Is(err, ErrBadCriteria) {
				t.Errorf("got %v, want it to wrap ErrBadCriteria", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got %q, want it to contain %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("got a multi-line message %q", err)
			}
		})
	}
}

// Verifies: SRS-VAL-004
func TestEvaluate(t *testing.T) {
	items := []Criterion{
		{"a >= 0.9", "af.sensitivity.ci95_lower", ">=", 0.9},
		{"b <= 0.1", "inconclusive_rate", "<=", 0.1},
		{"c == 0", "n_errors", "==", 0},
		{"d > 0.5", "af.ppv", ">", 0.5},
	}
	tests := []struct {
		name     string
		metrics  map[string]float64
		wantPass []bool
		all      bool
	}{
		{"all pass", map[string]float64{"af.sensitivity.ci95_lower": 0.9, "inconclusive_rate": 0.1, "n_errors": 0, "af.ppv": 0.51}, []bool{true, true, true, true}, true},
		{"boundary fails strict", map[string]float64{"af.sensitivity.ci95_lower": 0.95, "inconclusive_rate": 0.05, "n_errors": 0, "af.ppv": 0.5}, []bool{true, true, true, false}, false},
		{"one error row", map[string]float64{"af.sensitivity.ci95_lower": 0.95, "inconclusive_rate": 0.05, "n_errors": 1, "af.ppv": 0.9}, []bool{true, true, false, true}, false},
		{"undefined fails", map[string]float64{"af.sensitivity.ci95_lower": math.NaN(), "inconclusive_rate": 0.05, "n_errors": 0, "af.ppv": 0.9}, []bool{false, true, true, true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, all := Evaluate(items, tt.metrics)
			for i, r := range res {
				if r.Pass != tt.wantPass[i] {
					t.Errorf("%s: got pass %v, want %v", r.Name, r.Pass, tt.wantPass[i])
				}
			}
			if all != tt.all {
				t.Errorf("overall: got %v, want %v", all, tt.all)
			}
		})
	}
}

// Every metric a criterion may name must exist in a report's Metrics, so a
// criteria file that parses can always be evaluated.
func TestMetricsComplete(t *testing.T) {
	r := Summarize([]Prediction{{Record: "x", Reference: ClassN, Err: errors.New("boom")}}, 10, 1)
	m := r.Metrics()
	for _, name := range Metrics() {
		if _, ok := m[name]; !ok {
			t.Errorf("metric %s: not in Report.Metrics", name)
		}
	}
	if len(m) != len(Metrics()) {
		t.Errorf("Report.Metrics has %d names, Metrics() %d", len(m), len(Metrics()))
	}
}

// A degenerate run (only error rows, every figure undefined) must still
// produce every output: undefined figures are null, never NaN.
func TestDegenerateReportEncodes(t *testing.T) {
	for _, preds := range [][]Prediction{
		{{Record: "x", Reference: ClassN, Err: errors.New("boom")}},
		{{Record: "y", Reference: ClassN}},
	} {
		r := Summarize(preds, 10, 1)
		if _, err := r.JSON(); err != nil {
			t.Errorf("JSON: %v", err)
		}
		if _, err := r.HTML(); err != nil {
			t.Errorf("HTML: %v", err)
		}
	}
}

func TestDefaultCriteriaFileParses(t *testing.T) {
	c, err := ReadCriteria("criteria/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) == 0 || len(c.SHA256) != 64 {
		t.Errorf("got %+v", c)
	}
}
