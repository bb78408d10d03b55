package sbom

import "strings"

// Supplier is an SPDX supplier: Type is "Organization" or "Person".
type Supplier struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// String renders the supplier as SPDX writes it ("Organization: Gonum").
func (s Supplier) String() string { return s.Type + ": " + s.Name }

// knownSuppliers maps module path prefixes whose host does not name the
// supplier to the organisation behind them. Longest prefix wins.
var knownSuppliers = []struct{ prefix, name string }{
	{"golang.org/x/", "The Go Authors (Google LLC)"},
	{"google.golang.org/", "Google LLC"},
	{"cloud.google.com/", "Google LLC"},
	{"gonum.org/", "The Gonum Authors"},
	{"gorgonia.org/", "Gorgonia"},
	{"go.uber.org/", "Uber Technologies, Inc."},
	{"go.yaml.in/", "The YAML project (github.com/yaml)"},
	{"go.mongodb.org/", "MongoDB, Inc."},
	{"go4.org/", "go4.org authors"},
	{"go.opentelemetry.io/", "OpenTelemetry authors (CNCF)"},
	{"k8s.io/", "The Kubernetes Authors"},
	{"sigs.k8s.io/", "The Kubernetes Authors"},
	{"honnef.co/go/tools", "Dominik Honnef"},
	{"modernc.org/", "The modernc authors"},
	{"lukechampine.com/", "Luke Champine"},
	{"mvdan.cc/", "Daniel Martí"},
	{"rsc.io/", "Russ Cox"},
}

// SupplierOf resolves the supplier of a Go module from its path: the
// organisation or user of a forge path (github.com/ORG/..., gitlab.com,
// bitbucket.org, codeberg.org, git.sr.ht/~USER), a known vanity domain, the
// gopkg.in convention, or else the domain itself as the organisation.
// "stdlib" is the Go standard library.
func SupplierOf(modPath string) Supplier {
	if modPath == "stdlib" || modPath == "toolchain" {
		return Supplier{"Organization", "The Go Authors (Google LLC)"}
	}
	best := ""
	for _, k := range knownSuppliers {
		if strings.HasPrefix(modPath, k.prefix) && len(k.prefix) > len(best) {
			best = k.prefix
		}
	}
	if best != "" {
		for _, k := range knownSuppliers {
			if k.prefix == best {
				return Supplier{"Organization", k.name}
			}
		}
	}
	parts := strings.Split(modPath, "/")
	switch parts[0] {
	case "github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com":
		if len(parts) > 1 {
			return Supplier{"Organization", parts[1]}
		}
	case "git.sr.ht":
		if len(parts) > 1 {
			return Supplier{"Person", strings.TrimPrefix(parts[1], "~")}
		}
	case "gopkg.in":
		// gopkg.in/ORG/NAME.vN → github.com/ORG/NAME; gopkg.in/NAME.vN → github.com/go-NAME/NAME.
		if len(parts) > 2 {
			return Supplier{"Organization", parts[1]}
		}
		if len(parts) == 2 {
			name, _, _ := strings.Cut(parts[1], ".")
			return Supplier{"Organization", "go-" + name}
		}
	}
	return Supplier{"Organization", parts[0]}
}
