package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/afscan/afscan/internal/dataset"
	"github.com/afscan/afscan/internal/testcert"
)

// TestBenchRefusesRemoteTargets: the load generator only loads loopback
// services unless told otherwise.
func TestBenchRefusesRemoteTargets(t *testing.T) {
	for _, tc := range []struct {
		url     string
		allow   bool
		wantErr bool
	}{
		{"http://127.0.0.1:8080", false, false},
		{"http://localhost:8080/", false, false},
		{"https://[::1]:8443", false, false},
		{"http://10.0.0.7:8080", false, true},
		{"http://example.org", false, true},
		{"http://example.org", true, false},
		{"ftp://127.0.0.1", false, true},
		{"127.0.0.1:8080", false, true},
	} {
		got, err := classifyURL(tc.url, tc.allow)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s allow=%v: got %q, %v; want error %v", tc.url, tc.allow, got, err, tc.wantErr)
		}
		if err == nil && !strings.HasSuffix(got, "/v1/classify") {
			t.Errorf("%s: got %q", tc.url, got)
		}
	}
}

func TestServerTiming(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"classify;dur=1.234", 1234 * time.Microsecond},
		{"classify;dur=0.000", 0},
		{"classify;dur=12", 12 * time.Millisecond},
		{"", 0},
		{"db;dur=3", 0},
		{"classify;dur=-1", 0},
		{"classify;dur=x", 0},
	} {
		if got := serverTiming(tc.header); got != tc.want {
			t.Errorf("%q: got %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	d := make([]time.Duration, 100)
	for i := range d {
		d[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.9, 90 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("p%.0f: got %v, want %v", tc.p*100, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("empty: got %v", got)
	}
}

// TestBenchAgainstServer runs both bench modes for a second each against
// `afscan serve` (fake classifier) with real CinC 2017 strips.
func TestBenchAgainstServer(t *testing.T) {
	data := dataset.ForTest(t, dataset.CinC2017)
	// A slot per possible request: this test checks the bench, not the
	// server's overload answer, on machines of any speed.
	addr, keyFile := serveForBench(t, "--max-in-flight", "1000")
	for _, mode := range [][]string{{"--rate", "50"}, {"--workers", "2"}} {
		args := append([]string{"bench", "--url", "http://" + addr, "--key-file", keyFile, "--data", data,
			"--records", "20", "--duration", "1s", "--json", "--pid", "1"}, mode...)
		code, out, stderr := runMain(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s %s", mode, code, out, stderr)
		}
		var s benchSummary
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if s.OK == 0 || s.Errors != 0 || s.P50Ms <= 0 || s.P99Ms < s.P50Ms || s.MaxMs < s.P99Ms || s.Strips != 20 {
			t.Errorf("%v: implausible summary %+v", mode, s)
		}
		// The server's own service time lies inside each latency.
		if s.ServerP50Ms <= 0 || s.ServerP50Ms > s.P50Ms || s.ServerP99Ms > s.MaxMs {
			t.Errorf("%v: service time p50 %v p99 %v against latency p50 %v max %v", mode, s.ServerP50Ms, s.ServerP99Ms, s.P50Ms, s.MaxMs)
		}
		if mode[0] == "--rate" && s.Requests != 50 {
			t.Errorf("open loop at 50/s for 1 s sent %d requests, want 50", s.Requests)
		}
	}
}

// TestBenchOverTLS loads a TLS server, trusting its certificate through
// --ca-file; without it (system roots) or with a file holding no
// certificate the run fails before sending any load.
func TestBenchOverTLS(t *testing.T) {
	data := dataset.ForTest(t, dataset.CinC2017)
	cert, key := testcert.Write(t)
	addr, keyFile := serveForBench(t, "--tls-cert", cert, "--tls-key", key)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"bench", "--url", "https://" + addr, "--key-file", keyFile, "--data", data, "--records", "5", "--duration", "500ms", "--rate", "20", "--json"}
	code, out, stderr := runMain(t, append(base, "--ca-file", cert)...)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, stderr)
	}
	var s benchSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if s.OK != 10 || s.Errors != 0 {
		t.Errorf("over TLS: %d ok, %d errors; want 10 and 0", s.OK, s.Errors)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "certificate"}, // signed by an unknown authority: the warm-up fails
		{[]string{"--ca-file", notPEM}, "no PEM certificate"},
		{[]string{"--ca-file", filepath.Join(dir, "none.pem")}, "no such file"},
	} {
		code, _, stderr := runMain(t, append(base, tc.args...)...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want a failure naming %q", tc.args, code, stderr, tc.want)
		}
	}
}

// serveForBench starts serve (the fake classifier) on a free loopback port
// with a fresh data directory and args, stops it when the test ends, and
// returns its address and a file holding the API key it created.
func serveForBench(t *testing.T, args ...string) (addr, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	addr, stdout, _, stop := startServe(t, append([]string{"--addr", "127.0.0.1:0", "--data-dir", dir}, args...)...)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	keyFile = filepath.Join(dir, "bench.key")
	if err := os.WriteFile(keyFile, []byte(stdout.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return addr, keyFile
}
