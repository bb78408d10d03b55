package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/afscan/afscan/api"
	"github.com/afscan/afscan/inference/input"
)

func init() { register(newBenchCmd) }

// benchConfig is `afscan bench`'s configuration.
type benchConfig struct {
	URL         string
	KeyFile     string
	DataDir     string
	RatePerS    float64
	Duration    time.Duration
	MaxInFlight int
	Workers     int
	StripS      float64
	NRecords    int
	AllowRemote bool
	CAFile      string
	PID         int
	RSSEvery    time.Duration
	JSON        bool
}

func newBenchCmd(m *Main) *cobra.Command {
	var cfg benchConfig
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load-test a running afscan serve with real ECG strips",
		Long: `Post real strips (the first --strip-s seconds of PhysioNet records under
--data, e.g. the CinC 2017 training set) to a running 'afscan serve' and
report latency percentiles and errors.

Open loop (default): requests start at a fixed --rate whether or not earlier
ones have finished, with at most --max-in-flight outstanding (a start that
finds them all busy counts as an error); latency is measured from the
scheduled start, so a stalled server is not hidden (no coordinated omission).
Closed loop (--workers N): N workers post back to back; the throughput is
the server's saturation throughput.

Targets on loopback only, unless --allow-remote. With --pid, the server's
resident memory (VmRSS) is read before and after the run (and every
--rss-every during it, for a soak), and its CPU time (utime+stime from
/proc/PID/stat) is divided by the requests served: a figure that, unlike
latency, does not depend on what else the machine is running.`,
		Example: `  afscan bench --url http://127.0.0.1:8080 --key-file k --data training2017 --rate 500 --duration 30s
  afscan bench --url http://127.0.0.1:8080 --key-file k --data training2017 --workers 8 --duration 20s
  afscan bench --url https://127.0.0.1:8443 --ca-file tls.crt --key-file k --data training2017 --rate 500`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.flagsFromEnv(cmd.Flags()); err != nil {
				return err
			}
			return m.bench(cmd.Context(), cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "base URL of the service")
	f.StringVar(&cfg.KeyFile, "key-file", "", "file holding the API key (required)")
	f.StringVar(&cfg.DataDir, "data", "", "directory of WFDB records (.hea) to take strips from (required)")
	f.Float64Var(&cfg.RatePerS, "rate", 500, "open loop: requests started per second")
	f.DurationVar(&cfg.Duration, "duration", 30*time.Second, "length of the run")
	f.IntVar(&cfg.MaxInFlight, "max-in-flight", 256, "open loop: most outstanding requests")
	f.IntVar(&cfg.Workers, "workers", 0, "closed loop with this many workers (saturation mode)")
	f.Float64Var(&cfg.StripS, "strip-s", 30, "seconds of each record to send")
	f.IntVar(&cfg.NRecords, "records", 200, "records to load (the first, in name order)")
	f.BoolVar(&cfg.AllowRemote, "allow-remote", false, "allow a target that is not loopback")
	f.StringVar(&cfg.CAFile, "ca-file", "", "PEM certificates to trust for an https --url (default: the system's)")
	f.IntVar(&cfg.PID, "pid", 0, "server process id: report its VmRSS before and after, and its CPU time per request")
	f.DurationVar(&cfg.RSSEvery, "rss-every", 0, "with --pid: also sample the server's VmRSS at this interval during the run")
	f.BoolVar(&cfg.JSON, "json", false, "print the summary as JSON")
	return cmd
}

// benchSummary is what a run measured. Latencies are in milliseconds.
type benchSummary struct {
	Mode          string         `json:"mode"`
	Requests      int            `json:"requests"`
	OK            int            `json:"ok"`
	Errors        int            `json:"errors"`
	ErrorKinds    map[string]int `json:"error_kinds,omitempty"`
	ElapsedS      float64        `json:"elapsed_s"`
	ThroughputRPS float64        `json:"throughput_rps"`
	TargetRPS     float64        `json:"target_rps,omitempty"`
	P50Ms         float64        `json:"p50_ms"`
	P90Ms         float64        `json:"p90_ms"`
	P99Ms         float64        `json:"p99_ms"`
	MaxMs         float64        `json:"max_ms"`
	// LagP99Ms is the 99th percentile of how late this load generator
	// started a request against its schedule (open loop; included in the
	// latencies): a large value means the client, not the server, was
	// short of CPU.
	LagP99Ms float64 `json:"client_lag_p99_ms"`
	// ServerP50Ms and ServerP99Ms are percentiles of the service time the
	// server reported (Server-Timing: body read to encoded answer); the
	// rest of a latency is queueing, scheduling and the network.
	ServerP50Ms   float64 `json:"server_p50_ms,omitempty"`
	ServerP99Ms   float64 `json:"server_p99_ms,omitempty"`
	Strips        int     `json:"strips"`
	StripS        float64 `json:"strip_s"`
	RSSBeforeKiB  int64   `json:"rss_before_kib,omitempty"`
	RSSAfterKiB   int64   `json:"rss_after_kib,omitempty"`
	RSSSamplesKiB []int64 `json:"rss_samples_kib,omitempty"`
	// ServerCPUMsPerReq is the server's CPU time (user+system) during
	// the run divided by the requests it answered.
	ServerCPUMsPerReq float64 `json:"server_cpu_ms_per_request,omitempty"`
	// ClientCPUMsPerReq is this load generator's own CPU time per request:
	// on one machine, client and server share the cores.
	ClientCPUMsPerReq float64 `json:"client_cpu_ms_per_request,omitempty"`
}

func (m *Main) bench(ctx context.Context, cfg benchConfig) error {
	if cfg.KeyFile == "" || cfg.DataDir == "" {
		return usageErr{errors.New("--key-file and --data are required")}
	}
	if cfg.Duration <= 0 || cfg.RatePerS <= 0 || cfg.MaxInFlight <= 0 || cfg.Workers < 0 || cfg.StripS <= 0 || cfg.NRecords <= 0 {
		return usageErr{errors.New("--duration, --rate, --max-in-flight, --strip-s and --records must be positive")}
	}
	target, err := classifyURL(cfg.URL, cfg.AllowRemote)
	if err != nil {
		return usageErr{err}
	}
	keyBytes, err := os.ReadFile(cfg.KeyFile)
	if err != nil {
		return usageErr{fmt.Errorf("--key-file: %w", err)}
	}
	key := strings.TrimSpace(string(keyBytes))
	tlsConfig, err := benchTLSConfig(cfg.CAFile)
	if err != nil {
		return usageErr{err}
	}
	bodies, err := loadStrips(ctx, cfg.DataDir, cfg.NRecords, cfg.StripS)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "bench: %d strips of %g s from %s; target %s\n", len(bodies), cfg.StripS, cfg.DataDir, target)

	conns := cfg.MaxInFlight
	if cfg.Workers > 0 {
		conns = cfg.Workers
	}
	// A write buffer that holds a whole request sends it in one or two
	// write calls; the default 4 KiB cuts a 30 s strip into ~15 segments,
	// each costing a system call here and a wake-up in the server.
	maxBody := 0
	for _, b := range bodies {
		maxBody = max(maxBody, len(b))
	}
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, DisableCompression: true, IdleConnTimeout: time.Minute,
		WriteBufferSize: maxBody + 4<<10, TLSClientConfig: tlsConfig}
	defer tr.CloseIdleConnections()
	// No client timeout: a slow answer is a latency to report, and a hung
	// one ends with the run's context.
	post := newPoster(tr, target, key)
	// Warm the connections and the server before measuring.
	for i := range min(conns, 16) {
		if _, err := post(ctx, bodies[i%len(bodies)]); err != nil {
			return fmt.Errorf("warm-up request: %w", err)
		}
	}

	var sum benchSummary
	var serverCPU0 time.Duration
	if cfg.PID > 0 {
		if sum.RSSBeforeKiB, err = vmRSSKiB(cfg.PID); err != nil {
			return usageErr{fmt.Errorf("--pid: %w", err)}
		}
		if serverCPU0, err = procCPU(cfg.PID); err != nil {
			return usageErr{fmt.Errorf("--pid: %w", err)}
		}
	}
	stopRSS := func() []int64 { return nil }
	if cfg.PID > 0 && cfg.RSSEvery > 0 {
		stopRSS = sampleRSS(ctx, cfg.PID, cfg.RSSEvery)
	}
	clientCPU0 := selfCPU()
	rec := newLatencyRecorder()
	start := time.Now()
	if cfg.Workers > 0 {
		sum.Mode = fmt.Sprintf("closed loop, %d workers", cfg.Workers)
		if cfg.Workers == 1 {
			sum.Mode = "closed loop, 1 worker"
		}
		runClosedLoop(ctx, cfg, bodies, post, rec)
	} else {
		sum.Mode = "open loop"
		sum.TargetRPS = cfg.RatePerS
		runOpenLoop(ctx, cfg, bodies, post, rec)
	}
	elapsed := time.Since(start)
	clientCPU := selfCPU() - clientCPU0
	sum.RSSSamplesKiB = stopRSS()
	var serverCPU time.Duration
	if cfg.PID > 0 {
		if sum.RSSAfterKiB, err = vmRSSKiB(cfg.PID); err != nil {
			return fmt.Errorf("--pid: %w", err)
		}
		cpu, err := procCPU(cfg.PID)
		if err != nil {
			return fmt.Errorf("--pid: %w", err)
		}
		serverCPU = cpu - serverCPU0
	}
	rec.summarize(&sum, elapsed)
	if sum.OK > 0 {
		if cfg.PID > 0 {
			sum.ServerCPUMsPerReq = ms(serverCPU) / float64(sum.OK)
		}
		sum.ClientCPUMsPerReq = ms(clientCPU) / float64(sum.OK)
	}
	sum.Strips, sum.StripS = len(bodies), cfg.StripS
	if cfg.JSON {
		b, _ := json.Marshal(sum)
		fmt.Fprintln(m.Stdout, string(b))
	} else {
		printBench(m.Stdout, sum)
	}
	if sum.Errors > 0 {
		return fmt.Errorf("%d of %d requests failed: %w", sum.Errors, sum.Requests, errCheckFailed)
	}
	return ctx.Err()
}

// postFunc sends one strip and returns the service time the server
// reported (Server-Timing; 0 when absent).
type postFunc func(ctx context.Context, body []byte) (time.Duration, error)

// newPoster returns a postFunc that posts to target through rt. The URL is
// parsed once and the header map is built once and shared: RoundTrip only
// reads a request's header, and nothing here writes it after this.
func newPoster(rt http.RoundTripper, target, key string) postFunc {
	u, err := url.Parse(target)
	if err != nil {
		return func(context.Context, []byte) (time.Duration, error) { return 0, err }
	}
	header := http.Header{
		"Content-Type":  {api.MediaJSON},
		"Authorization": {"Bearer " + key},
	}
	return func(ctx context.Context, body []byte) (time.Duration, error) {
		req := (&http.Request{
			Method: http.MethodPost, URL: u, Host: u.Host, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: header, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
		}).WithContext(ctx)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("status %d", resp.StatusCode)
		}
		return serverTiming(resp.Header.Get(api.HeaderServerTiming)), nil
	}
}

// serverTiming reads the duration of a "classify;dur=MS" Server-Timing
// header; 0 when there is none.
func serverTiming(h string) time.Duration {
	v, ok := strings.CutPrefix(h, "classify;dur=")
	if !ok {
		return 0
	}
	msV, err := strconv.ParseFloat(v, 64)
	if err != nil || msV < 0 {
		return 0
	}
	return time.Duration(msV * float64(time.Millisecond))
}

// benchTLSConfig is the client's TLS configuration: TLS 1.2 or later (what
// serve accepts), trusting the certificates in caFile, or the system's
// roots when caFile is empty.
func benchTLSConfig(caFile string) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return c, nil
	}
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	c.RootCAs = x509.NewCertPool()
	if !c.RootCAs.AppendCertsFromPEM(pemBytes) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate", caFile)
	}
	return c, nil
}

// classifyURL returns base's classify endpoint and refuses a host that is
// not loopback unless allowRemote: a load generator must not be pointed at
// someone else's service by accident.
func classifyURL(base string, allowRemote bool) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--url %q: want http(s)://host:port", base)
	}
	if !allowRemote && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("--url %q is not loopback; pass --allow-remote to load a remote service", base)
	}
	return strings.TrimSuffix(u.String(), "/") + api.RouteClassify, nil
}

// loadStrips reads up to n records (.hea, in name order) under dir, cuts the
// first stripS seconds of the first lead and encodes each as an afscan JSON
// body; records shorter than stripS are skipped.
func loadStrips(ctx context.Context, dir string, n int, stripS float64) ([][]byte, error) {
	var heads []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".hea") {
			heads = append(heads, p)
		}
		return nil
	})
	if err != nil {
		return nil, usageErr{fmt.Errorf("--data: %w", err)}
	}
	slices.Sort(heads)
	var bodies [][]byte
	for _, h := range heads {
		if len(bodies) == n {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec, err := input.ReadFile(h)
		if err != nil || len(rec.Leads) == 0 {
			continue // a multi-file data set may hold a broken record; skip it
		}
		nKeep := int(stripS * rec.SampleRateHz)
		s := rec.Leads[0].Samples
		if len(s) < nKeep {
			continue
		}
		body, err := stripBody(rec.SampleRateHz, s[:nKeep])
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, body)
	}
	if len(bodies) == 0 {
		return nil, usageErr{fmt.Errorf("--data %s: no record of at least %g s", dir, stripS)}
	}
	return bodies, nil
}

func stripBody(rateHz float64, samples []float64) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"sample_rate_hz":`)
	b.WriteString(strconv.FormatFloat(rateHz, 'g', -1, 64))
	b.WriteString(`,"units":"mV","samples":[`)
	for i, v := range samples {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(v, 'g', 6, 64))
	}
	b.WriteString("]}")
	if !json.Valid(b.Bytes()) {
		return nil, errors.New("strip does not encode as JSON")
	}
	return b.Bytes(), nil
}

// runOpenLoop starts request i at start + i/rate until the duration is
// over, then waits for the outstanding ones.
func runOpenLoop(ctx context.Context, cfg benchConfig, bodies [][]byte, post postFunc, rec *latencyRecorder) {
	interval := time.Duration(float64(time.Second) / cfg.RatePerS)
	n := int(cfg.Duration / interval)
	sem := make(chan struct{}, cfg.MaxInFlight)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		scheduled := start.Add(time.Duration(i) * interval)
		// Precise sleeps in slices of at most 10 ms, so that cancellation
		// is noticed at low rates too.
		for d := time.Until(scheduled); d > 0; d = time.Until(scheduled) {
			if ctx.Err() != nil {
				wg.Wait()
				return
			}
			sleepPrecise(min(d, 10*time.Millisecond))
		}
		select {
		case sem <- struct{}{}:
		default:
			rec.add(sample{}, errors.New("client: max in flight reached"))
			continue
		}
		body := bodies[i%len(bodies)]
		wg.Go(func() {
			defer func() { <-sem }()
			// Lag: how late this load generator started the request (a
			// busy machine delays it); the latency still counts it.
			lag := time.Since(scheduled)
			srv, err := post(ctx, body)
			rec.add(sample{took: time.Since(scheduled), lag: lag, server: srv}, err)
		})
		// Let the request start now on this P rather than wait in its run
		// queue while this goroutine sleeps in a system call (the P is
		// only retaken after a while).
		runtime.Gosched()
	}
	wg.Wait()
}

// runClosedLoop has each worker post back to back until the duration ends.
func runClosedLoop(ctx context.Context, cfg benchConfig, bodies [][]byte, post postFunc, rec *latencyRecorder) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				body := bodies[int(next.Add(1))%len(bodies)]
				t0 := time.Now()
				srv, err := post(context.WithoutCancel(ctx), body)
				rec.add(sample{took: time.Since(t0), server: srv}, err)
			}
		})
	}
	wg.Wait()
}

// sample is one answered request: its latency, how late the load
// generator started it (open loop) and the service time the server
// reported.
type sample struct {
	took, lag, server time.Duration
}

// latencyRecorder collects request outcomes from many goroutines.
type latencyRecorder struct {
	mu                   sync.Mutex
	latencies, lags, srv []time.Duration
	errKinds             map[string]int
	nErr                 int
}

func newLatencyRecorder() *latencyRecorder {
	const n = 1 << 16
	return &latencyRecorder{
		latencies: make([]time.Duration, 0, n), lags: make([]time.Duration, 0, n), srv: make([]time.Duration, 0, n),
		errKinds: map[string]int{},
	}
}

func (r *latencyRecorder) add(s sample, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.nErr++
		kind := err.Error()
		if len(kind) > 80 {
			kind = kind[:80]
		}
		r.errKinds[kind]++
		return
	}
	r.latencies = append(r.latencies, s.took)
	r.lags = append(r.lags, s.lag)
	if s.server > 0 {
		r.srv = append(r.srv, s.server)
	}
}

func (r *latencyRecorder) summarize(s *benchSummary, elapsed time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.Sort(r.latencies)
	slices.Sort(r.lags)
	slices.Sort(r.srv)
	s.OK, s.Errors = len(r.latencies), r.nErr
	s.Requests = s.OK + s.Errors
	if s.Errors > 0 {
		s.ErrorKinds = r.errKinds
	}
	s.ElapsedS = elapsed.Seconds()
	s.ThroughputRPS = float64(s.OK) / elapsed.Seconds()
	s.P50Ms = ms(percentile(r.latencies, 0.50))
	s.P90Ms = ms(percentile(r.latencies, 0.90))
	s.P99Ms = ms(percentile(r.latencies, 0.99))
	if len(r.latencies) > 0 {
		s.MaxMs = ms(r.latencies[len(r.latencies)-1])
	}
	s.LagP99Ms = ms(percentile(r.lags, 0.99))
	if len(r.srv) > 0 {
		s.ServerP50Ms = ms(percentile(r.srv, 0.50))
		s.ServerP99Ms = ms(percentile(r.srv, 0.99))
	}
}

// percentile is the nearest-rank percentile of sorted d; 0 for empty d.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(p*float64(len(d))+0.999999) - 1
	return d[min(max(i, 0), len(d)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printBench(w io.Writer, s benchSummary) {
	fmt.Fprintf(w, "mode        %s\n", s.Mode)
	if s.TargetRPS > 0 {
		fmt.Fprintf(w, "target      %.0f req/s\n", s.TargetRPS)
	}
	fmt.Fprintf(w, "requests    %d in %.1f s (%d ok, %d errors)\n", s.Requests, s.ElapsedS, s.OK, s.Errors)
	for k, n := range s.ErrorKinds {
		fmt.Fprintf(w, "  error     %dx %s\n", n, k)
	}
	fmt.Fprintf(w, "throughput  %.1f req/s\n", s.ThroughputRPS)
	fmt.Fprintf(w, "latency ms  p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", s.P50Ms, s.P90Ms, s.P99Ms, s.MaxMs)
	if s.ServerP50Ms > 0 {
		fmt.Fprintf(w, "service ms  p50 %.3f  p99 %.3f (Server-Timing: in the handler)\n", s.ServerP50Ms, s.ServerP99Ms)
	}
	if s.TargetRPS > 0 {
		fmt.Fprintf(w, "client lag  p99 %.3f ms (start behind schedule; counted in the latency)\n", s.LagP99Ms)
	}
	if s.RSSBeforeKiB > 0 {
		fmt.Fprintf(w, "server RSS  %d KiB before, %d KiB after\n", s.RSSBeforeKiB, s.RSSAfterKiB)
	}
	if len(s.RSSSamplesKiB) > 0 {
		fmt.Fprintf(w, "RSS trace   %v KiB\n", s.RSSSamplesKiB)
	}
	if s.ServerCPUMsPerReq > 0 {
		fmt.Fprintf(w, "server CPU  %.3f ms per request\n", s.ServerCPUMsPerReq)
	}
	if s.ClientCPUMsPerReq > 0 {
		fmt.Fprintf(w, "client CPU  %.3f ms per request (this load generator)\n", s.ClientCPUMsPerReq)
	}
}

// sampleRSS reads pid's VmRSS every interval until the returned function
// is called, which returns the samples.
func sampleRSS(ctx context.Context, pid int, every time.Duration) func() []int64 {
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	var samples []int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if v, err := vmRSSKiB(pid); err == nil {
					mu.Lock()
					samples = append(samples, v)
					mu.Unlock()
				}
			}
		}
	}()
	return func() []int64 {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return samples
	}
}

// clockTicksPerS is USER_HZ, the unit of /proc/PID/stat's times: 100 on
// every Linux architecture Go supports.
const clockTicksPerS = 100

// procCPU returns a process's CPU time so far (utime + stime, fields 14
// and 15 of /proc/PID/stat).
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStatCPU(string(data))
}

// parseProcStatCPU reads utime + stime from a /proc/PID/stat line. The
// command name (field 2) is in parentheses and may hold spaces, so fields
// are counted after its closing parenthesis.
func parseProcStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(stat[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, errors.New("malformed /proc stat")
	}
	var ticks int64
	for _, s := range f[11:13] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("malformed /proc stat: %w", err)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / clockTicksPerS, nil
}

// selfCPU returns this process's CPU time so far (user + system), 0 where
// /proc is missing.
func selfCPU() time.Duration {
	d, err := procCPU(os.Getpid())
	if err != nil {
		return 0
	}
	return d
}

// vmRSSKiB reads a process's resident set size from /proc/PID/status.
func vmRSSKiB(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}
