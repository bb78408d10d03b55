package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ErrCraneValue reports a configuration value that crane's comma-splitting
// flags cannot carry.
var ErrCraneValue = errors.New("value holds a comma or quote")

// WriteLayer writes entries to w as an uncompressed tar in USTAR format, in
// the order given, every entry with modification time mtime (truncated to
// whole seconds, UTC), numeric owners only and no access or change time: the
// same entries, file contents and mtime give the same bytes. A regular
// file's bytes come from its Source, whose own mode and owner are ignored.
func WriteLayer(w io.Writer, entries []Entry, mtime time.Time) error {
	tw := tar.NewWriter(w)
	mtime = mtime.UTC().Truncate(time.Second)
	for _, e := range entries {
		hdr := &tar.Header{
			Name:    e.Name,
			Mode:    e.Mode,
			Uid:     e.UID,
			Gid:     e.GID,
			ModTime: mtime,
			Format:  tar.FormatUSTAR,
		}
		if e.IsDir() {
			hdr.Typeflag = tar.TypeDir
			if err := tw.WriteHeader(hdr); err != nil {
				return fmt.Errorf("layer entry %s: %w", e.Name, err)
			}
			continue
		}
		if err := writeFile(tw, hdr, e.Source); err != nil {
			return fmt.Errorf("layer entry %s: %w", e.Name, err)
		}
	}
	return tw.Close()
}

func writeFile(tw *tar.Writer, hdr *tar.Header, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", src)
	}
	hdr.Typeflag = tar.TypeReg
	hdr.Size = fi.Size()
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(tw, f)
	if err != nil {
		return err
	}
	if n != fi.Size() {
		return fmt.Errorf("%s changed size while being read", src)
	}
	return nil
}

// CraneFlags returns the `crane mutate` flags that give an image the
// configuration c, plus RevisionLabel = revision and CreatedLabel = created
// (RFC 3339), one argument a string. crane splits list and label values on
// commas and reads quotes as CSV, so a value holding either is refused with
// ErrCraneValue.
func CraneFlags(c Config, revision, created string) ([]string, error) {
	flags := []string{"--set-platform=" + c.OS + "/" + c.Architecture, "--user=" + c.User}
	add := func(name string, values ...string) {
		for _, v := range values {
			flags = append(flags, "--"+name+"="+v)
		}
	}
	add("entrypoint", c.Entrypoint...)
	add("cmd", c.Cmd...)
	add("env", c.Env...)
	add("exposed-ports", c.ExposedPorts...)
	for _, k := range sortedKeys(c.Labels) {
		add("label", k+"="+c.Labels[k])
	}
	add("label", RevisionLabel+"="+revision, CreatedLabel+"="+created)
	for _, f := range flags {
		if strings.ContainsAny(f, `,"`) {
			return nil, fmt.Errorf("crane flag %s: %w", f, ErrCraneValue)
		}
	}
	return flags, nil
}
