package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runMain drives the real command tree, as the binary does, and returns the
// exit status with what was written to stdout and stderr.
func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr, m.Stdin = &out, &errOut, strings.NewReader("")
	code = m.Run(context.Background(), args)
	if err := m.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	return code, out.String(), errOut.String()
}

func TestUnknownFlagIsUsageError(t *testing.T) {
	code, _, stderr := runMain(t, "--no-such-flag")
	if code != exitUsage {
		t.Errorf("got exit %d, want %d", code, exitUsage)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || stderr == "" {
		t.Errorf("got stderr %q, want one line", stderr)
	}
}
