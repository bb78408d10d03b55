// Package deploy holds the container and Kubernetes manifests of the
// afscan inference service (Containerfile, kubernetes.yaml), the tests that
// check them, and the reader of the manifest's fields those tests and
// imagetool kube-spec use (Manifest).
//
// Beside them: image (the runtime image's definition — files, owners,
// configuration — the layer writer and the image checker), imagetool (its
// command line), rootfs (the image's /etc/passwd and /etc/group), and the
// scripts CI runs (.ci/report.d/55-image.sh): build-image.sh builds the
// image without a container engine or registry (crane), check-containerfile.sh
// builds the Containerfile's runtime stage with podman and checks it the
// same way, run-image.sh runs the image under bubblewrap on a read-only root,
// and play-kube.sh runs kubernetes.yaml's pod with podman kube play (both
// make the checks of checks.sh).
package deploy
