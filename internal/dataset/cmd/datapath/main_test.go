package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/afscan/afscan/internal/dataset"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"no argument", nil, 2},
		{"unknown set", []string{"ptbxl"}, 2},
		{"two arguments", []string{"mitdb", "cinc2017"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tc.args, &out, &errOut); code != tc.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.wantCode, errOut.String())
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q, want nothing", out.String())
			}
		})
	}
}

func TestRunMITDB(t *testing.T) {
	want := dataset.ForTest(t, dataset.MITDB)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"mitdb"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := strings.TrimSpace(out.String())
	if got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
	if _, err := os.Stat(got + "/100.hea"); err != nil {
		t.Errorf("printed directory lacks 100.hea: %v", err)
	}
}
