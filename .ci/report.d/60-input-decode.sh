#!/usr/bin/env bash
# Strip decoding cost (inference/input): time, throughput and allocations of
# Decode per format for 10 s, 60 s and 10 min strips, measured on this runner.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "Decode (afscan JSON 300 Hz, FHIR 500 Hz, Apple CSV 512 Hz):"
go test -run '^$' -bench '^BenchmarkDecode$' -benchtime 10x ./inference/input/ | grep '^BenchmarkDecode'
