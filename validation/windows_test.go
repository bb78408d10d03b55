package validation

import (
	"strings"
	"testing"
	"time"

	"github.com/afscan/afscan/ecg"
)

// Verifies: SRS-VAL-007
func TestCutWindows(t *testing.T) {
	const fs = 10.0 // 10 Hz: a 3 s window is 30 samples
	rhythm := func(idx int64, aux string) ecg.Annotation {
		return ecg.Annotation{SampleIdx: idx, Code: codeRhythm, Aux: aux}
	}
	beat := func(idx int64) ecg.Annotation { return ecg.Annotation{SampleIdx: idx, Code: 1} }
	anns := []ecg.Annotation{
		rhythm(5, "(N"),       // window 0 [0,30) starts before any rhythm: dropped
		beat(12),              // beats are ignored
		rhythm(60, "(AFIB"),   // window 2 [60,90) starts exactly at the change: AF
		rhythm(100, "(AFIB"),  // same rhythm re-annotated inside window 3: no change, kept
		rhythm(130, "(B\x00"), // inside window 4 [120,150): straddles, dropped
		rhythm(200, "(AFL"),   // inside window 6 [180,210): dropped; 7,8 are (AFL → O
	}
	got := CutWindows("100", 275, fs, 3*time.Second, anns)
	var desc []string
	for _, w := range got {
		desc = append(desc, w.Name+":"+Labels[w.Class]+":"+w.Rhythm)
	}
	want := "100_w001:N:(N 100_w002:A:(AFIB 100_w003:A:(AFIB 100_w005:O:(B 100_w007:O:(AFL 100_w008:O:(AFL"
	if strings.Join(desc, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(desc, " "), want)
	}
	// The trailing partial window [270, 275) is dropped; bounds are exact.
	last := got[len(got)-1]
	if last.StartIdx != 240 || last.EndIdx != 270 {
		t.Errorf("last window: got [%d, %d), want [240, 270)", last.StartIdx, last.EndIdx)
	}
	if w := CutWindows("x", 10, fs, 3*time.Second, anns); w != nil {
		t.Errorf("record shorter than a window: got %v", w)
	}
}

func TestRhythmClass(t *testing.T) {
	for aux, want := range map[string]int{
		"(AFIB": ClassA, "(AFIB\x00": ClassA, "(N": ClassN, "(AFL": ClassO, "(B": ClassO,
		"(SVTA": ClassO, "(VT": ClassO, "(T": ClassO, "(P": ClassO, "(IVR": ClassO,
	} {
		if got := RhythmClass(aux); got != want {
			t.Errorf("%q: got %s, want %s", aux, Labels[got], Labels[want])
		}
	}
}
