#!/usr/bin/env bash
# Installs onnxruntime-node 1.30.0 (the reference ONNX runtime) into the
# gitignored .ci/node/, for inference/onnx's parity test (gonnx vs
# onnxruntime within 1e-5) and the model latency report. The Go test skips
# when node or the package is absent, so CI must install it here.
# ONNXRUNTIME_NODE_INSTALL=skip: the npm tarball already holds the Linux x64
# CPU binary; skip the postinstall's download of optional GPU extras.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
mkdir -p .ci/node
if [ ! -f .ci/node/node_modules/onnxruntime-node/package.json ] || ! grep -q '"version": "1.30.0"' .ci/node/node_modules/onnxruntime-node/package.json; then
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save --no-package-lock --no-audit --no-fund --prefix .ci/node onnxruntime-node@1.30.0 >/dev/null
fi
NODE_PATH=.ci/node/node_modules node -e 'const ort=require("onnxruntime-node"); console.log("onnxruntime-node ready")'
