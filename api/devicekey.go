package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DeviceKeyBytes is the length of the per-installation device key.
const DeviceKeyBytes = 32

// deviceKeyMode is the mode a device key file is created with.
const deviceKeyMode = 0o600

// ErrDeviceKey marks a device key file that cannot be used.
var ErrDeviceKey = errors.New("unusable device key file")

// DeviceKey is the installation's secret for naming devices in the audit
// log: the log records HMAC-SHA-256(key, device_id), never the id. The same
// device gets the same hash for as long as the key file lives, so an
// auditor holding the key can find a device's requests (afscan audit
// device-hash), while the log alone does not reveal which device sent what
// (a plain hash of a short, guessable id would). It is safe for concurrent
// use.
type DeviceKey struct {
	key [DeviceKeyBytes]byte
}

// NewDeviceKey returns a DeviceKey for secret, which must be DeviceKeyBytes
// long.
func NewDeviceKey(secret []byte) (*DeviceKey, error) {
	if len(secret) != DeviceKeyBytes {
		return nil, fmt.Errorf("%d bytes, want %d: %w", len(secret), DeviceKeyBytes, ErrDeviceKey)
	}
	k := &DeviceKey{}
	copy(k.key[:], secret)
	return k, nil
}

// LoadOrCreateDeviceKey reads the device key file at path (64 hex digits
// and a newline), creating it with a fresh random key and mode 0600 when it
// does not exist. Like the key store it refuses a file others can read or
// the group can write (0440 is tolerated for a mounted Secret).
func LoadOrCreateDeviceKey(path string) (*DeviceKey, error) {
	k, err := LoadDeviceKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	var secret [DeviceKeyBytes]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// O_EXCL: of two processes creating the key at once, one wins and the
	// other reads the winner's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, deviceKeyMode)
	if errors.Is(err, fs.ErrExist) {
		return LoadDeviceKey(path)
	}
	if err != nil {
		return nil, err
	}
	data := append(hex.AppendEncode(nil, secret[:]), '\n')
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("device key %s: %w", path, err)
	}
	return NewDeviceKey(secret[:])
}

// LoadDeviceKey reads an existing device key file (see
// LoadOrCreateDeviceKey); it never creates one.
func LoadDeviceKey(path string) (*DeviceKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o037 != 0 {
		return nil, fmt.Errorf("device key %s: mode %v, want 0600: %w", path, fi.Mode().Perm(), ErrDeviceKey)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	secret, err := hex.DecodeString(string(bytes.TrimSpace(data)))
	if err != nil {
		return nil, fmt.Errorf("device key %s: not hex: %w", path, ErrDeviceKey)
	}
	k, err := NewDeviceKey(secret)
	if err != nil {
		return nil, fmt.Errorf("device key %s: %w", path, err)
	}
	return k, nil
}

// Hash returns the hex HMAC-SHA-256 of deviceID under k, or "" for an
// empty id. A nil k hashes nothing and returns "": the audit then records
// no device.
func (k *DeviceKey) Hash(deviceID string) string {
	if k == nil || deviceID == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.key[:])
	m.Write([]byte(deviceID))
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0]))
}
