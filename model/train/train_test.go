package train

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/afscan/afscan/inference/onnx"
)

// synthetic returns n labelled rows whose class depends on the first three
// of nFeat features (the rest are noise), seeded.
func synthetic(seed uint64, n, nFeat int) *Dataset {
	r := splitMix64{state: seed}
	d := &Dataset{}
	for f := 0; f < nFeat; f++ {
		d.FeatureNames = append(d.FeatureNames, "f"+strconv.Itoa(f))
	}
	for i := 0; i < n; i++ {
		x := make([]float32, nFeat)
		for f := range x {
			x[f] = float32(r.float64()*2 - 1)
		}
		var y int
		switch {
		case x[0] > 0.6:
			y = 1 // a minority class, like AF
		case x[1]+0.3*x[2] > 0.2:
			y = 2
		case x[2] < -0.9:
			y = 3
		}
		if r.float64() < 0.05 { // label noise
			y = r.intN(4)
		}
		d.Names = append(d.Names, "r"+strconv.Itoa(i))
		d.X = append(d.X, x)
		d.Y = append(d.Y, y)
		d.Reason = append(d.Reason, "")
	}
	return d
}

func smallParams() Params {
	p := DefaultParams()
	p.Rounds, p.Depth = 40, 3
	return p
}

// TestTrainIsDeterministic trains twice on the same synthetic set and seed
// and expects identical bytes, and different bytes for another seed.
//
// Verifies: SRS-CLS-008
func TestTrainIsDeterministic(t *testing.T) {
	d := synthetic(1, 600, 8)
	opt := Options{Name: "t", Version: "0", Seed: 7, Params: smallParams(), Folds: 3, CheckpointStep: 10}
	a, repA, err := TrainDataset(context.Background(), d, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, repB, err := TrainDataset(context.Background(), synthetic(1, 600, 8), opt)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) || repA.SHA256 != repB.SHA256 {
		t.Fatalf("two runs differ: %s vs %s", repA.SHA256, repB.SHA256)
	}
	opt.Seed = 8
	c, _, err := TrainDataset(context.Background(), d, opt)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Fatal("seeds 7 and 8 gave identical models; the seed is not used")
	}
}

// TestTrainLearnsAndExportsFaithfully checks that the model beats chance on
// held-out synthetic data and that the exported ONNX run by gonnx gives the
// same probabilities as the plain-Go forest.
//
// Verifies: SRS-CLS-005, SRS-CLS-006
func TestTrainLearnsAndExportsFaithfully(t *testing.T) {
	train, test := synthetic(2, 1500, 6), synthetic(3, 400, 6)
	b, rep, err := TrainDataset(context.Background(), train, Options{Name: "t", Version: "0", Seed: 1, Params: smallParams(), Folds: 3, CheckpointStep: 10})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Temperature <= 0 || rep.CV.LogLossCalib > rep.CV.LogLossRaw+1e-9 {
		t.Errorf("temperature %v made CV log loss %v → %v; calibration must not worsen it", rep.Temperature, rep.CV.LogLossRaw, rep.CV.LogLossCalib)
	}
	m, err := onnx.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	probs := make([]float32, 4)
	var conf Confusion
	for i, x := range test.X {
		if err := m.Predict(probs, x); err != nil {
			t.Fatal(err)
		}
		p64 := make([]float64, 4)
		for c := range p64 {
			p64[c] = float64(probs[c])
		}
		conf.Add(test.Y[i], Argmax(p64))
	}
	// Chance (always the majority class) scores about 0.2 here.
	if got := conf.CinCScore(); got < 0.7 {
		t.Fatalf("held-out CinC score %.3f, want ≥ 0.7 (confusion %v)", got, conf)
	}
	if got, want := m.FeatureNames(), train.FeatureNames; len(got) != len(want) || got[0] != want[0] {
		t.Fatalf("feature names %v, want %v", got, want)
	}
}

func TestMetrics(t *testing.T) {
	var c Confusion
	// truth N: 8 N, 2 O; truth A: 3 A, 1 N; truth O: 4 O, 1 A; truth ~: 1 ~, 1 N.
	for _, tp := range [][3]int{{0, 0, 8}, {0, 2, 2}, {1, 1, 3}, {1, 0, 1}, {2, 2, 4}, {2, 1, 1}, {3, 3, 1}, {3, 0, 1}} {
		for k := 0; k < tp[2]; k++ {
			c.Add(tp[0], tp[1])
		}
	}
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{name: "F1 N", got: c.F1(0), want: 2 * 8.0 / (10 + 10)},
		{name: "F1 A", got: c.F1(1), want: 2 * 3.0 / (4 + 4)},
		{name: "F1 O", got: c.F1(2), want: 2 * 4.0 / (5 + 6)},
		{name: "AF sensitivity", got: c.AFBinary().Sensitivity().Value, want: 3.0 / 4},
		{name: "AF specificity", got: c.AFBinary().Specificity().Value, want: 15.0 / 16},
		// Wilson interval for 8/10 (Newcombe 1998 table: 0.4902–0.9433).
		{name: "Wilson low", got: NewProportion(8, 10).Low, want: 0.4902},
		{name: "Wilson high", got: NewProportion(8, 10).High, want: 0.9433},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if math.Abs(tc.got-tc.want) > 1e-4 {
				t.Fatalf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

// TestMLPBaselineLearns checks the comparison baseline on synthetic data.
func TestMLPBaselineLearns(t *testing.T) {
	train, test := synthetic(4, 1200, 6), synthetic(5, 300, 6)
	p := DefaultMLPParams()
	p.Epochs = 20
	c := ConfusionOf(test.Y, FitMLP(train, p, test))
	if got := c.CinCScore(); got < 0.6 {
		t.Fatalf("MLP held-out CinC score %.3f, want ≥ 0.6 (confusion %v)", got, c)
	}
}
