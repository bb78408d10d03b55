package image

import (
	"archive/tar"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCheck builds images that differ from the definition in one way each
// and requires Check to report exactly the condition expected (and the
// unchanged image to pass).
func TestCheck(t *testing.T) {
	f := newFixture(t)
	named := func(entries []tarEntry, name string) *tarEntry {
		for i := range entries {
			if entries[i].hdr.Name == name {
				return &entries[i]
			}
		}
		t.Fatalf("no entry %s", name)
		return nil
	}
	config := func(c map[string]any) map[string]any { return c["config"].(map[string]any) }
	tests := []struct {
		name   string
		config func(c map[string]any)
		layer  func(entries []tarEntry) []tarEntry
		// extra is a second layer; nil for none.
		extra []tarEntry
		want  []error // nil: Check passes
	}{
		{name: "definition"},
		{name: "root user", config: func(c map[string]any) { config(c)["User"] = "0:0" }, want: []error{ErrRootUser}},
		{name: "no user", config: func(c map[string]any) { config(c)["User"] = "" }, want: []error{ErrRootUser}},
		{name: "user by name", config: func(c map[string]any) { config(c)["User"] = "nonroot" }, want: []error{ErrRootUser}},
		{name: "root group", config: func(c map[string]any) { config(c)["User"] = "65532:0" }, want: []error{ErrRootUser}},
		{name: "uid not in passwd", config: func(c map[string]any) { config(c)["User"] = "1000:1000" }, want: []error{ErrRootUser}},
		{name: "passwd names uid root", layer: func(e []tarEntry) []tarEntry {
			p := named(e, "etc/passwd")
			p.data = []byte("root:x:65532:65532::/:/sbin/nologin\n")
			return e
		}, want: []error{ErrRootUser, ErrEntry}},
		{name: "shell entrypoint", config: func(c map[string]any) { config(c)["Entrypoint"] = []string{"/bin/sh", "-c"} },
			want: []error{ErrConfig, ErrNotStatic}},
		{name: "other command", config: func(c map[string]any) { config(c)["Cmd"] = []string{"serve"} }, want: []error{ErrConfig}},
		{name: "extra env", config: func(c map[string]any) {
			config(c)["Env"] = append(slices.Clone(f.want.Env), "AFSCAN_KEYS_FILE=/keys.json")
		}, want: []error{ErrConfig}},
		{name: "volume", config: func(c map[string]any) { config(c)["Volumes"] = map[string]any{"/var/lib/afscan": map[string]any{}} },
			want: []error{ErrConfig}},
		{name: "other port", config: func(c map[string]any) { config(c)["ExposedPorts"] = map[string]any{"8080/tcp": map[string]any{}} },
			want: []error{ErrConfig}},
		{name: "other platform", config: func(c map[string]any) { c["architecture"] = "arm64" }, want: []error{ErrConfig}},
		{name: "no revision label", config: func(c map[string]any) { delete(config(c)["Labels"].(map[string]string), RevisionLabel) },
			want: []error{ErrConfig}},
		{name: "extra file", layer: func(e []tarEntry) []tarEntry {
			return append(e, tarEntry{hdr: tar.Header{Name: "etc/shadow", Typeflag: tar.TypeReg, Mode: 0o600}, data: []byte("x")})
		}, want: []error{ErrUnexpectedEntry}},
		{name: "shell symlink", layer: func(e []tarEntry) []tarEntry {
			return append(e, tarEntry{hdr: tar.Header{Name: "bin/sh", Typeflag: tar.TypeSymlink, Linkname: "/usr/local/bin/afscan", Mode: 0o777}})
		}, want: []error{ErrUnexpectedEntry}},
		{name: "whiteout in a second layer", extra: []tarEntry{{hdr: tar.Header{Name: "etc/.wh.group", Typeflag: tar.TypeReg, Mode: 0o644}}},
			want: []error{ErrUnexpectedEntry}},
		{name: "second layer replaces the binary", extra: []tarEntry{{hdr: tar.Header{Name: "usr/local/bin/afscan", Typeflag: tar.TypeReg, Mode: 0o755}, data: tinyELF(true)}},
			want: []error{ErrEntry, ErrNotStatic}},
		{name: "data dir owned by root", layer: func(e []tarEntry) []tarEntry {
			d := named(e, "var/lib/afscan/")
			d.hdr.Uid, d.hdr.Gid = 0, 0
			return e
		}, want: []error{ErrEntry}},
		{name: "binary group-writable", layer: func(e []tarEntry) []tarEntry {
			named(e, "usr/local/bin/afscan").hdr.Mode = 0o775
			return e
		}, want: []error{ErrEntry}},
		{name: "binary owned by the service user", layer: func(e []tarEntry) []tarEntry {
			b := named(e, "usr/local/bin/afscan")
			b.hdr.Uid, b.hdr.Gid = UID, GID
			return e
		}, want: []error{ErrEntry}},
		{name: "binary not executable", layer: func(e []tarEntry) []tarEntry {
			named(e, "usr/local/bin/afscan").hdr.Mode = 0o644
			return e
		}, want: []error{ErrEntry, ErrNotStatic}},
		{name: "binary content differs", layer: func(e []tarEntry) []tarEntry {
			b := named(e, "usr/local/bin/afscan")
			b.data = append(slices.Clone(b.data), 0)
			return e
		}, want: []error{ErrEntry}},
		{name: "no passwd", layer: func(e []tarEntry) []tarEntry {
			return slices.DeleteFunc(e, func(x tarEntry) bool { return x.hdr.Name == "etc/passwd" })
		}, want: []error{ErrRootUser, ErrMissingEntry}},
		{name: "data dir a file", layer: func(e []tarEntry) []tarEntry {
			d := named(e, "var/lib/afscan/")
			d.hdr.Name, d.hdr.Typeflag = "var/lib/afscan", tar.TypeReg
			return e
		}, want: []error{ErrUnexpectedEntry, ErrMissingEntry}},
	}
	all := []error{ErrRootUser, ErrConfig, ErrUnexpectedEntry, ErrMissingEntry, ErrEntry, ErrNotStatic}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := configJSON(f.want, "0123abc")
			if tt.config != nil {
				tt.config(cfg)
			}
			entries := f.layerEntries(t)
			if tt.layer != nil {
				entries = tt.layer(entries)
			}
			layers := [][]byte{makeTar(t, entries)}
			if tt.extra != nil {
				layers = append(layers, makeTar(t, tt.extra))
			}
			dir := t.TempDir()
			writeLayout(t, dir, cfg, layers)
			img, err := ReadLayout(dir)
			if err != nil {
				t.Fatal(err)
			}
			err = Check(img, f.want, f.entries)
			for _, sentinel := range all {
				if got, want := errors.Is(err, sentinel), slices.Contains(tt.want, sentinel); got != want {
					t.Errorf("errors.Is(err, %q) = %v, want %v; err: %v", sentinel, got, want, err)
				}
			}
		})
	}
}

// TestRootfsFiles checks deploy/rootfs: /etc/passwd names UID "nonroot"
// with GID, /etc/group names GID, and neither names another account than
// root and nonroot.
func TestRootfsFiles(t *testing.T) {
	for _, tt := range []struct {
		file string
		want []string
	}{
		{"passwd", []string{"root:x:0:0:root:/root:/sbin/nologin", "nonroot:x:65532:65532:afscan service:" + DataDir + ":/sbin/nologin"}},
		{"group", []string{"root:x:0:", "nonroot:x:65532:"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "rootfs", "etc", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := slices.DeleteFunc(splitLines(string(b)), func(s string) bool { return s == "" })
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
