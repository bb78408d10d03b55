// Package fake holds hand-written test doubles. Each asserts at compile time
// that it satisfies the consumer's interface it stands in for.
package fake

import (
	"context"
	"sync"

	"github.com/afscan/afscan/ecg"
	"github.com/afscan/afscan/inference"
)

// Classifier returns a fixed Result (or Err) and records how often it ran.
// It is safe for concurrent use.
type Classifier struct {
	Result inference.Result
	Err    error
	Info   inference.ModelInfo

	mu    sync.Mutex
	calls int
}

// Classify returns c.Result, with Duration set from the record, or c.Err.
func (c *Classifier) Classify(ctx context.Context, rec *ecg.Record) (inference.Result, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return inference.Result{}, err
	}
	if c.Err != nil {
		return inference.Result{}, c.Err
	}
	r := c.Result
	r.Duration = rec.Duration()
	return r, nil
}

// Model returns c.Info.
func (c *Classifier) Model() inference.ModelInfo { return c.Info }

// Calls reports how many times Classify ran.
func (c *Classifier) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// NormalResult is a plausible sinus-rhythm call for tests.
func NormalResult() inference.Result {
	return inference.Result{
		Rhythm: ecg.RhythmNormal,
		Probabilities: map[ecg.Rhythm]float64{
			ecg.RhythmNormal: 0.9, ecg.RhythmAF: 0.03, ecg.RhythmOther: 0.05, ecg.RhythmInconclusive: 0.02,
		},
		HeartRateBPM:  72,
		SignalQuality: 0.95,
	}
}
