#!/usr/bin/env bash
# Inference pipeline summary (package inference, SRS-CLS-001..007): how the
# feature pipeline treats every record of the locked CinC 2017 train split
# (gating by label, polarity corrections, time per record), then the
# pipeline's speed: Extract (resample, filter, two QRS detectors, 89
# features) on synthetic 10/30/60 s strips and on 200 real 30 s CinC 2017
# strips (the ones `afscan bench` posts), Classify with a trivial fake model
# on a 30 s strip and a 10 min recording, and with the embedded model on the
# synthetic and the real strips. cpu-ns/op is process CPU time per call
# (the CI machine is shared, so wall time includes waiting for a core).
# Every figure is measured here.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "-- CinC 2017 train split through inference.Extractor"
AFSCAN_CINC_ALL=1 go test -count=1 -v -run 'TestCinCTrainPipeline$' ./inference \
  | grep -E 'CinC 2017|label|^--- |^ok|FAIL' || true
echo "-- pipeline speed"
go test -run '^$' -bench 'BenchmarkExtract|BenchmarkClassify' -benchtime 200x ./inference \
  | grep -E '^Benchmark|^ok' || true
