package validation

import (
	"fmt"
	"strings"
	"time"

	"github.com/afscan/afscan/ecg"
)

// codeRhythm is the WFDB annotation code of a rhythm change (RHYTHM in
// <wfdb/ecgcodes.h>); its aux string names the new rhythm, e.g. "(AFIB".
const codeRhythm ecg.AnnotationCode = 28

// Window is a fixed-length stretch of one lead with its reference class.
type Window struct {
	Name     string // "RECORD_wNNN", NNN the window's index from the start
	StartIdx int    // first sample, inclusive
	EndIdx   int    // last sample, exclusive
	Class    int    // reference class from the rhythm annotations
	Rhythm   string // the annotated rhythm, e.g. "(AFIB"
}

// RhythmClass maps an MIT-BIH rhythm aux string to a class: "(AFIB" is AF,
// "(N" is normal sinus rhythm, every other rhythm ("(AFL", "(B", "(T",
// "(SVTA", "(VT", "(P", …) is other (MIT-BIH Arrhythmia Database directory,
// rhythm labels).
func RhythmClass(aux string) int {
	switch normAux(aux) {
	case "(AFIB":
		return ClassA
	case "(N":
		return ClassN
	}
	return ClassO
}

func normAux(aux string) string { return strings.TrimSpace(strings.TrimRight(aux, "\x00")) }

// CutWindows cuts a lead of nSamples samples at sampleRateHz into
// consecutive, non-overlapping windows of length window, starting at sample
// 0 (a trailing partial window is dropped), and labels each from the rhythm
// annotations in anns (code 28 with an aux string starting "("; others are
// ignored; anns must be in sample order as annotation files are). A window
// is kept only when one rhythm covers it entirely: windows before the first
// rhythm annotation and windows in which the rhythm changes (a rhythm
// annotation with a different aux string falls inside) are dropped, so every
// kept window has an unambiguous reference. record names the windows.
func CutWindows(record string, nSamples int, sampleRateHz float64, window time.Duration, anns []ecg.Annotation) []Window {
	w := int(window.Seconds()*sampleRateHz + 0.5)
	if w <= 0 || nSamples < w {
		return nil
	}
	type change struct {
		idx int64
		aux string
	}
	var changes []change
	for _, a := range anns {
		aux := normAux(a.Aux)
		if a.Code != codeRhythm || !strings.HasPrefix(aux, "(") {
			continue
		}
		changes = append(changes, change{a.SampleIdx, aux})
	}
	var out []Window
	next := 0 // first change after the current window start
	current := ""
	for i := 0; (i+1)*w <= nSamples; i++ {
		start, end := int64(i*w), int64((i+1)*w)
		for next < len(changes) && changes[next].idx <= start {
			current = changes[next].aux
			next++
		}
		if current == "" {
			continue
		}
		straddles := false
		for j := next; j < len(changes) && changes[j].idx < end; j++ {
			if changes[j].aux != current {
				straddles = true
				break
			}
		}
		if straddles {
			continue
		}
		out = append(out, Window{
			Name:     fmt.Sprintf("%s_w%03d", record, i),
			StartIdx: int(start), EndIdx: int(end),
			Class: RhythmClass(current), Rhythm: current,
		})
	}
	return out
}
