package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// escapePath applies the module cache's case encoding (golang.org/x/mod
// module.EscapePath): every upper-case letter becomes '!' and its lower case.
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// moduleDir is the extracted module directory in the module cache.
func moduleDir(modCache, path, version string) string {
	return filepath.Join(modCache, filepath.FromSlash(escapePath(path))+"@"+escapePath(version))
}

// moduleZipSHA256 returns the hex SHA-256 of the module zip in the module
// cache's download directory, or "" when it is not there.
func moduleZipSHA256(modCache, path, version string) string {
	return FileSHA256(filepath.Join(modCache, "cache", "download", filepath.FromSlash(escapePath(path)), "@v", escapePath(version)+".zip"))
}

// FileSHA256 returns the hex SHA-256 of the file at path, or "" when it
// cannot be read: an SBOM records a digest only where one is known.
func FileSHA256(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
