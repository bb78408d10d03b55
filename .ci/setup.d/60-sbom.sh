#!/usr/bin/env bash
# SBOM and vulnerability tooling (issue 6, SRS-REG-003, SRS-SEC-005):
#  - ajv-cli 5.0.0 + ajv-formats 3.0.1 (JSON schema validators for the SPDX 2.3
#    and CycloneDX 1.6 outputs) and @cyclonedx/cyclonedx-library 10.3.0 (which
#    ships the CycloneDX schemas) from npm, into $XDG_CACHE_HOME/afscan/npm;
#  - govulncheck (golang.org/x/vuln v1.9.0);
#  - the Go vulnerability database at a pinned version: the golang.org/x/vulndb
#    module's OSV files (data/osv), indexed by its cmd/indexdb into a directory
#    govulncheck reads offline with -db file://DIR;
#  - the patched Go toolchain that govulncheck and the shipped binary use
#    (go.mod "toolchain" line; GOTOOLCHAIN=go1.26.10 downloads it through the
#    module proxy).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/setup.d/60-sbom.env

if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
mkdir -p "$AFSCAN_NPM"
if [ ! -x "$AFSCAN_NPM/node_modules/.bin/ajv" ] || ! grep -q '"version": "10.3.0"' "$AFSCAN_NPM/node_modules/@cyclonedx/cyclonedx-library/package.json" 2>/dev/null; then
  (cd "$AFSCAN_NPM" && npm install --no-save --no-package-lock --no-audit --no-fund --prefix . \
    ajv-cli@5.0.0 ajv-formats@3.0.1 @cyclonedx/cyclonedx-library@10.3.0 >/dev/null)
fi
"$AFSCAN_NPM/node_modules/.bin/ajv" help >/dev/null && echo "ajv-cli ready in $AFSCAN_NPM"

gobin=$(go env GOPATH)/bin
go install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION"
go install "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION"
if [ ! -f "$AFSCAN_VULNDB/index/modules.json.gz" ] && [ ! -f "$AFSCAN_VULNDB/index/modules.json" ]; then
  osv=$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  rm -rf "$AFSCAN_VULNDB.tmp"
  "$gobin/indexdb" -vulns "$osv/data/osv" -out "$AFSCAN_VULNDB.tmp"
  # indexdb leaves the database's modified time at zero; record the vulndb
  # commit time, which the pinned pseudo-version carries (yyyymmddhhmmss).
  ts=$(echo "$VULNDB_VERSION" | sed -E 's/^v0\.0\.0-([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})-.*/\1-\2-\3T\4:\5:\6Z/')
  printf '{"modified":"%s"}' "$ts" > "$AFSCAN_VULNDB.tmp/index/db.json"
  gzip -c "$AFSCAN_VULNDB.tmp/index/db.json" > "$AFSCAN_VULNDB.tmp/index/db.json.gz"
  mv "$AFSCAN_VULNDB.tmp" "$AFSCAN_VULNDB"
fi
echo "vulnerability database $VULNDB_VERSION: $(ls "$AFSCAN_VULNDB/ID" | grep -c "\.json$") entries in $AFSCAN_VULNDB"
GOTOOLCHAIN="$AFSCAN_GOTOOLCHAIN" go version
