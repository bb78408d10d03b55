package train

import (
	"context"
	"math"
	"os"
	"testing"
)

// TestCompareFamiliesCinC2017 is the evidence for the model family in
// MODEL_CARD.md: 5-fold CV on the locked training fold, same folds, boosted
// trees (DefaultParams, rounds chosen by CV) vs the MLP baseline. It
// takes minutes, so it runs only with AFSCAN_COMPARE=1:
//
//	AFSCAN_COMPARE=1 go test -count=1 -timeout 60m -v -run TestCompareFamiliesCinC2017 ./model/train
func TestCompareFamiliesCinC2017(t *testing.T) {
	if os.Getenv("AFSCAN_COMPARE") != "1" {
		t.Skip("skipping: set AFSCAN_COMPARE=1 (takes minutes)")
	}
	d, _ := trainFeatures(t, math.MaxInt)
	res, err := CompareFamilies(context.Background(), d, DefaultParams(), DefaultMLPParams(), 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		c := r.Confusion
		b := c.AFBinary()
		t.Logf("%-34s CinC %.4f  F1 N %.4f A %.4f O %.4f ~ %.4f  AF sens %.4f spec %.4f  log loss %.4f",
			r.Family, c.CinCScore(), c.F1(0), c.F1(1), c.F1(2), c.F1(3), b.Sensitivity().Value, b.Specificity().Value, r.LogLoss)
	}
}
