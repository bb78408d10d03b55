#!/usr/bin/env bash
# Builds the afscan service's runtime image without a container engine or a
# registry on the network, and checks it:
#   1. the static binary: CGO_ENABLED=0, -trimpath, with the toolchain named
#      by go.mod's toolchain line (whatever GOTOOLCHAIN the caller has);
#   2. its one layer (deploy/imagetool layer: the binary, deploy/rootfs's
#      etc/passwd and etc/group, the empty /var/lib/afscan owned by 65532;
#      every mtime SOURCE_DATE_EPOCH, default the HEAD commit's time);
#   3. the image: crane (go-containerregistry) appends the layer to an empty
#      OCI base and sets the configuration deploy/imagetool crane-flags
#      gives, in a registry crane itself serves on loopback for the length
#      of the build; the result is pulled into an OCI image layout;
#   4. the check (deploy/imagetool check): prints digest, size,
#      configuration and every file, fails on a root user, another
#      entrypoint, or an entry, owner, mode or content not in the definition;
#      GNU tar lists the layer blob too, as a second reader.
# Usage: deploy/build-image.sh [OUT_DIR]   (default .ci/out/image)
# OUT_DIR/oci is the OCI image layout, OUT_DIR/afscan-oci.tar the same as an
# OCI archive (podman load -i, skopeo copy oci-archive:), OUT_DIR/digest the
# manifest digest. Same commit and toolchain give the same digest.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/waitlog.sh
out=${1:-.ci/out/image}
crane=${CRANE:-$(go env GOPATH)/bin/crane}
if ! [ -x "$crane" ]; then
  echo "crane not found at $crane: go install github.com/google/go-containerregistry/cmd/crane@v0.22.1" >&2
  exit 2
fi
GOTOOLCHAIN=$(sed -n 's/^toolchain //p' go.mod)
export GOTOOLCHAIN
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
revision=$(git rev-parse HEAD)
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
rm -rf "$out"
mkdir -p "$out"

t0=$(date +%s)
# -buildvcs=auto stamps the commit (afscan version, the SBOM) and whether
# the tree was modified; it overrides a GOFLAGS=-buildvcs=false.
CGO_ENABLED=0 go build -trimpath -buildvcs=auto -ldflags="-s -w" -o "$out/afscan" ./cmd/afscan
CGO_ENABLED=0 go build -trimpath -o "$out/imagetool" ./deploy/imagetool
t1=$(date +%s)
"$out/imagetool" layer --binary "$out/afscan" --rootfs deploy/rootfs --mtime "$SOURCE_DATE_EPOCH" -o "$out/layer.tar"
mapfile -t config < <("$out/imagetool" crane-flags --revision "$revision" --created "$created")

"$crane" registry serve --address 127.0.0.1:0 2> "$out/registry.log" &
registry=$!
trap 'kill "$registry" 2>/dev/null || true; wait "$registry" 2>/dev/null || true' EXIT
port=$(wait_for_log "$out/registry.log" 's/.*serving on port \([0-9]*\).*/\1/p' "$registry" 100)
if [ -z "$port" ]; then echo "crane registry did not start:"; cat "$out/registry.log"; exit 1; fi
ref="127.0.0.1:$port/afscan:dev"
"$crane" append --oci-empty-base -f "$out/layer.tar" -t "$ref" > /dev/null 2>> "$out/crane.log"
"$crane" mutate "$ref" "${config[@]}" -t "$ref" > /dev/null 2>> "$out/crane.log"
"$crane" pull --format=oci "$ref" "$out/oci" 2>> "$out/crane.log"
digest=$("$crane" digest "$ref" 2>> "$out/crane.log")
kill "$registry"; wait "$registry" 2>/dev/null || true; trap - EXIT
t2=$(date +%s)
echo "$digest" > "$out/digest"
tar -C "$out/oci" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  -cf "$out/afscan-oci.tar" .

echo "built in $((t2 - t0)) s (go build $((t1 - t0)) s; $(go version "$out/afscan" | cut -d' ' -f2-), $(du -k "$out/afscan" | cut -f1) KiB binary; crane $("$crane" version))"
echo "crane digest  $digest"
"$out/imagetool" check --layout "$out/oci" --binary "$out/afscan" --rootfs deploy/rootfs
layer=$(sed -n 's/.*"layers":\[{[^}]*"digest":"sha256:\([0-9a-f]*\)".*/\1/p' "$out/oci/blobs/sha256/${digest#sha256:}")
echo "GNU tar's listing of layer sha256:${layer:0:16}…:"
tar -tvzf "$out/oci/blobs/sha256/$layer" --numeric-owner | sed 's/^/  /'
