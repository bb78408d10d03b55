#!/usr/bin/env bash
# Runs deploy/kubernetes.yaml with `podman kube play` (an OCI runtime, not a
# cluster): the image deploy/build-image.sh built, loaded into a podman
# store of its own, started from the Deployment's pod template with its
# securityContext (user, no privilege escalation, capabilities dropped,
# read-only root), resource limits (cgroup), env, args and Secret volumes.
# Secrets are made as `kubectl create secret` would (keys.json from
# `afscan keys create`, a self-signed TLS pair, a device key). Then it
# checks: the probes of the manifest answer 200 over its scheme, a classify
# request with the created key answers 200, the service's process runs as
# the manifest's user with no capabilities, a write outside the data volume
# fails with "read-only file system", the pod stops cleanly within its
# grace period, and the audit log in the data volume verifies.
#
# Where podman 4.3 departs from Kubernetes, the script does kubelet's part
# or changes a copy of the manifest, and says so in its output:
#   - replicas: podman publishes every pod's containerPort on the host, so
#     a second replica cannot bind; the copy runs one, on a free host port.
#   - Secret volumes: podman writes the files still base64 encoded and
#     0644 root:root (afscan refuses a key store others can read); before
#     the pod starts the script decodes them and sets the manifest's
#     defaultMode and the pod's fsGroup, as kubelet would.
#   - probes: podman runs them through systemd, absent here; the script
#     runs them (their scheme, port and path come from the manifest).
#   - rlimits: this host's root lacks CAP_SYS_RESOURCE, and podman's
#     default rlimits (even "host") are refused: crun fails on them, so
#     runc runs the containers with nofile and nproc lowered to 1024.
# Usage: deploy/play-kube.sh [OUT_DIR]   (default .ci/out/image)
# Skips (exit 0, with the reason) without root, podman, runc, openssl or
# curl; a failed check exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/waitlog.sh
. deploy/checks.sh
out=${1:-.ci/out/image}
manifest=deploy/kubernetes.yaml
for tool in podman runc openssl curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then echo "skip: $tool not installed (apt-get install podman runc openssl curl)"; exit 0; fi
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
fail() {
  echo "FAIL: $*"
  echo "container log:"
  pm logs "$ctr" 2>&1 | tail -20 || true
  exit 1
}

declare -A spec env
secrets=() probes=()
while read -r key value; do
  case "$key" in
    env) env[${value%% *}]=${value#* } ;;
    secret-volume) secrets+=("$value") ;;
    probe) probes+=("$value") ;;
    *) spec[$key]=$value ;;
  esac
done < <("$out/imagetool" kube-spec --manifest "$manifest")
uid=${spec[run-as]%%:*} gid=${spec[run-as]#*:}

# A free host port for the one replica.
hostport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -e "s/^  replicas: ${spec[replicas]}\$/  replicas: 1/" \
  -e "s/containerPort: ${spec[port]}}/containerPort: ${spec[port]}, hostPort: $hostport}/" "$manifest" > "$work/kube.yaml"
changed=$(diff "$manifest" "$work/kube.yaml" | grep -c '^>' || true)
[ "$changed" = 2 ] || { echo "FAIL: could not set replicas and hostPort in a copy of $manifest ($changed lines changed)"; exit 1; }
echo "-- podman $(podman version --format '{{.Client.Version}}') (runc $(runc --version | sed -n 's/^runc version //p')), $manifest with replicas ${spec[replicas]} -> 1, hostPort $hostport"

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
pm kube play --start=false "$work/kube.yaml" >> "$work/play.log" 2>&1 || { cat "$work/play.log"; echo "FAIL: podman kube play"; exit 1; }
ctr=$(pm ps -a --filter label=io.kubernetes.container.name --format '{{.Names}}' 2>/dev/null | head -1)
[ -n "$ctr" ] || ctr=$(pm ps -a --format '{{.Names}}' | grep -v infra | head -1)
[ -n "$ctr" ] || fail "no container created"
pod=$(pm pod ps --format '{{.Name}}' | head -1)

# kubelet's part: the Secret volume's files hold the decoded data (podman
# 4.3 writes it still base64 encoded) with the manifest's defaultMode and
# the pod's fsGroup (podman writes 0644 root:root).
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

pm pod start "$pod" > /dev/null 2>> "$work/play.log" || { cat "$work/play.log"; fail "pod $pod did not start"; }
pm logs -f "$ctr" > "$work/serve.log" 2>&1 &
logpid=$!
trap 'kill "$logpid" 2>/dev/null || true; cleanup' EXIT
addr=$(wait_for_log "$work/serve.log" 's/.*"msg":"listening","addr":"\([^"]*\)".*/\1/p' "$logpid" 300)
[ -n "$addr" ] || fail "serve did not start"
limits=$(pm inspect "$ctr" --format '{{.HostConfig.Memory}} bytes of memory, {{.HostConfig.NanoCpus}} nano-CPUs')
heap=$(sed -n 's/.*"msg":"garbage collector".*"memory_limit_bytes":\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
echo "   pod limits (cgroup): $limits; serve's heap limit from them: $heap bytes"
pid=$(pm inspect "$ctr" --format '{{.State.Pid}}')
ids=$(awk '/^Uid:/{u=$2} /^Gid:/{g=$2} /^CapEff:/{c=$2} END{print u":"g", effective capabilities "c}' "/proc/$pid/status")
echo "   listening on $addr in the pod; afscan's process on the host: uid:gid $ids"
[ "${ids%%,*}" = "$uid:$gid" ] || fail "afscan runs as ${ids%%,*}, want $uid:$gid"
[ "${ids##* }" = 0000000000000000 ] || fail "afscan has capabilities ${ids##* }"
# allowPrivilegeEscalation: false is no_new_privs; seccompProfile
# RuntimeDefault is a seccomp filter (mode 2).
nnp=$(awk '/^NoNewPrivs:/{print $2}' "/proc/$pid/status") seccomp=$(awk '/^Seccomp:/{print $2}' "/proc/$pid/status")
echo "   no_new_privs $nnp, seccomp mode $seccomp"
[ "$nnp" = 1 ] || fail "no_new_privs is not set"
[ "$seccomp" = 2 ] || fail "no seccomp filter"

up=""
for _ in $(seq 50); do
  https "https://127.0.0.1:$hostport/healthz" 2>/dev/null | grep -q 200 && { up=1; break; }
  sleep 0.1
done
[ -n "$up" ] || fail "nothing answers on the published port $hostport"
for p in "${probes[@]}"; do
  read -r kind scheme port path <<< "$p"
  [ "$port" = "${spec[port]}" ] || fail "$kind probe on port $port, not the published ${spec[port]}"
  check_get "$kind probe $scheme $path" "${scheme,,}://127.0.0.1:$hostport$path"
done
check_classify "https://127.0.0.1:$hostport"
check_read_only pm exec "$ctr" /usr/local/bin/afscan keys create --keys-file /etc/keys.json

t0=$(date +%s)
pm pod stop "$pod" > /dev/null 2>> "$work/play.log"
status=$(pm inspect "$ctr" --format '{{.State.ExitCode}}')
echo "   pod stopped in $(( $(date +%s) - t0 )) s; afscan exited with status $status"
[ "$status" = 0 ] || fail "afscan exited with status $status after SIGTERM"
data=$(pm inspect "$ctr" --format "{{range .Mounts}}{{if eq .Destination \"${env[AFSCAN_DATA_DIR]}\"}}{{.Source}}{{end}}{{end}}")
[ -n "$data" ] || fail "no volume on AFSCAN_DATA_DIR ${env[AFSCAN_DATA_DIR]}"
"$out/afscan" audit verify "$data/audit.log" | sed "s|$work|\$work|; s/^/   /"
echo "play-kube: ok ($manifest's pod ran under podman and runc as $uid:$gid on a read-only root, probes and classify answered over TLS, stopped cleanly)"
