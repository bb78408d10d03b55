package dhf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrRequirements marks a requirements or risk file that is malformed or
// whose cross-references do not resolve.
var ErrRequirements = errors.New("invalid requirements")

// Requirement types.
const (
	TypeUserNeed    = "user_need"
	TypeSystem      = "system"
	TypeSoftware    = "software"
	TypeRiskControl = "risk_control"
)

// Requirement is one entry of requirements.yaml.
type Requirement struct {
	ID      string   `yaml:"id" json:"id"`
	Type    string   `yaml:"type" json:"type"`
	Text    string   `yaml:"text" json:"text"`
	Parents []string `yaml:"parents,omitempty" json:"parents,omitempty"`
	// Risks are the ids of the risks (risks.yaml) this requirement controls.
	Risks []string `yaml:"risks,omitempty" json:"risks,omitempty"`
}

// Verifiable reports whether tests verify the requirement directly; user
// needs are validated through their child requirements instead.
func (r Requirement) Verifiable() bool { return r.Type != TypeUserNeed }

type requirementsFile struct {
	Requirements []Requirement `yaml:"requirements"`
}

// ParseRequirements reads a requirements YAML document. It checks that ids
// are unique, types known, and parents exist; risk ids are checked against
// the risk file by CheckLinks.
func ParseRequirements(r io.Reader) ([]Requirement, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read requirements: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f requirementsFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRequirements, oneLine(err.Error()))
	}
	if len(f.Requirements) == 0 {
		return nil, fmt.Errorf("%w: no requirements", ErrRequirements)
	}
	seen := map[string]bool{}
	for i, q := range f.Requirements {
		if q.ID == "" {
			return nil, fmt.Errorf("%w: requirement %d: missing id", ErrRequirements, i+1)
		}
		if seen[q.ID] {
			return nil, fmt.Errorf("%w: %s: duplicate id", ErrRequirements, q.ID)
		}
		seen[q.ID] = true
		switch q.Type {
		case TypeUserNeed, TypeSystem, TypeSoftware, TypeRiskControl:
		default:
			return nil, fmt.Errorf("%w: %s: type %q is not one of user_need, system, software, risk_control", ErrRequirements, q.ID, q.Type)
		}
		if strings.TrimSpace(q.Text) == "" {
			return nil, fmt.Errorf("%w: %s: missing text", ErrRequirements, q.ID)
		}
	}
	for _, q := range f.Requirements {
		for _, p := range q.Parents {
			if !seen[p] {
				return nil, fmt.Errorf("%w: %s: unknown parent %s", ErrRequirements, q.ID, p)
			}
		}
		if q.Type == TypeRiskControl && len(q.Risks) == 0 {
			return nil, fmt.Errorf("%w: %s: a risk control names the risks it controls", ErrRequirements, q.ID)
		}
	}
	return f.Requirements, nil
}

// Severity and probability scales of the risk file (ISO 14971 leaves the
// scales to the manufacturer; these five-level scales follow ISO/TR 24971
// Annex C examples). The risk level is severity rank × probability rank.
var (
	severityScale    = []string{"negligible", "minor", "serious", "critical", "catastrophic"}
	probabilityScale = []string{"improbable", "remote", "occasional", "probable", "frequent"}
)

// Risk is one ISO 14971 risk analysis entry of risks.yaml.
type Risk struct {
	ID                 string   `yaml:"id" json:"id"`
	Hazard             string   `yaml:"hazard" json:"hazard"`
	SequenceOfEvents   string   `yaml:"sequence_of_events" json:"sequence_of_events"`
	HazardousSituation string   `yaml:"hazardous_situation" json:"hazardous_situation"`
	Harm               string   `yaml:"harm" json:"harm"`
	Severity           string   `yaml:"severity" json:"severity"`
	ProbabilityBefore  string   `yaml:"probability_before" json:"probability_before"`
	ProbabilityAfter   string   `yaml:"probability_after" json:"probability_after"`
	Controls           []string `yaml:"controls" json:"controls"`
	Rationale          string   `yaml:"rationale,omitempty" json:"rationale,omitempty"`
}

// Level is a risk's acceptability from the risk matrix.
type Level string

// Risk levels of the matrix: score = severity rank × probability rank (1–5 each).
const (
	LevelAcceptable   Level = "acceptable"   // score ≤ 4
	LevelALARP        Level = "alarp"        // 5–9: reduce as far as possible, benefit-risk justified
	LevelUnacceptable Level = "unacceptable" // ≥ 10
)

func rankOf(scale []string, v string) int {
	for i, s := range scale {
		if s == v {
			return i + 1
		}
	}
	return 0
}

func level(severity, probability string) Level {
	score := rankOf(severityScale, severity) * rankOf(probabilityScale, probability)
	switch {
	case score <= 4:
		return LevelAcceptable
	case score <= 9:
		return LevelALARP
	default:
		return LevelUnacceptable
	}
}

// RiskBefore is the risk level before the controls.
func (k Risk) RiskBefore() Level { return level(k.Severity, k.ProbabilityBefore) }

// RiskAfter is the residual risk level with the controls in place.
func (k Risk) RiskAfter() Level { return level(k.Severity, k.ProbabilityAfter) }

type risksFile struct {
	Risks []Risk `yaml:"risks"`
}

// ParseRisks reads a risk YAML document and checks every field is present,
// the scales are known, and controls never raise the probability.
func ParseRisks(r io.Reader) ([]Risk, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read risks: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f risksFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: risks: %v", ErrRequirements, oneLine(err.Error()))
	}
	seen := map[string]bool{}
	for i, k := range f.Risks {
		if k.ID == "" {
			return nil, fmt.Errorf("%w: risk %d: missing id", ErrRequirements, i+1)
		}
		if seen[k.ID] {
			return nil, fmt.Errorf("%w: %s: duplicate id", ErrRequirements, k.ID)
		}
		seen[k.ID] = true
		for _, fv := range []struct{ name, v string }{
			{"hazard", k.Hazard}, {"sequence_of_events", k.SequenceOfEvents},
			{"hazardous_situation", k.HazardousSituation}, {"harm", k.Harm},
		} {
			if strings.TrimSpace(fv.v) == "" {
				return nil, fmt.Errorf("%w: %s: missing %s", ErrRequirements, k.ID, fv.name)
			}
		}
		if rankOf(severityScale, k.Severity) == 0 {
			return nil, fmt.Errorf("%w: %s: severity %q is not one of %s", ErrRequirements, k.ID, k.Severity, strings.Join(severityScale, ", "))
		}
		for _, p := range []struct{ name, v string }{{"probability_before", k.ProbabilityBefore}, {"probability_after", k.ProbabilityAfter}} {
			if rankOf(probabilityScale, p.v) == 0 {
				return nil, fmt.Errorf("%w: %s: %s %q is not one of %s", ErrRequirements, k.ID, p.name, p.v, strings.Join(probabilityScale, ", "))
			}
		}
		if rankOf(probabilityScale, k.ProbabilityAfter) > rankOf(probabilityScale, k.ProbabilityBefore) {
			return nil, fmt.Errorf("%w: %s: probability_after exceeds probability_before", ErrRequirements, k.ID)
		}
	}
	return f.Risks, nil
}

// CheckLinks cross-checks requirements and risks: every risk id a
// requirement names exists, every control a risk names exists, and the two
// directions agree. It returns every problem found, sorted.
func CheckLinks(reqs []Requirement, risks []Risk) []string {
	byID := map[string]Requirement{}
	for _, q := range reqs {
		byID[q.ID] = q
	}
	riskByID := map[string]Risk{}
	for _, k := range risks {
		riskByID[k.ID] = k
	}
	var problems []string
	for _, q := range reqs {
		for _, id := range q.Risks {
			k, ok := riskByID[id]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s names unknown risk %s", q.ID, id))
				continue
			}
			if !contains(k.Controls, q.ID) {
				problems = append(problems, fmt.Sprintf("%s names risk %s, whose controls do not list it", q.ID, id))
			}
		}
	}
	for _, k := range risks {
		if len(k.Controls) == 0 {
			problems = append(problems, fmt.Sprintf("%s has no risk control", k.ID))
		}
		for _, c := range k.Controls {
			q, ok := byID[c]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s names unknown control %s", k.ID, c))
				continue
			}
			if !contains(q.Risks, k.ID) {
				problems = append(problems, fmt.Sprintf("%s is a control of %s but does not list it under risks", c, k.ID))
			}
		}
		if k.RiskAfter() == LevelUnacceptable {
			problems = append(problems, fmt.Sprintf("%s residual risk is unacceptable", k.ID))
		}
	}
	sort.Strings(problems)
	return problems
}
