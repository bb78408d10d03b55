#!/usr/bin/env bash
# Runs deploy/kubernetes.yaml with `podman kube play` (an OCI runtime, not a
# cluster): the image deploy/build-image.sh built, loaded into a podman
# store of its own, started as the Deployment's replicas from its pod
# template with its securityContext (user, no privilege escalation,
# capabilities dropped, seccomp, read-only root), resource limits (cgroup),
# env, args and Secret volumes. Secrets are made as `kubectl create secret`
# would (keys.json from `afscan keys create`, a self-signed TLS pair, a
# device key). For each replica it checks: the manifest's probes answer 200
# over their scheme, a classify request with the created key answers 200,
# the service's process runs as the manifest's user with no capabilities,
# no_new_privs and a seccomp filter, and a write outside the data volume
# fails with "read-only file system". Then, with haproxy installed and the
# CinC 2017 data extracted, the Service's part: a TCP load balancer (round
# robin, TLS passed through) in front of the replicas, loaded with afscan
# bench (4 connections, 5 s). Last, every replica stops with status 0 on
# SIGTERM and its own audit log verifies; with the load balancer, each
# must hold some of its requests.
#
# Where podman 4.3 departs from Kubernetes, the script does kubelet's part
# or changes a copy of the manifest:
#   - replicas: podman publishes every pod's containerPort on the host and
#     names an emptyDir volume after the manifest's volume, so two replicas
#     would collide on the port and share one audit log; replica i runs
#     from a copy of the Deployment alone, named NAME-i, with one replica,
#     a free host port and its emptyDir volumes renamed VOLUME-i.
#   - Secret volumes: podman writes the files still base64 encoded and
#     0644 root:root (afscan refuses a key store others can read); before
#     the pods start the script decodes them and sets the manifest's
#     defaultMode and the pod's fsGroup, as kubelet would.
#   - probes: podman runs them through systemd, absent here; the script
#     runs them (their scheme, port and path come from the manifest).
#   - rlimits: this host's root lacks CAP_SYS_RESOURCE, and podman's
#     default rlimits (even "host") are refused: crun fails on them, so
#     runc runs the containers with nofile and nproc lowered to 1024.
#   - the Secret volumes say optional: false, as podman 4.3 panics on a
#     Secret volume without it (the manifest itself carries it).
# Usage: deploy/play-kube.sh [OUT_DIR]   (default .ci/out/image)
# Skips (exit 0, with the reason) without root, podman, runc, openssl,
# curl or python3 (free ports); skips only the load-balanced run without
# haproxy or the data; a failed check exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/waitlog.sh
. deploy/checks.sh
out=${1:-.ci/out/image}
manifest=deploy/kubernetes.yaml
for tool in podman runc openssl curl python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then echo "skip: $tool not installed (apt-get install podman runc openssl curl python3)"; exit 0; fi
done
if [ "$(id -u)" -ne 0 ]; then echo "skip: not root"; exit 0; fi

work=$(mktemp -d)
cat > "$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
events_logger = "file"
EOF
export CONTAINERS_CONF="$work/containers.conf"
pm() { podman --root "$work/storage" --runroot "$work/run" "$@"; }
cleanup() {
  pm pod rm -af -t 0 >/dev/null 2>&1 || true
  pm volume rm -af >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

declare -A spec env
secrets=() probes=() emptydirs=()
while read -r key value; do
  case "$key" in
    env) env[${value%% *}]=${value#* } ;;
    secret-volume) secrets+=("$value") ;;
    empty-dir) emptydirs+=("$value") ;;
    probe) probes+=("$value") ;;
    *) spec[$key]=$value ;;
  esac
done < <("$out/imagetool" kube-spec --manifest "$manifest")
uid=${spec[run-as]%%:*} gid=${spec[run-as]#*:}
replicas=${spec[replicas]}
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
echo "-- podman $(podman version --format '{{.Client.Version}}') (runc $(runc --version | sed -n 's/^runc version //p')): $manifest, $replicas replicas as $replicas one-replica copies"

pm load -q -i "$out/afscan-oci.tar" > "$work/load.log"
pm tag "$(sed -n 's/^Loaded image: //p' "$work/load.log" | tail -1)" "${spec[image]}"

"$out/afscan" keys create --keys-file "$work/keys.json" --name play-kube > "$work/key" 2> "$work/keys.log"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
openssl rand -hex 32 > "$work/device.key"
b64() { base64 -w0 "$work/$1"; }
cat > "$work/secrets.yaml" <<EOF
apiVersion: v1
kind: Secret
metadata: {name: afscan-keys}
data: {keys.json: $(b64 keys.json)}
---
apiVersion: v1
kind: Secret
metadata: {name: afscan-tls}
type: kubernetes.io/tls
data: {tls.crt: $(b64 tls.crt), tls.key: $(b64 tls.key)}
---
apiVersion: v1
kind: Secret
metadata: {name: afscan-device-key}
data: {device.key: $(b64 device.key)}
EOF
pm kube play "$work/secrets.yaml" > "$work/play.log" 2>&1 || { cat "$work/play.log"; exit 1; }

# Replica i: the Deployment alone, named NAME-i, one replica, its port
# published on a free host port, its emptyDir volumes renamed (podman
# names the volume after the manifest's volume, so two pods would share
# one: one audit log written by two processes).
pods=() ctrs=() hostports=()
for i in $(seq 0 $((replicas - 1))); do
  hostports[i]=$(freeport)
  args=(-e "s/^  name: ${spec[name]}\$/  name: ${spec[name]}-$i/"
    -e "s/^  replicas: $replicas\$/  replicas: 1/"
    -e "s/containerPort: ${spec[port]}}/containerPort: ${spec[port]}, hostPort: ${hostports[i]}}/")
  for v in "${emptydirs[@]}"; do
    args+=(-e "s/{name: $v, mountPath:/{name: $v-$i, mountPath:/" -e "s/^        - name: $v\$/        - name: $v-$i/")
  done
  awk '/^---$/{exit} {print}' "$manifest" | sed "${args[@]}" > "$work/replica-$i.yaml"
  changed=$(awk '/^---$/{exit} {print}' "$manifest" | diff - "$work/replica-$i.yaml" | grep -c '^>' || true)
  want=$((3 + 2 * ${#emptydirs[@]}))
  [ "$changed" = "$want" ] || { echo "FAIL: replica $i: $changed lines of the Deployment changed, want $want"; exit 1; }
  pm kube play --start=false "$work/replica-$i.yaml" > "$work/play-$i.log" 2>&1 ||
    { cat "$work/play-$i.log"; echo "FAIL: podman kube play of replica $i"; exit 1; }
  pods[i]=$(awk 'f{print; exit} /^Pod:$/{f=1}' "$work/play-$i.log")
  ctrs[i]=$(awk 'f{print; exit} /^Container:$/{f=1}' "$work/play-$i.log")
  [ -n "${pods[i]}" ] && [ -n "${ctrs[i]}" ] || { cat "$work/play-$i.log"; echo "FAIL: replica $i: no pod or container id"; exit 1; }
done
fail() {
  echo "FAIL: $*"
  for c in "${ctrs[@]}"; do echo "container ${c:0:12} log:"; pm logs "$c" 2>&1 | tail -10 || true; done
  exit 1
}

# kubelet's part: the Secret volume's files hold the decoded data (podman
# 4.3 writes it still base64 encoded) with the manifest's defaultMode and
# the pod's fsGroup (podman writes 0644 root:root). The replicas mount the
# same volume per Secret, as pods mount the same Secret.
for s in "${secrets[@]}"; do
  read -r name mode <<< "$s"
  dir=$(pm volume inspect "$name" --format '{{.Mountpoint}}')
  files=()
  for f in "$dir"/*; do
    [ -f "$f" ] || fail "secret volume $name holds no files"
    base64 -d "$f" > "$work/decoded" && cat "$work/decoded" > "$f"
    chmod "$mode" "$f"
    chgrp "${spec[fs-group]}" "$f"
    files+=("${f##*/}")
  done
  echo "   secret volume $name: ${files[*]} decoded, mode $mode, group ${spec[fs-group]}"
done

logpids=()
trap 'kill "${logpids[@]}" 2>/dev/null || true; cleanup' EXIT
for i in "${!pods[@]}"; do
  pod=${pods[i]} ctr=${ctrs[i]} hostport=${hostports[i]}
  echo "-- replica $i: pod ${pod:0:12}, port ${spec[port]} on host port $hostport"
  pm pod start "$pod" > /dev/null 2>> "$work/play.log" || { cat "$work/play.log"; fail "pod $pod did not start"; }
  pm logs -f "$ctr" > "$work/serve-$i.log" 2>&1 &
  logpids+=($!)
  addr=$(wait_for_log "$work/serve-$i.log" 's/.*"msg":"listening","addr":"\([^"]*\)".*/\1/p' "${logpids[i]}" 300)
  [ -n "$addr" ] || fail "serve did not start"
  limits=$(pm inspect "$ctr" --format '{{.HostConfig.Memory}} bytes of memory, {{.HostConfig.NanoCpus}} nano-CPUs')
  heap=$(sed -n 's/.*"msg":"garbage collector".*"memory_limit_bytes":\([0-9]*\).*/\1/p' "$work/serve-$i.log" | head -1)
  echo "   pod limits (cgroup): $limits; serve's heap limit from them: $heap bytes"
  pid=$(pm inspect "$ctr" --format '{{.State.Pid}}')
  echo "   listening on $addr in the pod"
  check_process "$pid" "$uid:$gid"
  [ "${ids##* }" = 0000000000000000 ] || fail "afscan has capabilities ${ids##* }"
  # allowPrivilegeEscalation: false is no_new_privs; seccompProfile
  # RuntimeDefault is a seccomp filter (mode 2).
  nnp=$(awk '/^NoNewPrivs:/{print $2}' "/proc/$pid/status") seccomp=$(awk '/^Seccomp:/{print $2}' "/proc/$pid/status")
  echo "   no_new_privs $nnp, seccomp mode $seccomp"
  [ "$nnp" = 1 ] || fail "no_new_privs is not set"
  [ "$seccomp" = 2 ] || fail "no seccomp filter"
  wait_https "https://127.0.0.1:$hostport/healthz" || fail "nothing answers on the published port $hostport"
  for p in "${probes[@]}"; do
    read -r kind scheme port path <<< "$p"
    [ "$port" = "${spec[port]}" ] || fail "$kind probe on port $port, not the published ${spec[port]}"
    check_get "$kind probe $scheme $path" "${scheme,,}://127.0.0.1:$hostport$path"
  done
  check_classify "https://127.0.0.1:$hostport"
  check_read_only pm exec "$ctr" /usr/local/bin/afscan keys create --keys-file /etc/keys.json
done

# The Service's part: a TCP load balancer (haproxy, round robin per
# connection, TLS passed through) in front of the replicas, loaded by
# afscan bench with 4 connections.
data=$(ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/afscan/data/*/training2017 2>/dev/null | head -1 || true)
if ! command -v haproxy >/dev/null 2>&1; then
  echo "-- skip the load-balanced run: haproxy not installed"
elif [ -z "$data" ]; then
  echo "-- skip the load-balanced run: CinC 2017 not extracted"
else
  lbport=$(freeport)
  {
    printf 'defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n'
    printf 'frontend service\n  bind 127.0.0.1:%s\n  default_backend replicas\n' "$lbport"
    printf 'backend replicas\n  balance roundrobin\n'
    for i in "${!hostports[@]}"; do printf '  server replica-%s 127.0.0.1:%s check\n' "$i" "${hostports[i]}"; done
  } > "$work/haproxy.cfg"
  haproxy -db -f "$work/haproxy.cfg" > "$work/haproxy.log" 2>&1 &
  lbpid=$!
  logpids+=("$lbpid")
  wait_https "https://127.0.0.1:$lbport/healthz" || fail "haproxy does not answer on 127.0.0.1:$lbport: $(tail -3 "$work/haproxy.log")"
  echo "-- $(haproxy -v | head -1 | cut -d' ' -f1-3) on 127.0.0.1:$lbport, round robin over the $replicas replicas: afscan bench, 4 workers, 5 s"
  "$out/afscan" bench --url "https://127.0.0.1:$lbport" --ca-file "$work/tls.crt" --key-file "$work/key" \
    --data "$data" --workers 4 --duration 5s --records 50 > "$work/bench.log" 2>&1 ||
    { cat "$work/bench.log"; fail "afscan bench through haproxy failed"; }
  grep -E '^(requests|throughput|latency)' "$work/bench.log" | sed 's/^/   /'
  kill "$lbpid"
fi

for i in "${!pods[@]}"; do
  pod=${pods[i]} ctr=${ctrs[i]}
  t0=$(date +%s)
  pm pod stop "$pod" > /dev/null 2>> "$work/play.log"
  status=$(pm inspect "$ctr" --format '{{.State.ExitCode}}')
  dir=$(pm inspect "$ctr" --format "{{range .Mounts}}{{if eq .Destination \"${env[AFSCAN_DATA_DIR]}\"}}{{.Source}}{{end}}{{end}}")
  [ -n "$dir" ] || fail "replica $i: no volume on AFSCAN_DATA_DIR ${env[AFSCAN_DATA_DIR]}"
  verify=$("$out/afscan" audit verify "$dir/audit.log") || fail "replica $i: audit log: $verify"
  echo "   replica $i stopped in $(( $(date +%s) - t0 )) s, exit status $status; its own audit log: ${verify##*: }"
  [ "$status" = 0 ] || fail "replica $i: afscan exited with status $status after SIGTERM"
  entries=${verify##*: } entries=${entries%% *}
  if [ -n "${lbpid:-}" ] && [ "$entries" -le 1 ]; then fail "replica $i got none of the load-balanced requests"; fi
done
echo "play-kube: ok ($manifest: $replicas replicas under podman and runc as $uid:$gid on a read-only root, probes and classify answered over TLS${lbpid:+, load balanced}, stopped cleanly, one audit chain each)"
