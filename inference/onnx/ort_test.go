package onnx

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/afscan/afscan/model"
)

// ortNodeModules finds the node_modules holding onnxruntime-node that
// .ci/setup.d/30-onnxruntime.sh installs (.ci/node/node_modules at the
// repository root), or $AFSCAN_ORT_NODE_MODULES.
func ortNodeModules(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("skipping: node not installed (CI installs it with .ci/setup.d/30-onnxruntime.sh)")
	}
	dir := os.Getenv("AFSCAN_ORT_NODE_MODULES")
	if dir == "" {
		dir = filepath.Join("..", "..", ".ci", "node", "node_modules")
	}
	if _, err := os.Stat(filepath.Join(dir, "onnxruntime-node", "package.json")); err != nil {
		t.Skipf("skipping: onnxruntime-node not found in %s (run .ci/setup.d/30-onnxruntime.sh)", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

type ortResult struct {
	Outputs  [][]float64 `json:"outputs"`
	NsPerRun float64     `json:"ns_per_run"`
}

// runORT runs the ONNX bytes with onnxruntime-node on inputs.
func runORT(t testing.TB, nodeModules string, onnxBytes []byte, inputs [][]float32, timingRuns int) ortResult {
	t.Helper()
	modelPath := filepath.Join(t.TempDir(), "m.onnx")
	if err := os.WriteFile(modelPath, onnxBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	req, err := json.Marshal(map[string]any{"model": modelPath, "inputs": inputs, "timing_runs": timingRuns})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join("testdata", "ort_run.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodeModules)
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("onnxruntime-node: %v: %s", err, stderr.String())
	}
	var res ortResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("onnxruntime-node output: %v", err)
	}
	if len(res.Outputs) != len(inputs) {
		t.Fatalf("onnxruntime-node returned %d outputs for %d inputs", len(res.Outputs), len(inputs))
	}
	return res
}

// checkORTParity runs inputs through gonnx and onnxruntime-node and fails
// when any probability differs by more than 1e-5. It returns the
// onnxruntime-node latency per run when timingRuns > 0.
func checkORTParity(t *testing.T, onnxBytes []byte, inputs [][]float32, timingRuns int) float64 {
	t.Helper()
	nm := ortNodeModules(t)
	m, err := Load(onnxBytes)
	if err != nil {
		t.Fatal(err)
	}
	res := runORT(t, nm, onnxBytes, inputs, timingRuns)
	got := make([]float32, NumClasses)
	var worst float64
	for i, x := range inputs {
		if err := m.Predict(got, x); err != nil {
			t.Fatal(err)
		}
		for c := range got {
			worst = math.Max(worst, math.Abs(float64(got[c])-res.Outputs[i][c]))
		}
	}
	if worst > 1e-5 {
		t.Fatalf("gonnx and onnxruntime differ by up to %g, want ≤ 1e-5", worst)
	}
	t.Logf("%d inputs: largest |gonnx − onnxruntime| = %g", len(inputs), worst)
	return res.NsPerRun
}

// TestParityWithOnnxruntime compares gonnx with onnxruntime-node on random
// forests and inputs, including values equal to thresholds.
//
// Verifies: SRS-CLS-005
func TestParityWithOnnxruntime(t *testing.T) {
	f := randomForest(11, 30, 200, 5)
	r := rand.New(rand.NewPCG(3, 4))
	inputs := make([][]float32, 300)
	for i := range inputs {
		inputs[i] = make([]float32, 30)
		for j := range inputs[i] {
			inputs[i][j] = gridValue(r)
		}
	}
	b, err := f.MarshalONNX()
	if err != nil {
		t.Fatal(err)
	}
	checkORTParity(t, b, inputs, 0)
}

// TestEmbeddedModelOnnxruntime runs the shipped model through gonnx, the
// plain-Go pass and onnxruntime-node on inputs at its thresholds, and logs
// onnxruntime-node's model-only latency (for .ci/report.d/30-model.sh).
//
// Verifies: SRS-CLS-005
func TestEmbeddedModelOnnxruntime(t *testing.T) {
	f, inputs := embeddedInputs(t, 400)
	m, err := Load(model.ONNX)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, NumClasses)
	var worst float64
	for _, x := range inputs {
		if err := m.Predict(got, x); err != nil {
			t.Fatal(err)
		}
		want := f.Predict(nil, x)
		for c := range want {
			worst = math.Max(worst, math.Abs(float64(got[c])-want[c]))
		}
	}
	if worst > 1e-5 {
		t.Fatalf("gonnx vs plain Go: largest difference %g, want ≤ 1e-5", worst)
	}
	t.Logf("gonnx vs plain Go on %d threshold inputs: largest difference %g", len(inputs), worst)
	ns := checkORTParity(t, model.ONNX, inputs, 2000)
	t.Logf("onnxruntime-node 1.30.0 model-only latency: %.1f µs/run (1 thread, 2000 runs)", ns/1000)
}
