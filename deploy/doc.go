// Package deploy holds the container and Kubernetes manifests of the
// afscan inference service (Containerfile, kubernetes.yaml) and the tests
// that check them; it has no Go code of its own.
package deploy
