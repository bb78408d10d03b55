package inference

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/internal/dataset"
)

// TestFeatureGolden guards speed work on the pipeline: the model was trained
// on the exact feature values, so an optimisation must not change any of
// them in the last bit. With AFSCAN_FEATURE_GOLDEN=write:FILE it writes, for
// every CinC 2017 record (at 300 Hz, and every 10th one also presented as
// 250 and 500 Hz to exercise resampling) and 30 s windows of the MIT-BIH
// records (360 Hz), the bits of every feature, the gating reason, the
// quality, both detectors' beats and the fiducials; with
// AFSCAN_FEATURE_GOLDEN=FILE it recomputes them and reports every
// difference by feature name (development aid; skipped otherwise).
func TestFeatureGolden(t *testing.T) {
	spec := os.Getenv("AFSCAN_FEATURE_GOLDEN")
	if spec == "" {
		t.Skip("set AFSCAN_FEATURE_GOLDEN=write:FILE or FILE to write or check the feature golden file")
	}
	path, write := strings.CutPrefix(spec, "write:")
	lines := goldenLines(t, 1)
	if write {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d strips to %s", len(lines), path)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(want) != len(lines) {
		t.Fatalf("%d strips, golden file has %d", len(lines), len(want))
	}
	names := append([]string{"name", "reason", "quality", "peaksA", "peaksB", "fiducials"}, FeatureNames()...)
	bad := 0
	for i, got := range lines {
		if got == want[i] {
			continue
		}
		bad++
		g, w := strings.Split(got, " "), strings.Split(want[i], " ")
		for k := range min(len(g), len(w)) {
			if g[k] != w[k] && bad <= 20 {
				t.Errorf("%s: %s = %s, golden %s", g[0], names[k], goldenShow(g[k]), goldenShow(w[k]))
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d strips differ", bad, len(lines))
	}
	t.Logf("%d strips compared", len(lines))
}

// goldenShow turns a hex-encoded float64 back into a readable value.
func goldenShow(s string) string {
	if u, err := strconv.ParseUint(s, 16, 64); err == nil && len(s) == 16 {
		return fmt.Sprintf("%s (%v)", s, math.Float64frombits(u))
	}
	return s
}

// featureDigest is the SHA-256 of goldenLines(t, 10) (all lines, each
// ending in a newline) as the pipeline computed them before its speed work
// (commit 38a6e11, model 1.3.1 trained on those features).
const featureDigest = "308190eaae65a066d1d1e7bdaca0e04e574f92d2d0a9bda2ae1a53d075a36392"

// TestFeatureDigest checks that every feature bit, beat list and gating
// decision on every 10th CinC 2017 record (also presented at 250 and
// 500 Hz) and on 30 s windows of the MIT-BIH records is what the pipeline
// computed before it was optimised: the embedded model was trained on those
// exact values, so a change in the last bit of one feature can move a tree
// split. A deliberate feature change must update featureDigest (and
// retrain). amd64 only: other architectures fuse multiply-adds, which
// changes last bits. So does GOAMD64=v3 or later on amd64 (the compiler
// then emits FMA instructions), and this test fails there on purpose: such
// a build computes features the model was not trained on.
func TestFeatureDigest(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("feature bits are pinned on amd64 (no fused multiply-add)")
	}
	lines := goldenLines(t, 10)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n") + "\n"))
	if got := hex.EncodeToString(sum[:]); got != featureDigest {
		t.Errorf("feature digest of %d strips %s, want %s: a feature value changed (AFSCAN_FEATURE_GOLDEN shows which)", len(lines), got, featureDigest)
	}
}

// goldenLines computes one line per strip (see TestFeatureGolden) for every
// stride-th CinC record (and resampled variants of every 10th) and MIT-BIH
// windows.
func goldenLines(t *testing.T, stride int) []string {
	cinc := dataset.ForTest(t, dataset.CinC2017)
	mit := dataset.ForTest(t, dataset.MITDB)
	e := NewExtractor()
	var lines []string
	run := func(name string, x []float64, rateHz float64) {
		a, err := e.Extract(context.Background(), x, rateHz)
		if err != nil {
			lines = append(lines, name+" error "+err.Error())
			return
		}
		var sb strings.Builder
		reason := a.Reason
		if reason == "" {
			reason = "-"
		}
		fmt.Fprintf(&sb, "%s %s %016x %s %s %s", name, reason, math.Float64bits(a.SignalQuality),
			hashInts(e.peaksA), hashInts(e.peaksB), hashInts(a.RPeakIdx))
		for _, v := range a.Features {
			fmt.Fprintf(&sb, " %016x", math.Float64bits(v))
		}
		lines = append(lines, sb.String())
	}
	var recs []string
	sc := bufio.NewScanner(strings.NewReader(mustRead(t, filepath.Join(cinc, "RECORDS"))))
	for sc.Scan() {
		if n := strings.TrimSpace(sc.Text()); n != "" {
			recs = append(recs, n)
		}
	}
	if len(recs) == 0 {
		t.Fatal("no CinC records")
	}
	for i, n := range recs {
		if i%stride != 0 {
			continue
		}
		rec, err := ecg.ReadRecord(filepath.Join(cinc, n))
		if err != nil {
			t.Fatal(err)
		}
		x := rec.Leads[0].Samples
		run(n, x, rec.SampleRateHz)
		if i%10 == 0 {
			run(n+"@250", x, 250)
			run(n+"@500", x, 500)
		}
	}
	mrecs := strings.Fields(mustRead(t, filepath.Join(mit, "RECORDS")))
	for _, n := range mrecs {
		rec, err := ecg.ReadRecord(filepath.Join(mit, n))
		if err != nil {
			t.Fatal(err)
		}
		x := rec.Leads[0].Samples
		win := int(30 * rec.SampleRateHz)
		for k, start := 0, 0; k < 8 && start+win <= len(x); k, start = k+1, start+len(x)/8 {
			run(fmt.Sprintf("mitdb%s-%d", n, k), x[start:start+win], rec.SampleRateHz)
		}
	}
	return lines
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// hashInts is a short fingerprint of a beat list: its length and FNV hash.
func hashInts(v []int) string {
	h := fnv.New64a()
	for _, x := range v {
		fmt.Fprintf(h, "%d,", x)
	}
	return fmt.Sprintf("%d:%x", len(slices.Clip(v)), h.Sum64())
}

// TestValidateStripNonFiniteAnywhere checks the four-at-a-time finiteness
// scan: every NaN or infinity is reported with its own index, whatever its
// position modulo four.
func TestValidateStripNonFiniteAnywhere(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for at := range 11 {
			x := make([]float64, 2*300+at%3)
			x[len(x)-1-at] = bad
			err := validateStrip(x, 300)
			want := fmt.Sprintf("sample %d", len(x)-1-at)
			if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), want) {
				t.Errorf("%v at %d of %d: %v", bad, len(x)-1-at, len(x), err)
			}
		}
	}
	if err := validateStrip(make([]float64, 601), 300); err != nil {
		t.Error(err)
	}
}

// TestPolarityFoldMatchesMathMaxMin checks correctPolarity's inlined
// max/min fold against math.Max and math.Min on windows with signed
// zeros, infinities and NaNs.
func TestPolarityFoldMatchesMathMaxMin(t *testing.T) {
	pool := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -2, math.Inf(1), math.Inf(-1), math.NaN()}
	e := NewExtractor()
	for trial := range 20000 {
		w := make([]float64, 31)
		for i := range w {
			w[i] = pool[(trial*7+i*i*13+i*trial)%len(pool)]
			if (trial+i)%5 != 0 {
				w[i] = float64((trial*31+i*17)%19-9) / 4
			}
		}
		mx, mn := 0.0, 0.0
		for _, v := range w {
			mx, mn = math.Max(mx, v), math.Min(mn, v)
		}
		e.correctPolarity(w, []int{15})
		gotMx, gotMn := e.pos[0], -e.neg[0]
		if math.Float64bits(gotMx) != math.Float64bits(mx) && !(math.IsNaN(gotMx) && math.IsNaN(mx)) ||
			math.Float64bits(gotMn) != math.Float64bits(mn) && !(math.IsNaN(gotMn) && math.IsNaN(mn)) {
			t.Fatalf("window %v: max, min %v, %v; math.Max/Min %v, %v", w, gotMx, gotMn, mx, mn)
		}
	}
}

// clipFractionRef is clipFraction as it was before its skip loop: one
// sample per step.
func clipFractionRef(x []float64, sampleRateHz float64) float64 {
	if len(x) == 0 {
		return 0
	}
	lo, hi := valueRange(x)
	if lo == hi {
		return 0
	}
	minRun := max(3, int(clipRunMs*sampleRateHz/1000+0.5))
	clipped := 0
	for i := 1; i < len(x); {
		v := x[i]
		if v != x[i-1] || (v != hi && v != lo) {
			i++
			continue
		}
		j := i + 1
		for j < len(x) && x[j] == v {
			j++
		}
		if run := j - i + 1; run >= minRun {
			clipped += run
		}
		i = j
	}
	return float64(clipped) / float64(len(x))
}

// TestClipFractionMatchesReference compares clipFraction with the
// one-step reference on signals with plateaus at the rails and elsewhere.
func TestClipFractionMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 5000 {
		n := 1 + rng.IntN(400)
		x := make([]float64, n)
		for i := range x {
			switch r := rng.IntN(10); {
			case r < 2 && i > 0:
				x[i] = x[i-1] // plateau
			case r == 2:
				x[i] = 3 // upper rail
			case r == 3:
				x[i] = -3 // lower rail
			default:
				x[i] = float64(rng.IntN(7) - 3)
			}
		}
		rate := []float64{125, 300, 1000}[trial%3]
		lo, hi := valueRange(x)
		if got, want := clipFraction(x, rate, lo, hi), clipFractionRef(x, rate); got != want {
			t.Fatalf("%v at %g Hz: %v, want %v", x, rate, got, want)
		}
	}
}
