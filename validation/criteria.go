package validation

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrBadCriteria marks a criteria file that cannot be used: not YAML, an
// unknown metric, a bad operator or a bad number. Callers treat it as a
// usage error (exit status 2), never as a failed check.
var ErrBadCriteria = errors.New("bad acceptance criteria")

// Criterion is one pre-specified acceptance criterion, "metric op threshold",
// e.g. "af.sensitivity.ci95_lower >= 0.90".
type Criterion struct {
	Name      string  // the expression as written, whitespace-normalised
	Metric    string  // a name of Metrics()
	Op        string  // one of >=, <=, >, <, ==
	Threshold float64 // finite
}

// CriterionResult is a criterion evaluated on a run.
type CriterionResult struct {
	Name      string  `json:"name"`
	Metric    string  `json:"metric"`
	Op        string  `json:"op"`
	Threshold float64 `json:"threshold"`
	Value     Num     `json:"value"`
	Pass      bool    `json:"pass"`
}

// Criteria is a parsed criteria file with its provenance.
type Criteria struct {
	Path   string
	SHA256 string // hex digest of the file as read
	Items  []Criterion
}

// ops in match order: two-character operators first.
var ops = []string{">=", "<=", "==", ">", "<"}

// Metrics lists every metric name a criterion may use, sorted. Proportions
// and scores have ".ci95_lower" and ".ci95_upper" variants giving the bounds
// of their 95% interval.
func Metrics() []string {
	var names []string
	withCI := func(base string) { names = append(names, base, base+".ci95_lower", base+".ci95_upper") }
	for _, f := range []string{"sensitivity", "specificity", "ppv", "f1"} {
		withCI("af." + f)
		withCI("af_intent_to_diagnose." + f)
		for _, l := range Labels {
			withCI("per_class." + l + "." + f)
		}
	}
	withCI("cinc2017_f1")
	withCI("inconclusive_rate")
	withCI("error_rate")
	names = append(names, "af.auc", "af.brier", "af.ece", "n_records", "n_errors")
	slices.Sort(names)
	return names
}

// criteriaFile is the YAML layout:
//
//	criteria:
//	  - af.sensitivity.ci95_lower >= 0.90
//	  - inconclusive_rate <= 0.10
type criteriaFile struct {
	Description string   `yaml:"description"`
	Criteria    []string `yaml:"criteria"`
}

// ReadCriteria reads and parses the criteria file at path, recording its
// SHA-256. Errors wrap ErrBadCriteria unless the file cannot be read.
func ReadCriteria(path string) (*Criteria, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("criteria: %w", err)
	}
	return NewCriteria(path, b)
}

// NewCriteria parses the criteria document b that was read from path (a
// name for the report), recording its SHA-256.
func NewCriteria(path string, b []byte) (*Criteria, error) {
	items, err := ParseCriteria(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("criteria %s: %w", path, err)
	}
	sum := sha256.Sum256(b)
	return &Criteria{Path: path, SHA256: hex.EncodeToString(sum[:]), Items: items}, nil
}

// ParseCriteria parses a criteria YAML document: a mapping with a list
// "criteria" of strings "metric op threshold" (and an optional free-text
// "description"). Metric must be one of Metrics(); op one of >=, <=, >, <,
// ==; threshold a finite decimal number. Unknown keys, an empty list, or any
// bad item give an error wrapping ErrBadCriteria that names the item.
func ParseCriteria(r io.Reader) ([]Criterion, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var f criteriaFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty file (want a \"criteria:\" list)", ErrBadCriteria)
		}
		return nil, fmt.Errorf("%w: %s", ErrBadCriteria, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if len(f.Criteria) == 0 {
		return nil, fmt.Errorf("%w: no criteria (want a non-empty \"criteria:\" list)", ErrBadCriteria)
	}
	known := Metrics()
	out := make([]Criterion, 0, len(f.Criteria))
	for i, s := range f.Criteria {
		c, err := parseCriterion(s, known)
		if err != nil {
			return nil, fmt.Errorf("%w: criterion %d %q: %v", ErrBadCriteria, i+1, strings.TrimSpace(s), err)
		}
		out = append(out, c)
	}
	return out, nil
}

func parseCriterion(s string, known []string) (Criterion, error) {
	s = strings.TrimSpace(s)
	at, op := -1, ""
	for i := 0; i < len(s) && at < 0; i++ {
		for _, o := range ops {
			if strings.HasPrefix(s[i:], o) {
				at, op = i, o
				break
			}
		}
		if at < 0 && strings.ContainsRune("=!<>", rune(s[i])) {
			end := i
			for end < len(s) && strings.ContainsRune("=!<>", rune(s[end])) {
				end++
			}
			return Criterion{}, fmt.Errorf("bad operator %q (want one of >=, <=, >, <, ==)", s[i:end])
		}
	}
	if at < 0 {
		return Criterion{}, errors.New("no operator (want \"metric op number\", op one of >=, <=, >, <, ==)")
	}
	metric := strings.TrimSpace(s[:at])
	num := strings.TrimSpace(s[at+len(op):])
	if metric == "" {
		return Criterion{}, errors.New("missing metric name")
	}
	if _, ok := slices.BinarySearch(known, metric); !ok {
		return Criterion{}, fmt.Errorf("unknown metric %q (see `afscan validate --help` for the list)", metric)
	}
	if strings.ContainsAny(num, "=<>!") {
		return Criterion{}, fmt.Errorf("bad operator in %q (want one of >=, <=, >, <, ==)", op+num)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return Criterion{}, fmt.Errorf("bad number %q", num)
	}
	return Criterion{Name: metric + " " + op + " " + num, Metric: metric, Op: op, Threshold: v}, nil
}

// Evaluate returns each criterion's value from metrics (as Report.Metrics
// gives them) and whether it holds, and whether all hold. An undefined value
// (NaN, e.g. a sensitivity without AF records) fails its criterion: a claim
// cannot be supported by no evidence.
func Evaluate(items []Criterion, metrics map[string]float64) (results []CriterionResult, pass bool) {
	pass = true
	for _, c := range items {
		v, ok := metrics[c.Metric]
		if !ok {
			v = math.NaN()
		}
		r := CriterionResult{Name: c.Name, Metric: c.Metric, Op: c.Op, Threshold: c.Threshold, Value: Num(v)}
		if !math.IsNaN(v) {
			switch c.Op {
			case ">=":
				r.Pass = v >= c.Threshold
			case "<=":
				r.Pass = v <= c.Threshold
			case ">":
				r.Pass = v > c.Threshold
			case "<":
				r.Pass = v < c.Threshold
			case "==":
				r.Pass = v == c.Threshold
			}
		}
		pass = pass && r.Pass
		results = append(results, r)
	}
	return results, pass
}
