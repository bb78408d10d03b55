package dhf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ErrNotBundle means the output directory exists, is not empty and is not a
// previous bundle, so it is left alone.
var ErrNotBundle = errors.New("output directory is not empty and holds no MANIFEST.sha256")

// ManifestName is the bundle's checksum file, in sha256sum format.
const ManifestName = "MANIFEST.sha256"

// Artifact is one file of the bundle.
type Artifact struct {
	Path    string // slash-separated, relative to the bundle root
	Section string // heading it is listed under in index.html
	Title   string
	Data    []byte
}

// Missing is an artifact the bundle should hold but could not, with why.
type Missing struct {
	Section, Title, Reason string
}

// Bundle is a design history file: generated and gathered artifacts with
// the facts index.html leads with.
type Bundle struct {
	Title     string
	Commit    string
	Generated time.Time
	Facts     [][2]string // label, value pairs shown at the top of index.html
	Artifacts []Artifact
	Missing   []Missing
}

// ReadDirArtifacts turns every regular file under dir into an artifact
// under prefix, in lexical order.
func ReadDirArtifacts(dir, prefix, section string) ([]Artifact, error) {
	var out []Artifact
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, Artifact{Path: path.Join(prefix, filepath.ToSlash(rel)), Section: section, Title: filepath.ToSlash(rel), Data: b})
		return nil
	})
	return out, err
}

// Write writes the bundle into dir: every artifact, index.html and
// MANIFEST.sha256 over all of them. A previous bundle in dir (recognised by
// its manifest) is replaced; any other non-empty directory is refused.
// Artifacts are written in path order and nothing but the artifacts'
// content and the bundle's timestamp varies, so two bundles of the same
// inputs differ only where the timestamp is printed.
func (b *Bundle) Write(dir string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, ManifestName)); err != nil {
			return fmt.Errorf("%s: %w", dir, ErrNotBundle)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	arts := append([]Artifact(nil), b.Artifacts...)
	sort.SliceStable(arts, func(i, j int) bool { return arts[i].Path < arts[j].Path })
	seen := map[string]bool{}
	for _, a := range arts {
		clean := path.Clean(a.Path)
		if clean != a.Path || strings.HasPrefix(clean, "../") || path.IsAbs(clean) || clean == ManifestName || clean == "index.html" {
			return fmt.Errorf("bundle: bad artifact path %q", a.Path)
		}
		if seen[clean] {
			return fmt.Errorf("bundle: duplicate artifact %q", a.Path)
		}
		seen[clean] = true
	}
	index, err := b.index(arts)
	if err != nil {
		return err
	}
	arts = append(arts, Artifact{Path: "index.html", Data: index})
	sort.SliceStable(arts, func(i, j int) bool { return arts[i].Path < arts[j].Path })
	var manifest bytes.Buffer
	for _, a := range arts {
		p := filepath.Join(dir, filepath.FromSlash(a.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, a.Data, 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(a.Data)
		fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(sum[:]), a.Path)
	}
	return os.WriteFile(filepath.Join(dir, ManifestName), manifest.Bytes(), 0o644)
}

// VerifyManifest recomputes every checksum of a bundle's manifest and
// reports the files that differ or are missing, and files not listed.
func VerifyManifest(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	var problems []string
	listed := map[string]bool{ManifestName: true}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			return nil, fmt.Errorf("%s: malformed line %q", ManifestName, line)
		}
		listed[name] = true
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			problems = append(problems, name+": missing")
			continue
		}
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sum {
			problems = append(problems, name+": checksum differs")
		}
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if !listed[filepath.ToSlash(rel)] {
			problems = append(problems, filepath.ToSlash(rel)+": not in manifest")
		}
		return nil
	})
	return problems, err
}

var indexHTML = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.B.Title}}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}td,th{padding:.2em .8em .2em 0;text-align:left;vertical-align:top}
code{font-size:.85em}.missing{color:#aa6600}</style></head><body>
<h1>{{.B.Title}}</h1>
<table>
<tr><th>commit</th><td><code>{{.B.Commit}}</code></td></tr>
<tr><th>generated</th><td>{{.Generated}}</td></tr>
{{range .B.Facts}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{end}}</table>
{{range .Sections}}<h2>{{.Name}}</h2><ul>
{{range .Items}}<li><a href="{{.Path}}">{{.Title}}</a> <code>{{.Path}}</code></li>
{{end}}{{range .Missing}}<li class="missing">{{.Title}}: not included — {{.Reason}}</li>
{{end}}</ul>
{{end}}<p>Every file is listed with its SHA-256 in <a href="MANIFEST.sha256">MANIFEST.sha256</a>
(check with <code>sha256sum -c MANIFEST.sha256</code>).</p>
</body></html>
`))

type indexSection struct {
	Name    string
	Items   []Artifact
	Missing []Missing
}

func (b *Bundle) index(arts []Artifact) ([]byte, error) {
	var order []string
	bySection := map[string]*indexSection{}
	section := func(name string) *indexSection {
		if s, ok := bySection[name]; ok {
			return s
		}
		s := &indexSection{Name: name}
		bySection[name] = s
		order = append(order, name)
		return s
	}
	// Sections appear in the order the caller listed the artifacts.
	for _, a := range b.Artifacts {
		section(a.Section)
	}
	for _, a := range arts {
		s := section(a.Section)
		s.Items = append(s.Items, a)
	}
	for _, m := range b.Missing {
		s := section(m.Section)
		s.Missing = append(s.Missing, m)
	}
	var secs []indexSection
	for _, name := range order {
		secs = append(secs, *bySection[name])
	}
	var buf bytes.Buffer
	err := indexHTML.Execute(&buf, struct {
		B         *Bundle
		Generated string
		Sections  []indexSection
	}{b, b.Generated.UTC().Format(TimeFormat), secs})
	if err != nil {
		return nil, fmt.Errorf("render index: %w", err)
	}
	return buf.Bytes(), nil
}
