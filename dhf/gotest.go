package dhf

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Status is the outcome of one test in a go test -json run.
type Status string

// Test outcomes. NotRun means the test exists in the source but the results
// do not mention it (its package was not tested, or did not build).
const (
	StatusPass   Status = "pass"
	StatusFail   Status = "fail"
	StatusSkip   Status = "skip"
	StatusNotRun Status = "not_run"
)

func (s Status) rank() int {
	switch s {
	case StatusPass:
		return 0
	case StatusSkip:
		return 1
	case StatusNotRun:
		return 2
	}
	return 3 // fail
}

// Results are the outcomes of top-level tests from go test -json output,
// keyed "package.TestName", and of packages, keyed by import path.
type Results struct {
	Tests    map[string]Status
	Packages map[string]Status
	// Built holds the packages that reported at least one test event; a
	// failed package without any did not build or crashed before testing.
	Built map[string]bool
	// SkipReasons holds the last "--- SKIP" line's reason text of a skipped test.
	SkipReasons map[string]string
}

type testEvent struct {
	Action      string
	Package     string
	Test        string
	Output      string
	FailedBuild string
}

// ParseResults reads go test -json output (test2json events, one JSON
// object a line; lines that are not JSON, such as build errors printed
// around it, are ignored). When a test ran several times (-count) the worst
// outcome wins. Subtests are folded into their top-level test, whose own
// outcome go test already makes fail when a subtest fails.
func ParseResults(r io.Reader) (*Results, error) {
	res := &Results{Tests: map[string]Status{}, Packages: map[string]Status{}, Built: map[string]bool{}, SkipReasons: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	n := 0
	lastOutput := map[string]string{}
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var e testEvent
		if err := json.Unmarshal(line, &e); err != nil {
			continue
		}
		n++
		var st Status
		switch e.Action {
		case "pass":
			st = StatusPass
		case "fail":
			st = StatusFail
		case "skip":
			st = StatusSkip
		case "output":
			if e.Test != "" && !strings.Contains(e.Test, "/") {
				if t := strings.TrimSpace(e.Output); t != "" && !strings.HasPrefix(t, "---") && !strings.HasPrefix(t, "===") {
					lastOutput[e.Package+"."+e.Test] = t
				}
			}
			continue
		default:
			continue
		}
		if e.Test == "" {
			if e.FailedBuild != "" {
				st = StatusFail
			}
			worst(res.Packages, e.Package, st)
			continue
		}
		res.Built[e.Package] = true
		if strings.Contains(e.Test, "/") {
			continue
		}
		key := e.Package + "." + e.Test
		worst(res.Tests, key, st)
		if st == StatusSkip {
			res.SkipReasons[key] = lastOutput[key]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read go test -json: %w", err)
	}
	if n == 0 {
		return nil, fmt.Errorf("read go test -json: no test events")
	}
	return res, nil
}

func worst(m map[string]Status, key string, st Status) {
	if old, ok := m[key]; !ok || st.rank() > old.rank() {
		m[key] = st
	}
}

// Status returns the outcome of a test. A test absent from the results
// whose package failed without running any test counts as failed (the
// package did not build or crashed before testing); otherwise it was not run.
func (r *Results) Status(t TestRef) Status {
	if st, ok := r.Tests[t.Key()]; ok {
		return st
	}
	if r.Packages[t.Package] == StatusFail && !r.Built[t.Package] {
		return StatusFail
	}
	return StatusNotRun
}
