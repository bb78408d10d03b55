package inference

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/afscan/afscan/ecg"
)

// TestCinCTrainPipeline runs the feature pipeline on CinC 2017 records of
// the locked train split (every 10th record; all of them with
// AFSCAN_CINC_ALL=1, as the CI report does) and checks that real strips
// pass: no errors, finite features, and that gating spares readable
// strips: at most 2% of the normal-rhythm records are gated. It prints how
// many records of each label were gated and for which reason.
//
// Verifies: SRS-CLS-002, SRS-CLS-003
func TestCinCTrainPipeline(t *testing.T) {
	dir, names, labels := cincTrainRecords(t)
	stride := 10
	if os.Getenv("AFSCAN_CINC_ALL") != "" {
		stride = 1
	}
	e := NewExtractor()
	gated := map[string]map[string]int{}
	total := map[string]int{}
	var inverted, n int
	var extractTime time.Duration
	for i := 0; i < len(names); i += stride {
		rec, err := ecg.ReadRecord(filepath.Join(dir, names[i]))
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		t0 := time.Now()
		a, err := e.Extract(context.Background(), rec.Leads[0].Samples, rec.SampleRateHz)
		extractTime += time.Since(t0)
		if err != nil {
			t.Errorf("%s: %v", names[i], err)
			continue
		}
		n++
		total[labels[i]]++
		if a.Inverted {
			inverted++
		}
		if a.Reason != "" {
			if gated[labels[i]] == nil {
				gated[labels[i]] = map[string]int{}
			}
			gated[labels[i]][a.Reason]++
		}
	}
	var keys []string
	for k := range total {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("CinC 2017 train split: %d records, mean extraction %v per record (wall), %d (%.1f%%) polarity-corrected\n",
		n, extractTime/time.Duration(max(n, 1)), inverted, 100*float64(inverted)/float64(max(n, 1)))
	for _, k := range keys {
		var g int
		for _, c := range gated[k] {
			g += c
		}
		fmt.Printf("  label %s: %4d records, %3d gated inconclusive %v\n", k, total[k], g, gated[k])
	}
	var gN int
	for _, c := range gated["N"] {
		gN += c
	}
	if total["N"] > 0 && float64(gN) > 0.02*float64(total["N"]) {
		t.Errorf("%d of %d normal records gated inconclusive, want ≤ 2%%", gN, total["N"])
	}
}
