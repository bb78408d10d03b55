package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/afscan/afscan/api"
	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
	"github.com/afscan/afscan/inference/input"
)

func init() {
	register(func(m *Main) *cobra.Command { return newClassifyCmd(m, newDefaultStripClassifier) })
}

// newDefaultStripClassifier loads the embedded model.
func newDefaultStripClassifier() (stripClassifier, error) {
	c, err := inference.NewDefault()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// stripClassifier is what `afscan classify` needs of the model.
type stripClassifier interface {
	Classify(ctx context.Context, rec *ecg.Record) (inference.Result, error)
	Model() inference.ModelInfo
}

// classifyLine is one line of `classify --json`: the API response keys
// plus the file.
type classifyLine struct {
	File string `json:"file"`
	api.ClassifyResponse
}

// newClassifyCmd builds `afscan classify` with the classifier made by
// newClassifier (the embedded model; tests pass a fake).
func newClassifyCmd(m *Main, newClassifier func() (stripClassifier, error)) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "classify [--json] FILE...",
		Short: "Call the rhythm of ECG strips and records in files",
		Long: `classify reads each FILE, calls its rhythm with the embedded model and prints one
line per file: the rhythm (normal, atrial_fibrillation, other, inconclusive), the
four probabilities, the mean heart rate, the signal quality and the duration.

Files are recognised by content: PhysioNet WFDB records (RECORD.hea, or the .dat or
CinC 2017 .mat beside it), afscan JSON ({"sample_rate_hz": 300, "samples": [mV...]}),
a FHIR R4 Observation whose valueSampledData carries the strip (or a Bundle holding
one), HealthKit-style electrocardiogram JSON (samplingFrequency, voltageMeasurements
in volts), and the ECG CSV the iPhone Health app exports for Apple Watch recordings
(any language, decimal commas included). Files larger than 64 MiB (WFDB signal files
together larger than 256 MiB) are refused.

--json prints one JSON object per line per file with the keys of the API response
(id, rhythm, probabilities, heart_rate_bpm, signal_quality, duration_s, model,
processing_ms; reason and af_burden when they apply) plus "file".

A file that cannot be read or classified is reported on stderr, one line naming the
file; the other files are still classified and the exit status is then 2.`,
		Example: `  afscan classify ~/.cache/afscan/data/4c7f7f72af37af61/training2017/A00004.hea
  afscan classify --json strip.json observation.fhir.json ecg_2021-01-05.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			c, err := newClassifier()
			if err != nil {
				return fmt.Errorf("load model: %w", err)
			}
			return m.classifyFiles(cmd.Context(), c, files, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per line per file (API response keys plus \"file\")")
	return cmd
}

// classifyFiles classifies files in order, printing each result as soon as
// it is known; unreadable files are reported on Stderr and counted.
func (m *Main) classifyFiles(ctx context.Context, c stripClassifier, files []string, asJSON bool) error {
	model := c.Model()
	enc := json.NewEncoder(m.Stdout)
	advance, finish := m.progress(len(files), "classify")
	defer finish()
	failed := 0
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, took, err := m.classifyFile(ctx, c, path)
		advance(1)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				return err
			}
			fmt.Fprintf(m.Stderr, "afscan classify: %s\n", oneLine(err))
			failed++
			continue
		}
		if asJSON {
			line := classifyLine{File: path, ClassifyResponse: api.NewClassifyResponse(uuid.NewString(), res, model, took)}
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		if err := writeClassifyLine(m.Stdout, path, res); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be classified", failed, len(files))
	}
	return nil
}

// classifyFile reads and classifies one file; errors name it.
func (m *Main) classifyFile(ctx context.Context, c stripClassifier, path string) (inference.Result, time.Duration, error) {
	rec, err := input.ReadFile(path)
	if err != nil {
		return inference.Result{}, 0, err
	}
	start := m.Now()
	res, err := c.Classify(ctx, rec)
	took := m.Now().Sub(start)
	if err != nil {
		return inference.Result{}, 0, fmt.Errorf("classify %s: %w", path, err)
	}
	return res, took, nil
}

// writeClassifyLine prints the human line of one result, e.g.
//
//	A00004.hea: atrial_fibrillation  N 0.03 A 0.91 O 0.05 ~ 0.01  HR 112 bpm  quality 0.87  30.0 s
func writeClassifyLine(w io.Writer, path string, r inference.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s ", path, r.Rhythm)
	for _, rh := range ecg.Rhythms {
		fmt.Fprintf(&b, " %s %.2f", rh.CinCLabel(), r.Probabilities[rh])
	}
	fmt.Fprintf(&b, "  HR %.0f bpm  quality %.2f  %.1f s", r.HeartRateBPM, r.SignalQuality, r.Duration.Seconds())
	if len(r.Episodes) > 1 {
		fmt.Fprintf(&b, "  AF burden %.0f%%", 100*r.AFBurden)
	}
	if r.Reason != "" {
		fmt.Fprintf(&b, "  (%s)", r.Reason)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}
