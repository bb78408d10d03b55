package validation

import (
	"fmt"
	"strings"

	"github.com/afscan/afscan/ecg"
)

// Class indexes of the confusion matrix, in CinC 2017 order (N, A, O, ~),
// which is also the order of ecg.Rhythms.
const (
	ClassN  = 0 // normal sinus rhythm
	ClassA  = 1 // atrial fibrillation
	ClassO  = 2 // other rhythm
	ClassNo = 3 // noisy / inconclusive ("~")

	nClasses = 4
)

// Labels are the CinC 2017 labels of the classes, by class index.
var Labels = [nClasses]string{"N", "A", "O", "~"}

// classOf returns the class index of a rhythm, or -1.
func classOf(r ecg.Rhythm) int {
	for i, x := range ecg.Rhythms {
		if x == r {
			return i
		}
	}
	return -1
}

// ParseLabel maps a reference label to its class index. It accepts the CinC
// 2017 letters (N, A, O, ~) and the afscan rhythm names ("normal",
// "atrial_fibrillation", "other", "inconclusive"), case-insensitively for
// names, plus the common spellings "AF", "AFIB" and "noise".
func ParseLabel(s string) (int, error) {
	t := strings.TrimSpace(s)
	switch t {
	case "N", "A", "O", "~":
		r, _ := ecg.RhythmFromCinC(t)
		return classOf(r), nil
	}
	switch strings.ToLower(t) {
	case "normal", "sinus", "nsr":
		return ClassN, nil
	case "atrial_fibrillation", "af", "afib":
		return ClassA, nil
	case "other":
		return ClassO, nil
	case "inconclusive", "noise", "noisy":
		return ClassNo, nil
	}
	return -1, fmt.Errorf("unknown label %q (want N, A, O, ~ or a rhythm name)", s)
}

// ecgRhythm returns the rhythm of class index k.
func ecgRhythm(k int) ecg.Rhythm { return ecg.Rhythms[k] }
