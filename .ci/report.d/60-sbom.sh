#!/usr/bin/env bash
# Known vulnerabilities and SBOM (SRS-SEC-005, SRS-REG-003): govulncheck
# against the pinned vulnerability database, with the patched toolchain
# (gate: any vulnerable symbol reachable fails CI) and with the local one as
# the baseline whose findings the VEX records as fixed; then the SBOMs of the
# real afscan binary, built with the patched toolchain, in SPDX JSON, SPDX
# tag-value and CycloneDX, validated by the SPDX 2.3 and CycloneDX 1.6 JSON
# schemas (ajv-cli) and, for tag-value, read back by tools-golang.
# Everything printed is measured here. Outputs stay in .ci/out/sbom.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/setup.d/60-sbom.env
gobin=$(go env GOPATH)/bin
out=.ci/out/sbom
mkdir -p "$out"
db="file://$AFSCAN_VULNDB"

echo "-- schemas in sbom/testdata are the published ones"
cdx="$AFSCAN_NPM/node_modules/@cyclonedx/cyclonedx-library/res/schema"
sed 's/spdx\.SNAPSHOT\.schema\.json/spdx.schema.json/; s/jsf-0\.82\.SNAPSHOT\.schema\.json/jsf-0.82.schema.json/' "$cdx/bom-1.6.SNAPSHOT.schema.json" \
  | cmp - sbom/testdata/schemas/bom-1.6.schema.json
cmp "$cdx/spdx.SNAPSHOT.schema.json" sbom/testdata/schemas/spdx.schema.json
cmp "$cdx/jsf-0.82.SNAPSHOT.schema.json" sbom/testdata/schemas/jsf-0.82.schema.json
shared_schema="$(dirname "${AFSCAN_SHARED_DATA:-../shared/data}")/schemas/spdx-2.3.schema.json"
if [ -f "$shared_schema" ]; then cmp "$shared_schema" sbom/testdata/schemas/spdx-2.3.schema.json; fi
echo "   identical (CycloneDX library 10.3.0, SNAPSHOT names resolved; SPDX spec v2.3)"

echo "-- govulncheck $GOVULNCHECK_VERSION, vulndb $VULNDB_VERSION ($(ls "$AFSCAN_VULNDB/ID" | grep -c "\.json$") entries), source mode, symbol level"
t0=$(date +%s)
scan() { # toolchain, output file; one retry: package loading can fail transiently while files change
  GOTOOLCHAIN="$1" "$gobin/govulncheck" -db "$db" -json ./... > "$2" 2> "$2.err" ||
    { cat "$2.err"; echo "   retrying"; GOTOOLCHAIN="$1" "$gobin/govulncheck" -db "$db" -json ./... > "$2"; }
}
scan "$AFSCAN_GOTOOLCHAIN" "$out/govulncheck.json"
scan local "$out/govulncheck-baseline.json"
echo "   two scans in $(( $(date +%s) - t0 )) s"
reachable() { # distinct vulnerabilities with a finding that reaches a vulnerable symbol
  awk '/"osv": "GO-/{match($0,/GO-[0-9]+-[0-9]+/); id=substr($0,RSTART,RLENGTH)} /"function"/{s[id]=1} END{n=0; for(k in s)n++; print n}' "$1"
}
for f in govulncheck-baseline.json govulncheck.json; do
  gv=$(sed -n 's/.*"go_version": "\(go[0-9.]*\)".*/\1/p' "$out/$f" | head -1)
  ids=$(grep -o '"osv": "GO-[0-9-]*"' "$out/$f" | sort -u | wc -l)
  echo "   $gv: $ids vulnerabilities in required modules; reachable from afscan's code: $(reachable "$out/$f")"
done
if grep -q '"function"' "$out/govulncheck.json"; then
  echo "FAIL: a known vulnerability is reachable with $AFSCAN_GOTOOLCHAIN; upgrade the module or toolchain:"
  GOTOOLCHAIN="$AFSCAN_GOTOOLCHAIN" "$gobin/govulncheck" -db "$db" ./... || true
  exit 1
fi
echo "   no reachable known vulnerability with $AFSCAN_GOTOOLCHAIN"

echo "-- SBOM of the afscan binary (built with $AFSCAN_GOTOOLCHAIN)"
GOTOOLCHAIN="$AFSCAN_GOTOOLCHAIN" go build -o .ci/out/afscan ./cmd/afscan
reports=()
for d in .ci/out/validate-*/; do [ -f "$d/report.json" ] && reports+=(--report "$d"); done
export SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
for fmt in spdx-json:afscan.spdx.json spdx-tv:afscan.spdx cyclonedx-json:afscan.cdx.json; do
  .ci/out/afscan sbom --format "${fmt%%:*}" --out "$out/${fmt#*:}" "${reports[@]}" \
    --vulns "$out/govulncheck.json" --vulns-baseline "$out/govulncheck-baseline.json"
done
node -e '
const fs = require("fs");
const spdx = JSON.parse(fs.readFileSync(process.argv[1])), cdx = JSON.parse(fs.readFileSync(process.argv[2]));
const pk = spdx.packages;
const n = (f) => pk.filter(f).length;
console.log(`   SPDX: ${pk.length} packages, ${spdx.relationships.length} relationships; license identified for ${n(p => p.licenseDeclared && p.licenseDeclared !== "NOASSERTION")}, SHA-256 for ${n(p => (p.checksums || []).length)}, supplier NOASSERTION for ${n(p => !p.supplier || p.supplier === "NOASSERTION")}`);
const comps = cdx.components;
for (const c of comps.filter(c => c.type !== "library")) console.log(`   ${c.type}: ${c.name} ${c.version} sha256 ${(c.hashes || [{content: "none"}])[0].content}`);
const states = {};
for (const v of cdx.vulnerabilities || []) states[v.analysis.state] = (states[v.analysis.state] || 0) + 1;
console.log(`   CycloneDX: ${comps.length} components, ${cdx.dependencies.length} dependency entries; VEX: ${JSON.stringify(states)}`);
' "$out/afscan.spdx.json" "$out/afscan.cdx.json"

echo "-- validators"
ajv=("$AFSCAN_AJV" validate --spec=draft7 -c ajv-formats --strict=false)
s=sbom/testdata/schemas
"${ajv[@]}" -s "$s/spdx-2.3.schema.json" -d "$out/afscan.spdx.json" 2>&1 | grep -v '^unknown format'
"${ajv[@]}" -s "$s/bom-1.6.schema.json" -r "$s/spdx.schema.json" -r "$s/jsf-0.82.schema.json" -d "$out/afscan.cdx.json" 2>&1 | grep -v '^unknown format'
AFSCAN_SBOM_TV="$PWD/$out/afscan.spdx" go test -count=1 -run 'TestTagValueRoundTrip$' -v ./sbom | grep -E 'read back|^--- |^ok|FAIL'
