package onnx

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
)

// randomForest builds a seeded random forest over nFeat features whose
// thresholds are drawn from a small grid, so that test inputs drawn from the
// same grid hit x == threshold exactly.
func randomForest(seed uint64, nFeat, nTrees, depth int) *Forest {
	r := rand.New(rand.NewPCG(seed, 7))
	f := &Forest{Name: "test", Version: "0", Depth: depth, Temperature: 1.3, Base: [NumClasses]float64{float64(float32(0.2)), -0.5, float64(float32(0.1)), -1}}
	for i := 0; i < nFeat; i++ {
		f.FeatureNames = append(f.FeatureNames, "f"+strconv.Itoa(i))
	}
	for t := 0; t < nTrees; t++ {
		// Every fifth tree has a value per class in its leaves.
		tr := Tree{Class: t % NumClasses}
		if t%5 == 4 {
			tr.Class = AllClasses
		}
		for i := 0; i < depth; i++ {
			tr.Feature = append(tr.Feature, int32(r.IntN(nFeat)))
			tr.Threshold = append(tr.Threshold, gridValue(r))
		}
		for i := 0; i < tr.leafCount(depth); i++ {
			tr.Leaf = append(tr.Leaf, float32(r.NormFloat64()*0.3))
		}
		f.Trees = append(f.Trees, tr)
	}
	return f
}

func gridValue(r *rand.Rand) float32 {
	switch r.IntN(6) {
	case 0:
		return float32(r.IntN(7) - 3)
	case 1:
		return float32(r.NormFloat64() * 1e6)
	case 2:
		return float32(r.NormFloat64() * 1e-6)
	default:
		return float32(r.NormFloat64())
	}
}

func mustLoad(t testing.TB, f *Forest) *Model {
	t.Helper()
	b, err := f.MarshalONNX()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestParityWithPlainGo runs the gonnx graph and the plain-Go reference pass
// on many inputs, from several goroutines at once (run under -race).
//
// Verifies: SRS-CLS-005, SRS-CLS-006
func TestParityWithPlainGo(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		nFeat, nTrees, depth int
		nInputs, nGoroutines int
	}{
		{name: "depth1", nFeat: 3, nTrees: 4, depth: 1, nInputs: 200, nGoroutines: 2},
		{name: "depth4", nFeat: 20, nTrees: 80, depth: 4, nInputs: 150, nGoroutines: 4},
		{name: "depth6 many trees", nFeat: 40, nTrees: 400, depth: 6, nInputs: 50, nGoroutines: 2},
		// 250 × 5: both products in batches, as the shipped model; 211 is
		// prime, so no batching divides it and the products run whole.
		{name: "shipped shape", nFeat: 89, nTrees: 250, depth: 5, nInputs: 50, nGoroutines: 2},
		{name: "prime tree count", nFeat: 30, nTrees: 211, depth: 3, nInputs: 50, nGoroutines: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := randomForest(uint64(tc.depth), tc.nFeat, tc.nTrees, tc.depth)
			m := mustLoad(t, f)
			var wg sync.WaitGroup
			errs := make(chan string, tc.nGoroutines)
			for g := 0; g < tc.nGoroutines; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(g), 99))
					x := make([]float32, tc.nFeat)
					got := make([]float32, NumClasses)
					for n := 0; n < tc.nInputs; n++ {
						for i := range x {
							x[i] = gridValue(r)
						}
						if err := m.Predict(got, x); err != nil {
							errs <- err.Error()
							return
						}
						want := f.Predict(nil, x)
						var sum float64
						for c := range got {
							sum += float64(got[c])
							if d := math.Abs(float64(got[c]) - want[c]); d > 1e-5 {
								errs <- "class " + strconv.Itoa(c) + ": got " + strconv.FormatFloat(float64(got[c]), 'g', -1, 32) + ", want " + strconv.FormatFloat(want[c], 'g', -1, 64)
								return
							}
						}
						if math.Abs(sum-1) > 1e-5 {
							errs <- "probabilities sum to " + strconv.FormatFloat(sum, 'g', -1, 64)
							return
						}
					}
				}(g)
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
		})
	}
}

// TestStepIsExact checks the float step x > t of the graph at and around
// the threshold, including the extremes of float32.
//
// Verifies: SRS-CLS-005
func TestStepIsExact(t *testing.T) {
	const tiny = float32(1e-45) // the least float32 subnormal
	up := func(v float32) float32 { return math.Nextafter32(v, float32(math.Inf(1))) }
	down := func(v float32) float32 { return math.Nextafter32(v, float32(math.Inf(-1))) }
	for _, th := range []float32{0.37, 0, tiny, -tiny, 1e30, -1e-30, math.MaxFloat32, -math.MaxFloat32} {
		f := &Forest{Name: "s", Version: "0", FeatureNames: []string{"x"}, Depth: 1, Temperature: 1,
			Trees: []Tree{{Class: 1, Feature: []int32{0}, Threshold: []float32{th}, Leaf: []float32{-3, 3}}}}
		m := mustLoad(t, f)
		for _, x := range []float32{th, up(th), down(th), math.MaxFloat32, -math.MaxFloat32, 0} {
			if math.IsInf(float64(x), 0) {
				continue
			}
			t.Run(fmt.Sprintf("x=%g_t=%g", x, th), func(t *testing.T) {
				got := make([]float32, NumClasses)
				if err := m.Predict(got, []float32{x}); err != nil {
					t.Fatal(err)
				}
				if right := got[1] > 0.5; right != (x > th) {
					t.Fatalf("got P(A) %v (right=%v), want right=%v", got[1], right, x > th)
				}
			})
		}
	}
}

// TestSoftmaxTails checks the graph's softmax (exp(s') = 1/σ(−s') − 1 of
// the centred scores) against the plain-Go pass where it is weakest: scores
// far apart (up to the spread the graph accepts), all large and negative,
// all large and positive, and tied.
//
// Verifies: SRS-CLS-005
func TestSoftmaxTails(t *testing.T) {
	for _, base := range [][NumClasses]float64{
		{0, 0, 0, 0},
		{-300, -301, -302, -310},
		{300, 299.5, 310, 280},
		{349, -349, 0, 20},
		{-40, -3, -2, -1},
		{1e-30, -1e-30, 0, 0},
	} {
		f := &Forest{Name: "s", Version: "0", FeatureNames: []string{"x"}, Depth: 1, Temperature: 1,
			Trees: []Tree{{Class: 1, Feature: []int32{0}, Threshold: []float32{0}, Leaf: []float32{-0.5, 0.5}}}}
		for c, v := range base {
			f.Base[c] = float64(float32(v))
		}
		m := mustLoad(t, f)
		for _, x := range []float32{-1, 1} {
			got := make([]float32, NumClasses)
			if err := m.Predict(got, []float32{x}); err != nil {
				t.Fatal(err)
			}
			want := f.Predict(nil, []float32{x})
			for c := range want {
				// float32 output: half an ulp of the value, plus the
				// subnormal range, where float32 has no relative accuracy.
				if d := math.Abs(float64(got[c]) - want[c]); d > math.Abs(want[c])*1e-7+1e-38 {
					t.Errorf("base %v, x %v: class %d got %v, want %v", base, x, c, got[c], want[c])
				}
			}
		}
	}
}

// TestPredictRejectsBadInput covers feature-count and non-finite errors.
//
// Verifies: SRS-CLS-005
func TestPredictRejectsBadInput(t *testing.T) {
	m := mustLoad(t, randomForest(1, 5, 8, 2))
	for _, tc := range []struct {
		name     string
		probs    int
		features []float32
		want     error
	}{
		{name: "too few features", probs: 4, features: make([]float32, 4), want: ErrFeatureCount},
		{name: "too many features", probs: 4, features: make([]float32, 6), want: ErrFeatureCount},
		{name: "NaN", probs: 4, features: []float32{0, float32(math.NaN()), 0, 0, 0}, want: ErrNonFiniteFeature},
		{name: "Inf", probs: 4, features: []float32{0, 0, 0, 0, float32(math.Inf(1))}, want: ErrNonFiniteFeature},
		{name: "short probs", probs: 3, features: make([]float32, 5), want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := m.Predict(make([]float32, tc.probs), tc.features)
			if err == nil {
				t.Fatal("got nil error, want one")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestLoadChecksFeatureNames builds graphs whose input width disagrees with
// their metadata and expects Load to refuse them.
//
// Verifies: SRS-CLS-005
func TestLoadChecksFeatureNames(t *testing.T) {
	f := randomForest(2, 6, 8, 3)
	good, err := f.MarshalONNX()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.FeatureNames(); len(got) != 6 || got[5] != "f5" {
		t.Fatalf("got feature names %v, want f0..f5", got)
	}
	// A forest with 7 names but the same trees: the graph is well formed,
	// so rewrite the metadata to claim 5 features instead.
	for _, tc := range []struct {
		name  string
		names string
	}{
		{name: "fewer names", names: "a,b,c,d,e"},
		{name: "more names", names: "a,b,c,d,e,f,g"},
		{name: "no names", names: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := *f
			g.FeatureNames = []string{"a", "b", "c", "d", "e", "f"}
			b, err := g.MarshalONNX()
			if err != nil {
				t.Fatal(err)
			}
			b = replaceMeta(t, b, "a,b,c,d,e,f", tc.names)
			if _, err := Load(b); !errors.Is(err, ErrBadModel) {
				t.Fatalf("got %v, want ErrBadModel", err)
			}
		})
	}
}

func TestMarshalIsDeterministicAndValidates(t *testing.T) {
	f := randomForest(3, 10, 20, 3)
	a, err := f.MarshalONNX()
	if err != nil {
		t.Fatal(err)
	}
	b, err := randomForest(3, 10, 20, 3).MarshalONNX()
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatal("two marshals of the same forest differ")
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Forest)
	}{
		{name: "feature out of range", mutate: func(f *Forest) { f.Trees[0].Feature[0] = 10 }},
		{name: "bad class", mutate: func(f *Forest) { f.Trees[1].Class = 4 }},
		{name: "short leaves", mutate: func(f *Forest) { f.Trees[2].Leaf = f.Trees[2].Leaf[:3] }},
		{name: "zero temperature", mutate: func(f *Forest) { f.Temperature = 0 }},
		{name: "comma in name", mutate: func(f *Forest) { f.FeatureNames[0] = "a,b" }},
		{name: "NaN leaf", mutate: func(f *Forest) { f.Trees[0].Leaf[0] = float32(math.NaN()) }},
		{name: "infinite threshold", mutate: func(f *Forest) { f.Trees[0].Threshold[1] = float32(math.Inf(1)) }},
		{name: "base not a float32", mutate: func(f *Forest) { f.Base[2] = 0.1 }},
		{name: "vector tree with single-class leaves", mutate: func(f *Forest) { f.Trees[5].Class = AllClasses }},
		{name: "single-class tree with vector leaves", mutate: func(f *Forest) { f.Trees[4].Class = 0 }},
		{name: "scores too far apart for the softmax", mutate: func(f *Forest) { f.Base[0] = 1000 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := randomForest(3, 10, 20, 3)
			tc.mutate(g)
			if _, err := g.MarshalONNX(); !errors.Is(err, ErrInvalidForest) {
				t.Fatalf("got %v, want ErrInvalidForest", err)
			}
		})
	}
}

// TestParseForestRoundTrips checks that ParseForest recovers a forest that
// marshals to the very same bytes.
func TestParseForestRoundTrips(t *testing.T) {
	f := randomForest(4, 12, 24, 4)
	f.Meta = [][2]string{{"k", "v"}}
	a, err := f.MarshalONNX()
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParseForest(a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.MarshalONNX()
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatal("ParseForest(MarshalONNX(f)) marshals to different bytes")
	}
	if _, err := ParseForest([]byte("garbage")); !errors.Is(err, ErrBadModel) {
		t.Fatalf("got %v for garbage, want ErrBadModel", err)
	}
}

// TestProductBatches pins how the two wide products are split: the fewest
// equal batches of whole trees that keep gonum serial, none when no divisor
// up to 64 does or a batch would be a single tree.
func TestProductBatches(t *testing.T) {
	for _, tc := range []struct {
		nTrees, depth, sel, leaf int
	}{
		{nTrees: 1, depth: 1, sel: 1, leaf: 1},
		{nTrees: 38, depth: 5, sel: 1, leaf: 1},    // 190 columns, 38 rows
		{nTrees: 80, depth: 4, sel: 2, leaf: 1},    // 320 → 2 × 160 columns
		{nTrees: 250, depth: 5, sel: 10, leaf: 2},  // 1,250 → 10 × 125; 250 rows → 2 × 125
		{nTrees: 400, depth: 6, sel: 16, leaf: 4},  // 2,400 → 16 × 150; 400 rows → 4 × 100
		{nTrees: 211, depth: 3, sel: 1, leaf: 1},   // prime
		{nTrees: 4000, depth: 5, sel: 1, leaf: 25}, // selection would need more than 64 batches
	} {
		sel, leaf := productBatches(tc.nTrees, tc.depth, 1<<tc.depth)
		if sel != tc.sel || leaf != tc.leaf {
			t.Errorf("%d trees of depth %d: %d and %d batches, want %d and %d", tc.nTrees, tc.depth, sel, leaf, tc.sel, tc.leaf)
		}
	}
}
