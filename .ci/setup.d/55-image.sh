#!/usr/bin/env bash
# Container image tooling (issue 5): crane (go-containerregistry v0.22.1,
# through the Go module proxy; not a module dependency of afscan) builds the
# image offline in deploy/build-image.sh; bubblewrap (Debian) runs it in
# deploy/run-image.sh, with setpriv (util-linux), openssl and curl; runc
# (Debian) is the OCI runtime deploy/play-kube.sh gives podman (crun
# cannot start containers on this host), and haproxy (Debian) its load
# balancer in front of the replicas. The run checks skip with their
# reason when a tool cannot be had, so a failed apt-get only warns here;
# crane is required.
set -euo pipefail
cd "$(dirname "$0")/../.."
go install github.com/google/go-containerregistry/cmd/crane@v0.22.1
echo "crane $("$(go env GOPATH)/bin/crane" version) ready"
missing=()
for pair in bwrap:bubblewrap setpriv:util-linux openssl:openssl curl:curl runc:runc haproxy:haproxy; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    echo "warning: apt-get install ${missing[*]} failed; deploy/run-image.sh or play-kube.sh will skip"
fi
command -v bwrap >/dev/null 2>&1 && echo "$(bwrap --version) ready"
exit 0
