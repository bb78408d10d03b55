package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/internal/fake"
	"github.com/afscan/afscan/internal/testcert"
)

// gateClassifier blocks each Classify until release is closed, so tests can
// hold requests in flight.
type gateClassifier struct {
	fake.Classifier
	entered chan struct{}
	release chan struct{}
}

func newGate() *gateClassifier {
	return &gateClassifier{
		Classifier: fake.Classifier{Result: fake.NormalResult(), Info: testModel},
		entered:    make(chan struct{}, 100),
		release:    make(chan struct{}),
	}
}

func (g *gateClassifier) Classify(ctx context.Context, rec *ecg.Record) (inference.Result, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.Classifier.Classify(ctx, rec)
}

// TestOverloadAnswers503 holds MaxInFlight requests in the classifier and
// checks the next is refused at once with 503 and Retry-After, and that a
// flood of concurrent requests only ever sees 200 or 503.
//
// Verifies: SRS-API-005
func TestOverloadAnswers503(t *testing.T) {
	gate := newGate()
	env := newTestEnv(t, func(o *Options) { o.Classifier, o.MaxInFlight = gate, 2 })
	body := readTestdata(t, "strip.json")
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if w := env.classify(MediaJSON, body); w.Code != 200 {
				t.Errorf("held request: got %d", w.Code)
			}
		})
	}
	<-gate.entered
	<-gate.entered
	w := env.classify(MediaJSON, body)
	p := checkProblem(t, w)
	if w.Code != 503 || p.Code != "overloaded" || w.Header().Get("Retry-After") != "1" {
		t.Errorf("got %d %s Retry-After %q, want 503 overloaded 1", w.Code, p.Code, w.Header().Get("Retry-After"))
	}
	close(gate.release)
	wg.Wait()

	// Flood: 64 concurrent clients against 2 slots.
	statuses := make(chan int, 64)
	for range 64 {
		wg.Go(func() { statuses <- env.classify(MediaJSON, body).Code })
	}
	wg.Wait()
	close(statuses)
	n := map[int]int{}
	for s := range statuses {
		n[s]++
	}
	if n[200]+n[503] != 64 || n[200] == 0 {
		t.Errorf("got statuses %v, want only 200 and 503, some 200", n)
	}
}

// serveTest runs the server on a loopback listener until the returned stop
// is called; stop returns Serve's error.
func serveTest(t *testing.T, env *testEnv) (addr string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- env.srv.Serve(ctx, ln) }()
	return ln.Addr().String(), func() error {
		cancel()
		return <-errc
	}
}

// TestSlowClientsAreCut trickles a request header, and then a body, over a
// raw connection and checks the server hangs up after its timeouts instead
// of holding the connection.
//
// Verifies: SRS-API-005
func TestSlowClientsAreCut(t *testing.T) {
	env := newTestEnv(t, func(o *Options) {
		o.ReadHeaderTimeout = 200 * time.Millisecond
		o.ReadTimeout = 400 * time.Millisecond
	})
	addr, stop := serveTest(t, env)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	tests := []struct {
		name   string
		head   string
		trickl string
	}{
		{"header", "POST /v1/classify HTTP/1.1\r\nHost: x\r\n", "X-Pad: a\r\n"},
		{"body", "POST /v1/classify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.key +
			"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n", "1,"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			if _, err := io.WriteString(conn, tc.head); err != nil {
				t.Fatal(err)
			}
			closed := make(chan struct{})
			go func() {
				defer close(closed)
				_, _ = io.Copy(io.Discard, conn)
			}()
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-closed:
					if took := time.Since(start); took > 3*time.Second {
						t.Errorf("connection held %v", took)
					}
					return
				case <-tick.C:
					_, _ = io.WriteString(conn, tc.trickl)
					if time.Since(start) > 5*time.Second {
						t.Fatal("server still holds a trickling connection after 5 s")
					}
				}
			}
		})
	}
}

// TestServeGracefulShutdown starts the real server, holds a request in
// flight, cancels the context (as SIGTERM does in main) and checks the
// request completes, new connections are refused, Serve returns nil and no
// goroutine is left behind.
//
// Verifies: SRS-API-006
func TestServeGracefulShutdown(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	gate := newGate()
	env := newTestEnv(t, func(o *Options) { o.Classifier = gate })
	addr, stop := serveTest(t, env)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()

	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+RouteClassify, strings.NewReader(string(readTestdata(t, "strip.json"))))
		req.Header.Set("Authorization", "Bearer "+env.key)
		req.Header.Set("Content-Type", MediaJSON)
		resp, err := client.Do(req)
		if err != nil {
			done <- result{0, err}
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- result{resp.StatusCode, nil}
	}()
	<-gate.entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// Wait until the listener is closed, then let the request finish.
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if i > 500 {
			t.Fatal("listener still open 5 s after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(gate.release)
	if r := <-done; r.err != nil || r.status != 200 {
		t.Errorf("in-flight request: got %d, %v; want 200", r.status, r.err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if err := env.audit.Close(); err != nil {
		t.Error(err)
	}
	if n, err := VerifyAuditFile(env.auditPath); err != nil || n != 1 {
		t.Errorf("audit after shutdown: %d entries, %v; want 1", n, err)
	}
	client.CloseIdleConnections()
}

// TestProbesAndMetrics checks /healthz, /readyz and that /metrics counts
// requests by route and status, classifications by rhythm and names the
// model.
//
// Verifies: SRS-API-003, SRS-API-004
func TestProbesAndMetrics(t *testing.T) {
	env := newTestEnv(t, nil)
	for _, path := range []string{RouteHealthz, RouteReadyz, RouteOpenAPI} {
		w := env.do(http.MethodGet, path, nil, nil)
		if w.Code != 200 || w.Header().Get(HeaderRequestID) == "" {
			t.Errorf("%s: got %d, request id %q", path, w.Code, w.Header().Get(HeaderRequestID))
		}
	}
	body := readTestdata(t, "strip.json")
	for range 3 {
		env.classify(MediaJSON, body)
	}
	env.classify("text/plain", body)
	w := env.do(http.MethodGet, RouteMetrics, nil, nil)
	if w.Code != 200 {
		t.Fatalf("metrics: got %d", w.Code)
	}
	text := w.Body.String()
	for _, want := range []string{
		`afscan_http_requests_total{method="POST",route="/v1/classify",status="200"} 3`,
		`afscan_http_requests_total{method="POST",route="/v1/classify",status="415"} 1`,
		`afscan_http_request_duration_seconds_count{route="/v1/classify",status="200"} 3`,
		`afscan_classifications_total{rhythm="normal"} 3`,
		`afscan_classifications_total{rhythm="atrial_fibrillation"} 0`,
		`afscan_model_info{name="afscan-test",sha256="` + testModel.SHA256 + `",version="0.0.0-test"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// brokenAudit is an audit sink whose disk is full.
type brokenAudit struct{}

func (brokenAudit) Append(context.Context, AuditEntry) error { return errors.New("disk full") }
func (brokenAudit) Err() error                               { return errors.New("disk full") }

// TestReadyzFailsWithBrokenAudit: a request that cannot be audited is not
// served, so readiness turns 503 when the audit log fails.
//
// Verifies: SRS-API-003, SRS-SEC-004
func TestReadyzFailsWithBrokenAudit(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.Audit = brokenAudit{} })
	w := env.do(http.MethodGet, RouteReadyz, nil, nil)
	p := checkProblem(t, w)
	if w.Code != 503 || p.Code != "not-ready" || strings.Contains(w.Body.String(), "disk") {
		t.Errorf("got %d %s %s, want 503 not-ready without internals", w.Code, p.Code, w.Body)
	}
	w = env.classify(MediaJSON, readTestdata(t, "strip.json"))
	if p := checkProblem(t, w); w.Code != 503 || p.Code != "not-ready" {
		t.Errorf("classify with a broken audit log: got %d %s, want 503 not-ready", w.Code, p.Code)
	}
	if n := env.clf.Calls(); n != 0 {
		t.Errorf("classifier ran %d times without an audit log", n)
	}
}

// TestServeTLS serves with a certificate and checks TLS 1.1 is refused and
// 1.2 accepted.
//
// Verifies: SRS-SEC-003
func TestServeTLS(t *testing.T) {
	cert, key := testcert.Write(t)
	if _, err := New(Options{Classifier: &fake.Classifier{}, Keys: &KeyStore{}, Audit: brokenAudit{}, TLSCertFile: key, TLSKeyFile: key}); err == nil {
		t.Error("New accepted a key file as certificate")
	}
	env := newTestEnv(t, func(o *Options) { o.TLSCertFile, o.TLSKeyFile = cert, key })
	addr, stop := serveTest(t, env)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	for _, tc := range []struct {
		name    string
		max     uint16
		wantErr bool
	}{
		{"tls1.1", tlsVersion11, true},
		{"tls1.2", tlsVersion12, false},
		{"tls1.3", tlsVersion13, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, err := getTLS(addr+RouteHealthz, tc.max)
			if (err != nil) != tc.wantErr {
				t.Fatalf("got %d, %v; want error %v", status, err, tc.wantErr)
			}
			if err == nil && status != 200 {
				t.Errorf("got %d, want 200", status)
			}
		})
	}
	// Plain HTTP on the TLS port gets no service.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	line, _ := bufio.NewReader(conn).ReadString('\n')
	if strings.Contains(line, "200") {
		t.Errorf("plain HTTP answered %q", line)
	}
}

// TestRequestLogLevels: at info only failed classify requests are logged
// (the audit log has every one); at debug every request is.
func TestRequestLogLevels(t *testing.T) {
	for _, tc := range []struct {
		name  string
		level slog.Level
		want  []int // statuses logged, in order
	}{
		{"info", slog.LevelInfo, []int{415}},
		{"debug", slog.LevelDebug, []int{200, 415, 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tc.level}))
			env := newTestEnv(t, func(o *Options) { o.Logger = log })
			body := readTestdata(t, "strip.json")
			env.classify(MediaJSON, body)
			env.classify("text/plain", body)
			env.do(http.MethodGet, RouteHealthz, nil, nil)
			var got []int
			for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
				var rec struct {
					Msg    string `json:"msg"`
					Status int    `json:"status"`
				}
				if line == "" {
					continue
				}
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("%q: %v", line, err)
				}
				if rec.Msg == "request" {
					got = append(got, rec.Status)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("logged statuses %v, want %v", got, tc.want)
			}
		})
	}
}
