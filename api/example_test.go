package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/afscan/afscan/api"
	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/internal/fake"
)

// The fake classifier stands in for inference.NewDefault in tests.
var _ api.Classifier = (*fake.Classifier)(nil)

// Example wires the service as `afscan serve` does, with a fake classifier,
// and classifies one strip without and with a key.
func Example() {
	dir, _ := os.MkdirTemp("", "afscan-example")
	defer os.RemoveAll(dir)
	keys, _ := api.OpenKeyStore(filepath.Join(dir, "keys.json"))
	key, _, _ := keys.Create("example", time.Now()) // shown once, stored hashed
	audit, _ := api.OpenAudit(filepath.Join(dir, "audit.log"), api.AuditOptions{})
	srv, err := api.New(api.Options{
		Classifier: &fake.Classifier{Result: fake.NormalResult(), Info: inference.ModelInfo{Name: "demo"}},
		Decoders:   api.DefaultDecoders(),
		Keys:       keys,
		Audit:      audit,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	strip := `{"sample_rate_hz": 300, "samples": [` + strings.Repeat("0.1,", 2999) + `0.1], "units": "mV"}`
	for _, auth := range []string{"", "Bearer " + key} {
		req := httptest.NewRequest(http.MethodPost, api.RouteClassify, strings.NewReader(strip))
		req.Header.Set("Content-Type", api.MediaJSON)
		req.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		fmt.Println(w.Code, w.Header().Get("Content-Type"))
	}
	audit.Close()
	n, err := api.VerifyAuditFile(filepath.Join(dir, "audit.log"))
	fmt.Println("audit entries:", n, err)
	// Output:
	// 401 application/problem+json
	// 200 application/json
	// audit entries: 2 <nil>
}
