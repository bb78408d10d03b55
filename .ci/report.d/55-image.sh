#!/usr/bin/env bash
# Container image (issue 5): builds the runtime image without an engine or a
# registry (deploy/build-image.sh: crane, one layer, OCI layout in
# .ci/out/image) and prints its digest, size, configuration and files;
# fails if it runs as root, its entrypoint is not the static binary, or it
# holds anything the definition (deploy/image) does not name. Then builds
# it again and fails if the digest differs (reproducible build), and runs
# it under bubblewrap as uid 65532 on a read-only root (deploy/run-image.sh:
# TLS health, readiness and classify checks; skips with the reason where
# bubblewrap or user namespaces are unavailable). Where podman is installed,
# deploy/Containerfile's runtime stage is built from the same layer and
# checked the same way (deploy/check-containerfile.sh), and
# deploy/kubernetes.yaml's replicas are run with podman kube play and runc
# behind haproxy (deploy/play-kube.sh: probes, classify, user,
# capabilities, seccomp, read-only root, cgroup limits, load-balanced
# requests, clean stop, one audit chain each).
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
bash deploy/build-image.sh .ci/out/image
echo "-- rebuild from the same commit"
bash deploy/build-image.sh .ci/out/image-again > .ci/out/image-again.log
a=$(cat .ci/out/image/digest) b=$(cat .ci/out/image-again/digest)
if [ "$a" != "$b" ]; then
  echo "FAIL: two builds of the same commit differ: $a, $b"
  exit 1
fi
echo "   same digest $b (.ci/out/image-again)"
echo "-- deploy/Containerfile's runtime stage built by podman gives the same image"
bash deploy/check-containerfile.sh .ci/out/image
echo "-- run the image (bubblewrap, read-only root, uid 65532)"
bash deploy/run-image.sh .ci/out/image
echo "-- run deploy/kubernetes.yaml's replicas (podman kube play, runc, haproxy)"
bash deploy/play-kube.sh .ci/out/image
echo "image report: $(( $(date +%s) - t0 )) s"
