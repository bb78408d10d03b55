package sbom

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
)

// CycloneDX 1.6 JSON, written with encoding/json: the subset of the
// specification the BOM needs (no Go CycloneDX library is a dependency).

type cdxBOM struct {
	BOMFormat       string          `json:"bomFormat"`
	SpecVersion     string          `json:"specVersion"`
	SerialNumber    string          `json:"serialNumber"`
	Version         int             `json:"version"`
	Metadata        cdxMetadata     `json:"metadata"`
	Components      []cdxComponent  `json:"components"`
	Dependencies    []cdxDependency `json:"dependencies"`
	Vulnerabilities []cdxVuln       `json:"vulnerabilities,omitempty"`
}

type cdxMetadata struct {
	Timestamp string        `json:"timestamp"`
	Tools     cdxTools      `json:"tools"`
	Authors   []cdxContact  `json:"authors"`
	Component cdxComponent  `json:"component"`
	Supplier  *cdxOrgEntity `json:"supplier,omitempty"`
	Props     []cdxProperty `json:"properties,omitempty"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxContact struct {
	Name string `json:"name"`
}

type cdxOrgEntity struct {
	Name string `json:"name"`
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type cdxLicense struct {
	License    *cdxLicenseID `json:"license,omitempty"`
	Expression string        `json:"expression,omitempty"`
}

type cdxLicenseID struct {
	ID string `json:"id"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxComponent struct {
	BOMRef      string        `json:"bom-ref,omitempty"`
	Type        string        `json:"type"`
	Supplier    *cdxOrgEntity `json:"supplier,omitempty"`
	Author      string        `json:"author,omitempty"`
	Name        string        `json:"name"`
	Version     string        `json:"version,omitempty"`
	Description string        `json:"description,omitempty"`
	Hashes      []cdxHash     `json:"hashes,omitempty"`
	Licenses    []cdxLicense  `json:"licenses,omitempty"`
	PURL        string        `json:"purl,omitempty"`
	ExtRefs     []cdxExtRef   `json:"externalReferences,omitempty"`
	Properties  []cdxProperty `json:"properties,omitempty"`
	ModelCard   *cdxModelCard `json:"modelCard,omitempty"`
	Data        []cdxData     `json:"data,omitempty"`
}

type cdxExtRef struct {
	URL     string `json:"url"`
	Type    string `json:"type"`
	Comment string `json:"comment,omitempty"`
}

type cdxModelCard struct {
	ModelParameters cdxModelParameters `json:"modelParameters"`
}

type cdxModelParameters struct {
	Task     string          `json:"task,omitempty"`
	Datasets []cdxDatasetRef `json:"datasets,omitempty"`
}

type cdxDatasetRef struct {
	Ref string `json:"ref"`
}

type cdxData struct {
	Type        string `json:"type"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

type cdxVuln struct {
	BOMRef         string       `json:"bom-ref"`
	ID             string       `json:"id"`
	Source         cdxSource    `json:"source"`
	References     []cdxVulnRef `json:"references,omitempty"`
	Description    string       `json:"description,omitempty"`
	Recommendation string       `json:"recommendation,omitempty"`
	Published      string       `json:"published,omitempty"`
	Updated        string       `json:"updated,omitempty"`
	Analysis       cdxAnalysis  `json:"analysis"`
	Affects        []cdxAffect  `json:"affects"`
}

type cdxSource struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type cdxVulnRef struct {
	ID     string    `json:"id"`
	Source cdxSource `json:"source"`
}

type cdxAnalysis struct {
	State         string `json:"state"`
	Justification string `json:"justification,omitempty"`
	Detail        string `json:"detail"`
}

type cdxAffect struct {
	Ref      string            `json:"ref"`
	Versions []cdxAffectVerson `json:"versions,omitempty"`
}

type cdxAffectVerson struct {
	Version string `json:"version"`
	Status  string `json:"status"`
}

func cdxLicenses(expr string) []cdxLicense {
	switch {
	case expr == "":
		return nil
	case strings.ContainsAny(expr, " ()"):
		return []cdxLicense{{Expression: expr}}
	}
	return []cdxLicense{{License: &cdxLicenseID{ID: expr}}}
}

func (b *BOM) cdxComponent(c Component) cdxComponent {
	out := cdxComponent{
		BOMRef: c.Ref, Type: string(c.Kind), Name: c.Name, Version: c.Version, Description: c.Description,
		PURL: c.PURL, Licenses: cdxLicenses(c.License),
	}
	if c.Supplier.Name != "" {
		out.Supplier = &cdxOrgEntity{Name: c.Supplier.Name}
	}
	if c.SHA256 != "" {
		out.Hashes = []cdxHash{{Alg: "SHA-256", Content: c.SHA256}}
		out.Properties = append(out.Properties, cdxProperty{"afscan:sha256-of", c.SHA256Note})
	}
	if c.GoSum != "" {
		out.Properties = append(out.Properties, cdxProperty{"afscan:go.sum", c.GoSum})
	}
	if strings.HasPrefix(c.DownloadLocation, "http") {
		out.ExtRefs = append(out.ExtRefs, cdxExtRef{URL: c.DownloadLocation, Type: "distribution"})
	}
	switch c.Kind {
	case KindModel:
		mc := &cdxModelCard{ModelParameters: cdxModelParameters{Task: "classification"}}
		for _, r := range append(append([]string{}, c.GeneratedFrom...), c.TestedBy...) {
			mc.ModelParameters.Datasets = append(mc.ModelParameters.Datasets, cdxDatasetRef{Ref: r})
		}
		out.ModelCard = mc
	case KindData:
		out.Data = []cdxData{{Type: "dataset", Name: c.Name, Description: c.Description}}
		out.Properties = append(out.Properties,
			cdxProperty{"afscan:dataset-purpose", c.Purpose},
			cdxProperty{"afscan:n-records", fmt.Sprint(c.NRecords)})
	}
	return out
}

// WriteCycloneDX writes the BOM as CycloneDX 1.6 JSON, with the VEX
// statements in its vulnerabilities section.
func (b *BOM) WriteCycloneDX(w io.Writer) error {
	main := b.Main()
	doc := cdxBOM{
		BOMFormat: "CycloneDX", SpecVersion: "1.6", Version: 1,
		SerialNumber: "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("cyclonedx:"+b.Fingerprint())).String(),
		Metadata: cdxMetadata{
			Timestamp: b.Created.UTC().Format(time.RFC3339),
			Tools:     cdxTools{Components: []cdxComponent{{Type: "application", Name: strings.SplitN(b.Tool, "-", 2)[0], Version: toolVersion(b.Tool)}}},
			Authors:   []cdxContact{{Name: b.Author.Name}},
			Component: b.cdxComponent(*main),
			Supplier:  &cdxOrgEntity{Name: main.Supplier.Name},
		},
		Components:   []cdxComponent{},
		Dependencies: []cdxDependency{},
	}
	if b.VulnSource != "" {
		doc.Metadata.Props = append(doc.Metadata.Props, cdxProperty{"afscan:vulnerability-scan", b.VulnSource})
	}
	for _, c := range b.Components[1:] {
		doc.Components = append(doc.Components, b.cdxComponent(c))
	}
	for _, c := range b.Components {
		deps := append(append([]string{}, c.DependsOn...), c.GeneratedFrom...)
		if deps == nil {
			deps = []string{}
		}
		doc.Dependencies = append(doc.Dependencies, cdxDependency{Ref: c.Ref, DependsOn: deps})
	}
	for _, v := range b.Vulns {
		cv := cdxVuln{
			BOMRef: "vuln:" + v.ID + ":" + v.Module, ID: v.ID,
			Source:      cdxSource{Name: "Go Vulnerability Database", URL: v.URL()},
			Description: v.Summary, Published: v.Published, Updated: v.Modified,
			Analysis: cdxAnalysis{State: cdxState(v.Status), Justification: v.Justification, Detail: v.Detail},
			Affects:  []cdxAffect{{Ref: v.ComponentRef, Versions: []cdxAffectVerson{{Version: v.Version, Status: cdxAffectStatus(v.Status)}}}},
		}
		if v.Version == "" {
			cv.Affects[0].Versions = nil
		}
		if v.FixedVersion != "" {
			cv.Recommendation = fmt.Sprintf("Upgrade %s to %s or later.", v.Module, v.FixedVersion)
		}
		for _, a := range v.Aliases {
			src := cdxSource{Name: "NVD", URL: "https://nvd.nist.gov/vuln/detail/" + a}
			if strings.HasPrefix(a, "GHSA-") {
				src = cdxSource{Name: "GitHub Advisories", URL: "https://github.com/advisories/" + a}
			}
			cv.References = append(cv.References, cdxVulnRef{ID: a, Source: src})
		}
		doc.Vulnerabilities = append(doc.Vulnerabilities, cv)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write cyclonedx: %w", err)
	}
	return nil
}

func toolVersion(tool string) string {
	parts := strings.SplitN(tool, "-", 2)
	if len(parts) == 2 {
		return parts[1]
	}
	return ""
}

// cdxState maps a VEX status to CycloneDX impactAnalysisState.
func cdxState(status string) string {
	switch status {
	case StatusNotAffected:
		return "not_affected"
	case StatusFixed:
		return "resolved"
	}
	return "exploitable"
}

// cdxAffectStatus is the status of the version a statement names: the
// version found for affected and not_affected statements, the baseline's
// (vulnerable) version for fixed ones.
func cdxAffectStatus(status string) string {
	if status == StatusNotAffected {
		return "unaffected"
	}
	return "affected"
}
