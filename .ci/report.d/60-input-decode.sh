#!/usr/bin/env bash
# Strip decoding cost (inference/input): time, throughput and allocations of
# Decode per format for 10 s, 60 s and 10 min strips, and of DecodeJSON and
# DecodeFHIR alone on a 30 s strip (DecodeJSON beside the two-pass
# encoding/json reference it replaced), measured on this runner.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "Decode (afscan JSON 300 Hz, FHIR 500 Hz, Apple CSV 512 Hz):"
go test -run '^$' -bench '^BenchmarkDecode$' -benchtime 10x ./inference/input/ | grep '^BenchmarkDecode'
echo "30 s strip, decoder alone (afscan JSON 9000 samples; FHIR 15000):"
go test -run '^$' -bench '^BenchmarkDecode(JSON|FHIR)30s$' -benchtime 200x ./inference/input/ | grep '^BenchmarkDecode'
