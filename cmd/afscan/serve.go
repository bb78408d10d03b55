package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/afscan/afscan/api"
	"github.com/afscan/afscan/inference"
)

// serveHeapBudget is how large serve lets the Go heap grow before the
// collector runs, unless GOGC or GOMEMLIMIT is in the environment; in a
// container a smaller serveMemoryFraction of the memory limit wins.
const serveHeapBudget = 256 << 20

// serveGCPercent is the garbage collector target serve sets when GOMEMLIMIT
// is in the environment and GOGC is not.
const serveGCPercent = 400

// serveMemoryFraction is the share of a container's memory limit serve
// gives the Go heap as its soft limit unless GOMEMLIMIT is set.
const serveMemoryFraction = 0.8

// cgroupMemoryFiles are where a container's memory limit is read: cgroup
// v2, then v1, as seen from inside the container's cgroup namespace.
func cgroupMemoryFiles() []string {
	return []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}
}

func init() {
	register(func(m *Main) *cobra.Command {
		return newServeCmd(m, serveDeps{newClassifier: embeddedClassifier})
	})
}

// embeddedClassifier loads the model embedded in the binary.
func embeddedClassifier(context.Context) (api.Classifier, error) {
	return inference.NewDefault()
}

// serveConfig is `afscan serve`'s configuration: flags, then AFSCAN_
// environment variables, then these defaults.
type serveConfig struct {
	Addr         string
	DataDir      string
	KeysFile     string
	AuditFile    string
	DeviceKey    string
	AuditSync    time.Duration
	TLSCert      string
	TLSKey       string
	RequireTLS   bool
	MaxBodyBytes int64
	MaxInFlight  int
	LogLevel     string
	LogFormat    string
	CPUProfile   string
}

// serveDeps are what `afscan serve` builds on; tests swap the classifier and
// learn the listening address.
type serveDeps struct {
	newClassifier func(ctx context.Context) (api.Classifier, error)
	onListen      func(net.Addr)
}

func newServeCmd(m *Main, deps serveDeps) *cobra.Command {
	var cfg serveConfig
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP inference service (POST /v1/classify)",
		Long: `Run the HTTP inference service of DESIGN.md on the embedded model.

With no flags it listens on 127.0.0.1:8080 and keeps its key store and
audit log in the data directory (default: the user's config directory
/afscan). On first start it creates an API key and prints it once on stdout;
manage keys with 'afscan keys'. There is no default key.

Every flag can also be set as an AFSCAN_ environment variable
(--data-dir → AFSCAN_DATA_DIR); flags win.`,
		Example: `  afscan serve
  afscan serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --require-tls`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.flagsFromEnv(cmd.Flags()); err != nil {
				return err
			}
			return m.serve(cmd.Context(), cfg, deps)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address (host:port)")
	f.StringVar(&cfg.DataDir, "data-dir", "", "directory of the key store and audit log (default: user config dir/afscan)")
	f.StringVar(&cfg.KeysFile, "keys-file", "", "API key store (default: DATA-DIR/keys.json); may be a mounted Secret")
	f.StringVar(&cfg.AuditFile, "audit-file", "", "audit log (default: DATA-DIR/audit.log)")
	f.DurationVar(&cfg.AuditSync, "audit-sync-every", 10*time.Millisecond, "longest an audit entry, written before its answer, waits for fsync (group commit; the power-loss window)")
	f.StringVar(&cfg.DeviceKey, "device-key-file", "", "secret the audit log hashes device ids with, created on first start (default: DATA-DIR/device.key)")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate chain; with --tls-key serves TLS 1.2+ only")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	f.BoolVar(&cfg.RequireTLS, "require-tls", false, "refuse to listen on a non-loopback address without TLS")
	f.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", api.DefaultMaxBodyBytes, "largest accepted request body (2 MiB holds a 60 s strip at 1 kHz)")
	f.IntVar(&cfg.MaxInFlight, "max-in-flight", 0, "concurrent classify requests before 503 (default 4×CPUs)")
	f.StringVar(&cfg.LogLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&cfg.LogFormat, "log-format", "json", "json or text (structured logs on stderr)")
	// For profiling the service under load (the CPU breakdown in the
	// README); hidden because it is a developer's tool, not a setting.
	f.StringVar(&cfg.CPUProfile, "cpu-profile", "", "write a pprof CPU profile of the run, from listening to shutdown, to this file")
	_ = f.MarkHidden("cpu-profile")
	return cmd
}

// flagsFromEnv sets every flag not given on the command line from its
// AFSCAN_ environment variable, when that is set.
func (m *Main) flagsFromEnv(fs *pflag.FlagSet) error {
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || f.Name == "help" {
			return
		}
		if v := m.env(f.Name); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, usageErr{fmt.Errorf("AFSCAN_%s: %w", strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_")), err)})
			}
		}
	})
	return errors.Join(errs...)
}

// defaultDataDir returns dir, or the default data directory when dir is
// empty.
func defaultDataDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	c, err := os.UserConfigDir()
	if err != nil {
		return "", usageErr{fmt.Errorf("no data directory: set --data-dir or AFSCAN_DATA_DIR (%v)", err)}
	}
	return filepath.Join(c, "afscan"), nil
}

// resolveDataDir returns the data directory, creating it with mode 0700.
func resolveDataDir(dir string) (string, error) {
	dir, err := defaultDataDir(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	return dir, nil
}

func keysPath(dataDir, keysFile string) string {
	if keysFile != "" {
		return keysFile
	}
	return filepath.Join(dataDir, "keys.json")
}

func deviceKeyPath(dataDir, file string) string {
	if file != "" {
		return file
	}
	return filepath.Join(dataDir, "device.key")
}

// isLoopback reports whether a listen host only accepts local connections.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func newLogger(cfg serveConfig, m *Main) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, usageErr{fmt.Errorf("--log-level: %w", err)}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch cfg.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(m.Stderr, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(m.Stderr, opts)), nil
	}
	return nil, usageErr{fmt.Errorf("--log-format %q: want json or text", cfg.LogFormat)}
}

// configureGC sets serve's garbage collector defaults; GOGC and GOMEMLIMIT
// in the environment win.
//
// Heap budget: a classification allocates ~230 kB (mostly the ONNX
// runtime's per-node tensors) against a live heap of a few MB, so any
// proportional target (GOGC) collects several times a second at 500
// requests/s, and the requests that overlap a cycle's marking and its
// assists lengthen the latency tail. With the collector off and a soft
// memory limit of serveHeapBudget it runs once every ~2 s there instead
// (13 collections in 30 s against ~160 at GOGC=400): in ten interleaved
// pairs of runs at 500 requests/s (afscan bench) p99 was lower in eight,
// by 0.3 ms at the median, for a resident set of ~266 MiB instead of
// ~58 MiB. In a container with a memory limit (cgroup memory.max) the
// budget is at most 80 % of it, which also bounds the heap when
// --max-in-flight large strips are in work at once.
//
// With only GOMEMLIMIT set, GOGC is 400 (at the default 100 the collector
// and the scavenger took ~25 % of the server's CPU at 500 requests/s);
// with only GOGC set, the container's 80 % is the soft limit.
func configureGC(getenv func(string) string, log *slog.Logger, limitFiles []string) {
	gogc, memLimit := getenv("GOGC"), getenv("GOMEMLIMIT")
	switch {
	case gogc == "" && memLimit == "":
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(min(serveHeapBudget, containerHeapLimit(limitFiles)))
	case gogc == "":
		debug.SetGCPercent(serveGCPercent)
	case memLimit == "":
		debug.SetMemoryLimit(containerHeapLimit(limitFiles))
	}
	gcPercent := debug.SetGCPercent(-1)
	debug.SetGCPercent(gcPercent)
	attrs := []any{"gogc", gcPercent}
	if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
		attrs = append(attrs, "memory_limit_bytes", limit)
	}
	log.Info("garbage collector", attrs...)
}

// containerHeapLimit is serveMemoryFraction of the memory limit in the first
// of limitFiles that exists, or math.MaxInt64 (no limit).
func containerHeapLimit(limitFiles []string) int64 {
	for _, f := range limitFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if limit, ok := parseMemoryLimit(string(data)); ok {
			return int64(float64(limit) * serveMemoryFraction)
		}
		break
	}
	return math.MaxInt64
}

// startCPUProfile starts a pprof CPU profile written to path; the returned
// function stops it and closes the file.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// parseMemoryLimit reads a cgroup memory limit file: bytes, or "max" (v2)
// or a number near 2^63 (v1) for none.
func parseMemoryLimit(s string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v <= 0 || v >= 1<<60 {
		return 0, false
	}
	return v, true
}

// serve runs the service until ctx is done (SIGTERM or SIGINT in main),
// then drains in-flight requests and closes the audit log.
func (m *Main) serve(ctx context.Context, cfg serveConfig, deps serveDeps) error {
	log, err := newLogger(cfg, m)
	if err != nil {
		return err
	}
	configureGC(m.Getenv, log, cgroupMemoryFiles())
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return usageErr{errors.New("--tls-cert and --tls-key go together")}
	}
	if cfg.AuditSync <= 0 {
		return usageErr{fmt.Errorf("--audit-sync-every %v: want a positive duration", cfg.AuditSync)}
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return usageErr{fmt.Errorf("--addr %q: %w", cfg.Addr, err)}
	}
	if cfg.TLSCert == "" && !isLoopback(host) {
		if cfg.RequireTLS {
			return usageErr{fmt.Errorf("--addr %s is not loopback and no --tls-cert is given (--require-tls)", cfg.Addr)}
		}
		log.Warn("SERVING PLAIN HTTP ON A NON-LOOPBACK ADDRESS: API keys and ECG data cross the network unencrypted; use --tls-cert/--tls-key or a TLS-terminating proxy, and --require-tls to forbid this",
			"addr", cfg.Addr)
	}
	dataDir, err := resolveDataDir(cfg.DataDir)
	if err != nil {
		return err
	}

	keys, err := api.OpenKeyStore(keysPath(dataDir, cfg.KeysFile))
	if err != nil {
		return err
	}
	if !keys.Exists() {
		key, info, err := keys.Create("initial", m.Now())
		if err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, key)
		log.Warn("first start: created an API key and printed it once on stdout; it is stored only as a hash, store it now",
			"key_id", info.ID, "keys_file", keys.Path())
	} else if keys.Active() == 0 {
		log.Warn("no active API key: every classify request will be refused; run afscan keys create", "keys_file", keys.Path())
	}

	auditPath := cfg.AuditFile
	if auditPath == "" {
		auditPath = filepath.Join(dataDir, "audit.log")
	}
	deviceKey, err := api.LoadOrCreateDeviceKey(deviceKeyPath(dataDir, cfg.DeviceKey))
	if err != nil {
		return err
	}
	audit, err := api.OpenAudit(auditPath, api.AuditOptions{Logger: log, Now: m.Now, SyncEvery: cfg.AuditSync})
	if err != nil {
		return err
	}
	defer audit.Close()

	clf, err := deps.newClassifier(ctx)
	if err != nil {
		return fmt.Errorf("load model: %w", err)
	}
	srv, err := api.New(api.Options{
		Classifier:   clf,
		Decoders:     api.DefaultDecoders(),
		Keys:         keys,
		Audit:        audit,
		DeviceKey:    deviceKey,
		Logger:       log,
		Now:          m.Now,
		MaxBodyBytes: cfg.MaxBodyBytes,
		MaxInFlight:  cfg.MaxInFlight,
		TLSCertFile:  cfg.TLSCert,
		TLSKeyFile:   cfg.TLSKey,
	})
	if err != nil {
		return usageErr{err}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	model := clf.Model()
	log.Info("listening", "addr", ln.Addr().String(), "tls", srv.TLS(), "data_dir", dataDir,
		"model", model.Name, "model_version", model.Version, "model_sha256", model.SHA256)
	if cfg.CPUProfile != "" {
		stop, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	if deps.onListen != nil {
		deps.onListen(ln.Addr())
	}
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	if err := audit.Close(); err != nil {
		return fmt.Errorf("close audit log: %w", err)
	}
	log.Info("stopped", "audit_file", auditPath)
	return nil
}
