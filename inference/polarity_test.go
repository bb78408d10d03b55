package inference

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/internal/dataset"
)

// TestPolarityMITDB measures the polarity correction against known ground
// truth: every strip is analysed as recorded and negated, and at most one of
// the two may be taken as inverted (the rule has a dead band, median
// negative/positive deflection ratio within 1/1.2..1.2, where a strip is left
// as is either way). MIT-BIH lead 0 is a modified lead II, whose QRS is
// upright in most patients, so "as recorded" should mostly be upright; the
// exceptions are listed by record (114's lead 0 is V5, its signals swapped in
// the database). Sixteen 30 s windows per record, 768 strips. Measured when
// written: opposite decisions for 741 of 768 (0.965), none taken as inverted
// both ways, as-recorded upright 730 (0.951), inverted windows in 108 (7),
// 114 (12), 117 (6), 207 (13).
//
// Verifies: SRS-CLS-004
func TestPolarityMITDB(t *testing.T) {
	mit := dataset.ForTest(t, dataset.MITDB)
	e := NewExtractor()
	var strips, consistent, upright int
	perRecord := map[string]int{}
	for _, n := range strings.Fields(mustRead(t, filepath.Join(mit, "RECORDS"))) {
		rec, err := ecg.ReadRecord(filepath.Join(mit, n))
		if err != nil {
			t.Fatal(err)
		}
		x := rec.Leads[0].Samples
		win := int(30 * rec.SampleRateHz)
		neg := make([]float64, win)
		for k, start := 0, 0; k < 16 && start+win <= len(x); k, start = k+1, start+len(x)/16 {
			strip := x[start : start+win]
			a, err := e.Extract(context.Background(), strip, rec.SampleRateHz)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range strip {
				neg[i] = -v
			}
			b, err := e.Extract(context.Background(), neg, rec.SampleRateHz)
			if err != nil {
				t.Fatal(err)
			}
			strips++
			if a.Inverted && b.Inverted {
				t.Errorf("record %s window %d: taken as inverted both as recorded and negated", n, k)
			}
			if a.Inverted != b.Inverted {
				consistent++
			}
			if !a.Inverted {
				upright++
			} else {
				perRecord[n]++
			}
		}
	}
	cons, up := float64(consistent)/float64(strips), float64(upright)/float64(strips)
	t.Logf("%d strips: strip and its negation decided oppositely in %d (%.3f); as-recorded MLII called upright in %d (%.3f)",
		strips, consistent, cons, upright, up)
	var flipped []string
	for n, c := range perRecord {
		flipped = append(flipped, fmt.Sprintf("%s:%d", n, c))
	}
	t.Logf("windows called inverted, by record: %v", flipped)
	// Floors a little under the figures measured when the test was written:
	// a polarity rule that regresses fails here.
	if cons < 0.95 || up < 0.93 {
		t.Fatalf("polarity: opposite decisions %.3f (want ≥ 0.95), upright %.3f (want ≥ 0.93)", cons, up)
	}
}
