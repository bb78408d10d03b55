package sbom

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdxlib"
	"github.com/spdx/tools-golang/tagvalue"
)

var created = time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)

// fixtureBuildInfo is the build information of a small binary.
func fixtureBuildInfo() *debug.BuildInfo {
	return &debug.BuildInfo{
		GoVersion: "go1.26.10",
		Path:      "example.com/app/cmd/app",
		Main:      debug.Module{Path: "example.com/app", Version: "(devel)"},
		Deps: []*debug.Module{
			{Path: "github.com/gin-gonic/gin", Version: "v1.12.0", Sum: "h1:b3YAbrZtnf8N//yjKeU2+MQsh2mY5htkZidOM7O0wG8="},
			{Path: "golang.org/x/net", Version: "v0.60.0", Sum: "h1:79p50tfZlm0J9YfoDsSi639qSXNGVwEzOPLCxM2FsYU="},
			{Path: "golang.org/x/text", Version: "v0.42.0", Sum: "h1:JbOZXgfeCPU9gacVtYliJqOhD+zhrEqK4LfdpmlUZqI="},
		},
	}
}

func readVulnFixture(t *testing.T, name string) *VulnReport {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ParseGovulncheck(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func fixtureBOM(t *testing.T, when time.Time) *BOM {
	t.Helper()
	b, err := Build(Options{
		BuildInfo:   fixtureBuildInfo(),
		MainVersion: "0.0.0-devel+abc123",
		Graph: map[string][]string{
			"example.com/app":          {"github.com/gin-gonic/gin", "golang.org/x/net", "stdlib"},
			"github.com/gin-gonic/gin": {"golang.org/x/net", "stdlib"},
			"golang.org/x/net":         {"golang.org/x/text", "stdlib"},
		},
		Model: &Artifact{Name: "afscan-rhythm", Version: "1.0.0", SHA256: strings.Repeat("ab", 32), Description: "rhythm model"},
		Datasets: []Dataset{
			{Name: "cinc2017-train", Version: "1.0.0", Purpose: "training", NRecords: 5799, SHA256: strings.Repeat("cd", 32), Supplier: Supplier{"Organization", "PhysioNet"}, DownloadLocation: "https://physionet.org/content/challenge-2017/1.0.0/"},
			{Name: "validation-cinc2017-tune", Purpose: "validation", NRecords: 1450, SHA256: strings.Repeat("ef", 32), Supplier: Supplier{"Organization", "PhysioNet"}},
		},
		Vulns:    readVulnFixture(t, "govulncheck.json"),
		Baseline: readVulnFixture(t, "govulncheck-baseline.json"),
		Author:   Supplier{"Organization", "afscan project"},
		Tool:     "afscan-test",
		Created:  when,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSupplierOf resolves suppliers from module paths rather than leaving
// NOASSERTION.
//
// Verifies: SRS-REG-003
func TestSupplierOf(t *testing.T) {
	tests := []struct{ path, want string }{
		{"github.com/gin-gonic/gin", "Organization: gin-gonic"},
		{"golang.org/x/net", "Organization: The Go Authors (Google LLC)"},
		{"google.golang.org/protobuf", "Organization: Google LLC"},
		{"gonum.org/v1/gonum", "Organization: The Gonum Authors"},
		{"gorgonia.org/tensor", "Organization: Gorgonia"},
		{"go.uber.org/goleak", "Organization: Uber Technologies, Inc."},
		{"gopkg.in/yaml.v3", "Organization: go-yaml"},
		{"gopkg.in/DataDog/dd-trace-go.v1", "Organization: DataDog"},
		{"git.sr.ht/~sbinet/gg", "Person: sbinet"},
		{"codeberg.org/go-pdf/fpdf", "Organization: go-pdf"},
		{"go.yaml.in/yaml/v3", "Organization: The YAML project (github.com/yaml)"},
		{"stdlib", "Organization: The Go Authors (Google LLC)"},
		{"example.org/thing", "Organization: example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := SupplierOf(tt.path).String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestIdentifyLicense tells licenses apart by their defining clauses.
//
// Verifies: SRS-REG-003
func TestIdentifyLicense(t *testing.T) {
	for _, want := range []string{"MIT", "ISC", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "MPL-2.0", ""} {
		name := want
		if name == "" {
			name = "unknown"
		}
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "licenses", name))
			if err != nil {
				t.Fatal(err)
			}
			if got := IdentifyLicense(string(b)); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// TestNTIAMinimumElements checks every NTIA minimum element (supplier,
// component name, version, unique identifier, dependency relationship,
// author, timestamp) in the SPDX JSON written, read back by tools-golang.
//
// Verifies: SRS-REG-003
func TestNTIAMinimumElements(t *testing.T) {
	b := fixtureBOM(t, created)
	var buf bytes.Buffer
	if err := b.WriteSPDXJSON(&buf); err != nil {
		t.Fatal(err)
	}
	doc, err := spdxjson.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := spdxlib.ValidateDocument(doc); err != nil {
		t.Fatal(err)
	}
	// Author and timestamp.
	var org, tool bool
	for _, c := range doc.CreationInfo.Creators {
		org = org || (c.CreatorType == "Organization" && c.Creator == "afscan project")
		tool = tool || c.CreatorType == "Tool"
	}
	if !org || !tool {
		t.Errorf("creators: got %+v, want the organisation and the tool", doc.CreationInfo.Creators)
	}
	if doc.CreationInfo.Created != "2026-11-26T06:00:00Z" {
		t.Errorf("created: got %q", doc.CreationInfo.Created)
	}
	// 1 app + stdlib + 3 modules + model + 2 data sets.
	if got, want := len(doc.Packages), 8; got != want {
		t.Fatalf("got %d packages, want %d", got, want)
	}
	depends := map[string]bool{}
	for _, r := range doc.Relationships {
		depends[string(r.RefA.ElementRefID)] = true
		depends[string(r.RefB.ElementRefID)] = true
	}
	ids := map[common.ElementID]bool{}
	for _, p := range doc.Packages {
		if p.PackageName == "" || p.PackageVersion == "" {
			t.Errorf("%s: name %q version %q", p.PackageSPDXIdentifier, p.PackageName, p.PackageVersion)
		}
		if p.PackageSupplier == nil || p.PackageSupplier.Supplier == "" || p.PackageSupplier.Supplier == "NOASSERTION" {
			t.Errorf("%s: no supplier", p.PackageName)
		}
		if ids[p.PackageSPDXIdentifier] {
			t.Errorf("%s: duplicate SPDX id", p.PackageSPDXIdentifier)
		}
		ids[p.PackageSPDXIdentifier] = true
		if !depends[string(p.PackageSPDXIdentifier)] {
			t.Errorf("%s: in no relationship", p.PackageName)
		}
		hasPURL := false
		for _, r := range p.PackageExternalReferences {
			hasPURL = hasPURL || r.RefType == common.TypePackageManagerPURL
		}
		isModule := p.PrimaryPackagePurpose == "LIBRARY" || p.PrimaryPackagePurpose == "APPLICATION"
		if isModule && !hasPURL {
			t.Errorf("%s: no purl", p.PackageName)
		}
		if !isModule && len(p.PackageChecksums) == 0 {
			t.Errorf("%s: model or data set without SHA-256", p.PackageName)
		}
	}
	// Module checksums come from go.sum h1 (no module cache given) and say so.
	for _, p := range doc.Packages {
		if p.PackageName == "golang.org/x/net" {
			if len(p.PackageChecksums) != 1 || p.PackageChecksums[0].Value != "efda79d2d7d9966d09f587e80ec4a2eb7f6a49734657013338f2c2c4cd85b185" {
				t.Errorf("x/net checksum: got %+v", p.PackageChecksums)
			}
			if !strings.Contains(p.PackageComment, "dirhash") {
				t.Errorf("x/net checksum note missing: %q", p.PackageComment)
			}
		}
	}
	rels := map[string]bool{}
	for _, r := range doc.Relationships {
		rels[string(r.RefA.ElementRefID)+" "+r.Relationship+" "+string(r.RefB.ElementRefID)] = true
	}
	for _, want := range []string{
		"DOCUMENT DESCRIBES app-example.com-app-cmd-app",
		"app-example.com-app-cmd-app DEPENDS_ON module-github.com-gin-gonic-gin",
		"module-golang.org-x-net DEPENDS_ON module-golang.org-x-text",
		"app-example.com-app-cmd-app CONTAINS model-afscan-rhythm",
		"model-afscan-rhythm GENERATED_FROM data-training-cinc2017-train",
		"data-validation-validation-cinc2017-tune TEST_OF model-afscan-rhythm",
	} {
		if !rels[want] {
			t.Errorf("missing relationship %q", want)
		}
	}
	if rels["app-example.com-app-cmd-app DEPENDS_ON module-golang.org-x-text"] {
		t.Error("x/text is an indirect dependency but was attached to the main package")
	}
}

// TestVEXStatements derives each status from govulncheck's reachability.
//
// Verifies: SRS-REG-003
func TestVEXStatements(t *testing.T) {
	b := fixtureBOM(t, created)
	type st struct{ ref, status, justification string }
	got := map[string]st{}
	for _, v := range b.Vulns {
		got[v.ID] = st{v.ComponentRef, v.Status, v.Justification}
	}
	want := map[string]st{
		"GO-2099-0001": {"module:golang.org/x/net", StatusAffected, ""},
		"GO-2099-0002": {"module:golang.org/x/text", StatusNotAffected, "code_not_reachable"},
		"GO-2099-0003": {"app:example.com/app/cmd/app", StatusNotAffected, "code_not_present"},
		"GO-2098-0100": {"module:stdlib", StatusFixed, ""},
	}
	if len(got) != len(want) {
		t.Errorf("got %d statements, want %d: %+v", len(got), len(want), got)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: got %+v, want %+v", id, got[id], w)
		}
	}
	aff := b.Affected()
	if len(aff) != 1 || !strings.Contains(aff[0].Detail, "example.com/app/api.Serve → golang.org/x/net/http2.*Framer.Parse") {
		t.Errorf("affected: got %+v", aff)
	}
	if _, err := ParseGovulncheck(strings.NewReader(`{"progress":{}}`)); err == nil {
		t.Error("got nil error for a stream without config")
	}
}

// TestCycloneDX checks the CycloneDX document's NTIA elements, model card,
// and vulnerabilities section.
//
// Verifies: SRS-REG-003
func TestCycloneDX(t *testing.T) {
	b := fixtureBOM(t, created)
	var buf bytes.Buffer
	if err := b.WriteCycloneDX(&buf); err != nil {
		t.Fatal(err)
	}
	var doc cdxBOM
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.BOMFormat != "CycloneDX" || doc.SpecVersion != "1.6" || !strings.HasPrefix(doc.SerialNumber, "urn:uuid:") {
		t.Errorf("header: %+v", doc)
	}
	if doc.Metadata.Timestamp != "2026-11-26T06:00:00Z" || len(doc.Metadata.Authors) == 0 || doc.Metadata.Component.Name == "" {
		t.Errorf("metadata: %+v", doc.Metadata)
	}
	refs := map[string]bool{doc.Metadata.Component.BOMRef: true}
	for _, c := range doc.Components {
		if c.Supplier == nil || c.Name == "" || c.Version == "" || c.BOMRef == "" {
			t.Errorf("component %+v lacks an NTIA element", c)
		}
		refs[c.BOMRef] = true
		if c.Type == "machine-learning-model" && (c.ModelCard == nil || len(c.ModelCard.ModelParameters.Datasets) != 2) {
			t.Errorf("model card: %+v", c.ModelCard)
		}
	}
	for _, d := range doc.Dependencies {
		for _, r := range append([]string{d.Ref}, d.DependsOn...) {
			if !refs[r] {
				t.Errorf("dependency names unknown ref %q", r)
			}
		}
	}
	states := map[string]string{}
	for _, v := range doc.Vulnerabilities {
		states[v.ID] = v.Analysis.State
		if !refs[v.Affects[0].Ref] {
			t.Errorf("%s affects unknown ref %q", v.ID, v.Affects[0].Ref)
		}
	}
	want := map[string]string{"GO-2099-0001": "exploitable", "GO-2099-0002": "not_affected", "GO-2099-0003": "not_affected", "GO-2098-0100": "resolved"}
	for id, w := range want {
		if states[id] != w {
			t.Errorf("%s: got state %q, want %q", id, states[id], w)
		}
	}
}

// TestTagValueRoundTrip reads the tag-value output back through
// tools-golang's own parser and validator; with AFSCAN_SBOM_TV set (CI,
// .ci/report.d/60-sbom.sh) it also reads back that file, the real binary's.
//
// Verifies: SRS-REG-003
func TestTagValueRoundTrip(t *testing.T) {
	if p := os.Getenv("AFSCAN_SBOM_TV"); p != "" {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		doc, err := tagvalue.Read(f)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := spdxlib.ValidateDocument(doc); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		t.Logf("%s: read back %d packages, %d relationships, %d annotations; valid", p, len(doc.Packages), len(doc.Relationships), len(doc.Annotations))
	}
	b := fixtureBOM(t, created)
	var buf bytes.Buffer
	if err := b.WriteSPDXTagValue(&buf); err != nil {
		t.Fatal(err)
	}
	doc, err := tagvalue.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if err := spdxlib.ValidateDocument(doc); err != nil {
		t.Fatal(err)
	}
	want := b.SPDX(false)
	if len(doc.Packages) != len(want.Packages) || len(doc.Relationships) != len(want.Relationships) || len(doc.Annotations) != len(b.Vulns) {
		t.Errorf("got %d packages, %d relationships, %d annotations; want %d, %d, %d",
			len(doc.Packages), len(doc.Relationships), len(doc.Annotations), len(want.Packages), len(want.Relationships), len(b.Vulns))
	}
	byName := map[string]*spdx.Package{}
	for _, p := range doc.Packages {
		byName[p.PackageName] = p
	}
	for _, p := range want.Packages {
		g := byName[p.PackageName]
		if g == nil || g.PackageVersion != p.PackageVersion || g.PackageSupplier.Supplier != p.PackageSupplier.Supplier {
			t.Errorf("%s: got %+v", p.PackageName, g)
		}
	}
	described, err := spdxlib.GetDescribedPackageIDs(doc)
	if err != nil || len(described) != 1 {
		t.Errorf("described: %v %v", described, err)
	}
}

// TestDeterministic: the same inputs give the same documents apart from
// the creation time, including the document namespace and serial number.
//
// Verifies: SRS-REG-003, SRS-REG-004
func TestDeterministic(t *testing.T) {
	render := func(when time.Time) map[string]string {
		b := fixtureBOM(t, when)
		out := map[string]string{}
		for name, write := range map[string]func(*bytes.Buffer) error{
			"spdx": func(w *bytes.Buffer) error { return b.WriteSPDXJSON(w) },
			"tv":   func(w *bytes.Buffer) error { return b.WriteSPDXTagValue(w) },
			"cdx":  func(w *bytes.Buffer) error { return b.WriteCycloneDX(w) },
		} {
			var buf bytes.Buffer
			if err := write(&buf); err != nil {
				t.Fatal(err)
			}
			out[name] = strings.ReplaceAll(buf.String(), when.Format(time.RFC3339), "TIMESTAMP")
		}
		return out
	}
	a, b := render(created), render(created.Add(time.Hour))
	for k := range a {
		if a[k] != b[k] {
			t.Errorf("%s differs beyond its timestamp", k)
		}
	}
}

// TestModuleCache reads licenses and zip hashes of real modules from the
// module cache (test binaries carry no module list, so the build
// information names two modules this package links, at go.mod's versions).
//
// Verifies: SRS-REG-003
func TestModuleCache(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Path}} {{.Version}} {{.Sum}} {{.Dir}}", "github.com/google/uuid", "github.com/spdx/tools-golang").Output()
	if err != nil {
		t.Skipf("go list -m: %v", err)
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.10", Path: "example.com/app", Main: debug.Module{Path: "example.com/app", Version: "(devel)"}}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 {
			t.Skipf("module not downloaded: %q", line)
		}
		bi.Deps = append(bi.Deps, &debug.Module{Path: f[0], Version: f[1], Sum: f[2]})
	}
	modCache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env: %v", err)
	}
	b, err := Build(Options{BuildInfo: bi, ModCache: strings.TrimSpace(string(modCache)), Author: Supplier{"Organization", "afscan project"}, Tool: "afscan-test", Created: created})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Component{}
	for _, c := range b.Components {
		byName[c.Name] = c
	}
	for mod, want := range map[string]string{"github.com/google/uuid": "BSD-3-Clause", "github.com/spdx/tools-golang": "Apache-2.0"} {
		c := byName[mod]
		if c.License != want {
			t.Errorf("%s: got license %q, want %q", mod, c.License, want)
		}
		if len(c.SHA256) != 64 {
			t.Errorf("%s: got SHA-256 %q", mod, c.SHA256)
		}
	}
}

// TestParseGoList turns go list -deps output into module edges.
//
// Verifies: SRS-REG-003
func TestParseGoList(t *testing.T) {
	in := `{"ImportPath":"fmt","Standard":true}
{"ImportPath":"golang.org/x/text/language","Module":{"Path":"golang.org/x/text"},"Imports":["fmt"]}
{"ImportPath":"golang.org/x/net/http2","Module":{"Path":"golang.org/x/net"},"Imports":["fmt","golang.org/x/text/language","golang.org/x/net/internal"]}
{"ImportPath":"golang.org/x/net/internal","Module":{"Path":"golang.org/x/net"}}
{"ImportPath":"example.com/app/cmd/app","Module":{"Path":"example.com/app"},"Imports":["golang.org/x/net/http2","fmt"]}`
	g, err := parseGoList(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"example.com/app":   "golang.org/x/net stdlib",
		"golang.org/x/net":  "golang.org/x/text stdlib",
		"golang.org/x/text": "stdlib",
	}
	if len(g) != len(want) {
		t.Errorf("got %v", g)
	}
	for k, w := range want {
		if got := strings.Join(g[k], " "); got != w {
			t.Errorf("%s: got %q, want %q", k, got, w)
		}
	}
}
