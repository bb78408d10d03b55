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
