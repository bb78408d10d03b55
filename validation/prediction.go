package validation

import (
	"time"

	"github.com/afscan/afscan/inference"
)

// Prediction is the outcome for one record (or one window of a long
// record): its reference class and the classifier's call, or the reason it
// could not be called.
type Prediction struct {
	// Record names the record as the reference does; windows of long
	// records are named "RECORD_wNNN" (see CutWindows).
	Record string
	// Source names the long record a window was cut from (window mode);
	// empty otherwise.
	Source string
	// Rhythm is the annotated rhythm of a window, e.g. "(AFL" (window
	// mode); empty otherwise.
	Rhythm string
	// Reference is the reference class (ClassN … ClassNo).
	Reference int
	// Result is the classifier's output; zero when Err is set.
	Result inference.Result
	// Duration is the length of the strip that was classified (or would
	// have been); zero when unknown.
	Duration time.Duration
	// Err is why the record has no call: unreadable file, input the
	// classifier refused. An error row is scored as called "~".
	Err error
}

// Call returns the class scored for p: the classifier's rhythm, or ClassNo
// for an error row or an unknown rhythm.
func (p *Prediction) Call() int {
	if p.Err != nil {
		return ClassNo
	}
	if c := classOf(p.Result.Rhythm); c >= 0 {
		return c
	}
	return ClassNo
}

// Prob returns the classifier's probability of class k, 0 for an error row.
func (p *Prediction) Prob(k int) float64 {
	if p.Err != nil || p.Result.Probabilities == nil {
		return 0
	}
	return p.Result.Probabilities[ecgRhythm(k)]
}
