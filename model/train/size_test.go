package train

import (
	"context"
	"math"
	"os"
	"testing"
)

// TestModelSizeCinC2017 is the evidence for the ensemble shape in
// MODEL_CARD.md: 5-fold CV on the locked training fold (same folds for
// every candidate, rounds chosen at checkpoints) of per-class against
// vector-leaf trees at several depths. The runtime cost of the ONNX graph
// grows with the number of comparisons (trees × depth) and of leaves
// (trees × 2^depth), which are logged with each candidate. It takes
// minutes, so it runs only with AFSCAN_SIZE_SEARCH=1:
//
//	AFSCAN_SIZE_SEARCH=1 go test -count=1 -timeout 60m -v -run TestModelSizeCinC2017 ./model/train
func TestModelSizeCinC2017(t *testing.T) {
	if os.Getenv("AFSCAN_SIZE_SEARCH") != "1" {
		t.Skip("skipping: set AFSCAN_SIZE_SEARCH=1 (takes minutes)")
	}
	d, _ := trainFeatures(t, math.MaxInt)
	folds := StratifiedFolds(d.Y, 5, 1)
	for _, c := range []struct {
		vector      bool
		depth       int
		lr          float64
		rounds, max int
		cols, l2    float64
		rows        float64
	}{
		{false, 5, 0.1, 25, 200, 0.5, 1, 0.8},
		{true, 5, 0.05, 25, 500, 0.5, 1, 0.8},
		{true, 5, 0.1, 25, 300, 0.5, 1, 0.8},
		{true, 4, 0.1, 25, 400, 0.5, 1, 0.8},
		{true, 6, 0.05, 25, 500, 0.5, 1, 0.8},
	} {
		p := DefaultParams()
		p.VectorLeaves, p.Depth, p.LearningRate, p.Rounds = c.vector, c.depth, c.lr, c.max
		p.FeatureSubsample, p.L2, p.RowSubsample = c.cols, c.l2, c.rows
		res, err := CrossValidate(context.Background(), d, p, folds, 5, Checkpoints(c.max, c.rounds))
		if err != nil {
			t.Fatal(err)
		}
		for j, r := range res.Checkpoints {
			cj := ConfusionOf(d.Y, res.OOF[j])
			t.Logf("  rounds %d: CinC %.4f log loss %.4f", r, cj.CinCScore(), LogLoss(d.Y, res.OOF[j], 1))
		}
		k, top, se := oneSECheckpoint(d.Y, res)
		conf, topConf := ConfusionOf(d.Y, res.OOF[k]), ConfusionOf(d.Y, res.OOF[top])
		t.Logf("  best CinC %.4f ± %.4f at %d rounds; one-SE rule keeps %d rounds", topConf.CinCScore(), se, res.Checkpoints[top], res.Checkpoints[k])
		rounds := res.Checkpoints[k]
		trees := rounds
		if !c.vector {
			trees *= nClasses
		}
		t.Logf("vector=%v depth=%d lr=%.2f cols=%.1f l2=%g rows=%.1f: one-SE rounds %d (%d trees, %d comparisons, %d leaves)  CinC %.4f  F1 N %.4f A %.4f O %.4f ~ %.4f  log loss %.4f",
			c.vector, c.depth, c.lr, c.cols, c.l2, c.rows, rounds, trees, trees*c.depth, trees<<c.depth,
			conf.CinCScore(), conf.F1(0), conf.F1(1), conf.F1(2), conf.F1(3), LogLoss(d.Y, res.OOF[k], 1))
	}
}
