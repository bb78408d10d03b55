#!/usr/bin/env bash
# Runs the image deploy/build-image.sh built, without a container engine:
# unpacks its layers (owners kept) into a root file system, then starts the
# image's own entrypoint, command and environment under bubblewrap as the
# image's user (uid/gid 65532, set with setpriv before bwrap, so the
# process has no privilege on the host either) with the root file system
# bound read-only, a fresh data directory bound on /var/lib/afscan, and new
# user, pid, ipc, uts, cgroup and mount namespaces (the host network is
# shared). Only the listen address is changed, to loopback on a free port,
# and a self-signed TLS certificate is put in the data directory (the
# image's command requires TLS). Then it checks over HTTPS: /healthz and
# /readyz answer 200, a classify request with the key printed on first
# start answers 200, the files written are the service user's, a write
# outside the data directory fails with "read-only file system", and after
# SIGTERM the audit log's hash chain verifies.
# No /proc, /dev or /tmp is mounted: the read-only root has no mount points
# for them (a container runtime creates those); afscan serve needs none.
# Usage: deploy/run-image.sh [OUT_DIR]   (default .ci/out/image)
# Skips (exit 0, with the reason) where bwrap, setpriv, openssl or curl is
# missing, when not root (setpriv needs it), or when the kernel refuses
# user namespaces; any failed check exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/waitlog.sh
. deploy/checks.sh
out=${1:-.ci/out/image}
for tool in bwrap setpriv openssl curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then echo "skip: $tool not installed (apt-get install bubblewrap util-linux openssl curl)"; exit 0; fi
done
if [ "$(id -u)" -ne 0 ]; then echo "skip: not root (setpriv cannot switch to the image's user)"; exit 0; fi
if ! bwrap --unshare-user --ro-bind / / true 2>/tmp/bwrap-probe.$$; then
  echo "skip: bwrap cannot create a user namespace here: $(cat /tmp/bwrap-probe.$$)"; rm -f /tmp/bwrap-probe.$$; exit 0
fi
rm -f /tmp/bwrap-probe.$$

work=$(mktemp -d)
chmod 755 "$work"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
user="" env=() argv=()
while read -r kind value; do
  case "$kind" in
    user) user=$value ;;
    layer) tar --same-owner --numeric-owner -xzf "$value" -C "$work" --one-top-level=rootfs ;;
    env) env+=(--setenv "${value%%=*}" "${value#*=}") ;;
    arg) argv+=("$value") ;;
  esac
done < <("$out/imagetool" run-spec --layout "$out/oci")
uid=${user%%:*} gid=${user#*:}
chmod 755 "$work/rootfs"
mkdir "$work/data"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/data/tls.key" -out "$work/tls.crt" 2>/dev/null
cp "$work/tls.crt" "$work/data/tls.crt"
chown -R "$uid:$gid" "$work/data"
chmod 700 "$work/data"

sandbox=(setpriv --reuid="$uid" --regid="$gid" --clear-groups
  bwrap --ro-bind "$work/rootfs" / --bind "$work/data" /var/lib/afscan
  --unshare-all --share-net --die-with-parent --clearenv "${env[@]}"
  --setenv AFSCAN_ADDR 127.0.0.1:0
  --setenv AFSCAN_TLS_CERT /var/lib/afscan/tls.crt --setenv AFSCAN_TLS_KEY /var/lib/afscan/tls.key)
echo "-- ${sandbox[*]} ${argv[*]}" | sed "s|$work|\$work|g"
"${sandbox[@]}" "${argv[@]}" > "$work/key" 2> "$work/serve.log" &
pid=$!
addr=$(wait_for_log "$work/serve.log" 's/.*"msg":"listening","addr":"\([^"]*\)".*/\1/p' "$pid" 100)
fail() { echo "FAIL: $*"; echo "serve log:"; cat "$work/serve.log"; exit 1; }
[ -n "$addr" ] || fail "serve did not start"
# afscan's own process: the descendant of bwrap ($pid) whose command is
# afscan. SIGTERM goes to it at the end (bwrap would not pass it on).
svc=$pid
for _ in 1 2 3; do
  [ "$(cat "/proc/$svc/comm")" = afscan ] && break
  svc=$(awk '{print $1}' "/proc/$svc/task/$svc/children")
done
[ "$(cat "/proc/$svc/comm" 2>/dev/null)" = afscan ] || fail "afscan's process not found under bwrap ($pid)"
echo "   listening on $addr"
check_process "$svc" "$uid:$gid"
for path in /healthz /readyz; do check_get "GET $path" "https://$addr$path"; done
check_classify "https://$addr"
echo "   data directory after start: $(cd "$work/data" && stat -c '%n %u:%g %a' -- * | tr '\n' ' ')"
if stat -c '%u:%g' "$work/data"/* | grep -vq "^$uid:$gid$"; then fail "a file in the data directory is not $uid:$gid's"; fi
check_read_only "${sandbox[@]}" /usr/local/bin/afscan keys create --keys-file /etc/keys.json
kill -TERM "$svc"
wait "$pid" || fail "serve exited with status $? after SIGTERM"
pid=""
"$work/rootfs/usr/local/bin/afscan" audit verify "$work/data/audit.log" | sed "s|$work|\$work|; s/^/   /"
echo "run: ok (the image's entrypoint and command ran as $uid:$gid on a read-only root, served TLS, classified, shut down cleanly)"
