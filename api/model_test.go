package api

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/inference/input"
	"github.com/afscan/afscan/internal/dataset"
)

// embeddedModel loads the real classifier once per test binary.
var embeddedModel = sync.OnceValues(func() (*inference.Classifier, error) { return inference.NewDefault() })

func newModelEnv(t testing.TB, mod func(*Options)) *testEnv {
	t.Helper()
	clf, err := embeddedModel()
	if err != nil {
		t.Fatalf("embedded model: %v", err)
	}
	return newTestEnv(t, func(o *Options) {
		o.Classifier = clf
		if mod != nil {
			mod(o)
		}
	})
}

// TestClassifyWithModel runs the service on the embedded model: real
// strips get a call whose probabilities sum to 1; strips the classifier
// cannot use get 422 with its reason; a 10-minute strip is classified in
// windows (AF burden) and a 10-minute strip at 1 kHz exceeds the body limit.
//
// Verifies: SRS-API-001, SRS-API-002, SRS-API-005
func TestClassifyWithModel(t *testing.T) {
	env := newModelEnv(t, nil)
	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantStatus  int
		wantCode    string
		wantBurden  bool
		wantReason  string
	}{
		{"cinc json", MediaJSON, readTestdata(t, "strip.json"), 200, "", false, ""},
		{"cinc fhir", MediaFHIR, readTestdata(t, "strip.fhir.json"), 200, "", false, ""},
		{"one sample", MediaJSON, []byte(`{"sample_rate_hz":300,"samples":[0.1]}`), 422, "signal-too-short", false, ""},
		{"one second", MediaJSON, stripJSON(300, 300), 422, "signal-too-short", false, ""},
		// Between inference.MinDuration and MinCallableDuration a strip is
		// usable input but too short to call.
		{"five seconds", MediaJSON, stripJSON(300, 1500), 200, "", false, inference.ReasonTooShort},
		{"rate 2 kHz", MediaJSON, stripJSON(2000, 40_000), 422, "unsupported-sample-rate", false, ""},
		{"rate 50 Hz", MediaJSON, stripJSON(50, 1500), 422, "unsupported-sample-rate", false, ""},
		{"ten minutes at 250 Hz", MediaJSON, stripJSON(250, 250*600), 200, "", true, ""},
		{"ten minutes at 1 kHz", MediaJSON, stripJSON(1000, 1000*600), 413, "body-too-large", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := env.classify(tc.contentType, tc.body)
			if w.Code != tc.wantStatus {
				t.Fatalf("got %d, want %d: %.300s", w.Code, tc.wantStatus, w.Body)
			}
			if tc.wantStatus != 200 {
				if p := checkProblem(t, w); p.Code != tc.wantCode {
					t.Errorf("got code %s (%s), want %s", p.Code, p.Detail, tc.wantCode)
				}
				return
			}
			var resp ClassifyResponse
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			sum := 0.0
			for _, l := range ecg.Rhythms {
				sum += resp.Probabilities[l]
			}
			if math.Abs(sum-1) > 1e-6 || resp.Rhythm.CinCLabel() == "" {
				t.Errorf("got rhythm %q, probabilities %v (sum %g)", resp.Rhythm, resp.Probabilities, sum)
			}
			if tc.wantReason != "" && (resp.Rhythm != ecg.RhythmInconclusive || resp.Reason != tc.wantReason) {
				t.Errorf("got %s (%q), want inconclusive (%q)", resp.Rhythm, resp.Reason, tc.wantReason)
			}
			if (resp.AFBurden != nil) != tc.wantBurden {
				t.Errorf("got af_burden %v, want present=%v", resp.AFBurden, tc.wantBurden)
			}
			if resp.Model.SHA256 != env.srv.model.SHA256 || len(resp.Model.SHA256) != 64 {
				t.Errorf("got model %+v", resp.Model)
			}
		})
	}
}

// BenchmarkClassifyHandler measures one POST /v1/classify through the real
// router in-process (key check, body read, JSON decode, classify, encode,
// audit append) for real CinC 2017 strips of several lengths, with the fake
// classifier (the service's own overhead) and the embedded model.
func BenchmarkClassifyHandler(b *testing.B) {
	data := dataset.ForTest(b, dataset.CinC2017)
	// A00001 is 30 s at 300 Hz; A00003 is 60 s.
	rec30, err := input.ReadFile(filepath.Join(data, "A00001.hea"))
	if err != nil {
		b.Fatal(err)
	}
	rec60, err := input.ReadFile(filepath.Join(data, "A00003.hea"))
	if err != nil {
		b.Fatal(err)
	}
	strips := []struct {
		name string
		rec  *ecg.Record
		s    float64
	}{{"10s", rec30, 10}, {"30s", rec30, 30}, {"60s", rec60, 60}}
	for _, cls := range []string{"fake", "model"} {
		for _, st := range strips {
			n := int(st.s * st.rec.SampleRateHz)
			if len(st.rec.Leads[0].Samples) < n {
				b.Fatalf("%s shorter than %g s", st.rec.Name, st.s)
			}
			body, err := json.Marshal(map[string]any{"sample_rate_hz": st.rec.SampleRateHz, "samples": st.rec.Leads[0].Samples[:n]})
			if err != nil {
				b.Fatal(err)
			}
			b.Run(cls+"/"+st.name, func(b *testing.B) {
				var env *testEnv
				if cls == "model" {
					env = newModelEnv(b, nil)
				} else {
					env = newTestEnv(b, nil)
				}
				h := env.srv.Handler()
				auth := "Bearer " + env.key
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodPost, RouteClassify, bytes.NewReader(body))
					req.Header.Set("Authorization", auth)
					req.Header.Set("Content-Type", MediaJSON)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != 200 {
						b.Fatalf("got %d: %s", w.Code, w.Body)
					}
				}
			})
		}
	}
}
