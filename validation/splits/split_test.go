package splits

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/afscan/afscan/internal/dataset"
)

// TestLockedListsReproduce regenerates the CinC 2017 split from REFERENCE.csv
// with the committed seed and checks it equals the committed lists. Run with
// AFSCAN_WRITE_SPLITS=1 once to create the lists; never again.
func TestLockedListsReproduce(t *testing.T) {
	dir := dataset.ForTest(t, dataset.CinC2017)
	f, err := os.Open(filepath.Join(dir, "REFERENCE.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := ReadReference(f)
	if err != nil {
		t.Fatal(err)
	}
	train, tune := Stratified(recs, SeedCinC2017, TuneFractionCinC2017)
	if os.Getenv("AFSCAN_WRITE_SPLITS") == "1" {
		if err := os.WriteFile("cinc2017-train.txt", Format(train), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("cinc2017-tune.txt", Format(tune), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skip("wrote the lists; rerun without AFSCAN_WRITE_SPLITS")
	}
	for _, tc := range []struct {
		name      string
		got, want []string
	}{
		{name: "train", got: train, want: CinC2017Train()},
		{name: "tune", got: tune, want: CinC2017Tune()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Join(tc.got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("regenerated %s list (%d names) differs from the committed one (%d names)", tc.name, len(tc.got), len(tc.want))
			}
		})
	}
	// Stratification: each class within one record of 20%.
	label := map[string]string{}
	total := map[string]int{}
	for _, r := range recs {
		label[r.Name] = r.Label
		total[r.Label]++
	}
	inTune := map[string]int{}
	for _, n := range tune {
		inTune[label[n]]++
	}
	for l, n := range total {
		want := TuneFractionCinC2017 * float64(n)
		if d := float64(inTune[l]) - want; d > 1 || d < -1 {
			t.Errorf("class %s: got %d in tune, want %.1f", l, inTune[l], want)
		}
	}
	if len(train)+len(tune) != len(recs) {
		t.Errorf("got %d+%d names, want %d", len(train), len(tune), len(recs))
	}
}

func TestStratifiedIsDisjointAndSeeded(t *testing.T) {
	var recs []Labelled
	for i := 0; i < 100; i++ {
		l := "N"
		if i%4 == 0 {
			l = "A"
		}
		recs = append(recs, Labelled{Name: string(rune('a'+i/26)) + string(rune('a'+i%26)), Label: l})
	}
	for _, tc := range []struct {
		name     string
		seedA    uint64
		seedB    uint64
		wantSame bool
	}{
		{name: "same seed", seedA: 1, seedB: 1, wantSame: true},
		{name: "other seed", seedA: 1, seedB: 2, wantSame: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trA, tuA := Stratified(recs, tc.seedA, 0.2)
			_, tuB := Stratified(recs, tc.seedB, 0.2)
			if len(tuA) != 20 || len(trA) != 80 {
				t.Fatalf("got %d/%d, want 80/20", len(trA), len(tuA))
			}
			seen := map[string]bool{}
			for _, n := range trA {
				seen[n] = true
			}
			for _, n := range tuA {
				if seen[n] {
					t.Fatalf("%s is in both lists", n)
				}
			}
			same := strings.Join(tuA, ",") == strings.Join(tuB, ",")
			if same != tc.wantSame {
				t.Fatalf("got same=%v, want %v", same, tc.wantSame)
			}
		})
	}
}

func TestReadReferenceRejectsGarbage(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		wantErr bool
	}{
		{name: "ok", in: "A00001,N\nA00002,A\n", wantErr: false},
		{name: "no comma", in: "A00001N\n", wantErr: true},
		{name: "empty label", in: "A00001,\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadReference(strings.NewReader(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("got err %v, want error %v", err, tc.wantErr)
			}
		})
	}
}
