package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/afscan/afscan/ecg"
)

// classifyOutcome is what handleClassify answers and audits.
type classifyOutcome struct {
	keyID      string
	deviceHMAC string
	rhythm     ecg.Rhythm
	mediaType  string
	body       *[]byte // pooled; handleClassify returns it
	took       time.Duration
}

// handleClassify is POST /v1/classify. Order matters for hostile input:
// the key is checked, the media types negotiated and a concurrency slot
// taken before a byte of the body is read, so neither unauthenticated nor
// excess requests cost memory.
//
// Every request is audited before it is answered: the entry is written
// (AuditSink.Append returned) before a byte of the response leaves, and a
// result whose entry cannot be written is withheld with 503 not-ready. A
// client that hung up is still audited.
func (s *Server) handleClassify(c *gin.Context) {
	out, err := s.classify(c)
	if out.body != nil {
		defer s.putBody(out.body)
	}
	status := http.StatusOK
	if err != nil {
		status = problemFor(err, "").Status
	}
	e := AuditEntry{
		RequestID:  c.GetString(ctxRequestID),
		KeyID:      out.keyID,
		Method:     c.Request.Method,
		Route:      RouteClassify,
		Status:     status,
		Rhythm:     string(out.rhythm),
		DeviceHMAC: out.deviceHMAC,
	}
	if err == nil {
		e.ModelSHA256 = s.model.SHA256
	}
	if aerr := s.opts.Audit.Append(context.WithoutCancel(c.Request.Context()), e); aerr != nil && err == nil {
		err = fmt.Errorf("audit log: %v: %w", aerr, ErrNotReady)
	}
	if err != nil {
		s.writeProblem(c, err)
		return
	}
	var timing [32]byte
	c.Header(HeaderServerTiming, string(strconv.AppendFloat(append(timing[:0], "classify;dur="...), ms(out.took), 'f', 3, 64)))
	c.Data(http.StatusOK, out.mediaType, *out.body)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (s *Server) classify(c *gin.Context) (classifyOutcome, error) {
	var out classifyOutcome
	start := s.now()
	r := c.Request
	if err := s.opts.Audit.Err(); err != nil {
		// A request that cannot be audited is not served.
		return out, fmt.Errorf("audit log: %v: %w", err, ErrNotReady)
	}

	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return out, fmt.Errorf("no bearer token: %w", ErrUnauthorized)
	}
	keyID, err := s.opts.Keys.Authenticate(strings.TrimSpace(token))
	if err != nil {
		return out, err
	}
	out.keyID = keyID
	c.Set(ctxKeyID, keyID)

	decode, err := s.decoderFor(r.Header.Get("Content-Type"))
	if err != nil {
		return out, err
	}
	fhirOut, err := wantsFHIR(r.Header.Get("Accept"))
	if err != nil {
		return out, err
	}
	if r.ContentLength > s.opts.MaxBodyBytes {
		return out, fmt.Errorf("content length %d over %d bytes: %w", r.ContentLength, s.opts.MaxBodyBytes, ErrBodyTooLarge)
	}

	select {
	case s.sem <- struct{}{}:
	default:
		return out, fmt.Errorf("%d requests in flight: %w", cap(s.sem), ErrOverloaded)
	}
	s.metrics.inFlight.Inc()
	defer func() {
		<-s.sem
		s.metrics.inFlight.Dec()
	}()

	buf := s.getBuf()
	defer s.putBuf(buf)
	if _, err := buf.ReadFrom(http.MaxBytesReader(c.Writer, r.Body, s.opts.MaxBodyBytes)); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return out, fmt.Errorf("body over %d bytes: %w", s.opts.MaxBodyBytes, ErrBodyTooLarge)
		}
		return out, fmt.Errorf("reading body: %v: %w", err, ErrMalformed)
	}
	if buf.Len() == 0 {
		return out, fmt.Errorf("empty body: %w", ErrMalformed)
	}
	samples := s.getSamples()
	rec, deviceID, err := decode(*samples, buf.Bytes())
	if err != nil {
		s.putSamples(samples, nil)
		return out, err
	}
	// Classify is done with rec when it returns (Classifier).
	defer s.putSamples(samples, rec)
	out.deviceHMAC = s.opts.DeviceKey.Hash(deviceID)

	ctx, cancel := context.WithTimeout(r.Context(), s.opts.ClassifyTimeout)
	defer cancel()
	res, err := s.opts.Classifier.Classify(ctx, rec)
	if err != nil {
		return out, err
	}
	out.rhythm = res.Rhythm
	s.metrics.classifications.WithLabelValues(string(res.Rhythm)).Inc()

	out.took = s.now().Sub(start)
	resp := NewClassifyResponse(c.GetString(ctxRequestID), res, s.model, out.took)
	out.body = s.getBody()
	if fhirOut {
		out.mediaType = MediaFHIR
		var b []byte
		b, err = json.Marshal(NewFHIRObservation(resp, s.now()))
		*out.body = append((*out.body)[:0], b...)
	} else {
		out.mediaType = MediaJSON
		*out.body, err = appendClassifyResponse((*out.body)[:0], resp)
	}
	return out, err
}

// decoderFor picks the decoder of a Content-Type header; a charset other
// than UTF-8 is refused, as JSON must be UTF-8 (RFC 8259).
func (s *Server) decoderFor(contentType string) (DecodeFunc, error) {
	mt := contentType
	// The usual exact header skips the parser and its map.
	if mt != MediaJSON && mt != MediaFHIR {
		var params map[string]string
		var err error
		mt, params, err = mime.ParseMediaType(contentType)
		if err != nil {
			return nil, fmt.Errorf("content type %q: %w", contentType, ErrUnsupportedMedia)
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return nil, fmt.Errorf("charset %q: %w", cs, ErrUnsupportedMedia)
		}
	}
	var d DecodeFunc
	switch mt {
	case MediaJSON:
		d = s.opts.Decoders.JSON
	case MediaFHIR:
		d = s.opts.Decoders.FHIR
	}
	if d == nil {
		return nil, fmt.Errorf("content type %q: %w", mt, ErrUnsupportedMedia)
	}
	return d, nil
}

// wantsFHIR negotiates the response type from an Accept header (RFC 9110
// section 12.5.1): FHIR when application/fhir+json has a higher quality
// than plain JSON, JSON when that (or a wildcard) is acceptable, and
// ErrNotAcceptable when neither is.
func wantsFHIR(accept string) (bool, error) {
	if strings.TrimSpace(accept) == "" {
		return false, nil
	}
	qJSON, qFHIR := -1.0, -1.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		switch mt {
		case MediaFHIR:
			qFHIR = max(qFHIR, q)
		case MediaJSON, "application/*", "*/*":
			qJSON = max(qJSON, q)
		}
	}
	switch {
	case qFHIR > 0 && qFHIR > qJSON:
		return true, nil
	case qJSON > 0:
		return false, nil
	}
	return false, fmt.Errorf("accept %q: %w", accept, ErrNotAcceptable)
}

// maxPooledBuf keeps one oversized body from pinning memory in the pool.
const maxPooledBuf = 4 << 20

func (s *Server) getBuf() *bytes.Buffer {
	if b, ok := s.bufs.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

func (s *Server) putBuf(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuf {
		return
	}
	b.Reset()
	s.bufs.Put(b)
}

// maxPooledSamples keeps one long strip (here over a minute at 1 kHz)
// from pinning memory in the pool.
const maxPooledSamples = 1 << 17

// getSamples returns a buffer to decode a request's samples into: a 30 s
// strip's 9,000 samples are 72 kB, the largest allocation of a request
// besides the classifier's, which the garbage collector would otherwise
// have to reclaim at hundreds of requests a second.
func (s *Server) getSamples() *[]float64 {
	if b, ok := s.samples.Get().(*[]float64); ok {
		return b
	}
	return new([]float64)
}

// putSamples returns b to the pool, holding the samples of rec (which
// the decoder may have allocated anew) when rec is not nil.
func (s *Server) putSamples(b *[]float64, rec *ecg.Record) {
	if rec != nil && len(rec.Leads) > 0 {
		*b = rec.Leads[0].Samples
	}
	if cap(*b) > maxPooledSamples {
		return
	}
	*b = (*b)[:0]
	s.samples.Put(b)
}

// maxPooledBody keeps one oversized response from pinning memory in the
// pool.
const maxPooledBody = 64 << 10

func (s *Server) getBody() *[]byte {
	if b, ok := s.bodies.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 1024)
	return &b
}

func (s *Server) putBody(b *[]byte) {
	if cap(*b) > maxPooledBody {
		return
	}
	*b = (*b)[:0]
	s.bodies.Put(b)
}
