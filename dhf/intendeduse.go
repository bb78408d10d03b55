package dhf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Sentinel errors of intended-use files; every error returned by
// ParseIntendedUse wraps one of them inside a *FieldError.
var (
	// ErrIncomplete marks a required field that is missing or empty.
	ErrIncomplete = errors.New("incomplete intended use")
	// ErrInvalid marks a field whose value is not one of the allowed ones,
	// or a field the format does not know.
	ErrInvalid = errors.New("invalid intended use")
	// ErrInconsistent marks fields whose values contradict each other.
	ErrInconsistent = errors.New("inconsistent intended use")
)

// FieldError names the intended-use field at fault.
type FieldError struct {
	Field  string // dotted YAML path, e.g. "worst_credible_harm.severity"
	Reason string
	Err    error // ErrIncomplete, ErrInvalid or ErrInconsistent
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("intended use: field %s: %s", e.Field, e.Reason)
}

func (e *FieldError) Unwrap() error { return e.Err }

// State is the IMDRF N12 §5.2 state of the healthcare situation or condition.
type State string

// IMDRF N12 states of the healthcare situation.
const (
	StateCritical   State = "critical"    // timely action vital to avoid death, long-term disability or serious deterioration
	StateSerious    State = "serious"     // timely action important to avoid irreversible consequences or unnecessary intervention
	StateNonSerious State = "non_serious" // action not critical; slow progression, not irreversible
)

// Significance is the IMDRF N12 §5.1 significance of the information the
// software provides to the healthcare decision.
type Significance string

// IMDRF N12 significance of the information.
const (
	SignificanceTreatOrDiagnose Significance = "treat_or_diagnose"
	SignificanceDrive           Significance = "drive_clinical_management"
	SignificanceInform          Significance = "inform_clinical_management"
)

// Monitoring says whether the software monitors a physiological process,
// the second paragraph of MDR Annex VIII Rule 11.
type Monitoring string

// Rule 11 monitoring cases.
const (
	MonitoringNone          Monitoring = "none"
	MonitoringPhysiological Monitoring = "physiological"          // a physiological process
	MonitoringVitalDanger   Monitoring = "vital_immediate_danger" // vital parameters whose variations could result in immediate danger
)

// Severity grades the worst credible harm as IEC 62304:2006+A1:2015 §4.3 does.
type Severity string

// IEC 62304 severities.
const (
	SeverityNoInjury         Severity = "no_injury"
	SeverityNonSeriousInjury Severity = "non_serious_injury"
	SeveritySeriousInjury    Severity = "death_or_serious_injury"
)

func (s Severity) rank() int {
	switch s {
	case SeverityNoInjury:
		return 0
	case SeverityNonSeriousInjury:
		return 1
	case SeveritySeriousInjury:
		return 2
	}
	return -1
}

// Harm is the worst credible harm the software could contribute to.
type Harm struct {
	Description string   `yaml:"description" json:"description"`
	Severity    Severity `yaml:"severity" json:"severity"`
	// ExternalRiskControls are risk control measures outside the software
	// system (IEC 62304 A1 §4.3 a); SeverityWithExternalControls is the
	// severity left once they work. Empty means no reduction is claimed.
	ExternalRiskControls         []string `yaml:"external_risk_controls,omitempty" json:"external_risk_controls,omitempty"`
	SeverityWithExternalControls Severity `yaml:"severity_with_external_controls,omitempty" json:"severity_with_external_controls,omitempty"`
}

// IntendedUse is the machine-readable intended use of a SaMD.
type IntendedUse struct {
	Device            string       `yaml:"device" json:"device"`
	Statement         string       `yaml:"statement" json:"statement"`
	Condition         string       `yaml:"condition" json:"condition"`
	State             State        `yaml:"state" json:"state"`
	Significance      Significance `yaml:"significance" json:"significance"`
	Monitoring        Monitoring   `yaml:"monitoring" json:"monitoring"`
	Users             []string     `yaml:"users" json:"users"`
	Environment       []string     `yaml:"environment" json:"environment"`
	Population        string       `yaml:"population" json:"population"`
	Inputs            []string     `yaml:"inputs" json:"inputs"`
	Outputs           []string     `yaml:"outputs" json:"outputs"`
	Contraindications []string     `yaml:"contraindications,omitempty" json:"contraindications,omitempty"`
	WorstCredibleHarm Harm         `yaml:"worst_credible_harm" json:"worst_credible_harm"`
}

// Environments accepted in IntendedUse.Environment.
var environments = []string{"home", "clinic", "hospital", "ambulatory"}

// ParseIntendedUse reads and checks an intended-use YAML document. Unknown
// fields, missing fields, values outside the allowed sets and contradictory
// fields are reported as a *FieldError naming the first field at fault.
func ParseIntendedUse(r io.Reader) (*IntendedUse, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read intended use: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var u IntendedUse
	if err := dec.Decode(&u); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FieldError{Field: "device", Reason: "empty file", Err: ErrIncomplete}
		}
		return nil, &FieldError{Field: yamlErrField(err), Reason: oneLine(err.Error()), Err: ErrInvalid}
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	return &u, nil
}

// yamlErrField extracts the field name from a yaml.v3 "field X not found"
// error so that the user is told which field is unknown.
func yamlErrField(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "field "); i >= 0 {
		rest := msg[i+len("field "):]
		if j := strings.Index(rest, " "); j > 0 {
			return rest[:j]
		}
	}
	return "(document)"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Validate checks completeness and consistency and returns a *FieldError
// for the first problem found, in document order.
func (u *IntendedUse) Validate() error {
	missing := func(field string) error {
		return &FieldError{Field: field, Reason: "missing or empty", Err: ErrIncomplete}
	}
	notOneOf := func(field, got string, allowed ...string) error {
		return &FieldError{Field: field, Reason: fmt.Sprintf("%q is not one of %s", got, strings.Join(allowed, ", ")), Err: ErrInvalid}
	}
	for _, f := range []struct {
		name, v string
	}{{"device", u.Device}, {"statement", u.Statement}, {"condition", u.Condition}} {
		if strings.TrimSpace(f.v) == "" {
			return missing(f.name)
		}
	}
	switch u.State {
	case "":
		return missing("state")
	case StateCritical, StateSerious, StateNonSerious:
	default:
		return notOneOf("state", string(u.State), string(StateCritical), string(StateSerious), string(StateNonSerious))
	}
	switch u.Significance {
	case "":
		return missing("significance")
	case SignificanceTreatOrDiagnose, SignificanceDrive, SignificanceInform:
	default:
		return notOneOf("significance", string(u.Significance), string(SignificanceTreatOrDiagnose), string(SignificanceDrive), string(SignificanceInform))
	}
	switch u.Monitoring {
	case "":
		return missing("monitoring")
	case MonitoringNone, MonitoringPhysiological, MonitoringVitalDanger:
	default:
		return notOneOf("monitoring", string(u.Monitoring), string(MonitoringNone), string(MonitoringPhysiological), string(MonitoringVitalDanger))
	}
	lists := []struct {
		name string
		v    []string
	}{{"users", u.Users}, {"environment", u.Environment}}
	for _, l := range lists {
		if len(nonEmpty(l.v)) == 0 {
			return missing(l.name)
		}
	}
	for _, e := range u.Environment {
		if !contains(environments, e) {
			return notOneOf("environment", e, environments...)
		}
	}
	if strings.TrimSpace(u.Population) == "" {
		return missing("population")
	}
	for _, l := range []struct {
		name string
		v    []string
	}{{"inputs", u.Inputs}, {"outputs", u.Outputs}} {
		if len(nonEmpty(l.v)) == 0 {
			return missing(l.name)
		}
	}
	h := u.WorstCredibleHarm
	if strings.TrimSpace(h.Description) == "" {
		return missing("worst_credible_harm.description")
	}
	sevs := []string{string(SeverityNoInjury), string(SeverityNonSeriousInjury), string(SeveritySeriousInjury)}
	if h.Severity == "" {
		return missing("worst_credible_harm.severity")
	}
	if h.Severity.rank() < 0 {
		return notOneOf("worst_credible_harm.severity", string(h.Severity), sevs...)
	}
	if h.SeverityWithExternalControls != "" {
		if h.SeverityWithExternalControls.rank() < 0 {
			return notOneOf("worst_credible_harm.severity_with_external_controls", string(h.SeverityWithExternalControls), sevs...)
		}
		if len(nonEmpty(h.ExternalRiskControls)) == 0 {
			return &FieldError{Field: "worst_credible_harm.external_risk_controls", Reason: "a reduced severity needs the external risk controls that achieve it", Err: ErrInconsistent}
		}
		if h.SeverityWithExternalControls.rank() > h.Severity.rank() {
			return &FieldError{Field: "worst_credible_harm.severity_with_external_controls", Reason: "external risk controls cannot raise the severity", Err: ErrInconsistent}
		}
	}
	// IMDRF N12 §5.2: a critical situation is one where timely action is
	// vital to avoid death, long-term disability or serious deterioration;
	// a harm graded no_injury contradicts it.
	if u.State == StateCritical && h.Severity != SeveritySeriousInjury {
		return &FieldError{Field: "worst_credible_harm.severity", Reason: fmt.Sprintf("%s contradicts state critical (death or serious deterioration at stake)", h.Severity), Err: ErrInconsistent}
	}
	if u.State == StateSerious && h.Severity == SeverityNoInjury {
		return &FieldError{Field: "worst_credible_harm.severity", Reason: "no_injury contradicts state serious (irreversible consequences at stake)", Err: ErrInconsistent}
	}
	// Rule 11: monitoring vital parameters whose variation means immediate
	// danger describes a critical situation, not a non-serious one.
	if u.Monitoring == MonitoringVitalDanger && u.State == StateNonSerious {
		return &FieldError{Field: "monitoring", Reason: "vital_immediate_danger contradicts state non_serious", Err: ErrInconsistent}
	}
	return nil
}

func nonEmpty(v []string) []string {
	var out []string
	for _, s := range v {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
