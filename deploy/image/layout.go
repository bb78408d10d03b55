package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Media types of the OCI image specification (v1.1) that ReadLayout reads;
// the Docker v2 schema 2 equivalents are accepted too.
const (
	mediaTypeManifest    = "application/vnd.oci.image.manifest.v1+json"
	mediaTypeIndex       = "application/vnd.oci.image.index.v1+json"
	mediaTypeConfig      = "application/vnd.oci.image.config.v1+json"
	mediaTypeLayer       = "application/vnd.oci.image.layer.v1.tar"
	mediaTypeLayerGzip   = "application/vnd.oci.image.layer.v1.tar+gzip"
	dockerTypeManifest   = "application/vnd.docker.distribution.manifest.v2+json"
	dockerTypeConfig     = "application/vnd.docker.container.image.v1+json"
	dockerTypeLayerGzip  = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	maxMetadataBlobBytes = 4 << 20
	// maxFileBytes bounds a regular file of a layer (the binary is
	// ~43 MB); Image keeps every file's bytes.
	maxFileBytes = 256 << 20
)

// ErrLayout reports an OCI image layout that is malformed or whose blobs do
// not match their digests or sizes.
var ErrLayout = errors.New("invalid OCI image layout")

// Image is an image read from an OCI image layout: its manifest digest,
// configuration and the file system its layers build.
type Image struct {
	// ManifestDigest identifies the image ("sha256:…").
	ManifestDigest string
	ManifestType   string
	// ConfigBytes and LayerBytes are the blob sizes the manifest lists
	// (LayerBytes compressed, summed over the layers); TarBytes is the
	// layers' uncompressed size.
	ConfigBytes, LayerBytes, TarBytes int64
	Layers                            []string // layer digests, base first
	Config                            ConfigFile
	// Files is the file system the layers build, by name ("etc/passwd",
	// "etc/"), in the order the layers first list them.
	Files []*File
}

// File is one entry of an image's file system.
type File struct {
	Name     string
	Type     byte // tar type flag
	Mode     int64
	UID, GID int
	Size     int64
	Linkname string
	// SHA256 is a regular file's content digest (hex).
	SHA256 string
	// Data holds a regular file's bytes (at most 256 MiB).
	Data []byte
}

// ConfigFile is the part of an OCI image configuration Image reads.
type ConfigFile struct {
	Created      string `json:"created,omitempty"`
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Config       struct {
		User         string              `json:"User"`
		Entrypoint   []string            `json:"Entrypoint"`
		Cmd          []string            `json:"Cmd"`
		Env          []string            `json:"Env"`
		ExposedPorts map[string]struct{} `json:"ExposedPorts"`
		Volumes      map[string]struct{} `json:"Volumes"`
		WorkingDir   string              `json:"WorkingDir"`
		Labels       map[string]string   `json:"Labels"`
	} `json:"config"`
	RootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
}

// ReadLayout reads the one image of the OCI image layout in dir (as
// `crane pull --format=oci` or `podman save --format=oci-dir`-then-layout
// writes it), verifying every blob it reads against its digest and size
// and every layer's uncompressed digest against the configuration's
// diff_ids. Errors wrap ErrLayout.
func ReadLayout(dir string) (*Image, error) {
	var marker struct {
		Version string `json:"imageLayoutVersion"`
	}
	if err := readJSON(filepath.Join(dir, "oci-layout"), &marker); err != nil {
		return nil, err
	}
	if marker.Version != "1.0.0" {
		return nil, fmt.Errorf("%w: imageLayoutVersion %q", ErrLayout, marker.Version)
	}
	var index struct {
		Manifests []descriptor `json:"manifests"`
	}
	if err := readJSON(filepath.Join(dir, "index.json"), &index); err != nil {
		return nil, err
	}
	if len(index.Manifests) != 1 {
		return nil, fmt.Errorf("%w: index.json lists %d manifests, want 1", ErrLayout, len(index.Manifests))
	}
	md := index.Manifests[0]
	if md.MediaType != mediaTypeManifest && md.MediaType != dockerTypeManifest {
		return nil, fmt.Errorf("%w: index.json's manifest has media type %q (an image index is not read)", ErrLayout, md.MediaType)
	}
	raw, err := readBlob(dir, md, maxMetadataBlobBytes)
	if err != nil {
		return nil, err
	}
	var m struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Config        descriptor   `json:"config"`
		Layers        []descriptor `json:"layers"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", ErrLayout, err)
	}
	if m.SchemaVersion != 2 {
		return nil, fmt.Errorf("%w: manifest schemaVersion %d", ErrLayout, m.SchemaVersion)
	}
	if m.Config.MediaType != mediaTypeConfig && m.Config.MediaType != dockerTypeConfig {
		return nil, fmt.Errorf("%w: config media type %q", ErrLayout, m.Config.MediaType)
	}
	img := &Image{ManifestDigest: md.Digest, ManifestType: md.MediaType, ConfigBytes: m.Config.Size}
	raw, err = readBlob(dir, m.Config, maxMetadataBlobBytes)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &img.Config); err != nil {
		return nil, fmt.Errorf("%w: config: %v", ErrLayout, err)
	}
	if img.Config.RootFS.Type != "layers" || len(img.Config.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("%w: config rootfs %q with %d diff_ids for %d layers", ErrLayout,
			img.Config.RootFS.Type, len(img.Config.RootFS.DiffIDs), len(m.Layers))
	}
	fs := &fileSystem{byName: map[string]*File{}}
	for i, l := range m.Layers {
		n, err := readLayer(dir, l, img.Config.RootFS.DiffIDs[i], fs)
		if err != nil {
			return nil, err
		}
		img.Layers = append(img.Layers, l.Digest)
		img.LayerBytes += l.Size
		img.TarBytes += n
	}
	img.Files = fs.files
	return img, nil
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrLayout, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrLayout, filepath.Base(path), err)
	}
	return nil
}

// blobPath returns the path of d's blob, refusing digests that are not
// sha256 or that could leave the layout.
func blobPath(dir string, d descriptor) (string, error) {
	hexDigest, ok := strings.CutPrefix(d.Digest, "sha256:")
	if !ok || len(hexDigest) != 64 || strings.Trim(hexDigest, "0123456789abcdef") != "" {
		return "", fmt.Errorf("%w: digest %q", ErrLayout, d.Digest)
	}
	return filepath.Join(dir, "blobs", "sha256", hexDigest), nil
}

func readBlob(dir string, d descriptor, limit int64) ([]byte, error) {
	if d.Size > limit {
		return nil, fmt.Errorf("%w: blob %s of %d bytes, limit %d", ErrLayout, d.Digest, d.Size, limit)
	}
	p, err := blobPath(dir, d)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLayout, err)
	}
	if err := verify(d, int64(len(raw)), sha256.Sum256(raw)); err != nil {
		return nil, err
	}
	return raw, nil
}

func verify(d descriptor, n int64, sum [sha256.Size]byte) error {
	if n != d.Size {
		return fmt.Errorf("%w: blob %s is %d bytes, descriptor says %d", ErrLayout, d.Digest, n, d.Size)
	}
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != d.Digest {
		return fmt.Errorf("%w: blob %s has digest %s", ErrLayout, d.Digest, got)
	}
	return nil
}

// fileSystem is the union of the layers read so far.
type fileSystem struct {
	files  []*File
	byName map[string]*File
}

// readLayer reads layer d into fs and returns its uncompressed size. A
// later layer's entry replaces an earlier one of the same name; whiteouts
// are kept as entries (named .wh.*), so Check reports them as unexpected.
func readLayer(dir string, d descriptor, diffID string, fs *fileSystem) (int64, error) {
	p, err := blobPath(dir, d)
	if err != nil {
		return 0, err
	}
	f, err := os.Open(p)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrLayout, err)
	}
	defer f.Close()
	blobHash := sha256.New()
	counted := &countingReader{r: io.TeeReader(f, blobHash)}
	var r io.Reader = counted
	switch d.MediaType {
	case mediaTypeLayerGzip, dockerTypeLayerGzip:
		zr, err := gzip.NewReader(counted)
		if err != nil {
			return 0, fmt.Errorf("%w: layer %s: %v", ErrLayout, d.Digest, err)
		}
		r = zr
	case mediaTypeLayer:
	default:
		return 0, fmt.Errorf("%w: layer %s has media type %q", ErrLayout, d.Digest, d.MediaType)
	}
	tarHash := sha256.New()
	tarCount := &countingReader{r: io.TeeReader(r, tarHash)}
	if err := readTar(tarCount, fs); err != nil {
		return 0, fmt.Errorf("%w: layer %s: %v", ErrLayout, d.Digest, err)
	}
	// Read to the end of the streams: the digests cover every byte, the
	// tar's zero-block trailer and the gzip footer included.
	if _, err := io.Copy(io.Discard, tarCount); err != nil {
		return 0, fmt.Errorf("%w: layer %s: %v", ErrLayout, d.Digest, err)
	}
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return 0, fmt.Errorf("%w: layer %s: %v", ErrLayout, d.Digest, err)
	}
	var sum [sha256.Size]byte
	copy(sum[:], blobHash.Sum(nil))
	if err := verify(d, counted.n, sum); err != nil {
		return 0, err
	}
	if got := "sha256:" + hex.EncodeToString(tarHash.Sum(nil)); got != diffID {
		return 0, fmt.Errorf("%w: layer %s uncompressed has digest %s, config's diff_id is %s", ErrLayout, d.Digest, got, diffID)
	}
	return tarCount.n, nil
}

// readTar adds the entries of the tar stream r to fs. A later entry
// replaces an earlier one of the same name.
func readTar(r io.Reader, fs *fileSystem) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		file := &File{
			Name: cleanName(hdr.Name, hdr.Typeflag), Type: hdr.Typeflag, Mode: hdr.Mode & 0o7777,
			UID: hdr.Uid, GID: hdr.Gid, Size: hdr.Size, Linkname: hdr.Linkname,
		}
		if hdr.Typeflag == tar.TypeReg {
			// A sparse entry could expand to any size: refuse what the
			// runtime image cannot need rather than hash it.
			if hdr.Size > maxFileBytes {
				return fmt.Errorf("%s is %d bytes, limit %d", hdr.Name, hdr.Size, int64(maxFileBytes))
			}
			h := sha256.New()
			var buf bytes.Buffer
			if _, err := io.Copy(io.MultiWriter(h, &buf), tr); err != nil {
				return fmt.Errorf("%s: %w", hdr.Name, err)
			}
			file.SHA256 = hex.EncodeToString(h.Sum(nil))
			file.Data = buf.Bytes()
		}
		if old, ok := fs.byName[file.Name]; ok {
			*old = *file
		} else {
			fs.byName[file.Name] = file
			fs.files = append(fs.files, file)
		}
	}
}

// cleanName returns a tar entry's name relative to the root ("./etc/x" and
// "/etc/x" → "etc/x"), a directory's with a trailing slash.
func cleanName(name string, typ byte) string {
	name = strings.TrimPrefix(filepath.ToSlash(filepath.Clean("/"+name)), "/")
	if typ == tar.TypeDir && name != "" {
		name += "/"
	}
	return name
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// staticELF reports whether data is an ELF executable that needs no
// dynamic loader: no PT_INTERP program header and no DT_NEEDED library.
func staticELF(data []byte) (bool, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return false, err
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return false, fmt.Errorf("ELF type %v is not an executable", f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false, nil
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return false, err
	}
	return len(libs) == 0, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
