package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Key format: "afs_" + 16 hex digits of key id + "_" + 43 base64url
// characters of a 256-bit random secret. The id selects the stored hash;
// only the secret is secret. SHA-256 suffices as the stored hash because the
// secret has 256 bits of entropy (no dictionary to attack, unlike passwords).
const (
	keyPrefix    = "afs_"
	keyIDBytes   = 8
	secretBytes  = 32
	keyFileMode  = 0o600
	keyStoreVers = 1
)

// Errors of the key store.
var (
	ErrNoSuchKey  = errors.New("no such key")
	ErrKeyRevoked = errors.New("key already revoked")
)

// KeyInfo describes one stored key; it never holds the secret.
type KeyInfo struct {
	ID      string     `json:"id"`
	Name    string     `json:"name,omitempty"`
	SHA256  string     `json:"sha256"` // hex SHA-256 of the secret part
	Created time.Time  `json:"created"`
	Revoked *time.Time `json:"revoked,omitempty"`
}

type keyFile struct {
	Version int       `json:"version"`
	Keys    []KeyInfo `json:"keys"`
}

// KeyStore holds API key hashes in a JSON file of mode 0600. Lookups reload
// the file when its size or modification time changed, so keys created or
// revoked by `afscan keys` (or a rotated Kubernetes Secret) take effect in a
// running server without restart. It is safe for concurrent use.
type KeyStore struct {
	path string

	mu      sync.RWMutex
	keys    map[string]KeyInfo
	modTime time.Time
	size    int64
}

// OpenKeyStore opens the key file at path. A missing file is an empty store
// (Exists reports it); a file readable by group or others is refused.
func OpenKeyStore(path string) (*KeyStore, error) {
	s := &KeyStore{path: path, keys: map[string]KeyInfo{}}
	if err := s.reload(true); err != nil {
		return nil, err
	}
	return s, nil
}

// Path returns the key file's path.
func (s *KeyStore) Path() string { return s.path }

// Exists reports whether the key file exists.
func (s *KeyStore) Exists() bool {
	_, err := os.Stat(s.path)
	return err == nil
}

// reload rereads the file if it changed since the last read (or always,
// when force is set).
func (s *KeyStore) reload(force bool) error {
	fi, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.mu.Lock()
		s.keys, s.modTime, s.size = map[string]KeyInfo{}, time.Time{}, 0
		s.mu.Unlock()
		return nil
	}
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	s.mu.RLock()
	same := fi.ModTime().Equal(s.modTime) && fi.Size() == s.size
	s.mu.RUnlock()
	if same && !force {
		return nil
	}
	// The store writes 0600. A Kubernetes Secret mounted with fsGroup needs
	// group read (defaultMode 0440), so that is tolerated; anything others
	// can read, or the group can write, is refused.
	if fi.Mode().Perm()&0o037 != 0 {
		return fmt.Errorf("key store %s: mode %v, want 0600 (0440 for a mounted Secret)", s.path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	var kf keyFile
	if err := json.Unmarshal(data, &kf); err != nil {
		return fmt.Errorf("key store %s: %w", s.path, err)
	}
	if kf.Version != keyStoreVers {
		return fmt.Errorf("key store %s: version %d, want %d", s.path, kf.Version, keyStoreVers)
	}
	keys := make(map[string]KeyInfo, len(kf.Keys))
	for _, k := range kf.Keys {
		keys[k.ID] = k
	}
	s.mu.Lock()
	s.keys, s.modTime, s.size = keys, fi.ModTime(), fi.Size()
	s.mu.Unlock()
	return nil
}

// Authenticate checks a presented key and returns its id. The secret is
// compared in constant time against the stored hash; an unknown id costs the
// same hash and compare, so timing does not reveal which ids exist. Errors
// wrap ErrUnauthorized.
func (s *KeyStore) Authenticate(presented string) (keyID string, err error) {
	// A failed reload keeps the last good keys: a half-written Secret
	// update must not lock every client out or let revoked keys back in.
	_ = s.reload(false)
	id, secret, ok := parseKey(presented)
	sum := sha256.Sum256([]byte(secret))
	s.mu.RLock()
	k, found := s.keys[id]
	s.mu.RUnlock()
	want := make([]byte, sha256.Size)
	if found {
		if h, err := hex.DecodeString(k.SHA256); err == nil && len(h) == sha256.Size {
			want = h
		} else {
			found = false
		}
	}
	match := subtle.ConstantTimeCompare(sum[:], want) == 1
	if !ok || !found || !match {
		return "", ErrUnauthorized
	}
	if k.Revoked != nil {
		return "", fmt.Errorf("key %s revoked: %w", id, ErrUnauthorized)
	}
	return id, nil
}

// parseKey splits "afs_<id>_<secret>".
func parseKey(key string) (id, secret string, ok bool) {
	rest, found := strings.CutPrefix(key, keyPrefix)
	if !found {
		return "", "", false
	}
	id, secret, found = strings.Cut(rest, "_")
	if !found || len(id) != 2*keyIDBytes || secret == "" {
		return "", "", false
	}
	return id, secret, true
}

// Create generates a new key named name, stores its hash and returns the
// key. The key is not kept anywhere: the caller shows it once.
func (s *KeyStore) Create(name string, now time.Time) (key string, info KeyInfo, err error) {
	idb := make([]byte, keyIDBytes)
	sec := make([]byte, secretBytes)
	if _, err := rand.Read(idb); err != nil {
		return "", KeyInfo{}, err
	}
	if _, err := rand.Read(sec); err != nil {
		return "", KeyInfo{}, err
	}
	id := hex.EncodeToString(idb)
	secret := base64.RawURLEncoding.EncodeToString(sec)
	sum := sha256.Sum256([]byte(secret))
	info = KeyInfo{ID: id, Name: name, SHA256: hex.EncodeToString(sum[:]), Created: now.UTC()}
	err = s.update(func(keys map[string]KeyInfo) error {
		keys[id] = info
		return nil
	})
	if err != nil {
		return "", KeyInfo{}, err
	}
	return keyPrefix + id + "_" + secret, info, nil
}

// Revoke marks key id revoked at now. The entry stays so that the audit log's
// key ids remain explainable.
func (s *KeyStore) Revoke(id string, now time.Time) error {
	return s.update(func(keys map[string]KeyInfo) error {
		k, ok := keys[id]
		if !ok {
			return fmt.Errorf("%s: %w", id, ErrNoSuchKey)
		}
		if k.Revoked != nil {
			return fmt.Errorf("%s: %w", id, ErrKeyRevoked)
		}
		t := now.UTC()
		k.Revoked = &t
		keys[id] = k
		return nil
	})
}

// List returns the stored keys ordered by creation time.
func (s *KeyStore) List() ([]KeyInfo, error) {
	if err := s.reload(false); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]KeyInfo, 0, len(s.keys))
	for _, k := range s.keys {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b KeyInfo) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Active reports how many keys are not revoked.
func (s *KeyStore) Active() int {
	_ = s.reload(false)
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, k := range s.keys {
		if k.Revoked == nil {
			n++
		}
	}
	return n
}

// update applies fn to the current keys and writes the file atomically
// (temporary file of mode 0600, fsync, rename).
func (s *KeyStore) update(fn func(map[string]KeyInfo) error) error {
	if err := s.reload(true); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make(map[string]KeyInfo, len(s.keys)+1)
	for id, k := range s.keys {
		keys[id] = k
	}
	if err := fn(keys); err != nil {
		return err
	}
	kf := keyFile{Version: keyStoreVers}
	for _, k := range keys {
		kf.Keys = append(kf.Keys, k)
	}
	slices.SortFunc(kf.Keys, func(a, b KeyInfo) int { return strings.Compare(a.ID, b.ID) })
	data, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.path, append(data, '\n'), keyFileMode); err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	s.keys, s.modTime, s.size = keys, fi.ModTime(), fi.Size()
	return nil
}

// writeFileAtomic replaces path with data so that readers see the old or the
// new content, never a mix.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
