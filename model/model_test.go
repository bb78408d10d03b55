package model

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestIdentity checks that SHA256 is the digest of the embedded bytes and
// that name and version are set.
//
// Verifies: SRS-CLS-008
func TestIdentity(t *testing.T) {
	if len(ONNX) < 1000 {
		t.Fatalf("embedded model has %d bytes; want a trained model", len(ONNX))
	}
	sum := sha256.Sum256(ONNX)
	for _, tc := range []struct{ name, got, want string }{
		{name: "sha256", got: SHA256(), want: hex.EncodeToString(sum[:])},
		{name: "name", got: Name, want: "afscan-af-gbdt"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if Version == "" {
		t.Error("empty Version")
	}
}
