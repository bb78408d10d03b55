package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/afscan/afscan/api"
	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/internal/fake"
)

// syncBuffer is a bytes.Buffer safe for the server's logger and the test
// to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `afscan serve args...` with a fake classifier until the
// returned stop is called; it returns the address, stdout, stderr and
// stop, which returns the command's error.
func startServe(t *testing.T, args ...string) (addr string, stdout, stderr *syncBuffer, stop func() error) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	m := NewMain()
	m.Stdout, m.Stderr, m.Stdin = stdout, stderr, strings.NewReader("")
	m.Getenv = func(string) string { return "" }
	listening := make(chan net.Addr, 1)
	deps := serveDeps{
		newClassifier: func(context.Context) (api.Classifier, error) {
			return &fake.Classifier{Result: fake.NormalResult(), Info: inference.ModelInfo{Name: "fake", Version: "0", SHA256: "00"}}, nil
		},
		onListen: func(a net.Addr) { listening <- a },
	}
	root := m.rootCmd()
	for _, c := range root.Commands() {
		if c.Name() == "serve" { // the registered one runs the embedded model
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(newServeCmd(m, deps))
	root.SetArgs(append([]string{"serve"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- root.ExecuteContext(ctx) }()
	select {
	case a := <-listening:
		addr = a.String()
	case err := <-errc:
		cancel()
		return "", stdout, stderr, func() error { return err }
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("serve did not start listening")
	}
	return addr, stdout, stderr, func() error {
		cancel()
		return <-errc
	}
}

func postStrip(t *testing.T, addr, key string) int {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "..", "api", "testdata", "strip.json"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+api.RouteClassify, bytes.NewReader(body))
	req.Header.Set("Content-Type", api.MediaJSON)
	req.Header.Set("Authorization", "Bearer "+key)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestServeFirstStart starts the service on an empty data directory: it
// prints one key, stores only its hash with mode 0600, serves with it,
// shuts down cleanly on cancel and leaves a verifiable audit log; a second
// start prints no key.
//
// Verifies: SRS-SEC-001, SRS-SEC-002, SRS-API-006
func TestServeFirstStart(t *testing.T) {
	dir := t.TempDir()
	addr, stdout, stderr, stop := startServe(t, "--addr", "127.0.0.1:0", "--data-dir", dir)
	key := strings.TrimSpace(stdout.String())
	if !strings.HasPrefix(key, "afs_") || strings.Contains(key, "\n") {
		t.Fatalf("got stdout %q, want one key", stdout.String())
	}
	if got := postStrip(t, addr, key); got != 200 {
		t.Errorf("classify with the printed key: got %d, want 200", got)
	}
	if got := postStrip(t, addr, key+"x"); got != 401 {
		t.Errorf("classify with a wrong key: got %d, want 401", got)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v; stderr %s", err, stderr)
	}
	keysFile := filepath.Join(dir, "keys.json")
	fi, err := os.Stat(keysFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("keys file mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(keysFile)
	if strings.Contains(string(data), key[len("afs_")+17:]) {
		t.Error("key file holds the secret")
	}
	if n, err := api.VerifyAuditFile(filepath.Join(dir, "audit.log")); err != nil || n != 2 {
		t.Errorf("audit: %d entries, %v; want 2, nil", n, err)
	}
	// strip.json names device cinc2017-A00004: the log holds its keyed
	// hash under the data directory's device key (0600), never the id,
	// and `afscan audit device-hash` finds it.
	if fi, err := os.Stat(filepath.Join(dir, "device.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("device key: %v, %v; want mode 0600", fi, err)
	}
	auditData, _ := os.ReadFile(filepath.Join(dir, "audit.log"))
	code, out, errOut := runMain(t, "audit", "device-hash", "--data-dir", dir, "cinc2017-A00004")
	hash := strings.TrimSpace(out)
	if code != 0 || len(hash) != 64 {
		t.Fatalf("device-hash: exit %d, %q %q", code, out, errOut)
	}
	if !strings.Contains(string(auditData), `"device_hmac":"`+hash+`"`) || strings.Contains(string(auditData), "cinc2017-A00004") {
		t.Errorf("audit log does not name the device by hash %s only:\n%s", hash, auditData)
	}

	addr, stdout, _, stop = startServe(t, "--addr", "127.0.0.1:0", "--data-dir", dir)
	if got := postStrip(t, addr, key); got != 200 {
		t.Errorf("after restart: got %d, want 200", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "" {
		t.Errorf("second start printed %q, want nothing", stdout.String())
	}
	if n, err := api.VerifyAuditFile(filepath.Join(dir, "audit.log")); err != nil || n != 3 {
		t.Errorf("audit after restart: %d entries, %v; want 3, nil", n, err)
	}
}

// TestServeNonLoopbackWithoutTLS warns on a non-loopback plain-HTTP address
// and refuses it with --require-tls.
//
// Verifies: SRS-SEC-003
func TestServeNonLoopbackWithoutTLS(t *testing.T) {
	_, _, _, stop := startServe(t, "--addr", "0.0.0.0:0", "--data-dir", t.TempDir(), "--require-tls")
	if err := stop(); !errors.As(err, new(usageErr)) {
		t.Errorf("--require-tls on 0.0.0.0: got %v, want a usage error", err)
	}
	_, _, stderr, stop := startServe(t, "--addr", "0.0.0.0:0", "--data-dir", t.TempDir())
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "PLAIN HTTP ON A NON-LOOPBACK ADDRESS") {
		t.Errorf("no warning in %s", stderr)
	}
}

// TestKeysCommand creates, lists and revokes keys through the CLI.
//
// Verifies: SRS-SEC-002
func TestKeysCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := runMain(t, "keys", "create", "--data-dir", dir, "--name", "gw")
	key := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(key, "afs_") {
		t.Fatalf("create: exit %d, stdout %q", code, out)
	}
	id := key[len("afs_") : len("afs_")+16]
	code, out, _ = runMain(t, "keys", "list", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "active") || strings.Contains(out, key) {
		t.Errorf("list: exit %d, %q", code, out)
	}
	if code, _, _ = runMain(t, "keys", "revoke", id, "--data-dir", dir); code != 0 {
		t.Errorf("revoke: exit %d", code)
	}
	if code, out, _ = runMain(t, "keys", "list", "--data-dir", dir); code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("list after revoke: %q", out)
	}
	if code, _, stderr := runMain(t, "keys", "revoke", "ffffffffffffffff", "--data-dir", dir); code != exitUsage || stderr == "" {
		t.Errorf("revoke unknown: exit %d", code)
	}
}

// TestAuditVerifyCommand exits 0 on an intact log and 1, naming the line,
// on an edited one.
//
// Verifies: SRS-SEC-004
func TestAuditVerifyCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	a, err := api.OpenAudit(path, api.AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := a.Append(context.Background(), api.AuditEntry{RequestID: string(rune('a' + i)), Method: "POST", Route: "/v1/classify", Status: 200}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runMain(t, "audit", "verify", path); code != 0 || !strings.Contains(out, "3 entries") {
		t.Errorf("intact: exit %d, %q", code, out)
	}
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, bytes.Replace(data, []byte(`"request_id":"b"`), []byte(`"request_id":"x"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runMain(t, "audit", "verify", path); code != exitFailed || !strings.Contains(stderr, "line 2") {
		t.Errorf("edited: exit %d, stderr %q; want 1 naming line 2", code, stderr)
	}
	if code, _, _ := runMain(t, "audit", "verify", path+".missing"); code != exitUsage {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}

// TestDeployEnvNamesServeFlags checks that every AFSCAN_ variable the
// container and Kubernetes manifests set is a flag of `afscan serve`, so a
// renamed flag cannot silently drop the deployment's configuration.
func TestDeployEnvNamesServeFlags(t *testing.T) {
	cmd := newServeCmd(NewMain(), serveDeps{})
	re := regexp.MustCompile(`AFSCAN_[A-Z_]+`)
	for _, f := range []string{"Containerfile", "kubernetes.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "deploy", f))
		if err != nil {
			t.Fatal(err)
		}
		names := re.FindAllString(string(data), -1)
		if len(names) == 0 {
			t.Fatalf("%s sets no AFSCAN_ variable", f)
		}
		for _, env := range names {
			flag := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(env, "AFSCAN_"), "_", "-"))
			if cmd.Flags().Lookup(flag) == nil {
				t.Errorf("%s: %s names no serve flag --%s", f, env, flag)
			}
		}
	}
}

func TestParseMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     int64
		ok       bool
	}{
		{"v2 bytes", "268435456\n", 268435456, true},
		{"v2 none", "max\n", 0, false},
		{"v1 none", "9223372036854771712\n", 0, false},
		{"empty", "", 0, false},
		{"zero", "0", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseMemoryLimit(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("got %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestConfigureGC: serve's heap budget applies unless the environment sets
// GOGC or GOMEMLIMIT, and a container's limit bounds it. The settings are
// process-wide, so the test restores them.
func TestConfigureGC(t *testing.T) {
	gc0 := debug.SetGCPercent(100)
	lim0 := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(gc0)
		debug.SetMemoryLimit(lim0)
	})
	dir := t.TempDir()
	writeLimit := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	small := []string{filepath.Join(dir, "missing"), writeLimit("small", "268435456\n")}
	large := []string{writeLimit("large", "4294967296\n")}
	unlimited := []string{writeLimit("max", "max\n")}
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name      string
		env       map[string]string
		files     []string
		wantGC    int
		wantLimit int64
	}{
		{"no container limit", nil, nil, -1, serveHeapBudget},
		{"container limit max", nil, unlimited, -1, serveHeapBudget},
		{"large container", nil, large, -1, serveHeapBudget},
		{"small container", nil, small, -1, 214748364},
		{"GOGC set", map[string]string{"GOGC": "50"}, small, 100, 214748364},
		{"GOGC set, no container limit", map[string]string{"GOGC": "50"}, nil, 100, math.MaxInt64},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, small, serveGCPercent, math.MaxInt64},
		{"both set", map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}, small, 100, math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			configureGC(func(k string) string { return tc.env[k] }, log, tc.files)
			if got := debug.SetGCPercent(100); got != tc.wantGC {
				t.Errorf("got GOGC %d, want %d", got, tc.wantGC)
			}
			if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
				t.Errorf("got memory limit %d, want %d", got, tc.wantLimit)
			}
		})
	}
}

// TestServeAuditSyncEvery: the fsync window is configurable and must be
// positive.
func TestServeAuditSyncEvery(t *testing.T) {
	for _, tc := range []struct {
		value     string
		wantUsage bool
	}{{"0s", true}, {"-1ms", true}, {"50ms", false}} {
		t.Run(tc.value, func(t *testing.T) {
			dir := t.TempDir()
			addr, stdout, _, stop := startServe(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--audit-sync-every", tc.value)
			if !tc.wantUsage {
				if got := postStrip(t, addr, strings.TrimSpace(stdout.String())); got != 200 {
					t.Errorf("got %d, want 200", got)
				}
			}
			err := stop()
			if isUsage := errors.As(err, new(usageErr)); isUsage != tc.wantUsage {
				t.Errorf("got %v, want usage error %v", err, tc.wantUsage)
			}
		})
	}
}

// TestServeCPUProfile: --cpu-profile leaves a pprof profile (gzipped
// protobuf) of the run when the service stops.
func TestServeCPUProfile(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "cpu.pprof")
	addr, stdout, stderr, stop := startServe(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--cpu-profile", prof)
	if got := postStrip(t, addr, strings.TrimSpace(stdout.String())); got != 200 {
		t.Errorf("classify: got %d, want 200", got)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v; stderr %s", err, stderr)
	}
	data, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		t.Errorf("profile is not gzipped (%d bytes)", len(data))
	}
}
