// Package sbom builds the software bill of materials of a Go binary: SPDX
// 2.3 (JSON and tag-value, through github.com/spdx/tools-golang) and
// CycloneDX 1.6 JSON.
//
// Components come from the binary's own build information
// (runtime/debug.ReadBuildInfo: main module, every linked module with its
// go.sum hash, the Go toolchain that is the standard library), enriched from
// the local module cache where available (SHA-256 of the module zip, license
// identified from the LICENSE text), plus artifacts that are not Go modules:
// an embedded model and the data sets it was trained and validated on.
// Dependency edges come from `go list -deps` when the module source is at
// hand, else every module is recorded as a dependency of the main module.
// Vulnerability status (VEX) comes from govulncheck -json output.
//
// sbom imports no other afscan package; cmd/afscan fills the model and data
// set descriptions. Hashes are lower-case hex SHA-256; times are UTC.
package sbom
