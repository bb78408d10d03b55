package sbom

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/tagvalue"
)

// NamespacePrefix starts every SPDX document namespace afscan writes; the
// rest is the BOM's name, version and a UUID derived from its fingerprint.
const NamespacePrefix = "https://github.com/afscan/afscan/spdx/"

var notIDChar = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// spdxIDs assigns every component a unique SPDX element id.
func spdxIDs(b *BOM) map[string]common.ElementID {
	ids := map[string]common.ElementID{}
	used := map[common.ElementID]bool{}
	for _, c := range b.Components {
		base := strings.Trim(notIDChar.ReplaceAllString(c.Ref, "-"), "-")
		id := common.ElementID(base)
		for n := 2; used[id]; n++ {
			id = common.ElementID(fmt.Sprintf("%s-%d", base, n))
		}
		used[id] = true
		ids[c.Ref] = id
	}
	return ids
}

func orNoAssertion(s string) string {
	if s == "" {
		return "NOASSERTION"
	}
	return s
}

func purpose(k Kind) string {
	switch k {
	case KindApplication:
		return "APPLICATION"
	case KindLibrary:
		return "LIBRARY"
	case KindModel:
		return "FILE"
	}
	return "OTHER"
}

// vexComment is the text of a VEX statement as an SPDX annotation.
func vexComment(v Statement) string {
	s := fmt.Sprintf("VEX %s", v.ID)
	if len(v.Aliases) > 0 {
		s += " (" + strings.Join(v.Aliases, ", ") + ")"
	}
	s += fmt.Sprintf(": status %s", v.Status)
	if v.Justification != "" {
		s += "; justification " + v.Justification
	}
	s += "; " + v.Detail
	if v.Summary != "" {
		s += "; " + v.Summary
	}
	return s
}

// SPDX converts the BOM into an SPDX 2.3 document. With packageAnnotations
// the VEX statements are attached inside their packages (the JSON form);
// otherwise they are document annotations naming the package (the form the
// tag-value format carries).
func (b *BOM) SPDX(packageAnnotations bool) *spdx.Document {
	ids := spdxIDs(b)
	main := b.Main()
	created := b.Created.UTC().Format(time.RFC3339)
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      main.Name + "-" + main.Version,
		DocumentNamespace: NamespacePrefix + notIDChar.ReplaceAllString(main.Name, "-") + "-" + main.Version + "-" + uuid.NewSHA1(uuid.NameSpaceURL, []byte(b.Fingerprint())).String(),
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{
				{CreatorType: b.Author.Type, Creator: b.Author.Name},
				{CreatorType: "Tool", Creator: b.Tool},
			},
			Created: created,
		},
		DocumentComment: "Generated from the binary's build information (runtime/debug.ReadBuildInfo) and the Go module cache. " +
			"Vulnerability status (VEX) is recorded as annotations and SECURITY external references: " + orNoAssertion(b.VulnSource),
	}
	annotator := common.Annotator{AnnotatorType: "Tool", Annotator: b.Tool}
	byRef := map[string]*spdx.Package{}
	for _, c := range b.Components {
		p := &spdx.Package{
			PackageName:               c.Name,
			PackageSPDXIdentifier:     ids[c.Ref],
			PackageVersion:            c.Version,
			PackageSupplier:           &common.Supplier{SupplierType: c.Supplier.Type, Supplier: c.Supplier.Name},
			PackageDownloadLocation:   orNoAssertion(c.DownloadLocation),
			FilesAnalyzed:             false,
			IsFilesAnalyzedTagPresent: true,
			PackageLicenseConcluded:   "NOASSERTION",
			PackageLicenseDeclared:    orNoAssertion(c.License),
			PackageCopyrightText:      "NOASSERTION",
			PackageDescription:        c.Description,
			PrimaryPackagePurpose:     purpose(c.Kind),
		}
		if c.Supplier.Name == "" {
			p.PackageSupplier = &common.Supplier{Supplier: "NOASSERTION"}
		}
		if c.License != "" {
			p.PackageLicenseComments = "Declared license identified from the license file text in the module cache."
		}
		if c.SHA256 != "" {
			p.PackageChecksums = []common.Checksum{{Algorithm: common.SHA256, Value: c.SHA256}}
		}
		var comment []string
		if c.SHA256Note != "" {
			comment = append(comment, "SHA256: "+c.SHA256Note+".")
		}
		if c.GoSum != "" {
			comment = append(comment, "go.sum: "+c.GoSum+".")
		}
		if c.Purpose != "" {
			comment = append(comment, fmt.Sprintf("Data set used for %s; %d records.", c.Purpose, c.NRecords))
		}
		p.PackageComment = strings.Join(comment, " ")
		if c.PURL != "" {
			p.PackageExternalReferences = append(p.PackageExternalReferences, &spdx.PackageExternalReference{
				Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: c.PURL,
			})
		}
		byRef[c.Ref] = p
		doc.Packages = append(doc.Packages, p)
	}
	for _, v := range b.Vulns {
		p := byRef[v.ComponentRef]
		if p == nil {
			continue
		}
		p.PackageExternalReferences = append(p.PackageExternalReferences, &spdx.PackageExternalReference{
			Category: common.CategorySecurity, RefType: "advisory", Locator: v.URL(),
			ExternalRefComment: "VEX status " + v.Status,
		})
		ann := spdx.Annotation{
			Annotator: annotator, AnnotationDate: created, AnnotationType: "REVIEW",
			AnnotationSPDXIdentifier: common.MakeDocElementID("", string(p.PackageSPDXIdentifier)),
			AnnotationComment:        vexComment(v),
		}
		if packageAnnotations {
			p.Annotations = append(p.Annotations, ann)
		} else {
			a := ann
			doc.Annotations = append(doc.Annotations, &a)
		}
	}
	rel := func(a, typ, c string) {
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA: common.MakeDocElementID("", string(ids[a])), RefB: common.MakeDocElementID("", string(ids[c])), Relationship: typ,
		})
	}
	doc.Relationships = append(doc.Relationships, &spdx.Relationship{
		RefA: common.MakeDocElementID("", "DOCUMENT"), RefB: common.MakeDocElementID("", string(ids[main.Ref])), Relationship: common.TypeRelationshipDescribe,
	})
	for _, c := range b.Components {
		for _, d := range c.DependsOn {
			if strings.HasPrefix(d, "model:") {
				rel(c.Ref, common.TypeRelationshipContains, d)
				continue
			}
			rel(c.Ref, common.TypeRelationshipDependsOn, d)
		}
		for _, d := range c.GeneratedFrom {
			rel(c.Ref, common.TypeRelationshipGeneratedFrom, d)
		}
		for _, d := range c.TestedBy {
			rel(d, common.TypeRelationshipTestOf, c.Ref)
		}
	}
	return doc
}

// WriteSPDXJSON writes the BOM as an SPDX 2.3 JSON document.
func (b *BOM) WriteSPDXJSON(w io.Writer) error {
	if err := spdxjson.Write(b.SPDX(true), w, spdxjson.Indent("  ")); err != nil {
		return fmt.Errorf("write spdx json: %w", err)
	}
	return nil
}

// WriteSPDXTagValue writes the BOM as an SPDX 2.3 tag-value document.
func (b *BOM) WriteSPDXTagValue(w io.Writer) error {
	if err := tagvalue.Write(b.SPDX(false), w); err != nil {
		return fmt.Errorf("write spdx tag-value: %w", err)
	}
	return nil
}
