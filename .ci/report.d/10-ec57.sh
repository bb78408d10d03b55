#!/usr/bin/env bash
# EC57 QRS detection summary (SRS-QRS-002/003/004): afscan qrs writes a .qrs
# annotation file for each of the 48 MIT-BIH records (lead 0), then
# afscan validate qrs scores them beat by beat against the .atr reference
# with bxb's rules and prints the per-record and gross table. The validate
# step exits 1 (failing CI) when gross Se or +P is below 99.8%. Then the
# detector's speed is measured on this runner. Every figure is measured here.
set -euo pipefail
cd "$(dirname "$0")/../.."
mitdb=$(go run ./internal/dataset/cmd/datapath mitdb)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/afscan" ./cmd/afscan
mkdir "$work/mitdb"
# The scored directory: links to the records and reference annotations,
# plus the .qrs files written below (the data cache is left untouched).
for f in "$mitdb"/*.hea "$mitdb"/*.dat "$mitdb"/*.atr "$mitdb"/RECORDS; do
  ln -s "$f" "$work/mitdb/"
done
echo "-- afscan qrs: detect and write 48 .qrs annotation files (time includes reading the records)"
time "$work/afscan" qrs --out-dir "$work/mitdb" "$mitdb"/*.hea > "$work/qrs.log"
tail -n 3 "$work/qrs.log"
echo "-- afscan validate qrs: ANSI/AAMI EC57 beat by beat, reference atr vs test qrs"
"$work/afscan" validate qrs --data "$work/mitdb"
echo "-- detector speed (detection only; 48 records per iteration, and synthetic 10 s / 60 s / 30 min / 24 h at 360 Hz)"
go test -run '^$' -bench 'BenchmarkDetectMITDB' -benchtime 5x ./validation/ec57 | grep -E '^Benchmark' || true
go test -run '^$' -bench 'BenchmarkDetect(10s|60s|30m|24h)$' -benchtime 3x ./ecg | grep -E '^Benchmark' || true
