#!/usr/bin/env bash
# Record I/O summary (package ecg): what the real data sets read as, and
# how fast a full MIT-BIH record decodes. Every figure is measured here.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "-- MIT-BIH: 48 records (checksums verified), 48 .atr byte-exact round trips, beat counts"
go test -count=1 -v -run 'TestReadRecordMITDB$|TestAnnotationsRoundTripMITDB$|TestBeatCountsMITDB$' ./ecg \
  | grep -E '^(--- |ok|FAIL|PASS)' || true
echo "-- CinC 2017: every record via header + validated .mat"
go test -count=1 -v -run 'TestReadRecordCinC2017$' ./ecg | grep -E 'read [0-9]+ CinC|^--- |^ok|FAIL' || true
echo "-- ReadRecord benchmark (format 212, 10 s fixture and full 30 min record 100)"
go test -run '^$' -bench 'BenchmarkReadRecord' -benchtime 20x ./ecg | grep -E '^Benchmark|^ok' || true
