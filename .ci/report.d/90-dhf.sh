#!/usr/bin/env bash
# Design history file of afscan itself (SRS-REG-001..004): afscan dhf gathers
# the classification, requirements, risks, the trace matrix from this CI's
# go test -json results, the validation reports of 40-validate.sh, the model
# card, the SBOMs with VEX of 60-sbom.sh and the OpenAPI document into
# .ci/out/dhf with MANIFEST.sha256. Fails when traceability has a gap (a
# requirement without a passing test, a test naming an unknown id, a risk
# whose controls are unverified), and when a second build is not
# byte-identical (SOURCE_DATE_EPOCH = commit time).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/setup.d/60-sbom.env
bin=.ci/out/afscan
[ -x "$bin" ] || GOTOOLCHAIN="$AFSCAN_GOTOOLCHAIN" go build -o "$bin" ./cmd/afscan
args=(--results .ci/out/go-test.json)
for d in .ci/out/validate-*/; do [ -f "$d/report.json" ] && args+=(--report "$d"); done
if [ -f .ci/out/sbom/govulncheck.json ]; then
  args+=(--vulns .ci/out/sbom/govulncheck.json --vulns-baseline .ci/out/sbom/govulncheck-baseline.json)
fi
export SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
status=0
"$bin" dhf --out .ci/out/dhf "${args[@]}" > .ci/out/dhf.log 2>&1 || status=$?
grep -v '^gap: ' .ci/out/dhf.log || true
echo "-- classification of dhf/intended-use.yaml"
grep -E '^\| (IMDRF|EU MDR|IEC 62304)' .ci/out/dhf/classification.md
echo "-- manifest"
(cd .ci/out/dhf && sha256sum --quiet -c MANIFEST.sha256) && echo "   $(wc -l < .ci/out/dhf/MANIFEST.sha256) files, every SHA-256 verified"
echo "-- reproducibility"
"$bin" dhf --out .ci/out/dhf-again "${args[@]}" > /dev/null 2>&1 || true
if diff -r .ci/out/dhf .ci/out/dhf-again > /dev/null; then
  echo "   second build byte-identical"
else
  diff -r .ci/out/dhf .ci/out/dhf-again | head -20
  echo "FAIL: the DHF bundle is not reproducible"; exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "-- traceability gaps"
  grep '^gap: ' .ci/out/dhf.log || true
  echo "FAIL: afscan dhf exit status $status (see .ci/out/dhf/trace/trace.md)"
  exit 1
fi
echo "   no traceability gap"
