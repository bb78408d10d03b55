package api

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKeyStoreLifecycle creates, authenticates, lists and revokes keys and
// checks the file holds hashes only, with mode 0600.
//
// Verifies: SRS-SEC-001, SRS-SEC-002
func TestKeyStoreLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "keys.json")
	s, err := OpenKeyStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Exists() || s.Active() != 0 {
		t.Fatal("a new store has keys")
	}
	now := time.Unix(1_700_000_000, 0)
	k1, i1, err := s.Create("gateway-1", now)
	if err != nil {
		t.Fatal(err)
	}
	k2, i2, err := s.Create("gateway-2", now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if k1 == k2 || i1.ID == i2.ID {
		t.Fatal("two keys are equal")
	}
	if !strings.HasPrefix(k1, "afs_"+i1.ID+"_") || len(k1) != len("afs_")+16+1+43 {
		t.Errorf("key %q does not have the afs_<id>_<secret> form", k1)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("got mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	for _, k := range []string{k1, k2} {
		_, secret, _ := parseKey(k)
		if strings.Contains(string(data), secret) {
			t.Errorf("key file holds a secret in clear")
		}
	}

	// A second handle (the running server) sees changes made by the first
	// (the `afscan keys` command) without restart.
	server, err := OpenKeyStore(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, key, wantID string
	}{
		{"key 1", k1, i1.ID},
		{"key 2", k2, i2.ID},
		{"key 1 with key 2's id", "afs_" + i2.ID + k1[len("afs_")+16:], ""},
		{"truncated secret", k1[:len(k1)-1], ""},
		{"empty", "", ""},
		{"prefix only", "afs_", ""},
	} {
		id, err := server.Authenticate(tc.key)
		if id != tc.wantID || (tc.wantID == "") != errors.Is(err, ErrUnauthorized) {
			t.Errorf("%s: got %q, %v; want %q", tc.name, id, err, tc.wantID)
		}
	}
	// Revocation grows the file, so the reload check sees it even within
	// one modification-time tick.
	if err := s.Revoke(i1.ID, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Authenticate(k1); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("revoked key: got %v, want ErrUnauthorized", err)
	}
	if _, err := server.Authenticate(k2); err != nil {
		t.Errorf("other key after revocation: %v", err)
	}
	if err := s.Revoke(i1.ID, now); !errors.Is(err, ErrKeyRevoked) {
		t.Errorf("revoke twice: got %v, want ErrKeyRevoked", err)
	}
	if err := s.Revoke("ffffffffffffffff", now); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("revoke unknown: got %v, want ErrNoSuchKey", err)
	}
	list, err := server.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != i1.ID || list[0].Revoked == nil || list[1].Revoked != nil || list[0].Name != "gateway-1" {
		t.Errorf("got list %+v", list)
	}
	if n := server.Active(); n != 1 {
		t.Errorf("got %d active keys, want 1", n)
	}
}

// TestKeyStoreRefusesOpenFile refuses a key file others can read.
//
// Verifies: SRS-SEC-002
func TestKeyStoreRefusesOpenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, []byte(`{"version":1,"keys":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenKeyStore(path); err == nil {
		t.Error("opened a world-readable key file")
	}
	if err := os.Chmod(path, 0o440); err != nil { // a Secret mounted with fsGroup
		t.Fatal(err)
	}
	if _, err := OpenKeyStore(path); err != nil {
		t.Errorf("mode 0440: %v", err)
	}
}

// BenchmarkAuthenticate measures the per-request key check (a stat of the
// key file, SHA-256 and a constant-time compare).
func BenchmarkAuthenticate(b *testing.B) {
	s, err := OpenKeyStore(filepath.Join(b.TempDir(), "keys.json"))
	if err != nil {
		b.Fatal(err)
	}
	key, _, err := s.Create("bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Authenticate(key); err != nil {
			b.Fatal(err)
		}
	}
}
