package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/internal/fake"
)

// TestClassifyJSON posts a real CinC strip as afscan JSON and checks every
// key of the DESIGN.md response.
//
// Verifies: SRS-API-001, SRS-API-004
func TestClassifyJSON(t *testing.T) {
	env := newTestEnv(t, nil)
	w := env.classify(MediaJSON, readTestdata(t, "strip.json"))
	if w.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200; body %s", w.Code, w.Body)
	}
	if got := w.Header().Get("Content-Type"); got != MediaJSON {
		t.Errorf("got content type %q, want %q", got, MediaJSON)
	}
	var resp map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "rhythm", "probabilities", "heart_rate_bpm", "signal_quality", "duration_s", "model", "processing_ms"} {
		if _, ok := resp[k]; !ok {
			t.Errorf("response lacks %q: %s", k, w.Body)
		}
	}
	rid := w.Header().Get(HeaderRequestID)
	if _, err := uuid.Parse(rid); err != nil {
		t.Errorf("X-Request-ID %q is not a uuid: %v", rid, err)
	}
	if resp["id"] != rid {
		t.Errorf("got id %v, want the X-Request-ID %q", resp["id"], rid)
	}
	if resp["rhythm"] != string(ecg.RhythmNormal) {
		t.Errorf("got rhythm %v, want normal", resp["rhythm"])
	}
	if d := resp["duration_s"].(float64); d < 9.9 || d > 10.1 {
		t.Errorf("got duration_s %v, want 10 ± 0.1", d)
	}
	if m := resp["model"].(map[string]any); m["sha256"] != testModel.SHA256 {
		t.Errorf("got model %v, want sha256 %s", m, testModel.SHA256)
	}
	if got, want := w.Header().Get(HeaderServerTiming), fmt.Sprintf("classify;dur=%.3f", resp["processing_ms"]); got != want {
		t.Errorf("got Server-Timing %q, want %q (processing_ms)", got, want)
	}
}

// TestClassifyFHIR posts the same strip as a FHIR R4 Observation and asks
// for plain JSON and for a FHIR Observation back.
//
// Verifies: SRS-API-001
func TestClassifyFHIR(t *testing.T) {
	env := newTestEnv(t, nil)
	body := readTestdata(t, "strip.fhir.json")
	tests := []struct {
		name, accept, wantType string
	}{
		{"json out", "", MediaJSON},
		{"fhir out", MediaFHIR, MediaFHIR},
		{"fhir preferred by q", "application/json;q=0.5, application/fhir+json", MediaFHIR},
		{"json preferred by q", "application/json, application/fhir+json;q=0.1", MediaJSON},
		{"wildcard", "*/*", MediaJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := env.do(http.MethodPost, RouteClassify, map[string]string{
				"Authorization": "Bearer " + env.key, "Content-Type": MediaFHIR, "Accept": tc.accept,
			}, body)
			if w.Code != http.StatusOK {
				t.Fatalf("got status %d, want 200; body %s", w.Code, w.Body)
			}
			if got := w.Header().Get("Content-Type"); got != tc.wantType {
				t.Fatalf("got content type %q, want %q", got, tc.wantType)
			}
			if tc.wantType != MediaFHIR {
				return
			}
			var obs FHIRObservation
			if err := json.Unmarshal(w.Body.Bytes(), &obs); err != nil {
				t.Fatal(err)
			}
			if obs.ResourceType != "Observation" || obs.Status != "final" {
				t.Errorf("got %s/%s, want Observation/final", obs.ResourceType, obs.Status)
			}
			if c := obs.ValueCodeableConcept.Coding; len(c) != 1 || c[0].Code != "426783006" {
				t.Errorf("got rhythm coding %+v, want SNOMED 426783006 (sinus rhythm)", c)
			}
			if obs.ID != w.Header().Get(HeaderRequestID) {
				t.Errorf("got id %q, want the request id", obs.ID)
			}
			if !strings.Contains(obs.Device.Display, testModel.SHA256) {
				t.Errorf("device %q does not name the model hash", obs.Device.Display)
			}
		})
	}
}

// TestClassifyAppleHealth posts a HealthKit-style export (volts,
// samplingFrequency) as application/json.
//
// Verifies: SRS-API-001
func TestClassifyAppleHealth(t *testing.T) {
	env := newTestEnv(t, nil)
	var b bytes.Buffer
	b.WriteString(`{"samplingFrequency":512,"voltageMeasurements":[`)
	for i := range 512 * 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("0.0001")
	}
	b.WriteString("]}")
	w := env.classify(MediaJSON, b.Bytes())
	if w.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200; body %s", w.Code, w.Body)
	}
	var resp ClassifyResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.DurationS < 9.99 || resp.DurationS > 10.01 {
		t.Errorf("got duration %v s, want 10", resp.DurationS)
	}
}

// TestClassifyHostile sends what a broken or hostile client sends and
// checks the status and the stable problem code.
//
// Verifies: SRS-API-002, SRS-API-004, SRS-API-005, SRS-SEC-002
func TestClassifyHostile(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.MaxBodyBytes = 64 << 10 })
	revokedKey, revoked, err := env.keys.Create("revoked", time.Unix(1_700_000_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := env.keys.Revoke(revoked.ID, time.Unix(1_700_000_100, 0)); err != nil {
		t.Fatal(err)
	}
	good := readTestdata(t, "strip.json")
	fhir := string(readTestdata(t, "strip.fhir.json"))
	auth := "Bearer " + env.key
	id, _, _ := parseKey(env.key)
	tests := []struct {
		name        string
		auth        string
		contentType string
		accept      string
		body        []byte
		wantStatus  int
		wantCode    string
	}{
		{name: "no key", contentType: MediaJSON, body: good, wantStatus: 401, wantCode: "unauthorized"},
		{name: "basic auth", auth: "Basic dXNlcjpwYXNz", contentType: MediaJSON, body: good, wantStatus: 401, wantCode: "unauthorized"},
		{name: "garbage key", auth: "Bearer nonsense", contentType: MediaJSON, body: good, wantStatus: 401, wantCode: "unauthorized"},
		{name: "wrong secret", auth: "Bearer afs_" + id + "_" + strings.Repeat("A", 43), contentType: MediaJSON, body: good, wantStatus: 401, wantCode: "unauthorized"},
		{name: "unknown id", auth: "Bearer afs_0123456789abcdef_" + strings.Repeat("A", 43), contentType: MediaJSON, body: good, wantStatus: 401, wantCode: "unauthorized"},
		{name: "revoked key", auth: "Bearer " + revokedKey, contentType: MediaJSON, body: good, wantStatus: 401, wantCode: "unauthorized"},
		{name: "too large", auth: auth, contentType: MediaJSON, body: stripJSON(300, 20_000), wantStatus: 413, wantCode: "body-too-large"},
		{name: "text plain", auth: auth, contentType: "text/plain", body: good, wantStatus: 415, wantCode: "unsupported-media-type"},
		{name: "no content type", auth: auth, body: good, wantStatus: 415, wantCode: "unsupported-media-type"},
		{name: "latin1 charset", auth: auth, contentType: "application/json; charset=iso-8859-1", body: good, wantStatus: 415, wantCode: "unsupported-media-type"},
		{name: "form", auth: auth, contentType: "application/x-www-form-urlencoded", body: []byte("a=b"), wantStatus: 415, wantCode: "unsupported-media-type"},
		{name: "accept html", auth: auth, contentType: MediaJSON, accept: "text/html", body: good, wantStatus: 406, wantCode: "not-acceptable"},
		{name: "empty body", auth: auth, contentType: MediaJSON, body: nil, wantStatus: 400, wantCode: "malformed-request"},
		{name: "not json", auth: auth, contentType: MediaJSON, body: []byte("hello"), wantStatus: 400, wantCode: "malformed-request"},
		{name: "truncated json", auth: auth, contentType: MediaJSON, body: good[:len(good)/2], wantStatus: 400, wantCode: "malformed-request"},
		{name: "empty object", auth: auth, contentType: MediaJSON, body: []byte("{}"), wantStatus: 400, wantCode: "malformed-request"},
		{name: "json array", auth: auth, contentType: MediaJSON, body: []byte("[1,2,3]"), wantStatus: 400, wantCode: "malformed-request"},
		{name: "rate is a string", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":"300","samples":[1,2]}`), wantStatus: 400, wantCode: "malformed-request"},
		{name: "samples not array", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":300,"samples":"1,2"}`), wantStatus: 400, wantCode: "malformed-request"},
		{name: "NaN sample", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":300,"samples":[1,NaN,2]}`), wantStatus: 400, wantCode: "malformed-request"},
		{name: "NaN as string", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":300,"samples":[1,"NaN",2]}`), wantStatus: 400, wantCode: "malformed-request"},
		{name: "Infinity", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":300,"samples":[1,Infinity]}`), wantStatus: 400, wantCode: "malformed-request"},
		{name: "overflowing number", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":300,"samples":[1e999]}`), wantStatus: 400, wantCode: "malformed-request"},
		{name: "null sample", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":300,"samples":[1,null]}`), wantStatus: 400, wantCode: "malformed-request"},
		{name: "no samples", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":300,"samples":[]}`), wantStatus: 422, wantCode: "unusable-ecg"},
		{name: "rate zero", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":0,"samples":[1,2,3]}`), wantStatus: 422, wantCode: "unusable-ecg"},
		{name: "rate negative", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":-300,"samples":[1,2,3]}`), wantStatus: 422, wantCode: "unusable-ecg"},
		{name: "rate absurd", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":1e12,"samples":[1,2,3]}`), wantStatus: 422, wantCode: "unusable-ecg"},
		{name: "units not voltage", auth: auth, contentType: MediaJSON, body: []byte(`{"sample_rate_hz":300,"samples":[1,2,3],"units":"kg"}`), wantStatus: 422, wantCode: "unusable-ecg"},
		{name: "fhir as json", auth: auth, contentType: MediaJSON, body: []byte(fhir), wantStatus: 400, wantCode: "malformed-request"},
		{name: "fhir junk in data", auth: auth, contentType: MediaFHIR, body: []byte(strings.Replace(fhir, `"data": "`, `"data": "1 2 junk `, 1)), wantStatus: 400, wantCode: "malformed-request"},
		{name: "fhir period zero", auth: auth, contentType: MediaFHIR, body: []byte(replaceJSONNumber(t, fhir, "period", "0")), wantStatus: 422, wantCode: "unusable-ecg"},
		{name: "fhir period mismatched", auth: auth, contentType: MediaFHIR, body: []byte(strings.Replace(fhir, `"resourceType"`, `"effectivePeriod":{"start":"2024-01-01T00:00:00Z","end":"2024-01-01T00:05:00Z"},"resourceType"`, 1)), wantStatus: 422, wantCode: "unusable-ecg"},
		{name: "fhir not observation", auth: auth, contentType: MediaFHIR, body: []byte(`{"resourceType":"Patient"}`), wantStatus: 422, wantCode: "unusable-ecg"},
		{name: "fhir no resourceType", auth: auth, contentType: MediaFHIR, body: []byte(`{"status":"final"}`), wantStatus: 400, wantCode: "malformed-request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"Content-Type": tc.contentType, "Accept": tc.accept}
			if tc.auth != "" {
				h["Authorization"] = tc.auth
			}
			w := env.do(http.MethodPost, RouteClassify, h, tc.body)
			p := checkProblem(t, w)
			if w.Code != tc.wantStatus || p.Code != tc.wantCode {
				t.Errorf("got %d %s (%s), want %d %s", w.Code, p.Code, p.Detail, tc.wantStatus, tc.wantCode)
			}
			if tc.wantStatus == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
	if calls := env.clf.Calls(); calls != 0 {
		t.Errorf("classifier ran %d times on hostile input, want 0", calls)
	}
}

// checkProblem checks that w is an RFC 9457 problem with a request id and
// returns it.
func checkProblem(t *testing.T, w *httptest.ResponseRecorder) Problem {
	t.Helper()
	if got := w.Header().Get("Content-Type"); got != MediaProblem {
		t.Errorf("got content type %q, want %q (body %s)", got, MediaProblem, w.Body)
	}
	var p Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body %q: %v", w.Body, err)
	}
	if p.Type != ProblemTypeBase+p.Code || p.Title == "" || p.Status != w.Code {
		t.Errorf("incomplete problem %+v for status %d", p, w.Code)
	}
	if rid := w.Header().Get(HeaderRequestID); rid == "" || rid != p.RequestID {
		t.Errorf("problem request_id %q, header %q", p.RequestID, rid)
	}
	return p
}

// replaceJSONNumber sets the first "key": number in doc to val.
func replaceJSONNumber(t *testing.T, doc, key, val string) string {
	t.Helper()
	i := strings.Index(doc, `"`+key+`"`)
	if i < 0 {
		t.Fatalf("no %q in fixture", key)
	}
	j := i + len(key) + 2
	for j < len(doc) && (doc[j] == ':' || doc[j] == ' ') {
		j++
	}
	k := j
	for k < len(doc) && strings.IndexByte("0123456789.-eE+", doc[k]) >= 0 {
		k++
	}
	return doc[:j] + val + doc[k:]
}

// TestClassifierInputErrors checks that the classifier's input errors are
// 422 with their own stable codes, and anything else a 500 that does not
// leak the internal message.
//
// Verifies: SRS-API-002
func TestClassifierInputErrors(t *testing.T) {
	tests := []struct {
		err        error
		wantStatus int
		wantCode   string
	}{
		{inference.ErrUnsupportedRate, 422, "unsupported-sample-rate"},
		{inference.ErrSignalTooShort, 422, "signal-too-short"},
		{inference.ErrNonFinite, 422, "non-finite-samples"},
		{inference.ErrNoLead, 422, "no-lead"},
		{errors.New("onnx: tensor shape [1 3] != [1 4] in /secret/path"), 500, "internal"},
	}
	for _, tc := range tests {
		t.Run(tc.wantCode, func(t *testing.T) {
			env := newTestEnv(t, nil)
			env.clf.Err = tc.err
			w := env.classify(MediaJSON, readTestdata(t, "strip.json"))
			p := checkProblem(t, w)
			if w.Code != tc.wantStatus || p.Code != tc.wantCode {
				t.Errorf("got %d %s, want %d %s", w.Code, p.Code, tc.wantStatus, tc.wantCode)
			}
			if tc.wantStatus == 500 && (p.Detail != "" || strings.Contains(w.Body.String(), "secret")) {
				t.Errorf("500 leaks internals: %s", w.Body)
			}
		})
	}
}

// TestUnknownRouteAndMethod answers problems for what is not served.
//
// Verifies: SRS-API-002, SRS-API-004
func TestUnknownRouteAndMethod(t *testing.T) {
	env := newTestEnv(t, nil)
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/nope", 404},
		{http.MethodGet, RouteClassify, 405},
		{http.MethodDelete, RouteHealthz, 405},
	} {
		w := env.do(tc.method, tc.path, nil, nil)
		checkProblem(t, w)
		if w.Code != tc.want {
			t.Errorf("%s %s: got %d, want %d", tc.method, tc.path, w.Code, tc.want)
		}
	}
}

// constClassifier checks, a moment after it is called, that every sample
// of a strip is the same value and answers it as the heart rate (×1000),
// so a response shows which samples its classification saw.
type constClassifier struct{ fake.Classifier }

func (c *constClassifier) Classify(ctx context.Context, rec *ecg.Record) (inference.Result, error) {
	s := rec.Leads[0].Samples
	first := s[0]
	// Time for a request that wrongly shares the buffer to overwrite it.
	time.Sleep(200 * time.Microsecond)
	for _, v := range s {
		if v != first {
			return inference.Result{}, fmt.Errorf("mixed samples %g and %g", first, v)
		}
	}
	r := fake.NormalResult()
	r.HeartRateBPM = s[0] * 1000
	r.Duration = rec.Duration()
	return r, nil
}

// TestConcurrentRequestsKeepTheirSamples: with the decoded samples' memory
// reused between requests, concurrent requests of different lengths each
// classify their own samples, whole.
func TestConcurrentRequestsKeepTheirSamples(t *testing.T) {
	clf := &constClassifier{fake.Classifier{Info: testModel}}
	env := newTestEnv(t, func(o *Options) { o.Classifier = clf })
	body := func(k int) []byte {
		var b bytes.Buffer
		fmt.Fprintf(&b, `{"sample_rate_hz":300,"samples":[`)
		n := 300 * (5 + k%7)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%g", float64(k)/8)
		}
		b.WriteString("]}")
		return b.Bytes()
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for r := range 25 {
				k := 1 + g*25 + r
				w := env.classify(MediaJSON, body(k))
				var resp ClassifyResponse
				if err := json.Unmarshal(w.Body.Bytes(), &resp); w.Code != 200 || err != nil {
					t.Errorf("strip %d: got %d %v: %s", k, w.Code, err, w.Body)
					return
				}
				wantS := float64(300*(5+k%7)) / 300
				if resp.HeartRateBPM != float64(k)/8*1000 || resp.DurationS != wantS {
					t.Errorf("strip %d: got heart rate %g, duration %g s; want %g, %g s", k, resp.HeartRateBPM, resp.DurationS, float64(k)/8*1000, wantS)
				}
			}
		})
	}
	wg.Wait()
}
