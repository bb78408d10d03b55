package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tinyELF returns a minimal x86-64 ELF executable header with one PT_LOAD
// program header and, when interp is true, a PT_INTERP one (what a
// dynamically linked binary has). debug/elf reads it; nothing runs it.
func tinyELF(interp bool) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	phnum := uint16(1)
	if interp {
		phnum = 2
	}
	b.Write([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	for _, v := range []any{
		uint16(2), uint16(62), uint32(1), // ET_EXEC, EM_X86_64, EV_CURRENT
		uint64(0x401000), uint64(64), uint64(0), // entry, phoff, shoff
		uint32(0), uint16(64), uint16(56), phnum, uint16(64), uint16(0), uint16(0),
	} {
		_ = binary.Write(&b, le, v)
	}
	prog := func(typ uint32) {
		for _, v := range []any{typ, uint32(5), uint64(0), uint64(0x400000), uint64(0x400000), uint64(0), uint64(0), uint64(0x1000)} {
			_ = binary.Write(&b, le, v)
		}
	}
	prog(1) // PT_LOAD
	if interp {
		prog(3) // PT_INTERP
	}
	return b.Bytes()
}

// tarEntry is one entry of a test layer.
type tarEntry struct {
	hdr  tar.Header
	data []byte
}

func makeTar(t testing.TB, entries []tarEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		h := e.hdr
		h.Size = int64(len(e.data))
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// writeLayout writes an OCI image layout to dir holding one image with
// configuration cfg (the rootfs is filled in) and the given uncompressed
// layers, gzipped. It returns the manifest digest.
func writeLayout(t testing.TB, dir string, cfg map[string]any, layers [][]byte) string {
	t.Helper()
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(b []byte) descriptor {
		d := digestOf(b)
		if err := os.WriteFile(filepath.Join(blobs, d[len("sha256:"):]), b, 0o644); err != nil {
			t.Fatal(err)
		}
		return descriptor{Digest: d, Size: int64(len(b))}
	}
	var diffIDs []string
	var layerDescs []descriptor
	for _, l := range layers {
		diffIDs = append(diffIDs, digestOf(l))
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, _ = zw.Write(l)
		_ = zw.Close()
		d := put(z.Bytes())
		d.MediaType = mediaTypeLayerGzip
		layerDescs = append(layerDescs, d)
	}
	full := map[string]any{"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs}}
	for k, v := range cfg {
		full[k] = v
	}
	cfgJSON, _ := json.Marshal(full)
	cd := put(cfgJSON)
	cd.MediaType = mediaTypeConfig
	man, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": mediaTypeManifest, "config": cd, "layers": layerDescs})
	md := put(man)
	md.MediaType = mediaTypeManifest
	index, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []descriptor{md}})
	if err := os.WriteFile(filepath.Join(dir, "index.json"), index, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return md.Digest
}

// configJSON returns the OCI configuration of c as writeLayout takes it.
func configJSON(c Config, revision string) map[string]any {
	labels := map[string]string{RevisionLabel: revision}
	for k, v := range c.Labels {
		labels[k] = v
	}
	ports := map[string]struct{}{}
	for _, p := range c.ExposedPorts {
		ports[p] = struct{}{}
	}
	return map[string]any{
		"os": c.OS, "architecture": c.Architecture,
		"config": map[string]any{
			"User": c.User, "Entrypoint": c.Entrypoint, "Cmd": c.Cmd, "Env": c.Env,
			"ExposedPorts": ports, "Labels": labels,
		},
	}
}

// fixture is a definition whose binary is a tiny static ELF in a temporary
// directory, with deploy/rootfs's passwd and group.
type fixture struct {
	binary  string
	entries []Entry
	want    Config
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "afscan")
	if err := os.WriteFile(bin, tinyELF(false), 0o755); err != nil {
		t.Fatal(err)
	}
	return fixture{binary: bin, entries: Entries(bin, filepath.Join("..", "rootfs")), want: WantConfig("linux", "amd64")}
}

// layerEntries returns the tar entries of the definition, as WriteLayer
// writes them, for a test to change.
func (f fixture) layerEntries(t testing.TB) []tarEntry {
	t.Helper()
	var b bytes.Buffer
	if err := WriteLayer(&b, f.entries, time.Unix(1700000000, 0)); err != nil {
		t.Fatal(err)
	}
	var out []tarEntry
	tr := tar.NewReader(&b)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		var data bytes.Buffer
		_, _ = data.ReadFrom(tr)
		out = append(out, tarEntry{hdr: *h, data: data.Bytes()})
	}
	if len(out) != len(f.entries) {
		t.Fatalf("layer has %d entries, want %d", len(out), len(f.entries))
	}
	return out
}

func TestReadLayout(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	layer := makeTar(t, f.layerEntries(t))
	digest := writeLayout(t, dir, configJSON(f.want, "abc123"), [][]byte{layer})
	img, err := ReadLayout(dir)
	if err != nil {
		t.Fatal(err)
	}
	if img.ManifestDigest != digest {
		t.Errorf("got digest %s, want %s", img.ManifestDigest, digest)
	}
	if img.TarBytes != int64(len(layer)) {
		t.Errorf("got %d uncompressed bytes, want %d", img.TarBytes, len(layer))
	}
	if len(img.Files) != len(f.entries) {
		t.Fatalf("got %d files, want %d", len(img.Files), len(f.entries))
	}
	for i, e := range f.entries {
		if img.Files[i].Name != e.Name {
			t.Errorf("file %d: got %s, want %s", i, img.Files[i].Name, e.Name)
		}
	}
	if err := Check(img, f.want, f.entries); err != nil {
		t.Errorf("Check of the definition's own image: %v", err)
	}
}

// TestReadLayoutRejects checks that a layout whose blobs do not match their
// descriptors, or that is not one image, is refused.
func TestReadLayoutRejects(t *testing.T) {
	f := newFixture(t)
	layer := makeTar(t, f.layerEntries(t))
	tests := []struct {
		name   string
		change func(t *testing.T, dir, manifest string)
	}{
		{"layer blob changed", func(t *testing.T, dir, manifest string) {
			var m struct{ Layers []descriptor }
			readTestJSON(t, filepath.Join(dir, "blobs", "sha256", manifest[7:]), &m)
			p := filepath.Join(dir, "blobs", "sha256", m.Layers[0].Digest[7:])
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 1
			_ = os.WriteFile(p, b, 0o644)
		}},
		{"config blob changed", func(t *testing.T, dir, manifest string) {
			var m struct{ Config descriptor }
			readTestJSON(t, filepath.Join(dir, "blobs", "sha256", manifest[7:]), &m)
			p := filepath.Join(dir, "blobs", "sha256", m.Config.Digest[7:])
			b, _ := os.ReadFile(p)
			_ = os.WriteFile(p, bytes.Replace(b, []byte("65532:65532"), []byte("00000:00000"), 1), 0o644)
		}},
		{"digest leaves the layout", func(t *testing.T, dir, manifest string) {
			index := `{"manifests":[{"mediaType":"` + mediaTypeManifest + `","digest":"sha256:../../../../etc/passwd","size":1}]}`
			_ = os.WriteFile(filepath.Join(dir, "index.json"), []byte(index), 0o644)
		}},
		{"two manifests", func(t *testing.T, dir, manifest string) {
			var index struct{ Manifests []descriptor }
			readTestJSON(t, filepath.Join(dir, "index.json"), &index)
			index.Manifests = append(index.Manifests, index.Manifests[0])
			b, _ := json.Marshal(index)
			_ = os.WriteFile(filepath.Join(dir, "index.json"), b, 0o644)
		}},
		{"no oci-layout marker", func(t *testing.T, dir, manifest string) {
			_ = os.Remove(filepath.Join(dir, "oci-layout"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			manifest := writeLayout(t, dir, configJSON(f.want, "abc123"), [][]byte{layer})
			tt.change(t, dir, manifest)
			if _, err := ReadLayout(dir); !errors.Is(err, ErrLayout) {
				t.Errorf("got error %v, want ErrLayout", err)
			}
		})
	}
}

func readTestJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// FuzzReadTar feeds arbitrary bytes to the layer reader and checks what
// it returns: neither may panic, and an entry's name is always relative
// and clean. Seeds: testdata/fuzz/FuzzReadTar and the definition's layer.
func FuzzReadTar(f *testing.F) {
	fx := newFixture(f)
	f.Add(makeTar(f, fx.layerEntries(f)))
	f.Fuzz(func(t *testing.T, layer []byte) {
		fs := &fileSystem{byName: map[string]*File{}}
		if err := readTar(bytes.NewReader(layer), fs); err != nil {
			return
		}
		for _, file := range fs.files {
			n := strings.TrimSuffix(file.Name, "/")
			if n != "" && (path.Clean(n) != n || path.IsAbs(n) || n == ".." || strings.HasPrefix(n, "../")) {
				t.Errorf("entry name %q is not clean and relative", file.Name)
			}
		}
		_ = Check(&Image{Files: fs.files}, fx.want, fx.entries)
	})
}
