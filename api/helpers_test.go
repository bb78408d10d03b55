package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/internal/fake"
)

// testModel is the model identity the fake classifier reports.
var testModel = inference.ModelInfo{Name: "afscan-test", Version: "0.0.0-test", SHA256: strings.Repeat("ab", 32)}

// testEnv is a server wired to a fake classifier, a fresh key store holding
// one key, and an audit log whose chain is verified when the test ends.
type testEnv struct {
	srv       *Server
	keys      *KeyStore
	key       string
	keyID     string
	audit     *AuditLog
	auditPath string
	clf       *fake.Classifier
}

// newTestEnv builds the environment; mod may adjust the options (nil keeps
// the defaults). Cleanup closes the audit log and fails the test when its
// chain does not verify, so every hostile test also checks the log.
func newTestEnv(t testing.TB, mod func(*Options)) *testEnv {
	t.Helper()
	dir := t.TempDir()
	keys, err := OpenKeyStore(filepath.Join(dir, "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	key, info, err := keys.Create("test", time.Unix(1_700_000_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	auditPath := filepath.Join(dir, "audit.log")
	audit, err := OpenAudit(auditPath, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clf := &fake.Classifier{Result: fake.NormalResult(), Info: testModel}
	opts := Options{Classifier: clf, Decoders: DefaultDecoders(), Keys: keys, Audit: audit}
	if mod != nil {
		mod(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{srv: srv, keys: keys, key: key, keyID: info.ID, audit: audit, auditPath: auditPath, clf: clf}
	t.Cleanup(func() {
		if err := audit.Close(); err != nil {
			t.Errorf("close audit: %v", err)
		}
		if n, err := VerifyAuditFile(auditPath); err != nil {
			t.Errorf("audit chain after %d entries: %v", n, err)
		}
	})
	return env
}

// do sends one request through the real router.
func (e *testEnv) do(method, path string, header map[string]string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), method, path, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(w, req)
	return w
}

// classify posts body with the env's key.
func (e *testEnv) classify(contentType string, body []byte) *httptest.ResponseRecorder {
	return e.do(http.MethodPost, RouteClassify, map[string]string{
		"Authorization": "Bearer " + e.key,
		"Content-Type":  contentType,
	}, body)
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stripJSON renders an afscan JSON strip of n samples at rateHz: a 1 Hz
// square-ish pulse train, enough for decoders and the fake classifier.
func stripJSON(rateHz float64, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"sample_rate_hz":%g,"samples":[`, rateHz)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		v := 0.05
		if int(float64(i)/rateHz*1000)%1000 < 40 {
			v = 1.2
		}
		fmt.Fprintf(&b, "%.3f", v)
	}
	b.WriteString(`],"units":"mV"}`)
	return b.Bytes()
}

func jsonUnmarshalString(s string, v any) error { return json.Unmarshal([]byte(s), v) }
