#!/usr/bin/env bash
# Builds deploy/Containerfile's runtime stage with podman (buildah) and
# checks the result with deploy/imagetool check, as the crane-built image
# is checked: same files, owners, modes and configuration. The build stage
# (a golang base image from a registry, then go build and imagetool layer)
# cannot run without registry access, so it is replaced by a local image
# holding, under /out/rootfs, the layer deploy/build-image.sh wrote (podman
# import: no registry, no container run). What this checks is the runtime
# stage: that its COPYs, USER, ENV, EXPOSE, ENTRYPOINT, CMD and LABELs give
# the image the definition.
# Usage: deploy/check-containerfile.sh [OUT_DIR]   (default .ci/out/image,
# after deploy/build-image.sh). Skips (exit 0, with the reason) without
# podman; a failed check exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.ci/out/image}
if ! command -v podman >/dev/null 2>&1; then echo "skip: podman not installed"; exit 0; fi
work=$(mktemp -d)
tag="localhost/afscan-containerfile-check:$$"
intermediate=""
trap 'podman rmi -f "$tag" "$tag-build" $intermediate >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/out/rootfs" "$work/ctx"
"$out/imagetool" run-spec --layout "$out/oci" | while read -r kind value; do
  if [ "$kind" = layer ]; then tar --same-owner --numeric-owner -xzf "$value" -C "$work/out/rootfs"; fi
done
tar -C "$work" -cf "$work/build.tar" out
if ! podman import -q "$work/build.tar" "$tag-build" > "$work/import.log" 2>&1; then
  echo "skip: podman import failed here: $(tail -1 "$work/import.log")"; exit 0
fi
{ echo "FROM $tag-build AS build"; sed -n '/^FROM scratch$/,$p' deploy/Containerfile; } > "$work/ctx/Containerfile"
echo "-- podman $(podman version --format '{{.Client.Version}}') build of the runtime stage (build stage: the crane image's layer)"
podman build --pull=never --build-arg REVISION="$(git rev-parse HEAD)" -f "$work/ctx/Containerfile" -t "$tag" "$work/ctx" > "$work/build.log" 2>&1 ||
  { cat "$work/build.log"; exit 1; }
# The intermediate images of each step ("--> ID"), removed on exit.
intermediate=$(sed -n 's/^--> \([0-9a-f]\{11,64\}\)$/\1/p' "$work/build.log")
podman save -q --format oci-dir -o "$work/oci" "$tag"
"$out/imagetool" check --layout "$work/oci" --binary "$out/afscan" --rootfs deploy/rootfs | sed 's/^/   /'
