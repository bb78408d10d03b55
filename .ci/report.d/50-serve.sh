#!/usr/bin/env bash
# Service load summary: prints the in-process handler benchmark (the
# service's own CPU per request without the network, allocations included),
# then starts `afscan serve` on loopback with a fresh data
# directory, loads it with `afscan bench` (open loop at 500 req/s for 30 s,
# then closed loop with 1 worker for 10 s — latency without queueing — and
# with 4 workers for 15 s — saturation) using the first 30 s of CinC 2017
# records, prints latency percentiles, the service time the server reports
# (Server-Timing), throughput, CPU per request, the server's VmRSS and how
# many garbage collections the server ran during each load (from /metrics,
# when curl is installed), then stops it with SIGTERM and verifies the
# audit log's hash chain. Then the same open-loop run over TLS (a
# self-signed certificate from openssl, trusted with --ca-file), the
# protocol the deployment serves (--require-tls), against a fresh server.
# Latency figures are printed, not enforced: CI machines are shared, so the
# load average is printed before each run (compare client lag and service
# time with the latency to see how much of it was the machine).
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/waitlog.sh
data=$(ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/afscan/data/*/training2017 2>/dev/null | head -1 || true)
if [ -z "$data" ]; then echo "skip: CinC 2017 not extracted (the tests extract it from ../shared/data)"; exit 0; fi
echo "-- in process: one POST /v1/classify of a 30 s strip through the router (fake classifier: the service's own work; model: the whole request)"
go test -run '^$' -bench 'ClassifyHandler/(fake|model)/30s' -benchtime 2000x -count 3 ./api | grep '^Benchmark' || echo "(handler benchmark failed)"
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/afscan" ./cmd/afscan
# start_serve DIR [serve flags...] starts afscan serve on a free loopback
# port with data directory DIR; sets pid and addr.
start_serve() {
  local dir=$1
  shift
  "$work/afscan" serve --addr 127.0.0.1:0 --data-dir "$dir" --max-in-flight 64 "$@" \
    >"$dir.key" 2>"$dir.log" &
  pid=$!
  addr=$(wait_for_log "$dir.log" 's/.*"msg":"listening","addr":"\([^"]*\)".*/\1/p' "$pid" 300)
  if [ -z "$addr" ]; then echo "serve did not start:"; cat "$dir.log"; exit 1; fi
}
# stop_serve DIR stops the server with SIGTERM and verifies DIR's audit log.
stop_serve() {
  kill -TERM "$pid"
  wait "$pid"
  pid=""
  "$work/afscan" audit verify "$1/audit.log"
}
scheme=http curlopt=()
gc_cycles() {
  command -v curl >/dev/null 2>&1 || return 0
  curl -s "${curlopt[@]}" "$scheme://$addr/metrics" | awk '$1 == "go_gc_duration_seconds_count" {print $2}'
}
load() {
  local before after
  before=$(gc_cycles)
  "$work/afscan" bench --url "$scheme://$addr" --key-file "$keyfile" --data "$data" \
    "$@" --pid "$pid" || echo "(bench reported errors)"
  after=$(gc_cycles)
  if [ -n "$before" ] && [ -n "$after" ]; then echo "server GC   $((after - before)) collections during the run"; fi
}
start_serve "$work/data"
keyfile=$work/data.key
echo "-- open loop, 500 req/s, 30 s (target: p99 <= 2 ms, zero errors); $(uptime | sed 's/.*load/load/')"
load --rate 500 --duration 30s
echo "-- closed loop, 1 worker, 10 s (latency without queueing); $(uptime | sed 's/.*load/load/')"
load --workers 1 --duration 10s
echo "-- closed loop, 4 workers, 15 s (saturation throughput); $(uptime | sed 's/.*load/load/')"
load --workers 4 --duration 15s
stop_serve "$work/data"

if ! command -v openssl >/dev/null 2>&1; then echo "skip TLS run: openssl not installed"; exit 0; fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
start_serve "$work/data-tls" --tls-cert "$work/tls.crt" --tls-key "$work/tls.key"
keyfile=$work/data-tls.key scheme=https curlopt=(--cacert "$work/tls.crt")
echo "-- over TLS (self-signed P-256 certificate): open loop, 500 req/s, 30 s; $(uptime | sed 's/.*load/load/')"
load --rate 500 --duration 30s --ca-file "$work/tls.crt"
stop_serve "$work/data-tls"
