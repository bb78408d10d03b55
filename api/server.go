package api

import (
	"bytes"
	"context"
	"crypto/tls"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/afscan/afscan/inference"
)

// Defaults of Options. DefaultMaxBodyBytes fits a 60 s strip at 1 kHz in
// afscan JSON (60 000 numbers of up to ~25 characters ≈ 1.5 MB) with room.
const (
	DefaultMaxBodyBytes      = 2 << 20
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultClassifyTimeout   = 10 * time.Second
	DefaultShutdownTimeout   = 25 * time.Second
	// RetryAfterSeconds is the Retry-After of an overload 503: classifying
	// takes milliseconds, so a second is ample.
	RetryAfterSeconds = 1
)

// Routes of the service (DESIGN.md, HTTP API v1).
const (
	RouteClassify = "/v1/classify"
	RouteHealthz  = "/healthz"
	RouteReadyz   = "/readyz"
	RouteMetrics  = "/metrics"
	RouteOpenAPI  = "/openapi.json"
)

// Media types the service speaks.
const (
	MediaJSON    = "application/json"
	MediaFHIR    = "application/fhir+json"
	MediaProblem = "application/problem+json"
)

// HeaderRequestID carries the request's uuid on every response.
const HeaderRequestID = "X-Request-ID"

// HeaderServerTiming carries a 200 classify answer's processing time
// (W3C Server Timing: "classify;dur=" milliseconds).
const HeaderServerTiming = "Server-Timing"

// Authenticator checks a presented API key; *KeyStore is the production one.
type Authenticator interface {
	Authenticate(key string) (keyID string, err error)
}

// AuditSink records one entry per classify request; *AuditLog is the
// production one. The answer waits for Append: when it fails, a result is
// withheld (503). Err reports a broken sink, which makes the service not
// ready.
type AuditSink interface {
	Append(ctx context.Context, e AuditEntry) error
	Err() error
}

// Options configures New. Classifier, Keys and Audit are required; zero
// values of the rest take the Default constants.
type Options struct {
	Classifier Classifier
	Decoders   Decoders
	Keys       Authenticator
	Audit      AuditSink
	// DeviceKey, when set, makes the audit record the device a request
	// names (the device id its DecodeFunc returns: afscan JSON's device_id,
	// a FHIR Observation's device reference) as its keyed hash
	// (AuditEntry.DeviceHMAC); without it no device is recorded.
	DeviceKey *DeviceKey
	Logger    *slog.Logger
	// Now is the clock for processing times and FHIR issued stamps.
	Now func() time.Time

	MaxBodyBytes int64
	// MaxInFlight bounds concurrent classify requests; the next one gets
	// 503 with Retry-After. 4×GOMAXPROCS when zero.
	MaxInFlight int

	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ClassifyTimeout   time.Duration
	ShutdownTimeout   time.Duration

	// TLSCertFile and TLSKeyFile, when both set, make Serve speak TLS 1.2+
	// only.
	TLSCertFile string
	TLSKeyFile  string
}

// Server is the HTTP service. Create it with New, run it with Serve or
// mount Handler in a test.
type Server struct {
	opts     Options
	tlsCert  *tls.Certificate
	log      *slog.Logger
	now      func() time.Time
	engine   *gin.Engine
	metrics  *metrics
	model    inference.ModelInfo
	sem      chan struct{}
	bufs     sync.Pool // request bodies (*bytes.Buffer)
	samples  sync.Pool // decoded samples (*[]float64)
	bodies   sync.Pool // response bodies (*[]byte)
	draining atomic.Bool
}

// New builds the server and its routes.
func New(opts Options) (*Server, error) {
	if opts.Classifier == nil || opts.Keys == nil || opts.Audit == nil {
		return nil, errors.New("api: Classifier, Keys and Audit are required")
	}
	if (opts.TLSCertFile == "") != (opts.TLSKeyFile == "") {
		return nil, errors.New("api: give both a TLS certificate and a key, or neither")
	}
	setDefault(&opts.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&opts.MaxInFlight, 4*runtime.GOMAXPROCS(0))
	setDefault(&opts.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDefault(&opts.ReadTimeout, DefaultReadTimeout)
	setDefault(&opts.WriteTimeout, DefaultWriteTimeout)
	setDefault(&opts.IdleTimeout, DefaultIdleTimeout)
	setDefault(&opts.ClassifyTimeout, DefaultClassifyTimeout)
	setDefault(&opts.ShutdownTimeout, DefaultShutdownTimeout)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:  opts,
		log:   opts.Logger,
		now:   opts.Now,
		model: opts.Classifier.Model(),
		sem:   make(chan struct{}, opts.MaxInFlight),
	}
	if opts.TLSCertFile != "" {
		// Load now so a bad certificate fails before anything listens.
		cert, err := tls.LoadX509KeyPair(opts.TLSCertFile, opts.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("api: load TLS certificate: %w", err)
		}
		s.tlsCert = &cert
	}
	s.metrics = newMetrics(s.model)
	s.engine = s.routes()
	return s, nil
}

func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// routes builds the gin engine. gin's debug mode prints to stdout; release
// mode is an atomic process-wide switch gin offers no per-engine form of.
func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(s.withRequestID, s.withObserve, s.withRecover)
	e.NoRoute(func(c *gin.Context) { s.writeProblem(c, ErrNotFound) })
	e.NoMethod(func(c *gin.Context) { s.writeProblem(c, ErrMethodNotAllowed) })

	e.POST(RouteClassify, s.handleClassify)
	e.GET(RouteHealthz, s.handleHealthz)
	e.GET(RouteReadyz, s.handleReadyz)
	e.GET(RouteMetrics, gin.WrapH(s.metrics.handler()))
	e.GET(RouteOpenAPI, s.handleOpenAPI)
	return e
}

// Handler returns the service's HTTP handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Route is one method and path the service answers.
type Route struct {
	Method string
	Path   string
}

// Routes lists the registered routes (the OpenAPI test compares them with
// the document's paths).
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.engine.Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}

// HTTPServer returns an http.Server for Handler with the configured
// timeouts and, when certificate files are set, a TLS 1.2+ configuration.
func (s *Server) HTTPServer() *http.Server {
	srv := &http.Server{
		Handler: s.engine,
		// ReadHeaderTimeout and ReadTimeout cut off slow-loris clients
		// that trickle headers or a body to hold connections open.
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if s.tlsCert != nil {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{*s.tlsCert}}
	}
	return srv
}

// TLS reports whether Serve speaks TLS.
func (s *Server) TLS() bool { return s.tlsCert != nil }

// Serve answers requests on ln until ctx is done, then shuts down
// gracefully: readiness turns 503, the listener closes, in-flight requests
// finish (up to ShutdownTimeout). It returns nil after a clean shutdown.
// The caller closes the audit log after Serve returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.HTTPServer()
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// Keys of values a request carries through gin's context.
const (
	ctxRequestID = "afscan.request_id"
	ctxKeyID     = "afscan.key_id"
	ctxErr       = "afscan.err"
)

func (s *Server) withRequestID(c *gin.Context) {
	id := uuid.NewString()
	c.Set(ctxRequestID, id)
	c.Header(HeaderRequestID, id)
	c.Next()
}

// withObserve records metrics and writes one log line per request: at
// info for a classify request that failed (4xx, 5xx) and any 5xx, at debug
// for the rest. A successful classification is not logged at info: the
// audit log already has a line for it, and at hundreds of requests a
// second a second line per request costs a write system call and log
// volume for nothing new.
func (s *Server) withObserve(c *gin.Context) {
	start := time.Now()
	c.Next()
	took := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	s.metrics.observe(route, c.Request.Method, status, took)
	level := slog.LevelDebug
	if route == RouteClassify && status >= 400 || status >= 500 {
		level = slog.LevelInfo
	}
	if !s.log.Enabled(c.Request.Context(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("request_id", c.GetString(ctxRequestID)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
	}
	if k := c.GetString(ctxKeyID); k != "" {
		attrs = append(attrs, slog.String("key_id", k))
	}
	if v, ok := c.Get(ctxErr); ok {
		attrs = append(attrs, slog.Any("err", v))
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// withRecover turns a handler panic into a 500 problem and a log line; it
// never lets a panic take the process down.
func (s *Server) withRecover(c *gin.Context) {
	defer func() {
		rec := recover()
		if rec == nil {
			return
		}
		if rec == http.ErrAbortHandler {
			panic(rec)
		}
		buf := make([]byte, 8<<10)
		buf = buf[:runtime.Stack(buf, false)]
		s.log.Error("handler panic", "request_id", c.GetString(ctxRequestID), "panic", fmt.Sprint(rec), "stack", string(buf))
		if !c.Writer.Written() {
			s.writeProblem(c, fmt.Errorf("panic: %v", rec))
		}
		c.Abort()
	}()
	c.Next()
}

// writeProblem answers err as RFC 9457 problem+json. The full error goes
// to the request's log line; the response carries only the table's title
// and, for input errors, the error's own sentence.
func (s *Server) writeProblem(c *gin.Context, err error) {
	p := problemFor(err, c.GetString(ctxRequestID))
	c.Set(ctxErr, err.Error())
	switch p.Status {
	case http.StatusUnauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="afscan"`)
	case http.StatusServiceUnavailable:
		c.Header("Retry-After", fmt.Sprint(RetryAfterSeconds))
	}
	body, _ := json.Marshal(p)
	c.Data(p.Status, MediaProblem, body)
	c.Abort()
}

func (s *Server) handleHealthz(c *gin.Context) {
	c.Data(http.StatusOK, MediaJSON, []byte(`{"status":"ok"}`))
}

// handleReadyz answers 503 while draining for shutdown or when the audit
// log cannot be written: a request that cannot be audited is not served.
func (s *Server) handleReadyz(c *gin.Context) {
	if s.draining.Load() {
		s.writeProblem(c, fmt.Errorf("draining for shutdown: %w", ErrNotReady))
		return
	}
	if err := s.opts.Audit.Err(); err != nil {
		s.writeProblem(c, fmt.Errorf("audit log: %v: %w", err, ErrNotReady))
		return
	}
	body, _ := json.Marshal(struct {
		Status string              `json:"status"`
		Model  inference.ModelInfo `json:"model"`
	}{"ready", s.model})
	c.Data(http.StatusOK, MediaJSON, body)
}

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the service's OpenAPI 3.1 document (a copy).
func OpenAPI() []byte { return bytes.Clone(openAPIDoc) }

func (s *Server) handleOpenAPI(c *gin.Context) {
	c.Data(http.StatusOK, MediaJSON, openAPIDoc)
}
