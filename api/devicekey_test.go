package api

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadOrCreateDeviceKey creates the key file once (mode 0600, 64 hex
// digits), reads the same key back and refuses unusable files.
//
// Verifies: SRS-SEC-004
func TestLoadOrCreateDeviceKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "device.key")
	k1, err := LoadOrCreateDeviceKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("got mode %v, want 0600", fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.TrimSpace(string(data))) != 2*DeviceKeyBytes {
		t.Errorf("got key file %q, want %d hex digits", data, 2*DeviceKeyBytes)
	}
	k2, err := LoadOrCreateDeviceKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k2.Hash("watch-1"), k1.Hash("watch-1"); got != want {
		t.Errorf("reloaded key hashes %s, want %s", got, want)
	}
	k3, err := LoadOrCreateDeviceKey(filepath.Join(dir, "other.key"))
	if err != nil {
		t.Fatal(err)
	}
	if k3.Hash("watch-1") == k1.Hash("watch-1") {
		t.Error("two installations hash a device alike")
	}

	for _, tc := range []struct {
		name    string
		content string
		mode    os.FileMode
	}{
		{"world readable", strings.Repeat("ab", DeviceKeyBytes) + "\n", 0o644},
		{"not hex", strings.Repeat("zz", DeviceKeyBytes) + "\n", 0o600},
		{"short", strings.Repeat("ab", DeviceKeyBytes/2) + "\n", 0o600},
		{"empty", "", 0o600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "device.key")
			if err := os.WriteFile(p, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tc.mode); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadOrCreateDeviceKey(p); !errors.Is(err, ErrDeviceKey) {
				t.Errorf("got %v, want ErrDeviceKey", err)
			}
		})
	}
}

// deviceVector is HMAC-SHA-256 of "cinc2017-A00004" under 32 bytes of 'k',
// computed independently:
//
//	printf cinc2017-A00004 | openssl dgst -sha256 -mac HMAC -macopt key:kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk
const deviceVector = "5020186414b3d0ca8367e7edd4925680ac27f42bc8e5e24e24c6e088b553199c"

// TestDeviceKeyHash checks the hash against an independently computed
// HMAC-SHA-256.
func TestDeviceKeyHash(t *testing.T) {
	k, err := NewDeviceKey([]byte(strings.Repeat("k", DeviceKeyBytes)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id, want string
	}{
		{"empty id", "", ""},
		{"id", "cinc2017-A00004", deviceVector},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := k.Hash(tc.id); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	var none *DeviceKey
	if got := none.Hash("x"); got != "" {
		t.Errorf("nil key: got %q, want empty", got)
	}
	if _, err := NewDeviceKey([]byte("short")); !errors.Is(err, ErrDeviceKey) {
		t.Errorf("short secret: got %v, want ErrDeviceKey", err)
	}
}
