package dhf

import (
	"fmt"
	"sort"
	"time"
)

// Verdict is the verification state of a requirement or risk.
type Verdict string

// Verdicts. A requirement is verified when every test that names it passed,
// and partially verified when some passed and the others were skipped or did
// not run (flagged as a warning: part of its verification plan produced no
// evidence). It is unverified when tests name it but none passed (a test
// skipped for absent data is not evidence), failed when any failed. A user
// need is verified when it has child requirements and all of them are
// (partially) verified; a risk likewise with its controls.
const (
	VerdictVerified Verdict = "verified"
	VerdictPartial  Verdict = "partially_verified" // passed, but some tests were skipped or did not run
	VerdictFailed   Verdict = "failed"             // a test failed
	VerdictSkipped  Verdict = "unverified"         // tests exist but none passed: skipped or not run
	VerdictUntested Verdict = "untested"           // no test names it (or, for a user need/risk, nothing traces to it)
)

// ok reports whether the verdict counts as verification evidence.
func (v Verdict) ok() bool { return v == VerdictVerified || v == VerdictPartial }

// TestResult is one test and its outcome.
type TestResult struct {
	TestRef
	Status     Status `json:"status"`
	SkipReason string `json:"skip_reason,omitempty"`
}

// RequirementRow is one row of the trace matrix.
type RequirementRow struct {
	Requirement
	Children []string     `json:"children,omitempty"`
	Tests    []TestResult `json:"tests"`
	Verdict  Verdict      `json:"verdict"`
}

// RiskRow is one risk with the verdicts of its controls.
type RiskRow struct {
	Risk
	RiskBeforeLevel Level    `json:"risk_before"`
	RiskAfterLevel  Level    `json:"risk_after"`
	Verdict         Verdict  `json:"verdict"`
	Unverified      []string `json:"unverified_controls,omitempty"`
}

// UnknownRef is a test that names a requirement id the file does not have.
type UnknownRef struct {
	ID   string  `json:"id"`
	Test TestRef `json:"test"`
}

// Summary counts the matrix.
type Summary struct {
	Requirements      int `json:"requirements"` // verifiable requirements (not user needs)
	Verified          int `json:"verified"`     // including partially verified
	Partial           int `json:"partially_verified"`
	Failed            int `json:"failed"`
	Unverified        int `json:"unverified"` // no test passed: skipped or not run
	Untested          int `json:"untested"`
	UserNeeds         int `json:"user_needs"`
	UserNeedsVerified int `json:"user_needs_verified"`
	Risks             int `json:"risks"`
	RisksVerified     int `json:"risks_verified"`
	Tests             int `json:"tests"` // tagged test functions
	TestsPassed       int `json:"tests_passed"`
	UnknownIDs        int `json:"unknown_ids"`
	LinkProblems      int `json:"link_problems"`
}

// Matrix is the requirements → tests → results trace, with the risks.
type Matrix struct {
	Commit       string           `json:"commit"`
	Generated    time.Time        `json:"generated"`
	Requirements []RequirementRow `json:"requirements"`
	Risks        []RiskRow        `json:"risks"`
	Unknown      []UnknownRef     `json:"unknown_ids"`
	LinkProblems []string         `json:"link_problems"`
	Summary      Summary          `json:"summary"`
}

// Gaps lists every traceability gap in words: unverified requirements, user
// needs and risks, unknown ids and broken links. An empty list means the
// trace is complete.
func (m *Matrix) Gaps() []string {
	var gaps []string
	for _, r := range m.Requirements {
		if r.Verdict.ok() {
			continue
		}
		switch {
		case r.Type == TypeUserNeed:
			gaps = append(gaps, fmt.Sprintf("user need %s is not covered by verified requirements", r.ID))
		case r.Verdict == VerdictUntested:
			gaps = append(gaps, fmt.Sprintf("requirement %s has no test", r.ID))
		case r.Verdict == VerdictFailed:
			gaps = append(gaps, fmt.Sprintf("requirement %s: a test failed", r.ID))
		default:
			gaps = append(gaps, fmt.Sprintf("requirement %s: no test passed (skipped or not run)", r.ID))
		}
	}
	for _, k := range m.Risks {
		if !k.Verdict.ok() {
			gaps = append(gaps, fmt.Sprintf("risk %s: controls not verified: %v", k.ID, k.Unverified))
		}
	}
	for _, u := range m.Unknown {
		gaps = append(gaps, fmt.Sprintf("test %s (%s:%d) names unknown requirement %s", u.Test.Key(), u.Test.File, u.Test.Line, u.ID))
	}
	for _, p := range m.LinkProblems {
		gaps = append(gaps, "risk link: "+p)
	}
	return gaps
}

// Warnings lists requirements verified only partially: the tests that were
// skipped or did not run, with the reason a skip gave.
func (m *Matrix) Warnings() []string {
	var w []string
	for _, r := range m.Requirements {
		if r.Verdict != VerdictPartial {
			continue
		}
		for _, t := range r.Tests {
			if t.Status == StatusPass {
				continue
			}
			msg := fmt.Sprintf("requirement %s: %s.%s %s", r.ID, shortPkg(t.Package), t.Name, t.Status)
			if t.SkipReason != "" {
				msg += " (" + t.SkipReason + ")"
			}
			w = append(w, msg)
		}
	}
	return w
}

// TraceInput is what BuildMatrix needs.
type TraceInput struct {
	Requirements []Requirement
	Risks        []Risk
	Tests        []TestRef
	Results      *Results
	Commit       string
	Generated    time.Time
}

// BuildMatrix joins requirements, tagged tests and their results.
func BuildMatrix(in TraceInput) *Matrix {
	m := &Matrix{Commit: in.Commit, Generated: in.Generated.UTC(), LinkProblems: CheckLinks(in.Requirements, in.Risks)}
	if m.LinkProblems == nil {
		m.LinkProblems = []string{}
	}
	known := map[string]int{}
	for i, q := range in.Requirements {
		known[q.ID] = i
	}
	tests := make([][]TestResult, len(in.Requirements))
	for _, t := range in.Tests {
		st := in.Results.Status(t)
		tr := TestResult{TestRef: t, Status: st}
		if st == StatusSkip {
			tr.SkipReason = in.Results.SkipReasons[t.Key()]
		}
		m.Summary.Tests++
		if st == StatusPass {
			m.Summary.TestsPassed++
		}
		for _, id := range t.IDs {
			i, ok := known[id]
			if !ok {
				m.Unknown = append(m.Unknown, UnknownRef{ID: id, Test: t})
				continue
			}
			tests[i] = append(tests[i], tr)
		}
	}
	if m.Unknown == nil {
		m.Unknown = []UnknownRef{}
	}
	children := map[string][]string{}
	for _, q := range in.Requirements {
		for _, p := range q.Parents {
			children[p] = append(children[p], q.ID)
		}
	}
	verdict := map[string]Verdict{}
	for i, q := range in.Requirements {
		row := RequirementRow{Requirement: q, Children: children[q.ID], Tests: tests[i]}
		if row.Tests == nil {
			row.Tests = []TestResult{}
		}
		if q.Verifiable() {
			row.Verdict = testsVerdict(row.Tests)
			verdict[q.ID] = row.Verdict
		}
		m.Requirements = append(m.Requirements, row)
	}
	for i := range m.Requirements {
		r := &m.Requirements[i]
		if r.Verifiable() {
			m.Summary.Requirements++
			switch r.Verdict {
			case VerdictVerified:
				m.Summary.Verified++
			case VerdictPartial:
				m.Summary.Verified++
				m.Summary.Partial++
			case VerdictFailed:
				m.Summary.Failed++
			case VerdictSkipped:
				m.Summary.Unverified++
			default:
				m.Summary.Untested++
			}
			continue
		}
		m.Summary.UserNeeds++
		r.Verdict = allVerified(r.Children, verdict)
		if r.Verdict.ok() {
			m.Summary.UserNeedsVerified++
		}
	}
	for _, k := range in.Risks {
		row := RiskRow{Risk: k, RiskBeforeLevel: k.RiskBefore(), RiskAfterLevel: k.RiskAfter()}
		row.Verdict = allVerified(k.Controls, verdict)
		for _, c := range k.Controls {
			if !verdict[c].ok() {
				row.Unverified = append(row.Unverified, c)
			}
		}
		m.Summary.Risks++
		if row.Verdict.ok() {
			m.Summary.RisksVerified++
		}
		m.Risks = append(m.Risks, row)
	}
	if m.Risks == nil {
		m.Risks = []RiskRow{}
	}
	sort.Slice(m.Unknown, func(i, j int) bool {
		if m.Unknown[i].ID != m.Unknown[j].ID {
			return m.Unknown[i].ID < m.Unknown[j].ID
		}
		return m.Unknown[i].Test.Key() < m.Unknown[j].Test.Key()
	})
	m.Summary.UnknownIDs = len(m.Unknown)
	m.Summary.LinkProblems = len(m.LinkProblems)
	return m
}

func testsVerdict(tests []TestResult) Verdict {
	if len(tests) == 0 {
		return VerdictUntested
	}
	worstStatus := StatusPass
	for _, t := range tests {
		if t.Status.rank() > worstStatus.rank() {
			worstStatus = t.Status
		}
	}
	switch worstStatus {
	case StatusPass:
		return VerdictVerified
	case StatusFail:
		return VerdictFailed
	}
	for _, t := range tests {
		if t.Status == StatusPass {
			return VerdictPartial
		}
	}
	return VerdictSkipped
}

func allVerified(ids []string, verdict map[string]Verdict) Verdict {
	if len(ids) == 0 {
		return VerdictUntested
	}
	all := true
	for _, id := range ids {
		if !verdict[id].ok() {
			return VerdictSkipped
		}
		all = all && verdict[id] == VerdictVerified
	}
	if !all {
		return VerdictPartial
	}
	return VerdictVerified
}
