package api

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("OpenAPI document invalid: %v", err)
	}
	return doc
}

// TestOpenAPIDocumentMatchesRoutes validates the document as OpenAPI 3.1
// and checks that its operations are exactly the routes gin serves.
//
// Verifies: SRS-API-003
func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("got openapi %q, want 3.1", doc.OpenAPI)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	env := newTestEnv(t, nil)
	var served []string
	for _, r := range env.srv.Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Errorf("documented %v, served %v", documented, served)
	}
	// Every problem code the table can produce is in the schema's enum.
	enum := doc.Components.Schemas["Problem"].Value.Properties["code"].Value.Enum
	for _, row := range append(problemTable(), internalRow) {
		if !slices.Contains(enum, any(row.code)) {
			t.Errorf("problem code %q is not documented", row.code)
		}
	}
}

// TestResponsesMatchOpenAPI sends requests for every documented route and
// status it can provoke and validates request and response against the
// document with openapi3filter.
//
// Verifies: SRS-API-003, SRS-API-001, SRS-API-002
func TestResponsesMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	gate := newGate()
	close(gate.release)
	env := newTestEnv(t, func(o *Options) { o.MaxBodyBytes = 64 << 10 })
	busy := newTestEnv(t, func(o *Options) { o.Classifier, o.MaxInFlight = gate, 1 })
	busy.srv.sem <- struct{}{} // the only slot is taken
	defer func() { <-busy.srv.sem }()

	jsonStrip := readTestdata(t, "strip.json")
	fhirStrip := readTestdata(t, "strip.fhir.json")
	tests := []struct {
		name          string
		env           *testEnv
		method, path  string
		contentType   string
		accept        string
		noKey         bool
		body          []byte
		wantStatus    int
		validRequest  bool // also validate the request against the document
		wantMediaType string
	}{
		{"classify json", env, "POST", RouteClassify, MediaJSON, "", false, jsonStrip, 200, true, MediaJSON},
		{"classify fhir to fhir", env, "POST", RouteClassify, MediaFHIR, MediaFHIR, false, fhirStrip, 200, true, MediaFHIR},
		{"classify fhir to json", env, "POST", RouteClassify, MediaFHIR, "", false, fhirStrip, 200, true, MediaJSON},
		{"malformed", env, "POST", RouteClassify, MediaJSON, "", false, []byte("{"), 400, false, MediaProblem},
		{"no key", env, "POST", RouteClassify, MediaJSON, "", true, jsonStrip, 401, false, MediaProblem},
		{"not acceptable", env, "POST", RouteClassify, MediaJSON, "text/csv", false, jsonStrip, 406, false, MediaProblem},
		{"too large", env, "POST", RouteClassify, MediaJSON, "", false, stripJSON(300, 20_000), 413, false, MediaProblem},
		{"unsupported", env, "POST", RouteClassify, "text/csv", "", false, []byte("a,b"), 415, false, MediaProblem},
		{"unusable", env, "POST", RouteClassify, MediaJSON, "", false, []byte(`{"sample_rate_hz":0,"samples":[1]}`), 422, false, MediaProblem},
		{"overloaded", busy, "POST", RouteClassify, MediaJSON, "", false, jsonStrip, 503, true, MediaProblem},
		{"healthz", env, "GET", RouteHealthz, "", "", true, nil, 200, true, MediaJSON},
		{"readyz", env, "GET", RouteReadyz, "", "", true, nil, 200, true, MediaJSON},
		{"metrics", env, "GET", RouteMetrics, "", "", true, nil, 200, true, "text/plain"},
		{"openapi", env, "GET", RouteOpenAPI, "", "", true, nil, 200, true, MediaJSON},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://localhost"+tc.path, bytes.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			if !tc.noKey {
				req.Header.Set("Authorization", "Bearer "+tc.env.key)
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("route not in document: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
			}
			if tc.validRequest {
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					t.Errorf("request does not match the document: %v", err)
				}
				req.Body = httpBody(tc.body)
			}
			w := httptest.NewRecorder()
			tc.env.srv.Handler().ServeHTTP(w, req)
			if w.Code != tc.wantStatus {
				t.Fatalf("got status %d, want %d: %s", w.Code, tc.wantStatus, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.wantMediaType) {
				t.Errorf("got content type %q, want %q", ct, tc.wantMediaType)
			}
			out := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in,
				Status:                 w.Code,
				Header:                 w.Header(),
				Options:                &openapi3filter.Options{IncludeResponseStatus: true},
			}
			out.SetBodyBytes(w.Body.Bytes())
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("response does not match the document: %v", err)
			}
			seen[tc.method+" "+tc.path] = true
		})
	}
	for _, r := range env.srv.Routes() {
		if !seen[r.Method+" "+r.Path] {
			t.Errorf("route %s %s not exercised", r.Method, r.Path)
		}
	}
}

func httpBody(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// TestOpenAPIValidatorRejectsWrongResponses is the negative control of
// TestResponsesMatchOpenAPI: a 200 without rhythm, a problem without the
// request id header, and an undocumented status all fail validation.
func TestOpenAPIValidatorRejectsWrongResponses(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "http://localhost"+RouteClassify, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
	good := `{"id":"6f1c1f8e-3a43-4b8e-9d0c-0d6f7d1b1a11","rhythm":"normal","probabilities":{"normal":1},"heart_rate_bpm":60,"signal_quality":1,"duration_s":10,"model":{"name":"m","version":"v","sha256":"s"},"processing_ms":1}`
	tests := []struct {
		name    string
		status  int
		header  map[string]string
		body    string
		wantErr bool
	}{
		{"good", 200, map[string]string{"Content-Type": MediaJSON, HeaderRequestID: "6f1c1f8e-3a43-4b8e-9d0c-0d6f7d1b1a11"}, good, false},
		{"no rhythm", 200, map[string]string{"Content-Type": MediaJSON, HeaderRequestID: "6f1c1f8e-3a43-4b8e-9d0c-0d6f7d1b1a11"}, strings.Replace(good, `"rhythm":"normal",`, "", 1), true},
		{"unknown rhythm", 200, map[string]string{"Content-Type": MediaJSON, HeaderRequestID: "6f1c1f8e-3a43-4b8e-9d0c-0d6f7d1b1a11"}, strings.Replace(good, `"rhythm":"normal"`, `"rhythm":"vt"`, 1), true},
		{"no request id", 200, map[string]string{"Content-Type": MediaJSON}, good, true},
		{"undocumented status", 418, map[string]string{"Content-Type": MediaProblem, HeaderRequestID: "6f1c1f8e-3a43-4b8e-9d0c-0d6f7d1b1a11"}, `{}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			out := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: tc.status, Header: h,
				Options: &openapi3filter.Options{IncludeResponseStatus: true},
			}
			out.SetBodyBytes([]byte(tc.body))
			err := openapi3filter.ValidateResponse(context.Background(), out)
			if (err != nil) != tc.wantErr {
				t.Errorf("got %v, want error %v", err, tc.wantErr)
			}
		})
	}
}
