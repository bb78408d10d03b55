package ecg

import "fmt"

// Rhythm is the rhythm call for a strip. The values are the labels of the
// public API (DESIGN.md) and map one to one onto the CinC 2017 classes.
type Rhythm string

// The four rhythm labels, in the order of the model's outputs.
const (
	RhythmNormal       Rhythm = "normal"              // CinC "N": sinus rhythm
	RhythmAF           Rhythm = "atrial_fibrillation" // CinC "A"
	RhythmOther        Rhythm = "other"               // CinC "O": another rhythm
	RhythmInconclusive Rhythm = "inconclusive"        // CinC "~": too noisy or short
)

// Rhythms lists the labels in model-output order (N, A, O, ~).
var Rhythms = [...]Rhythm{RhythmNormal, RhythmAF, RhythmOther, RhythmInconclusive}

// CinCLabel returns the CinC 2017 one-letter label of r ("N", "A", "O", "~").
func (r Rhythm) CinCLabel() string {
	switch r {
	case RhythmNormal:
		return "N"
	case RhythmAF:
		return "A"
	case RhythmOther:
		return "O"
	case RhythmInconclusive:
		return "~"
	}
	return ""
}

// RhythmFromCinC maps a CinC 2017 label to a Rhythm.
func RhythmFromCinC(label string) (Rhythm, error) {
	switch label {
	case "N":
		return RhythmNormal, nil
	case "A":
		return RhythmAF, nil
	case "O":
		return RhythmOther, nil
	case "~":
		return RhythmInconclusive, nil
	}
	return "", fmt.Errorf("unknown CinC 2017 label %q (want N, A, O or ~)", label)
}

// Episode is a stretch of one rhythm within a longer recording.
type Episode struct {
	Rhythm   Rhythm
	StartIdx int // first sample, inclusive
	EndIdx   int // last sample, exclusive
}
