package inference

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/internal/dataset"
)

// cincTrainRecords returns the CinC 2017 data directory and the records of
// the locked train split with their labels (the tune split is never read
// here).
func cincTrainRecords(t testing.TB) (dir string, names, labels []string) {
	t.Helper()
	dir = dataset.ForTest(t, dataset.CinC2017)
	ref := map[string]string{}
	rf, err := os.Open(filepath.Join(dir, "REFERENCE.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	rows, err := csv.NewReader(rf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		ref[r[0]] = r[1]
	}
	sf, err := os.Open(filepath.Join("..", "validation", "splits", "cinc2017-train.txt"))
	if err != nil {
		t.Skipf("train split list: %v", err)
	}
	defer sf.Close()
	sc := bufio.NewScanner(sf)
	for sc.Scan() {
		n := strings.TrimSpace(sc.Text())
		if n == "" || strings.HasPrefix(n, "#") {
			continue
		}
		names = append(names, n)
		labels = append(labels, ref[n])
	}
	return dir, names, labels
}

// TestDumpFeatures writes the feature matrix of the CinC 2017 train split to
// the CSV file named by AFSCAN_DUMP_FEATURES, for offline feature analysis
// (development aid; skipped unless the variable is set).
func TestDumpFeatures(t *testing.T) {
	out := os.Getenv("AFSCAN_DUMP_FEATURES")
	if out == "" {
		t.Skip("set AFSCAN_DUMP_FEATURES=file.csv to dump the train-split feature matrix")
	}
	dir, names, labels := cincTrainRecords(t)
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := csv.NewWriter(f)
	_ = w.Write(append([]string{"record", "label", "reason"}, FeatureNames()...))
	e := NewExtractor()
	for i, n := range names {
		rec, err := ecg.ReadRecord(filepath.Join(dir, n))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		a, err := e.Extract(context.Background(), rec.Leads[0].Samples, rec.SampleRateHz)
		if err != nil {
			t.Logf("%s: %v", n, err)
			continue
		}
		row := []string{n, labels[i], a.Reason}
		for _, v := range a.Features {
			row = append(row, strconv.FormatFloat(v, 'g', 6, 64))
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	fmt.Println("wrote", out)
}
