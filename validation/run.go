package validation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

// Classifier calls the rhythm of one strip. inference's default classifier
// satisfies it; it must be safe for concurrent use, since Run calls it from
// several goroutines, and must not modify rec.
type Classifier interface {
	Classify(ctx context.Context, rec *ecg.Record) (inference.Result, error)
	Model() inference.ModelInfo
}

// Options configures Run.
type Options struct {
	// DataDir holds the records (and, unless Reference says otherwise, the
	// reference file REFERENCE.csv).
	DataDir string
	// Reference is the reference file; "" means DataDir/REFERENCE.csv.
	// Ignored in window mode.
	Reference string
	// Records restricts the run to these record names (all must be in the
	// reference, or be records of DataDir in window mode); nil runs all.
	// RecordsFile names the list they came from, for the report.
	Records     []string
	RecordsFile *FileRef
	// Window > 0 selects window mode (MIT-BIH external validation): every
	// record of DataDir with a header (.hea) and a reference annotation file
	// (.atr) is cut into windows of this length on lead 0 and labelled from
	// its rhythm annotations (CutWindows).
	Window time.Duration
	// Workers is the number of records classified at once; ≤ 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// ReadRecord reads the record at path (any format afscan reads).
	ReadRecord func(path string) (*ecg.Record, error)
	// ReadAnnotations reads a WFDB annotation file (window mode only).
	ReadAnnotations func(path string) ([]ecg.Annotation, error)
	// Started, if set, is called once with the number of source records
	// before any is classified; Progress, if set, with 1 after each one.
	// Calls are serialised.
	Started  func(nSourceRecords int)
	Progress func(n int)
	// Resamples and Seed set the bootstrap; zero means DefaultResamples and
	// DefaultSeed.
	Resamples int
	Seed      uint64
}

// job is one source record: a reference entry, or a record to cut into
// windows.
type job struct {
	name  string
	class int // reference class (record mode)
}

// outcome is what one job produced.
type outcome struct {
	preds    []Prediction
	manifest []string // sha256sum lines of the job's files
}

// Run classifies every record of the data set with c, using opts.Workers
// goroutines, and returns the scored report (model, dataset and statistics;
// criteria, software and timing are the caller's to add). A record that
// cannot be found, read or classified becomes an error row. Run returns an
// error only when the data set as a whole is unusable (no or bad reference,
// a records list naming unknown records, nothing to score) or ctx ends.
// The result does not depend on Workers or on scheduling.
func Run(ctx context.Context, c Classifier, opts Options) (*Report, error) {
	if opts.ReadRecord == nil {
		return nil, errors.New("validation: Options.ReadRecord is nil")
	}
	if opts.Window > 0 && opts.ReadAnnotations == nil {
		return nil, errors.New("validation: Options.ReadAnnotations is nil")
	}
	files, err := indexDir(opts.DataDir)
	if err != nil {
		return nil, err
	}
	var jobs []job
	var refManifest string
	refName := ""
	if opts.Window > 0 {
		jobs, err = windowJobs(opts.DataDir, files, opts.Records)
	} else {
		refName, refManifest, jobs, err = referenceJobs(opts, opts.Records)
	}
	if err != nil {
		return nil, err
	}

	if opts.Started != nil {
		opts.Started(len(jobs))
	}
	outs := make([]outcome, len(jobs))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var progressMu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	next := make(chan int)
	g.Go(func() error {
		defer close(next)
		for i := range jobs {
			select {
			case next <- i:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	for range workers {
		g.Go(func() error {
			for i := range next {
				var o outcome
				if opts.Window > 0 {
					o = runWindows(gctx, c, opts, files, jobs[i])
				} else {
					o = runRecord(gctx, c, opts, files, jobs[i])
				}
				if err := gctx.Err(); err != nil {
					return err
				}
				outs[i] = o
				if opts.Progress != nil {
					progressMu.Lock()
					opts.Progress(1)
					progressMu.Unlock()
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	var preds []Prediction
	var manifest strings.Builder
	manifest.WriteString(refManifest)
	for _, o := range outs {
		preds = append(preds, o.preds...)
		for _, l := range o.manifest {
			manifest.WriteString(l)
		}
	}
	if len(preds) == 0 {
		return nil, fmt.Errorf("%w: no records to score in %s", ErrNoReference, opts.DataDir)
	}
	resamples, seed := opts.Resamples, opts.Seed
	if resamples <= 0 {
		resamples = DefaultResamples
	}
	if seed == 0 {
		seed = DefaultSeed
	}
	r := Summarize(preds, resamples, seed)
	r.Model = c.Model()
	sum := sha256.Sum256([]byte(manifest.String()))
	r.Dataset = DatasetInfo{
		Path:          opts.DataDir,
		NRecords:      len(preds),
		SHA256:        hex.EncodeToString(sum[:]),
		Reference:     refName,
		RecordsFile:   opts.RecordsFile,
		NSourceRecord: len(jobs),
	}
	if opts.Window > 0 {
		r.Dataset.Reference = "rhythm annotations (.atr)"
		r.Dataset.WindowS = opts.Window.Seconds()
	}
	return r, nil
}

// indexDir maps each file stem (name up to the first dot) of dir to its
// files, sorted by name.
func indexDir(dir string) (map[string][]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	idx := make(map[string][]string)
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		name := e.Name()
		stem, _, _ := strings.Cut(name, ".")
		idx[stem] = append(idx[stem], name) // ReadDir sorts by name
	}
	return idx, nil
}

// referenceJobs reads the reference file and returns its name relative to
// the data directory (or as given), its manifest line and the jobs,
// restricted to records when given.
func referenceJobs(opts Options, records []string) (name, manifest string, jobs []job, err error) {
	path := opts.Reference
	if path == "" {
		path = filepath.Join(opts.DataDir, "REFERENCE.csv")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && opts.Reference == "" {
		return "", "", nil, fmt.Errorf("%w: %s has no REFERENCE.csv (give --reference FILE, or --windows for MIT-BIH annotations)", ErrNoReference, opts.DataDir)
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("reference: %w", err)
	}
	entries, err := ReadReference(bytes.NewReader(b))
	if err != nil {
		return "", "", nil, fmt.Errorf("reference %s: %w", path, err)
	}
	name = relTo(opts.DataDir, path)
	manifest = manifestLine(b, name)
	if records != nil {
		byName := make(map[string]int, len(entries))
		for _, e := range entries {
			byName[e.Record] = e.Class
		}
		for _, r := range records {
			k, ok := byName[r]
			if !ok {
				return "", "", nil, fmt.Errorf("%w: record %s of the records list is not in %s", ErrBadReference, r, name)
			}
			jobs = append(jobs, job{name: r, class: k})
		}
		return name, manifest, jobs, nil
	}
	for _, e := range entries {
		jobs = append(jobs, job{name: e.Record, class: e.Class})
	}
	return name, manifest, jobs, nil
}

// windowJobs lists the records of dir with a header and an .atr file: the
// order of dir's RECORDS file when there is one, else sorted by name.
func windowJobs(dir string, files map[string][]string, records []string) ([]job, error) {
	has := func(stem, ext string) bool { return slices.Contains(files[stem], stem+ext) }
	if records == nil {
		if b, err := os.ReadFile(filepath.Join(dir, "RECORDS")); err == nil {
			records = append(records, strings.Fields(string(b))...)
		} else {
			for stem := range files {
				if has(stem, ".hea") && has(stem, ".atr") {
					records = append(records, stem)
				}
			}
			slices.Sort(records)
		}
	}
	var jobs []job
	for _, r := range records {
		if !has(r, ".hea") || !has(r, ".atr") {
			return nil, fmt.Errorf("%w: record %s has no .hea and .atr in %s", ErrNoReference, r, dir)
		}
		jobs = append(jobs, job{name: r})
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("%w: no record with .hea and .atr files in %s", ErrNoReference, dir)
	}
	return jobs, nil
}

// recordPath picks the file to read for a record: the record name itself
// when it names a file, else its WFDB header, else its single file of a
// format afscan reads.
func recordPath(files map[string][]string, name string) (path string, group []string, err error) {
	stem, _, _ := strings.Cut(name, ".")
	group = files[stem]
	if len(group) == 0 {
		return "", nil, errors.New("record file not found")
	}
	if name != stem && slices.Contains(group, name) {
		return name, group, nil
	}
	for _, ext := range []string{".hea", ".json", ".csv", ".mat"} {
		if slices.Contains(group, stem+ext) {
			return stem + ext, group, nil
		}
	}
	return group[0], group, nil
}

// dataExts are the extensions of files that make up a record: WFDB
// headers, signals and reference annotations, CinC .mat, and the JSON/CSV
// strips afscan reads. Files a run derives from the data (a detector's .qrs
// annotations, say) are not part of the data set digest.
var dataExts = []string{"hea", "dat", "mat", "atr", "json", "csv"}

// dataFiles returns the names in group whose extension (after the first
// dot) is in dataExts, or which have none.
func dataFiles(group []string) []string {
	var out []string
	for _, n := range group {
		_, ext, ok := strings.Cut(n, ".")
		if !ok || slices.Contains(dataExts, strings.ToLower(ext)) {
			out = append(out, n)
		}
	}
	return out
}

// hashFiles returns the manifest lines of the named files of dir; a file
// that cannot be read gets an error.
func hashFiles(dir string, names []string) ([]string, error) {
	lines := make([]string, 0, len(names))
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return lines, fmt.Errorf("hash %s: %w", n, err)
		}
		lines = append(lines, manifestLine(b, n))
	}
	return lines, nil
}

func manifestLine(content []byte, name string) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:]) + "  " + filepath.ToSlash(name) + "\n"
}

func relTo(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// runRecord reads, hashes and classifies one reference record.
func runRecord(ctx context.Context, c Classifier, opts Options, files map[string][]string, j job) outcome {
	p := Prediction{Record: j.name, Reference: j.class}
	name, group, err := recordPath(files, j.name)
	if err != nil {
		p.Err = err
		return outcome{preds: []Prediction{p}}
	}
	manifest, err := hashFiles(opts.DataDir, dataFiles(group))
	if err != nil {
		p.Err = err
		return outcome{preds: []Prediction{p}, manifest: manifest}
	}
	rec, err := opts.ReadRecord(filepath.Join(opts.DataDir, name))
	if err != nil {
		p.Err = fmt.Errorf("read %s: %w", name, trimPath(err, opts.DataDir))
		return outcome{preds: []Prediction{p}, manifest: manifest}
	}
	p.Duration = rec.Duration()
	p.Result, p.Err = classify(ctx, c, rec)
	return outcome{preds: []Prediction{p}, manifest: manifest}
}

// runWindows reads one annotated record, cuts lead 0 into windows and
// classifies each. If the record or its annotations cannot be read, the
// record becomes one error row with reference "~" (no reference exists
// for it), which counts in n_errors.
func runWindows(ctx context.Context, c Classifier, opts Options, files map[string][]string, j job) outcome {
	fail := func(manifest []string, err error) outcome {
		return outcome{preds: []Prediction{{Record: j.name, Source: j.name, Reference: ClassNo, Err: trimPath(err, opts.DataDir)}}, manifest: manifest}
	}
	manifest, err := hashFiles(opts.DataDir, dataFiles(files[j.name]))
	if err != nil {
		return fail(manifest, err)
	}
	rec, err := opts.ReadRecord(filepath.Join(opts.DataDir, j.name+".hea"))
	if err != nil {
		return fail(manifest, fmt.Errorf("read %s: %w", j.name, err))
	}
	if len(rec.Leads) == 0 {
		return fail(manifest, fmt.Errorf("read %s: %w", j.name, inference.ErrNoLead))
	}
	anns, err := opts.ReadAnnotations(filepath.Join(opts.DataDir, j.name+".atr"))
	if err != nil {
		return fail(manifest, fmt.Errorf("read %s.atr: %w", j.name, err))
	}
	lead := rec.Leads[0]
	var preds []Prediction
	for _, w := range CutWindows(j.name, len(lead.Samples), rec.SampleRateHz, opts.Window, anns) {
		sub := &ecg.Record{
			Name:         w.Name,
			SampleRateHz: rec.SampleRateHz,
			Leads:        []ecg.Lead{{Name: lead.Name, Units: lead.Units, Samples: lead.Samples[w.StartIdx:w.EndIdx:w.EndIdx]}},
		}
		p := Prediction{Record: w.Name, Source: j.name, Rhythm: w.Rhythm, Reference: w.Class, Duration: sub.Duration()}
		p.Result, p.Err = classify(ctx, c, sub)
		preds = append(preds, p)
		if ctx.Err() != nil {
			break
		}
	}
	return outcome{preds: preds, manifest: manifest}
}

// classify runs c and keeps the error as the row's reason.
func classify(ctx context.Context, c Classifier, rec *ecg.Record) (inference.Result, error) {
	res, err := c.Classify(ctx, rec)
	if err != nil {
		return inference.Result{}, fmt.Errorf("classify: %w", err)
	}
	return res, nil
}

// trimPath removes dir from error texts, so reports do not depend on where
// the data set was unpacked.
func trimPath(err error, dir string) error {
	if err == nil || dir == "" {
		return err
	}
	msg := err.Error()
	if !strings.Contains(msg, dir) {
		return err
	}
	return pathTrimmed{msg: strings.ReplaceAll(msg, strings.TrimSuffix(dir, "/")+"/", ""), err: err}
}

type pathTrimmed struct {
	msg string
	err error
}

func (e pathTrimmed) Error() string { return e.msg }
func (e pathTrimmed) Unwrap() error { return e.err }
