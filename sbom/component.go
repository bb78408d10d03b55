package sbom

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"
)

// ErrNoBuildInfo means the binary carries no module build information.
var ErrNoBuildInfo = errors.New("no build information")

// Kind is a component's type, named as CycloneDX 1.6 names it.
type Kind string

// Component kinds.
const (
	KindApplication Kind = "application"
	KindLibrary     Kind = "library"
	KindModel       Kind = "machine-learning-model"
	KindData        Kind = "data"
)

// Component is one entry of the bill of materials.
type Component struct {
	Ref              string // unique within the BOM and stable across runs
	Kind             Kind
	Name             string
	Version          string
	PURL             string // package URL, "" for non-package artifacts
	Supplier         Supplier
	SHA256           string // lower-case hex, "" when unknown
	SHA256Note       string // what the SHA-256 is a digest of
	GoSum            string // go.sum "h1:" hash, for modules
	License          string // SPDX license expression, "" when not determined
	DownloadLocation string
	Description      string
	Purpose          string // for data sets: "training" or "validation"
	NRecords         int    // for data sets
	DependsOn        []string
	// GeneratedFrom and TestedBy link a model to its data sets by Ref.
	GeneratedFrom []string
	TestedBy      []string
}

// Artifact describes a non-module artifact shipped inside the binary, such
// as an embedded model.
type Artifact struct {
	Name, Version, SHA256, Description string
	Supplier                           Supplier
}

// Dataset describes a data set a model was trained or validated on.
type Dataset struct {
	Name, Version, Path, SHA256, Description, DownloadLocation string
	NRecords                                                   int
	Purpose                                                    string // "training" or "validation"
	Supplier                                                   Supplier
}

// BOM is the bill of materials of one binary. Components[0] is the
// binary's main package.
type BOM struct {
	Components []Component
	Author     Supplier
	Tool       string // name-version of the generator
	Created    time.Time
	Vulns      []Statement
	VulnSource string // which scan the statements come from
}

// Main is the component the BOM describes.
func (b *BOM) Main() *Component { return &b.Components[0] }

// Options are the inputs of Build.
type Options struct {
	BuildInfo   *debug.BuildInfo
	MainVersion string // overrides a "(devel)" main module version
	MainLicense string // SPDX expression of the main module's license, "" if none
	MainSHA256  string // hex SHA-256 of the executable, "" if unknown
	// ModCache is GOMODCACHE; when set, module zips are hashed and license
	// files read from it.
	ModCache string
	// Graph maps a module path to the module paths its linked packages
	// import (see ModuleGraph). Nil records every module as a dependency of
	// the main module.
	Graph    map[string][]string
	Model    *Artifact
	Datasets []Dataset
	Vulns    *VulnReport
	Baseline *VulnReport // an earlier scan; what it found and Vulns does not is "fixed"
	Author   Supplier
	Tool     string
	Created  time.Time
}

// Build assembles the BOM from build information and the optional model,
// data sets and vulnerability scans.
func Build(o Options) (*BOM, error) {
	bi := o.BuildInfo
	if bi == nil || bi.Main.Path == "" {
		return nil, ErrNoBuildInfo
	}
	mainVersion := bi.Main.Version
	if (mainVersion == "" || mainVersion == "(devel)") && o.MainVersion != "" {
		mainVersion = o.MainVersion
	}
	name := bi.Path
	if name == "" {
		name = bi.Main.Path
	}
	b := &BOM{Author: o.Author, Tool: o.Tool, Created: o.Created.UTC()}
	main := Component{
		Ref: "app:" + name, Kind: KindApplication, Name: name, Version: mainVersion,
		PURL:     purl(bi.Main.Path, mainVersion),
		Supplier: o.Author, License: o.MainLicense, DownloadLocation: "https://" + bi.Main.Path,
		Description: fmt.Sprintf("%s built with %s from module %s", name, bi.GoVersion, bi.Main.Path),
	}
	if main.Supplier.Name == "" {
		main.Supplier = SupplierOf(bi.Main.Path)
	}
	if o.MainSHA256 != "" {
		main.SHA256, main.SHA256Note = o.MainSHA256, "SHA-256 of the executable that wrote this SBOM"
	}
	b.Components = append(b.Components, main)

	goVersion := strings.TrimPrefix(strings.Fields(bi.GoVersion + " ")[0], "go")
	std := Component{
		Ref: "module:stdlib", Kind: KindLibrary, Name: "stdlib", Version: "go" + goVersion,
		PURL: "pkg:golang/stdlib@v" + goVersion, Supplier: SupplierOf("stdlib"), License: "BSD-3-Clause",
		DownloadLocation: "https://go.dev/dl/", Description: "Go standard library and runtime linked into the binary",
	}
	b.Components = append(b.Components, std)

	modRef := map[string]string{bi.Main.Path: main.Ref, "stdlib": std.Ref}
	for _, d := range bi.Deps {
		path, version, sum := d.Path, d.Version, d.Sum
		if d.Replace != nil {
			version, sum = d.Replace.Version, d.Replace.Sum
		}
		c := Component{
			Ref: "module:" + path, Kind: KindLibrary, Name: path, Version: version,
			PURL: purl(path, version), Supplier: SupplierOf(path), GoSum: sum,
			DownloadLocation: "https://proxy.golang.org/" + escapePath(path) + "/@v/" + escapePath(version) + ".zip",
		}
		if o.ModCache != "" {
			c.SHA256 = moduleZipSHA256(o.ModCache, path, version)
			if c.SHA256 != "" {
				c.SHA256Note = "SHA-256 of the module zip as served by the Go module proxy (from the local module cache)"
			}
			c.License = ModuleLicense(moduleDir(o.ModCache, path, version))
		}
		if c.SHA256 == "" {
			if h, ok := h1Hex(sum); ok {
				c.SHA256 = h
				c.SHA256Note = "go.sum h1 hash: SHA-256 of the dirhash Hash1 summary of the module's file tree (golang.org/x/mod/sumdb/dirhash), not of a single file"
			}
		}
		modRef[path] = c.Ref
		b.Components = append(b.Components, c)
	}

	// Dependency edges between modules, as refs.
	hasParent := map[string]bool{}
	if o.Graph != nil {
		for i := range b.Components {
			c := &b.Components[i]
			modPath := strings.TrimPrefix(c.Ref, "module:")
			if c.Ref == main.Ref {
				modPath = bi.Main.Path
			}
			for _, dep := range o.Graph[modPath] {
				if ref, ok := modRef[dep]; ok && ref != c.Ref {
					c.DependsOn = append(c.DependsOn, ref)
					hasParent[ref] = true
				}
			}
		}
	}
	for _, c := range b.Components[1:] {
		if !hasParent[c.Ref] {
			b.Components[0].DependsOn = append(b.Components[0].DependsOn, c.Ref)
		}
	}

	if o.Model != nil {
		m := Component{
			Ref: "model:" + o.Model.Name, Kind: KindModel, Name: o.Model.Name, Version: o.Model.Version,
			Supplier: o.Model.Supplier, SHA256: o.Model.SHA256, SHA256Note: "SHA-256 of the embedded ONNX model file",
			Description: o.Model.Description, DownloadLocation: "NOASSERTION",
		}
		if m.Supplier.Name == "" {
			m.Supplier = b.Components[0].Supplier
		}
		for _, d := range o.Datasets {
			ref := "data:" + d.Purpose + ":" + d.Name
			if d.Purpose == "training" {
				m.GeneratedFrom = append(m.GeneratedFrom, ref)
			} else {
				m.TestedBy = append(m.TestedBy, ref)
			}
		}
		b.Components[0].DependsOn = append(b.Components[0].DependsOn, m.Ref)
		b.Components = append(b.Components, m)
	}
	for _, d := range o.Datasets {
		c := Component{
			Ref: "data:" + d.Purpose + ":" + d.Name, Kind: KindData, Name: d.Name, Version: d.Version,
			Supplier: d.Supplier, SHA256: d.SHA256, Description: d.Description, Purpose: d.Purpose,
			NRecords: d.NRecords, DownloadLocation: d.DownloadLocation,
		}
		if c.SHA256 != "" {
			c.SHA256Note = "SHA-256 of the data set as recorded by the " + d.Purpose + " run"
		}
		if c.DownloadLocation == "" {
			c.DownloadLocation = "NOASSERTION"
		}
		if c.Version == "" {
			c.Version = "NOASSERTION"
		}
		b.Components = append(b.Components, c)
	}
	for i := range b.Components {
		sort.Strings(b.Components[i].DependsOn)
	}
	sort.SliceStable(b.Components[1:], func(i, j int) bool { return b.Components[1+i].Ref < b.Components[1+j].Ref })

	if o.Vulns != nil {
		byModule := map[string]string{}
		for mod, ref := range modRef {
			byModule[mod] = ref
		}
		b.Vulns = Statements(o.Vulns, o.Baseline, byModule, main.Ref)
		b.VulnSource = o.Vulns.Source()
	}
	return b, nil
}

// purl is the package URL of a Go module (purl-spec golang type).
func purl(path, version string) string {
	if version == "" || version == "(devel)" {
		return "pkg:golang/" + path
	}
	return "pkg:golang/" + path + "@" + version
}

// h1Hex decodes a go.sum "h1:" hash (base64 SHA-256) to hex.
func h1Hex(sum string) (string, bool) {
	b64, ok := strings.CutPrefix(sum, "h1:")
	if !ok {
		return "", false
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != sha256.Size {
		return "", false
	}
	return hex.EncodeToString(raw), true
}

// Fingerprint is a SHA-256 over everything in the BOM except its creation
// time, so that identical inputs give identical document identifiers.
func (b *BOM) Fingerprint() string {
	h := sha256.New()
	for _, c := range b.Components {
		fmt.Fprintf(h, "%s|%s|%s|%s|%s|%s|%v\n", c.Ref, c.Version, c.SHA256, c.GoSum, c.License, c.Supplier, c.DependsOn)
	}
	for _, v := range b.Vulns {
		fmt.Fprintf(h, "%s|%s|%s|%s\n", v.ID, v.ComponentRef, v.Status, v.Justification)
	}
	return hex.EncodeToString(h.Sum(nil))
}
