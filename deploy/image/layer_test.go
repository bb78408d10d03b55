package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWriteLayer checks the layer's headers (owners, modes, one mtime, no
// names) and that the same inputs give the same bytes while another mtime
// or binary gives other bytes.
func TestWriteLayer(t *testing.T) {
	f := newFixture(t)
	mtime := time.Date(2026, 11, 26, 9, 28, 12, 500, time.FixedZone("CET", 3600))
	write := func(entries []Entry, mtime time.Time) []byte {
		var b bytes.Buffer
		if err := WriteLayer(&b, entries, mtime); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	layer := write(f.entries, mtime)
	if again := write(f.entries, mtime); !bytes.Equal(layer, again) {
		t.Error("two writes of the same entries differ")
	}
	if other := write(f.entries, mtime.Add(time.Second)); bytes.Equal(layer, other) {
		t.Error("another mtime gives the same bytes")
	}
	other := filepath.Join(t.TempDir(), "afscan")
	if err := os.WriteFile(other, tinyELF(true), 0o755); err != nil {
		t.Fatal(err)
	}
	if b := write(Entries(other, filepath.Join("..", "rootfs")), mtime); bytes.Equal(layer, b) {
		t.Error("another binary gives the same bytes")
	}

	tr := tar.NewReader(bytes.NewReader(layer))
	for i := 0; ; i++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			if i != len(f.entries) {
				t.Errorf("got %d entries, want %d", i, len(f.entries))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		e := f.entries[i]
		if h.Name != e.Name || h.Mode != e.Mode || h.Uid != e.UID || h.Gid != e.GID {
			t.Errorf("entry %d: got %s %04o %d:%d, want %s %04o %d:%d", i, h.Name, h.Mode, h.Uid, h.Gid, e.Name, e.Mode, e.UID, e.GID)
		}
		if !h.ModTime.Equal(mtime.Truncate(time.Second)) || h.Uname != "" || h.Gname != "" || h.Format != tar.FormatUSTAR {
			t.Errorf("entry %s: got mtime %v, names %q %q, format %v", h.Name, h.ModTime, h.Uname, h.Gname, h.Format)
		}
		if wantType := byte(tar.TypeReg); e.IsDir() && h.Typeflag != tar.TypeDir || !e.IsDir() && h.Typeflag != wantType {
			t.Errorf("entry %s: type %q", h.Name, h.Typeflag)
		}
	}
}

func TestWriteLayerMissingSource(t *testing.T) {
	entries := Entries(filepath.Join(t.TempDir(), "no-such-binary"), filepath.Join("..", "rootfs"))
	if err := WriteLayer(io.Discard, entries, time.Unix(0, 0)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}

func TestCraneFlags(t *testing.T) {
	tests := []struct {
		name    string
		change  func(c *Config)
		want    []string // flags that must be present
		wantErr error
	}{
		{name: "definition", want: []string{
			"--set-platform=linux/amd64", "--user=65532:65532", "--entrypoint=" + BinaryPath,
			"--cmd=serve", "--cmd=--require-tls", "--env=AFSCAN_DATA_DIR=" + DataDir, "--exposed-ports=8443/tcp",
			"--label=org.opencontainers.image.title=afscan", "--label=" + RevisionLabel + "=abc",
			"--label=" + CreatedLabel + "=2026-11-26T09:28:12Z",
		}},
		{name: "comma in a label", change: func(c *Config) { c.Labels["x"] = "a,b" }, wantErr: ErrCraneValue},
		{name: "quote in the command", change: func(c *Config) { c.Cmd = []string{`"serve"`} }, wantErr: ErrCraneValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := WantConfig("linux", "amd64")
			if tt.change != nil {
				tt.change(&c)
			}
			got, err := CraneFlags(c, "abc", "2026-11-26T09:28:12Z")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("flags %q lack %q", got, w)
				}
			}
		})
	}
}

func ExampleEntries() {
	for _, e := range Entries("afscan", "deploy/rootfs") {
		line := fmt.Sprintf("%04o %5d:%-5d %-22s %s", e.Mode, e.UID, e.GID, e.Name, e.Source)
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// 0755     0:0     etc/
	// 0644     0:0     etc/group              deploy/rootfs/etc/group
	// 0644     0:0     etc/passwd             deploy/rootfs/etc/passwd
	// 0755     0:0     usr/
	// 0755     0:0     usr/local/
	// 0755     0:0     usr/local/bin/
	// 0755     0:0     usr/local/bin/afscan   afscan
	// 0755     0:0     var/
	// 0755     0:0     var/lib/
	// 0700 65532:65532 var/lib/afscan/
}
