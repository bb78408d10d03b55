package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/inference/input"
)

// Errors the service itself raises; each has a row in problemTable.
var (
	ErrUnauthorized     = errors.New("missing, unknown or revoked API key")
	ErrBodyTooLarge     = errors.New("request body over the size limit")
	ErrUnsupportedMedia = errors.New("unsupported content type")
	ErrNotAcceptable    = errors.New("unsupported accept type")
	ErrMalformed        = errors.New("malformed request body")
	ErrOverloaded       = errors.New("too many requests in flight")
	ErrNotFound         = errors.New("no such route")
	ErrMethodNotAllowed = errors.New("method not allowed")
	ErrNotReady         = errors.New("service not ready")
)

// ProblemTypeBase prefixes every problem type URI. Tag URIs (RFC 4151) are
// what RFC 9457 section 3.1.1 suggests for types that are stable names rather
// than documentation links.
const ProblemTypeBase = "tag:afscan.org,2026:problem/"

// Problem is an RFC 9457 problem details object (application/problem+json).
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	// Detail is one plain sentence about this occurrence; for input errors
	// it names what was wrong with the input, never server internals.
	Detail string `json:"detail,omitempty"`
	// Code is the stable machine code, the last segment of Type.
	Code string `json:"code"`
	// RequestID repeats the X-Request-ID header for support tickets.
	RequestID string `json:"request_id"`
}

// problemRow is one line of the error → HTTP mapping.
type problemRow struct {
	err    error
	status int
	code   string
	title  string
	// showDetail says the error text describes the client's input and may
	// be returned as the problem's detail.
	showDetail bool
}

// problemTable is the one place errors meet HTTP status codes. Order
// matters: the first row whose error matches (errors.Is) wins, so specific
// causes come before the generic ErrMalformed and ErrUnusable.
func problemTable() []problemRow {
	return []problemRow{
		{ErrUnauthorized, http.StatusUnauthorized, "unauthorized", "A valid API key is required.", false},
		{ErrBodyTooLarge, http.StatusRequestEntityTooLarge, "body-too-large", "The request body is larger than the service accepts.", false},
		{ErrUnsupportedMedia, http.StatusUnsupportedMediaType, "unsupported-media-type", "Send application/json or application/fhir+json.", false},
		{ErrNotAcceptable, http.StatusNotAcceptable, "not-acceptable", "The service answers in application/json or application/fhir+json.", false},
		{inference.ErrUnsupportedRate, http.StatusUnprocessableEntity, "unsupported-sample-rate", "The sample rate must be between 125 and 1000 Hz.", true},
		{inference.ErrSignalTooShort, http.StatusUnprocessableEntity, "signal-too-short", "The recording is too short to analyse.", true},
		{inference.ErrNonFinite, http.StatusUnprocessableEntity, "non-finite-samples", "The samples contain NaN or infinity.", true},
		{inference.ErrNoLead, http.StatusUnprocessableEntity, "no-lead", "The request carries no ECG lead.", true},
		{input.ErrUnusable, http.StatusUnprocessableEntity, "unusable-ecg", "The request is not a usable ECG strip.", true},
		{input.ErrMalformed, http.StatusBadRequest, "malformed-request", "The request body could not be read.", true},
		{ErrMalformed, http.StatusBadRequest, "malformed-request", "The request body could not be read.", true},
		{ErrOverloaded, http.StatusServiceUnavailable, "overloaded", "The service is busy; retry after the given delay.", false},
		{ErrNotReady, http.StatusServiceUnavailable, "not-ready", "The service is not ready.", false},
		{ErrNotFound, http.StatusNotFound, "not-found", "There is no such route.", false},
		{ErrMethodNotAllowed, http.StatusMethodNotAllowed, "method-not-allowed", "The route does not accept this method.", false},
		{context.DeadlineExceeded, http.StatusServiceUnavailable, "timeout", "The request took too long.", false},
	}
}

// internalRow answers every error the table does not know.
var internalRow = problemRow{nil, http.StatusInternalServerError, "internal", "The service failed to process the request.", false}

// maxDetailBytes bounds the detail sentence so a hostile input cannot make
// the error response large.
const maxDetailBytes = 200

// problemFor maps err to its problem details. It is the only function that
// chooses an HTTP status for an error.
func problemFor(err error, requestID string) Problem {
	row := internalRow
	for _, r := range problemTable() {
		if errors.Is(err, r.err) {
			row = r
			break
		}
	}
	p := Problem{
		Type:      ProblemTypeBase + row.code,
		Title:     row.title,
		Status:    row.status,
		Code:      row.code,
		RequestID: requestID,
	}
	if row.showDetail {
		p.Detail = truncateUTF8(err.Error(), maxDetailBytes)
	}
	return p
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
