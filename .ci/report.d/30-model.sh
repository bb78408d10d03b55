#!/usr/bin/env bash
# AF model summary (model/, model/train, inference/onnx). Every figure is
# measured here: full retraining from the shared CinC 2017 training fold must
# reproduce the embedded model/afscan.onnx byte for byte (fails CI
# otherwise), then parity with onnxruntime and model-only latency of gonnx,
# the plain-Go pass and onnxruntime-node.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "-- embedded model sha256: $(sha256sum model/afscan.onnx | cut -d" " -f1)"
echo "-- retrain from the locked training fold and compare SHA-256 with the embedded model"
AFSCAN_RETRAIN=1 go test -count=1 -timeout 30m -v -run 'TestEmbeddedModelReproduces$' ./model/train \
  | grep -E 'reproduces|sha256|^(--- |ok|FAIL|PASS)'
echo "-- parity: gonnx vs plain Go vs onnxruntime-node on real features and at thresholds"
go test -count=1 -v -run 'TestEmbeddedModelParity$' ./model/train | grep -E 'largest|^(--- |ok|FAIL)' || true
go test -count=1 -v -run 'TestEmbeddedModelOnnxruntime$' ./inference/onnx | grep -E 'largest|latency|^(--- |ok|FAIL)' || true
echo "-- model-only latency (Go benchmarks): gonnx vs plain-Go pass of the same trees"
go test -run '^$' -bench 'BenchmarkEmbeddedModel' -benchtime 300x ./inference/onnx | grep -E '^Benchmark|^ok' || true
