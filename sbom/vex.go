package sbom

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// ErrNotGovulncheck means the input is not govulncheck -json output.
var ErrNotGovulncheck = errors.New("not govulncheck -json output")

// VEX statuses (CISA "Minimum Requirements for VEX": not_affected, affected,
// fixed, under_investigation).
const (
	StatusAffected    = "affected"
	StatusNotAffected = "not_affected"
	StatusFixed       = "fixed"
)

// Reachability levels of a govulncheck finding, from its first trace frame.
const (
	levelModule  = 1 // the module is required; the vulnerable package is not imported
	levelPackage = 2 // the vulnerable package is imported; no vulnerable symbol is called
	levelSymbol  = 3 // a vulnerable symbol is reachable from the code
)

type gvConfig struct {
	ScannerName    string `json:"scanner_name"`
	ScannerVersion string `json:"scanner_version"`
	DB             string `json:"db"`
	DBLastModified string `json:"db_last_modified"`
	GoVersion      string `json:"go_version"`
	ScanLevel      string `json:"scan_level"`
	ScanMode       string `json:"scan_mode"`
}

type gvOSV struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Summary   string   `json:"summary"`
	Details   string   `json:"details"`
	Published string   `json:"published"`
	Modified  string   `json:"modified"`
}

type gvFrame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
}

type gvFinding struct {
	OSV          string     `json:"osv"`
	FixedVersion string     `json:"fixed_version"`
	Trace        []*gvFrame `json:"trace"`
}

type gvMessage struct {
	Config  *gvConfig  `json:"config"`
	OSV     *gvOSV     `json:"osv"`
	Finding *gvFinding `json:"finding"`
}

// VulnReport is a parsed govulncheck -json stream.
type VulnReport struct {
	Config   gvConfig
	OSVs     map[string]*gvOSV
	Findings []*gvFinding
}

// Source names the scanner, its database and the Go version scanned.
func (r *VulnReport) Source() string {
	c := r.Config
	return strings.TrimSpace(fmt.Sprintf("%s %s, db %s (modified %s), %s, scan level %s", c.ScannerName, c.ScannerVersion, c.DB, c.DBLastModified, c.GoVersion, c.ScanLevel))
}

// ParseGovulncheck reads govulncheck -json output (a stream of JSON
// messages: config, progress, SBOM, osv and finding).
func ParseGovulncheck(r io.Reader) (*VulnReport, error) {
	dec := json.NewDecoder(r)
	rep := &VulnReport{OSVs: map[string]*gvOSV{}}
	sawConfig := false
	for {
		var m gvMessage
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("%w: %v", ErrNotGovulncheck, err)
		}
		switch {
		case m.Config != nil:
			rep.Config, sawConfig = *m.Config, true
		case m.OSV != nil:
			rep.OSVs[m.OSV.ID] = m.OSV
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			rep.Findings = append(rep.Findings, m.Finding)
		}
	}
	if !sawConfig {
		return nil, fmt.Errorf("%w: no config message", ErrNotGovulncheck)
	}
	return rep, nil
}

// Statement is one VEX statement: the status of one vulnerability in one
// component, with govulncheck's reachability analysis as justification.
type Statement struct {
	ID            string   // Go vulnerability id, GO-YYYY-NNNN
	Aliases       []string // CVE and GHSA ids
	Summary       string
	Published     string
	Modified      string
	ComponentRef  string
	Module        string // module as govulncheck reported it ("stdlib" for the standard library)
	Version       string // version found
	FixedVersion  string
	Status        string // affected, not_affected or fixed
	Justification string // CycloneDX impactAnalysisJustification when not_affected
	Detail        string
}

// URL is the advisory's page in the Go vulnerability database.
func (s Statement) URL() string { return "https://pkg.go.dev/vuln/" + s.ID }

type vulnKey struct{ id, module string }

type reach struct {
	level   int
	version string
	fixed   string
	trace   []*gvFrame
}

func collect(r *VulnReport) map[vulnKey]*reach {
	out := map[vulnKey]*reach{}
	for _, f := range r.Findings {
		top := f.Trace[0]
		lvl := levelModule
		switch {
		case top.Function != "":
			lvl = levelSymbol
		case top.Package != "":
			lvl = levelPackage
		}
		k := vulnKey{f.OSV, top.Module}
		cur, ok := out[k]
		if !ok {
			cur = &reach{version: top.Version, fixed: f.FixedVersion}
			out[k] = cur
		}
		if lvl > cur.level {
			cur.level, cur.trace = lvl, f.Trace
		}
	}
	return out
}

// Statements turns a scan (and optionally an earlier baseline scan) into
// VEX statements: a vulnerable symbol reachable from the code is affected;
// a vulnerable package imported but no vulnerable symbol called, or a
// vulnerable module whose vulnerable package is not linked, is not_affected;
// what the baseline found and the current scan no longer finds is fixed.
// Statements are attached to the component of refByModule[module], or to
// fallbackRef. When the scan did not run at symbol level, reachability is
// unknown and every finding is affected.
func Statements(cur, baseline *VulnReport, refByModule map[string]string, fallbackRef string) []Statement {
	now := collect(cur)
	var out []Statement
	symbolScan := cur.Config.ScanLevel == "" || cur.Config.ScanLevel == "symbol"
	add := func(k vulnKey, osv *gvOSV, st Statement) {
		st.ID, st.Module = k.id, k.module
		if osv != nil {
			st.Aliases, st.Summary, st.Published, st.Modified = osv.Aliases, osv.Summary, osv.Published, osv.Modified
		}
		st.ComponentRef = refByModule[k.module]
		if st.ComponentRef == "" {
			st.ComponentRef = fallbackRef
		}
		out = append(out, st)
	}
	for k, r := range now {
		st := Statement{Version: r.version, FixedVersion: r.fixed}
		switch {
		case !symbolScan:
			st.Status = StatusAffected
			st.Detail = fmt.Sprintf("govulncheck ran at %s level; reachability not analysed", cur.Config.ScanLevel)
		case r.level == levelSymbol:
			st.Status = StatusAffected
			st.Detail = "vulnerable symbol reachable: " + traceString(r.trace)
		case r.level == levelPackage:
			st.Status = StatusNotAffected
			st.Justification = "code_not_reachable"
			st.Detail = fmt.Sprintf("package %s is linked but govulncheck's call graph reaches no vulnerable symbol", r.trace[0].Package)
		default:
			st.Status = StatusNotAffected
			st.Justification = "code_not_present"
			st.Detail = "the module is required but the vulnerable package is not linked into the binary"
		}
		if st.FixedVersion != "" && st.Status == StatusAffected {
			st.Detail += "; fixed in " + st.FixedVersion
		}
		add(k, cur.OSVs[k.id], st)
	}
	if baseline != nil {
		for k, r := range collect(baseline) {
			if _, still := now[k]; still {
				continue
			}
			st := Statement{Status: StatusFixed, Version: r.version, FixedVersion: r.fixed}
			st.Detail = fmt.Sprintf("found by the baseline scan in %s %s (fixed in %s); the scan of this build no longer finds it", k.module, r.version, r.fixed)
			add(k, baseline.OSVs[k.id], st)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Module < out[j].Module
	})
	return out
}

// traceString renders a call trace from the code's entry point down to the
// vulnerable symbol.
func traceString(tr []*gvFrame) string {
	var parts []string
	for i := len(tr) - 1; i >= 0; i-- {
		f := tr[i]
		name := f.Function
		if f.Receiver != "" {
			name = f.Receiver + "." + name
		}
		parts = append(parts, f.Package+"."+name)
	}
	return strings.Join(parts, " → ")
}

// Affected returns the statements whose status is affected.
func (b *BOM) Affected() []Statement {
	var out []Statement
	for _, v := range b.Vulns {
		if v.Status == StatusAffected {
			out = append(out, v)
		}
	}
	return out
}
