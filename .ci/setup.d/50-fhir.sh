#!/usr/bin/env bash
# Installs the FHIR R4 validator (npm "fhir") that api's FHIR round-trip test
# runs, into the repository's gitignored node_modules. The Go test skips when
# node or the package is absent, so CI must install it here.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -f node_modules/fhir/package.json ] || ! grep -q '"version": "4.12.0"' node_modules/fhir/package.json; then
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix . fhir@4.12.0 >/dev/null
fi
node -e 'const {Fhir}=require("fhir"); new Fhir(); console.log("fhir validator ready")'
