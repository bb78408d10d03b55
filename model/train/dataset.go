package train

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

// classLabels is the CinC 2017 label of each model output, in output order.
var classLabels = [4]string{"N", "A", "O", "~"}

// ClassOf returns the output index (0..3) of a CinC 2017 label.
func ClassOf(label string) (int, error) {
	for i, l := range classLabels {
		if l == label {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown CinC 2017 label %q (want N, A, O or ~)", label)
}

// Dataset is a feature matrix with labels, one row a record, rows in the
// order of Names.
type Dataset struct {
	FeatureNames []string
	Names        []string
	X            [][]float32 // len(Names) rows of len(FeatureNames)
	Y            []int       // class index 0..3 (N, A, O, ~)
	// Reason is the pipeline's gating reason of each record ("" when the
	// strip is callable by the model).
	Reason []string
}

// Subset returns the rows idx of d (sharing row storage).
func (d *Dataset) Subset(idx []int) *Dataset {
	s := &Dataset{FeatureNames: d.FeatureNames}
	for _, i := range idx {
		s.Names = append(s.Names, d.Names[i])
		s.X = append(s.X, d.X[i])
		s.Y = append(s.Y, d.Y[i])
		s.Reason = append(s.Reason, d.Reason[i])
	}
	return s
}

// ReadReference reads a CinC 2017 REFERENCE.csv into a name → label map.
func ReadReference(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" {
			continue
		}
		name, label, ok := strings.Cut(l, ",")
		if !ok {
			return nil, fmt.Errorf("%s line %d: %q is not NAME,LABEL", path, n, l)
		}
		if _, err := ClassOf(strings.TrimSpace(label)); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(label)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// ReadList reads record names, one a line; blank lines and lines starting
// with # are skipped.
func ReadList(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out, sc.Err()
}

// ErrNoRecords means the record list selected nothing to train on.
var ErrNoRecords = errors.New("no records to train on")

// ExtractOptions configures Extract.
type ExtractOptions struct {
	// Workers is the number of parallel extractors; ≤ 0 means GOMAXPROCS.
	Workers int
	// Progress, when not nil, is called once per record done (from one
	// goroutine at a time).
	Progress func()
}

// Extract reads every named record of dir (WFDB header + signal, e.g. the
// CinC 2017 .hea/.mat pairs), labels it from labels and runs
// inference.Extractor on it — the runtime's feature path. Rows keep the
// order of names whatever the number of workers. A record that cannot be
// read or analysed is an error naming it.
func Extract(ctx context.Context, dir string, names []string, labels map[string]string, opt ExtractOptions) (*Dataset, error) {
	if len(names) == 0 {
		return nil, ErrNoRecords
	}
	d := &Dataset{
		FeatureNames: inference.FeatureNames(),
		Names:        append([]string(nil), names...),
		X:            make([][]float32, len(names)),
		Y:            make([]int, len(names)),
		Reason:       make([]string, len(names)),
	}
	for i, n := range names {
		l, ok := labels[n]
		if !ok {
			return nil, fmt.Errorf("record %s: no label in REFERENCE.csv", n)
		}
		c, err := ClassOf(l)
		if err != nil {
			return nil, fmt.Errorf("record %s: %w", n, err)
		}
		d.Y[i] = c
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	errs := make([]error, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := inference.NewExtractor()
			for i := range jobs {
				errs[i] = extractOne(ctx, e, dir, d, i)
				if errs[i] != nil {
					cancel()
				}
				if opt.Progress != nil {
					mu.Lock()
					opt.Progress()
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for i := range names {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return d, nil
}

func extractOne(ctx context.Context, e *inference.Extractor, dir string, d *Dataset, i int) error {
	rec, err := ecg.ReadRecord(filepath.Join(dir, d.Names[i]))
	if err != nil {
		return err
	}
	if len(rec.Leads) == 0 {
		return fmt.Errorf("record %s: %w", d.Names[i], inference.ErrNoLead)
	}
	a, err := e.Extract(ctx, rec.Leads[0].Samples, rec.SampleRateHz)
	if err != nil {
		return fmt.Errorf("record %s: %w", d.Names[i], err)
	}
	if len(a.Features) != len(d.FeatureNames) {
		return fmt.Errorf("record %s: %d features, want %d", d.Names[i], len(a.Features), len(d.FeatureNames))
	}
	row := make([]float32, len(a.Features))
	for j, v := range a.Features {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("record %s: feature %s = %v", d.Names[i], d.FeatureNames[j], v)
		}
		row[j] = clampFloat32(v)
	}
	d.X[i] = row
	d.Reason[i] = a.Reason
	return nil
}

// clampFloat32 converts v to float32, saturating at ±MaxFloat32 instead of
// overflowing to infinity (the runtime rejects infinite features).
func clampFloat32(v float64) float32 {
	switch {
	case v > math.MaxFloat32:
		return math.MaxFloat32
	case v < -math.MaxFloat32:
		return -math.MaxFloat32
	}
	return float32(v)
}
