// Package image defines the afscan service's runtime container image — the
// one layer's files (the static binary, a minimal /etc/passwd and /etc/group
// naming uid/gid 65532 "nonroot", and the empty data directory
// /var/lib/afscan owned by it) and its configuration (non-root user,
// entrypoint, command, environment, port) — writes that layer as a
// reproducible tar, and checks a built image, read from an OCI image layout,
// against the definition.
//
// One definition serves three builders and checkers: deploy/build-image.sh
// (the CI build: crane assembles the image from the layer WriteLayer
// writes, with the configuration CraneFlags gives), deploy/Containerfile
// (whose build stage writes the same layer, checked by deploy's tests) and
// Check (which fails on a root user, another entrypoint, or any file,
// owner or mode in the image that the definition does not name).
//
// The package imports only the standard library and nothing of the project.
// Paths in a layer are relative to the image's root, without a leading
// slash; a directory's ends in "/". Sizes are in bytes.
package image
