package image

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Conditions Check reports; every error it returns wraps one of them.
var (
	ErrRootUser        = errors.New("image does not run as the non-root service user")
	ErrConfig          = errors.New("image configuration differs from the definition")
	ErrUnexpectedEntry = errors.New("image holds an entry the definition does not name")
	ErrMissingEntry    = errors.New("image lacks an entry of the definition")
	ErrEntry           = errors.New("image entry differs from the definition")
	ErrNotStatic       = errors.New("entrypoint is not a static executable")
)

// Check compares img with the definition — configuration want and layer
// entries (as Entries returns them; a regular file's Source is read and
// hashed) — and returns every difference found, joined (nil when there is
// none). It fails when the image runs as root, as a name rather than a
// numeric uid:gid, or as a uid its /etc/passwd does not name UserName;
// when the entrypoint, command, environment, ports, platform or a label of
// want differ or a volume is declared; when the entrypoint is not a static
// executable; and when the file system holds an entry the definition does
// not name (whiteouts, links and devices included), lacks one, or differs
// in type, mode, owner or content. Modification times are not compared.
func Check(img *Image, want Config, entries []Entry) error {
	var errs []error
	errs = append(errs, checkConfig(img, want)...)
	errs = append(errs, checkFiles(img, entries)...)
	return errors.Join(errs...)
}

func checkConfig(img *Image, want Config) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	c := img.Config
	if c.OS != want.OS || c.Architecture != want.Architecture {
		bad("platform %s/%s, want %s/%s", c.OS, c.Architecture, want.OS, want.Architecture)
	}
	errs = append(errs, checkUser(img, want.User)...)
	if !slices.Equal(c.Config.Entrypoint, want.Entrypoint) {
		bad("entrypoint %q, want %q", c.Config.Entrypoint, want.Entrypoint)
	}
	if !slices.Equal(c.Config.Cmd, want.Cmd) {
		bad("cmd %q, want %q", c.Config.Cmd, want.Cmd)
	}
	env := slices.Sorted(slices.Values(c.Config.Env))
	if wantEnv := slices.Sorted(slices.Values(want.Env)); !slices.Equal(env, wantEnv) {
		bad("env %q, want %q", env, wantEnv)
	}
	ports := sortedKeys(c.Config.ExposedPorts)
	if wantPorts := slices.Sorted(slices.Values(want.ExposedPorts)); !slices.Equal(ports, wantPorts) {
		bad("exposed ports %q, want %q", ports, wantPorts)
	}
	if len(c.Config.Volumes) > 0 {
		bad("volumes %q declared; the data volume is mounted by the deployment", sortedKeys(c.Config.Volumes))
	}
	for _, k := range sortedKeys(want.Labels) {
		if got := c.Config.Labels[k]; got != want.Labels[k] {
			bad("label %s = %q, want %q", k, got, want.Labels[k])
		}
	}
	if c.Config.Labels[RevisionLabel] == "" {
		bad("label %s is not set", RevisionLabel)
	}
	if len(c.Config.Entrypoint) > 0 {
		errs = append(errs, checkStatic(img, c.Config.Entrypoint[0])...)
	}
	return errs
}

// checkUser requires a numeric uid:gid equal to want, not root, and named
// UserName by the image's /etc/passwd.
func checkUser(img *Image, want string) []error {
	user := img.Config.Config.User
	uidText, gidText, _ := strings.Cut(user, ":")
	uid, err1 := strconv.Atoi(uidText)
	gid, err2 := strconv.Atoi(gidText)
	switch {
	case user == "":
		return []error{fmt.Errorf("%w: no user set (runs as root)", ErrRootUser)}
	case err1 != nil || err2 != nil:
		return []error{fmt.Errorf("%w: user %q is not a numeric uid:gid (runAsNonRoot cannot verify a name)", ErrRootUser, user)}
	case uid == 0 || gid == 0:
		return []error{fmt.Errorf("%w: user %q is root's uid or gid", ErrRootUser, user)}
	case user != want:
		return []error{fmt.Errorf("%w: user %q, want %q", ErrRootUser, user, want)}
	}
	passwd := img.file("etc/passwd")
	if passwd == nil || passwd.Data == nil {
		return []error{fmt.Errorf("%w: no /etc/passwd names uid %d", ErrRootUser, uid)}
	}
	for line := range strings.SplitSeq(string(passwd.Data), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 4 && f[2] == uidText {
			if f[0] != UserName || f[3] != gidText {
				return []error{fmt.Errorf("%w: /etc/passwd names uid %d %q with gid %s, want %q with gid %s", ErrRootUser, uid, f[0], f[3], UserName, gidText)}
			}
			return nil
		}
	}
	return []error{fmt.Errorf("%w: /etc/passwd does not name uid %d", ErrRootUser, uid)}
}

func checkStatic(img *Image, path string) []error {
	f := img.file(strings.TrimPrefix(path, "/"))
	switch {
	case f == nil:
		return []error{fmt.Errorf("%w: %s is not in the image", ErrNotStatic, path)}
	case f.Type != tar.TypeReg || f.Mode&0o111 == 0:
		return []error{fmt.Errorf("%w: %s is not an executable regular file", ErrNotStatic, path)}
	}
	static, err := staticELF(f.Data)
	if err != nil {
		return []error{fmt.Errorf("%w: %s: %v", ErrNotStatic, path, err)}
	}
	if !static {
		return []error{fmt.Errorf("%w: %s needs a dynamic loader or shared libraries", ErrNotStatic, path)}
	}
	return nil
}

func checkFiles(img *Image, entries []Entry) []error {
	var errs []error
	want := map[string]Entry{}
	for _, e := range entries {
		want[e.Name] = e
	}
	for _, f := range img.Files {
		e, ok := want[f.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("%w: %s (%s)", ErrUnexpectedEntry, f.Name, typeName(f.Type)))
			continue
		}
		delete(want, f.Name)
		wantType := byte(tar.TypeReg)
		if e.IsDir() {
			wantType = tar.TypeDir
		}
		if f.Type != wantType {
			errs = append(errs, fmt.Errorf("%w: %s is a %s, want a %s", ErrEntry, f.Name, typeName(f.Type), typeName(wantType)))
			continue
		}
		if f.Mode != e.Mode || f.UID != e.UID || f.GID != e.GID {
			errs = append(errs, fmt.Errorf("%w: %s mode %04o owner %d:%d, want %04o %d:%d", ErrEntry, f.Name, f.Mode, f.UID, f.GID, e.Mode, e.UID, e.GID))
		}
		if wantType == tar.TypeReg {
			sum, err := fileSHA256(e.Source)
			if err != nil {
				errs = append(errs, fmt.Errorf("%w: %s: source: %v", ErrEntry, f.Name, err))
			} else if sum != f.SHA256 {
				errs = append(errs, fmt.Errorf("%w: %s has sha256 %s, its source %s has %s", ErrEntry, f.Name, f.SHA256, e.Source, sum))
			}
		}
	}
	for _, e := range entries {
		if _, ok := want[e.Name]; ok {
			errs = append(errs, fmt.Errorf("%w: %s", ErrMissingEntry, e.Name))
		}
	}
	return errs
}

func (img *Image) file(name string) *File {
	for _, f := range img.Files {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// typeName names a tar type flag.
func typeName(t byte) string {
	switch t {
	case tar.TypeReg:
		return "regular file"
	case tar.TypeDir:
		return "directory"
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "device"
	case tar.TypeFifo:
		return "fifo"
	}
	return fmt.Sprintf("tar type %q", t)
}
