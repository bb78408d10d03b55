package main

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "afscan")
	if err := os.WriteFile(bin, []byte("\x7fELF not really"), 0o755); err != nil {
		t.Fatal(err)
	}
	rootfs := filepath.Join("..", "rootfs")
	layer := filepath.Join(dir, "layer.tar")
	manifest := func(name, yaml string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	serviceOnly := manifest("service.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n")
	badProbe := manifest("probe.yaml", `kind: Deployment
spec:
  template:
    spec:
      containers:
        - image: x
          ports: [{name: https, containerPort: 8443}]
          livenessProbe: {httpGet: {path: /healthz, port: http}}
`)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr string
	}{
		{name: "no command", args: nil, wantCode: exitUsage, wantStderr: "usage: imagetool"},
		{name: "unknown command", args: []string{"push"}, wantCode: exitUsage, wantStderr: `unknown command "push"`},
		{name: "layer without output", args: []string{"layer", "--binary", bin}, wantCode: exitUsage, wantStderr: "layer needs"},
		{name: "layer", args: []string{"layer", "--binary", bin, "--rootfs", rootfs, "--mtime", "1700000000", "-o", layer}, wantCode: exitOK},
		{name: "layer of a missing binary", args: []string{"layer", "--binary", filepath.Join(dir, "none"), "--rootfs", rootfs, "-o", filepath.Join(dir, "x.tar")},
			wantCode: exitUsage, wantStderr: "no such file"},
		{name: "crane flags", args: []string{"crane-flags", "--revision", "abc", "--created", "2026-11-26T09:28:12Z", "--arch", "arm64"},
			wantCode: exitOK, wantStdout: []string{"--set-platform=linux/arm64\n", "--user=65532:65532\n", "--entrypoint=/usr/local/bin/afscan\n"}},
		{name: "check of no layout", args: []string{"check", "--layout", dir, "--binary", bin}, wantCode: exitUsage, wantStderr: "invalid OCI image layout"},
		{name: "kube spec", args: []string{"kube-spec", "--manifest", filepath.Join("..", "kubernetes.yaml")}, wantCode: exitOK,
			wantStdout: []string{"name afscan\n", "image afscan:dev\n", "empty-dir data\n", "replicas 2\n", "run-as 65532:65532\n", "fs-group 65532\n", "port 8443\n",
				"env AFSCAN_DATA_DIR /var/lib/afscan\n", "secret-volume afscan-keys 0440\n", "secret-volume afscan-tls 0440\n",
				"probe liveness HTTPS 8443 /healthz\n", "probe readiness HTTPS 8443 /readyz\n"}},
		{name: "kube spec without a deployment", args: []string{"kube-spec", "--manifest", serviceOnly}, wantCode: exitUsage, wantStderr: "exactly one Deployment"},
		{name: "kube spec with an unknown probe port", args: []string{"kube-spec", "--manifest", badProbe}, wantCode: exitUsage,
			wantStderr: `liveness probe: port "http" is neither`},
		{name: "kube spec of a missing file", args: []string{"kube-spec", "--manifest", filepath.Join(dir, "none.yaml")}, wantCode: exitUsage, wantStderr: "no such file"},
		{name: "stray argument", args: []string{"run-spec", "--layout", dir, "extra"}, wantCode: exitUsage, wantStderr: `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(tt.args, &stdout, &stderr); got != tt.wantCode {
				t.Errorf("got exit %d, want %d; stderr: %s", got, tt.wantCode, stderr.String())
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout %q lacks %q", stdout.String(), w)
				}
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.wantStderr)
			}
		})
	}
	// The layer written above holds the definition's ten entries.
	f, err := os.Open(layer)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, h.Name)
	}
	if len(names) != 10 || names[6] != "usr/local/bin/afscan" || names[9] != "var/lib/afscan/" {
		t.Errorf("layer entries %q", names)
	}
}
