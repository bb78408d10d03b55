package main

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/afscan/afscan/deploy"
	"github.com/afscan/afscan/deploy/image"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: imagetool layer|crane-flags|check|run-spec|kube-spec [flags]")
		return exitUsage
	}
	fs := flag.NewFlagSet("imagetool "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	binary := fs.String("binary", "", "the static afscan binary")
	rootfs := fs.String("rootfs", "deploy/rootfs", "directory holding etc/passwd and etc/group")
	goos := fs.String("os", "linux", "the image's OS")
	goarch := fs.String("arch", runtime.GOARCH, "the image's architecture")
	var cmd func() error
	switch args[0] {
	case "layer":
		mtime := fs.Int64("mtime", 0, "modification time of every entry (Unix seconds, e.g. $SOURCE_DATE_EPOCH)")
		out := fs.String("o", "", "output tar file")
		cmd = func() error {
			if *binary == "" || *out == "" {
				return usageError("layer needs --binary and -o")
			}
			return writeLayer(*out, image.Entries(*binary, *rootfs), time.Unix(*mtime, 0))
		}
	case "crane-flags":
		revision := fs.String("revision", "", "source revision (label "+image.RevisionLabel+")")
		created := fs.String("created", "", "creation time, RFC 3339 (label "+image.CreatedLabel+")")
		cmd = func() error {
			if *revision == "" || *created == "" {
				return usageError("crane-flags needs --revision and --created")
			}
			flags, err := image.CraneFlags(image.WantConfig(*goos, *goarch), *revision, *created)
			if err != nil {
				return err
			}
			for _, f := range flags {
				fmt.Fprintln(stdout, f)
			}
			return nil
		}
	case "check":
		layout := fs.String("layout", "", "OCI image layout directory")
		cmd = func() error {
			if *binary == "" || *layout == "" {
				return usageError("check needs --layout and --binary")
			}
			img, err := image.ReadLayout(*layout)
			if err != nil {
				return err
			}
			printImage(stdout, img)
			if err := image.Check(img, image.WantConfig(*goos, *goarch), image.Entries(*binary, *rootfs)); err != nil {
				fmt.Fprintln(stdout, "check: FAIL")
				for _, e := range strings.Split(err.Error(), "\n") {
					fmt.Fprintln(stdout, "  "+e)
				}
				return errFailed
			}
			fmt.Fprintln(stdout, "check: ok (non-root numeric user named nonroot, entrypoint the static binary, no entry beyond the definition)")
			return nil
		}
	case "run-spec":
		layout := fs.String("layout", "", "OCI image layout directory")
		cmd = func() error {
			if *layout == "" {
				return usageError("run-spec needs --layout")
			}
			img, err := image.ReadLayout(*layout)
			if err != nil {
				return err
			}
			return printRunSpec(stdout, *layout, img)
		}
	case "kube-spec":
		manifest := fs.String("manifest", "deploy/kubernetes.yaml", "Kubernetes manifest holding one Deployment")
		cmd = func() error {
			manifests, err := deploy.ReadManifests(*manifest)
			if err != nil {
				return err
			}
			return printKubeSpec(stdout, manifests)
		}
	default:
		fmt.Fprintf(stderr, "imagetool: unknown command %q\n", args[0])
		return exitUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "imagetool %s: unexpected argument %q\n", args[0], fs.Arg(0))
		return exitUsage
	}
	err := cmd()
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFailed):
		return exitFailed
	}
	fmt.Fprintf(stderr, "imagetool %s: %v\n", args[0], err)
	return exitUsage
}

var errFailed = errors.New("check failed")

type usageError string

func (e usageError) Error() string { return string(e) }

func writeLayer(path string, entries []image.Entry, mtime time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = image.WriteLayer(f, entries, mtime)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// printRunSpec prints what a runtime needs to start img, one item a line:
// "user UID:GID", "layer PATH" (blob files, base first, verified by
// ReadLayout), "env K=V", "arg A" (entrypoint then command). A value
// holding a newline is refused.
func printRunSpec(w io.Writer, layout string, img *image.Image) error {
	c := img.Config.Config
	lines := []string{"user " + c.User}
	for _, l := range img.Layers {
		lines = append(lines, "layer "+filepath.Join(layout, "blobs", "sha256", strings.TrimPrefix(l, "sha256:")))
	}
	for _, e := range c.Env {
		lines = append(lines, "env "+e)
	}
	for _, a := range append(slices.Clone(c.Entrypoint), c.Cmd...) {
		lines = append(lines, "arg "+a)
	}
	return writeSpec(w, "run spec", lines)
}

// writeSpec writes lines, one each, for a shell loop to read: a value
// holding a newline would be split there, so it is refused.
func writeSpec(w io.Writer, what string, lines []string) error {
	for _, l := range lines {
		if strings.ContainsAny(l, "\n\r") {
			return fmt.Errorf("%s value %q holds a newline", what, l)
		}
	}
	_, err := fmt.Fprintln(w, strings.Join(lines, "\n"))
	return err
}

// printKubeSpec prints what deploy/play-kube.sh needs of the one
// Deployment in manifests, one "key value..." line each: name, image,
// replicas, run-as UID:GID, fs-group, port (the container's first), then
// one line per environment variable (env NAME VALUE), per emptyDir volume
// (empty-dir NAME), per Secret volume (secret-volume SECRET OCTAL_MODE)
// and per probe (probe KIND SCHEME PORT PATH).
func printKubeSpec(w io.Writer, manifests []deploy.Manifest) error {
	var deployments []deploy.Manifest
	for _, m := range manifests {
		if m.Kind == "Deployment" {
			deployments = append(deployments, m)
		}
	}
	if len(deployments) != 1 || len(deployments[0].Spec.Template.Spec.Containers) != 1 {
		return usageError("kube-spec needs exactly one Deployment with one container")
	}
	d := deployments[0]
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	if len(c.Ports) == 0 {
		return usageError("kube-spec: the container declares no port")
	}
	replicas := 1
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	lines := []string{
		"name " + d.Metadata.Name,
		"image " + c.Image,
		fmt.Sprintf("replicas %d", replicas),
		fmt.Sprintf("run-as %d:%d", pod.SecurityContext.RunAsUser, pod.SecurityContext.RunAsGroup),
		fmt.Sprintf("fs-group %d", pod.SecurityContext.FSGroup),
		fmt.Sprintf("port %d", c.Ports[0].ContainerPort),
	}
	for _, e := range c.Env {
		lines = append(lines, "env "+e.Name+" "+e.Value)
	}
	for _, v := range pod.Volumes {
		if v.EmptyDir != nil {
			lines = append(lines, "empty-dir "+v.Name)
		}
		if v.Secret == nil {
			continue
		}
		mode := 0o644 // Kubernetes' default
		if v.Secret.DefaultMode != nil {
			mode = *v.Secret.DefaultMode
		}
		lines = append(lines, fmt.Sprintf("secret-volume %s %04o", v.Secret.SecretName, mode))
	}
	for _, p := range []struct {
		kind  string
		probe deploy.Probe
	}{{"liveness", c.LivenessProbe}, {"readiness", c.ReadinessProbe}} {
		if p.probe.HTTPGet.Path == "" {
			continue
		}
		port, err := c.PortNumber(p.probe.HTTPGet.Port)
		if err != nil {
			return fmt.Errorf("%s probe: %w", p.kind, err)
		}
		scheme := p.probe.HTTPGet.Scheme
		if scheme == "" {
			scheme = "HTTP"
		}
		lines = append(lines, fmt.Sprintf("probe %s %s %d %s", p.kind, scheme, port, p.probe.HTTPGet.Path))
	}
	return writeSpec(w, "kube spec", lines)
}

func printImage(w io.Writer, img *image.Image) {
	c := img.Config
	q := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	fmt.Fprintf(w, "digest        %s (%s)\n", img.ManifestDigest, img.ManifestType)
	fmt.Fprintf(w, "size          %d bytes compressed (config %d, %d layer(s) %d); %d bytes uncompressed\n",
		img.ConfigBytes+img.LayerBytes, img.ConfigBytes, len(img.Layers), img.LayerBytes, img.TarBytes)
	fmt.Fprintf(w, "platform      %s/%s\n", c.OS, c.Architecture)
	fmt.Fprintf(w, "User          %s\n", q(c.Config.User))
	fmt.Fprintf(w, "Entrypoint    %s\n", q(c.Config.Entrypoint))
	fmt.Fprintf(w, "Cmd           %s\n", q(c.Config.Cmd))
	fmt.Fprintf(w, "Env           %s\n", q(c.Config.Env))
	fmt.Fprintf(w, "ExposedPorts  %s\n", q(c.Config.ExposedPorts))
	fmt.Fprintf(w, "Volumes       %s\n", q(c.Config.Volumes))
	fmt.Fprintf(w, "Labels        %s\n", q(c.Config.Labels))
	fmt.Fprintf(w, "files (%d, all layers merged):\n", len(img.Files))
	for _, f := range img.Files {
		kind := "-"
		switch f.Type {
		case tar.TypeDir:
			kind = "d"
		case tar.TypeReg:
		default:
			kind = "?"
		}
		line := fmt.Sprintf("  %s%s %5d:%-5d %9d %s", kind, modeString(f.Mode), f.UID, f.GID, f.Size, f.Name)
		if f.SHA256 != "" {
			line += "  sha256:" + f.SHA256[:16] + "…"
		}
		fmt.Fprintln(w, line)
	}
}

func modeString(m int64) string {
	const rwx = "rwxrwxrwx"
	b := []byte("---------")
	for i := range 9 {
		if m&(1<<(8-i)) != 0 {
			b[i] = rwx[i]
		}
	}
	return string(b)
}
