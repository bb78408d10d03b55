// Command imagetool writes and checks the afscan runtime image's layer and
// configuration as package deploy/image defines them; deploy/build-image.sh
// and the Containerfile's build stage run it.
//
//	imagetool layer --binary FILE --rootfs deploy/rootfs --mtime UNIX -o layer.tar
//	imagetool crane-flags --revision REV --created RFC3339
//	imagetool check --layout DIR --binary FILE --rootfs deploy/rootfs
//	imagetool run-spec --layout DIR
//	imagetool kube-spec --manifest deploy/kubernetes.yaml
//
// check prints the image's digest, sizes, configuration and every entry of
// its file system, then exits 1 if the image differs from the definition.
// run-spec prints the user, layer blobs, environment and argv that
// deploy/run-image.sh starts the image with. kube-spec prints what
// deploy/play-kube.sh reads of the Deployment: image, replicas, user,
// fsGroup, port, environment, Secret volumes with their modes, probes.
// Exit status 2 is a usage or input error.
package main
