package image

import (
	"path/filepath"
	"strconv"
)

// Paths and ids of the runtime image.
const (
	// BinaryPath is the afscan binary in the image, its entrypoint.
	BinaryPath = "/usr/local/bin/afscan"
	// DataDir is the data volume's mount point (key store, audit log).
	DataDir = "/var/lib/afscan"
	// UID and GID are the service user's, "nonroot" in the image's
	// /etc/passwd and /etc/group (the distroless convention).
	UID = 65532
	GID = 65532
	// UserName is the name /etc/passwd gives UID.
	UserName = "nonroot"
)

// Entry is one file or directory of the runtime image's layer.
type Entry struct {
	// Name is the path relative to the image's root; a directory's ends
	// in "/".
	Name string
	// Mode holds the permission bits.
	Mode     int64
	UID, GID int
	// Source is the file whose bytes a regular file holds; empty for a
	// directory.
	Source string
}

// IsDir reports whether e is a directory.
func (e Entry) IsDir() bool { return e.Name != "" && e.Name[len(e.Name)-1] == '/' }

// Entries returns the layer's entries, parents before children and sorted
// by name: the static binary at binary, etc/passwd and etc/group from
// rootfsDir (deploy/rootfs), and the empty data directory owned by UID:GID
// with mode 0700. Everything else is root's and read-only to the service
// user. Nothing else is in the image: no shell, no libc, no CA bundle (the
// service makes no outgoing TLS connection).
func Entries(binary, rootfsDir string) []Entry {
	dir := func(name string) Entry { return Entry{Name: name, Mode: 0o755} }
	return []Entry{
		dir("etc/"),
		{Name: "etc/group", Mode: 0o644, Source: filepath.Join(rootfsDir, "etc", "group")},
		{Name: "etc/passwd", Mode: 0o644, Source: filepath.Join(rootfsDir, "etc", "passwd")},
		dir("usr/"),
		dir("usr/local/"),
		dir("usr/local/bin/"),
		{Name: BinaryPath[1:], Mode: 0o755, Source: binary},
		dir("var/"),
		dir("var/lib/"),
		{Name: DataDir[1:] + "/", Mode: 0o700, UID: UID, GID: GID},
	}
}

// Config is the part of an OCI image configuration the runtime image fixes.
type Config struct {
	OS, Architecture string
	// User is "uid:gid", numeric so that Kubernetes' runAsNonRoot can
	// verify it without reading /etc/passwd.
	User       string
	Entrypoint []string
	Cmd        []string
	// Env holds KEY=value pairs.
	Env []string
	// ExposedPorts holds "port/proto" keys.
	ExposedPorts []string
	// Labels holds the OCI annotations-as-labels the image must carry
	// with these values; Check also requires RevisionLabel to be set.
	Labels map[string]string
}

// RevisionLabel and CreatedLabel carry the source revision and its commit
// time; their values come from the build, not from the definition.
const (
	RevisionLabel = "org.opencontainers.image.revision"
	CreatedLabel  = "org.opencontainers.image.created"
)

// WantConfig returns the runtime image's configuration for the platform
// goos/goarch. serve's command line asks for TLS (`--require-tls`): the
// listener is not on loopback; the certificate and key come from mounted
// Secrets through AFSCAN_TLS_CERT and AFSCAN_TLS_KEY.
func WantConfig(goos, goarch string) Config {
	return Config{
		OS:           goos,
		Architecture: goarch,
		User:         strconv.Itoa(UID) + ":" + strconv.Itoa(GID),
		Entrypoint:   []string{BinaryPath},
		Cmd:          []string{"serve", "--require-tls"},
		Env: []string{
			// The one directory of executables; set so that no builder
			// adds its own default.
			"PATH=/usr/local/bin",
			"AFSCAN_DATA_DIR=" + DataDir,
			"AFSCAN_ADDR=0.0.0.0:8443",
			"AFSCAN_LOG_FORMAT=json",
		},
		ExposedPorts: []string{"8443/tcp"},
		Labels: map[string]string{
			"org.opencontainers.image.title":    "afscan",
			"org.opencontainers.image.licenses": "Apache-2.0",
			// No comma: crane's --label flag splits its value on commas.
			"org.opencontainers.image.description": "afscan atrial fibrillation inference service",
		},
	}
}
