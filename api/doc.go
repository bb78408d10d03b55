// Package api is the afscan HTTP inference service (DESIGN.md, HTTP API v1):
// POST /v1/classify for plain JSON and FHIR R4 Observation strips, health and
// readiness probes, Prometheus metrics and the OpenAPI 3.1 document.
//
// It is the only package that imports gin; no gin type leaves it. It owns the
// one table that maps errors to HTTP status codes and RFC 9457 problem types
// (problem.go), the hashed API key store (keys.go) and the hash-chained audit
// log (audit.go). It depends on inference and ecg, never on cmd.
//
// Units: sample rates in Hz, samples in mV, durations as time.Duration and
// milliseconds in JSON fields whose names end in _ms, heart rate in beats per
// minute.
//
// Security posture: there is no default key and no credential in code or
// configuration; keys are random 256-bit secrets stored as SHA-256 hashes in a
// file of mode 0600 and compared in constant time. The audit log never holds
// samples, API keys or device identifiers in clear.
package api
