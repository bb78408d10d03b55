package dhf

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Rule11Text is EU MDR (Regulation (EU) 2017/745) Annex VIII, Chapter III,
// Rule 11, verbatim.
const Rule11Text = "Software intended to provide information which is used to take decisions with diagnosis or therapeutic purposes is classified as class IIa, except if such decisions have an impact that may cause: death or an irreversible deterioration of a person's state of health, in which case it is in class III; or a serious deterioration of a person's state of health or a surgical intervention, in which case it is classified as class IIb. Software intended to monitor physiological processes is classified as class IIa, except if it is intended for monitoring of vital physiological parameters, where the nature of variations of those parameters is such that it could result in immediate danger to the patient, in which case it is classified as class IIb. All other software is classified as class I."

// imdrfTable is the category table of IMDRF/SaMD WG/N12FINAL:2014, indexed by state
// then significance.
var imdrfTable = map[State]map[Significance]string{
	StateCritical:   {SignificanceTreatOrDiagnose: "IV", SignificanceDrive: "III", SignificanceInform: "II"},
	StateSerious:    {SignificanceTreatOrDiagnose: "III", SignificanceDrive: "II", SignificanceInform: "I"},
	StateNonSerious: {SignificanceTreatOrDiagnose: "II", SignificanceDrive: "I", SignificanceInform: "I"},
}

// IMDRFResult is the IMDRF SaMD category with the table cell that gave it.
type IMDRFResult struct {
	Category     string       `json:"category"` // I, II, III or IV
	State        State        `json:"state"`
	Significance Significance `json:"significance"`
	Reasoning    []string     `json:"reasoning"`
}

// MDRResult is the EU MDR Annex VIII Rule 11 class.
type MDRResult struct {
	Class     string   `json:"class"` // I, IIa, IIb or III
	Rule      string   `json:"rule"`
	RuleText  string   `json:"rule_text"`
	Reasoning []string `json:"reasoning"`
}

// IEC62304Result is the suggested IEC 62304 software safety class.
type IEC62304Result struct {
	Class     string   `json:"class"` // A, B or C
	Severity  Severity `json:"severity"`
	Reasoning []string `json:"reasoning"`
}

// Classification is everything derived from one intended use.
type Classification struct {
	Device      string         `json:"device"`
	Condition   string         `json:"condition"`
	IMDRF       IMDRFResult    `json:"imdrf"`
	MDR         MDRResult      `json:"eu_mdr"`
	IEC62304    IEC62304Result `json:"iec62304"`
	Disclaimers []string       `json:"disclaimers"`
}

var mdrRank = map[string]int{"I": 0, "IIa": 1, "IIb": 2, "III": 3}

// Classify derives the IMDRF category, the MDR Rule 11 class and the
// suggested IEC 62304 class of a validated intended use. It panics when u
// has not passed Validate, which is a programmer error.
func Classify(u *IntendedUse) Classification {
	if err := u.Validate(); err != nil {
		panic("dhf: Classify on an invalid intended use: " + err.Error())
	}
	cat := imdrfTable[u.State][u.Significance]
	c := Classification{Device: u.Device, Condition: u.Condition}
	c.IMDRF = IMDRFResult{
		Category: cat, State: u.State, Significance: u.Significance,
		Reasoning: []string{
			fmt.Sprintf("State of the healthcare situation or condition (N12 §5.2): %s (%s).", u.State, stateMeaning(u.State)),
			fmt.Sprintf("Significance of the information to the healthcare decision (N12 §5.1): %s (%s).", u.Significance, significanceMeaning(u.Significance)),
			fmt.Sprintf("IMDRF N12 category table: row %s, column %s → category %s.", u.State, u.Significance, cat),
		},
	}

	// Rule 11, first paragraph, read with the MDCG 2019-11 Annex III
	// correspondence: IMDRF IV → III, III → IIb, II and I → IIa.
	decision := map[string]string{"IV": "III", "III": "IIb", "II": "IIa", "I": "IIa"}[cat]
	why := map[string]string{
		"III": "the decisions informed may have an impact that causes death or an irreversible deterioration of health (critical situation, treat or diagnose)",
		"IIb": "the decisions informed may have an impact that causes a serious deterioration of health or a surgical intervention",
		"IIa": "the information is used to take decisions with diagnostic or therapeutic purposes, without the impacts that raise the class",
	}[decision]
	mdr := MDRResult{Rule: "EU MDR 2017/745 Annex VIII Rule 11", RuleText: Rule11Text}
	mdr.Reasoning = append(mdr.Reasoning,
		fmt.Sprintf("Paragraph 1 (decisions): class %s, because %s; MDCG 2019-11 Annex III maps IMDRF category %s to class %s.", decision, why, cat, decision))
	class := decision
	switch u.Monitoring {
	case MonitoringPhysiological:
		mdr.Reasoning = append(mdr.Reasoning, "Paragraph 2 (monitoring): monitors a physiological process → class IIa.")
		class = maxMDR(class, "IIa")
	case MonitoringVitalDanger:
		mdr.Reasoning = append(mdr.Reasoning, "Paragraph 2 (monitoring): monitors vital physiological parameters whose variations could result in immediate danger → class IIb.")
		class = maxMDR(class, "IIb")
	default:
		mdr.Reasoning = append(mdr.Reasoning, "Paragraph 2 (monitoring): does not monitor physiological processes; not applicable.")
	}
	mdr.Reasoning = append(mdr.Reasoning, fmt.Sprintf("The highest applicable class applies (Annex VIII §3.5): class %s.", class))
	mdr.Class = class
	c.MDR = mdr

	h := u.WorstCredibleHarm
	sev := h.Severity
	r := []string{fmt.Sprintf("Worst credible harm: %s; severity %s.", strings.TrimSuffix(h.Description, "."), h.Severity)}
	if h.SeverityWithExternalControls != "" && h.SeverityWithExternalControls != h.Severity {
		sev = h.SeverityWithExternalControls
		r = append(r, fmt.Sprintf("Risk control measures external to the software system (%s) reduce it to %s (IEC 62304 A1 §4.3 a).", strings.Join(h.ExternalRiskControls, "; "), sev))
	} else if len(h.ExternalRiskControls) > 0 {
		r = append(r, fmt.Sprintf("External risk controls (%s) are listed but no reduction of severity is claimed.", strings.Join(h.ExternalRiskControls, "; ")))
	}
	cls := map[Severity]string{SeverityNoInjury: "A", SeverityNonSeriousInjury: "B", SeveritySeriousInjury: "C"}[sev]
	r = append(r, fmt.Sprintf("IEC 62304:2006+A1:2015 §4.3: %s → class %s (%s).", sev, cls, map[string]string{
		"A": "no injury or damage to health is possible",
		"B": "non-serious injury is possible",
		"C": "death or serious injury is possible",
	}[cls]))
	c.IEC62304 = IEC62304Result{Class: cls, Severity: sev, Reasoning: r}
	c.Disclaimers = []string{
		"This classification is generated from the intended-use file; it supports, and does not replace, the manufacturer's documented justification and a notified body's assessment.",
	}
	return c
}

func maxMDR(a, b string) string {
	if mdrRank[b] > mdrRank[a] {
		return b
	}
	return a
}

func stateMeaning(s State) string {
	switch s {
	case StateCritical:
		return "accurate and/or timely diagnosis or treatment action is vital to avoid death, long-term disability or other serious deterioration of health"
	case StateSerious:
		return "accurate diagnosis or treatment is of vital importance to avoid unnecessary interventions or timely interventions are important to mitigate long-term irreversible consequences"
	default:
		return "accurate diagnosis and treatment is important but not critical for interventions to mitigate long-term irreversible consequences"
	}
}

func significanceMeaning(s Significance) string {
	switch s {
	case SignificanceTreatOrDiagnose:
		return "the information is used to take an immediate or near-term action to treat, prevent, mitigate, screen or diagnose"
	case SignificanceDrive:
		return "the information aids in treatment or diagnosis, or guides next diagnostics or treatment interventions"
	default:
		return "the information informs of options or provides clinical information that will not trigger an immediate or near-term action"
	}
}

// Markdown renders c as a Markdown document with the 3×3 table, the chosen
// cell marked.
func (c Classification) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Classification of %s\n\n", c.Device)
	fmt.Fprintf(&b, "Condition: %s\n\n", c.Condition)
	fmt.Fprintf(&b, "| framework | result |\n|---|---|\n")
	fmt.Fprintf(&b, "| IMDRF SaMD N12 (2014) | **category %s** |\n", c.IMDRF.Category)
	fmt.Fprintf(&b, "| %s | **class %s** |\n", c.MDR.Rule, c.MDR.Class)
	fmt.Fprintf(&b, "| IEC 62304:2006+A1:2015 software safety class (suggested) | **class %s** |\n\n", c.IEC62304.Class)

	b.WriteString("## IMDRF SaMD category\n\n")
	b.WriteString("| state \\ significance | treat or diagnose | drive clinical management | inform clinical management |\n|---|---|---|---|\n")
	for _, s := range []State{StateCritical, StateSerious, StateNonSerious} {
		fmt.Fprintf(&b, "| %s |", s)
		for _, g := range []Significance{SignificanceTreatOrDiagnose, SignificanceDrive, SignificanceInform} {
			cell := imdrfTable[s][g]
			if s == c.IMDRF.State && g == c.IMDRF.Significance {
				cell = "**→ " + cell + "**"
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	writeBullets(&b, c.IMDRF.Reasoning)
	b.WriteString("\n## EU MDR Annex VIII Rule 11\n\n")
	fmt.Fprintf(&b, "> %s\n\n", c.MDR.RuleText)
	writeBullets(&b, c.MDR.Reasoning)
	b.WriteString("\n## IEC 62304 software safety class\n\n")
	writeBullets(&b, c.IEC62304.Reasoning)
	b.WriteString("\n---\n\n")
	for _, d := range c.Disclaimers {
		fmt.Fprintf(&b, "%s\n", d)
	}
	return b.String()
}

func writeBullets(b *strings.Builder, lines []string) {
	for _, l := range lines {
		fmt.Fprintf(b, "- %s\n", l)
	}
}

// JSON renders c as indented JSON ending in a newline.
func (c Classification) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode classification: %w", err)
	}
	return append(b, '\n'), nil
}
