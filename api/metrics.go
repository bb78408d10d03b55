package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

// metrics are the service's Prometheus collectors, registered on a registry
// of their own (never the global one) so that several servers, e.g. in
// tests, do not collide.
type metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.CounterVec
	duration        *prometheus.HistogramVec
	classifications *prometheus.CounterVec
	inFlight        prometheus.Gauge
}

func newMetrics(model inference.ModelInfo) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "afscan_http_requests_total",
			Help: "HTTP requests by route template, method and status code.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "afscan_http_request_duration_seconds",
			Help: "Time from request routing to the last byte of the response, by route and status.",
			// Sub-millisecond buckets: the service's latency target is
			// p99 ≤ 2 ms on loopback.
			Buckets: []float64{0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"route", "status"}),
		classifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "afscan_classifications_total",
			Help: "Strips classified, by rhythm label.",
		}, []string{"rhythm"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "afscan_classify_in_flight",
			Help: "Classify requests holding a concurrency slot.",
		}),
	}
	modelInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "afscan_model_info",
		Help:        "The model serving requests; always 1.",
		ConstLabels: prometheus.Labels{"name": model.Name, "version": model.Version, "sha256": model.SHA256},
	})
	modelInfo.Set(1)
	reg.MustRegister(m.requests, m.duration, m.classifications, m.inFlight, modelInfo,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Pre-create the rhythm series so dashboards see zeros, not gaps.
	for _, r := range ecg.Rhythms {
		m.classifications.WithLabelValues(string(r))
	}
	return m
}

// observe records one finished request.
func (m *metrics) observe(route, method string, status int, took time.Duration) {
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, code).Inc()
	m.duration.WithLabelValues(route, code).Observe(took.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
