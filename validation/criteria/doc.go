// Package criteria embeds afscan's shipped acceptance criteria
// (default.yaml), the claims `afscan validate` checks when no --criteria
// file is given. The file is the pre-specified source of truth; the report
// names it and its SHA-256.
package criteria

import (
	"bytes"
	_ "embed"
)

//go:embed default.yaml
var defaultYAML []byte

// Default returns a copy of default.yaml.
func Default() []byte { return bytes.Clone(defaultYAML) }

// DefaultPath is how reports name the embedded file.
const DefaultPath = "validation/criteria/default.yaml (built in)"
