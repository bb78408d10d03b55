package ecg

import (
	"fmt"
	"strconv"
	"strings"
)

// The standard annotation codes of WFDB's <wfdb/ecgcodes.h>.
const (
	CodeNotQRS   AnnotationCode = 0  // not-QRS (not a real annotation)
	CodeNormal   AnnotationCode = 1  // N: normal beat
	CodeLBBB     AnnotationCode = 2  // L: left bundle branch block beat
	CodeRBBB     AnnotationCode = 3  // R: right bundle branch block beat
	CodeAberr    AnnotationCode = 4  // a: aberrated atrial premature beat
	CodePVC      AnnotationCode = 5  // V: premature ventricular contraction
	CodeFusion   AnnotationCode = 6  // F: fusion of ventricular and normal beat
	CodeNPC      AnnotationCode = 7  // J: nodal (junctional) premature beat
	CodeAPC      AnnotationCode = 8  // A: atrial premature contraction
	CodeSVPB     AnnotationCode = 9  // S: premature or ectopic supraventricular beat
	CodeVEsc     AnnotationCode = 10 // E: ventricular escape beat
	CodeNEsc     AnnotationCode = 11 // j: nodal (junctional) escape beat
	CodePace     AnnotationCode = 12 // /: paced beat
	CodeUnknown  AnnotationCode = 13 // Q: unclassifiable beat
	CodeNoise    AnnotationCode = 14 // ~: signal quality change
	CodeArtifact AnnotationCode = 16 // |: isolated QRS-like artifact
	CodeSTCh     AnnotationCode = 18 // s: ST change
	CodeTCh      AnnotationCode = 19 // T: T-wave change
	CodeSystole  AnnotationCode = 20 // *: systole
	CodeDiastole AnnotationCode = 21 // D: diastole
	CodeNote     AnnotationCode = 22 // ": comment annotation
	CodeMeasure  AnnotationCode = 23 // =: measurement annotation
	CodePWave    AnnotationCode = 24 // p: P-wave peak
	CodeBBB      AnnotationCode = 25 // B: left or right bundle branch block
	CodePaceSP   AnnotationCode = 26 // ^: non-conducted pacer spike
	CodeTWave    AnnotationCode = 27 // t: T-wave peak
	CodeRhythm   AnnotationCode = 28 // +: rhythm change (aux holds e.g. "(AFIB")
	CodeUWave    AnnotationCode = 29 // u: U-wave peak
	CodeLearn    AnnotationCode = 30 // ?: learning
	CodeFlWave   AnnotationCode = 31 // !: ventricular flutter wave
	CodeVFOn     AnnotationCode = 32 // [: start of ventricular flutter/fibrillation
	CodeVFOff    AnnotationCode = 33 // ]: end of ventricular flutter/fibrillation
	CodeAEsc     AnnotationCode = 34 // e: atrial escape beat
	CodeSVEsc    AnnotationCode = 35 // n: supraventricular escape beat
	CodeLink     AnnotationCode = 36 // @: link to external data (aux holds a URL)
	CodeNAPC     AnnotationCode = 37 // x: non-conducted P-wave (blocked APB)
	CodePFus     AnnotationCode = 38 // f: fusion of paced and normal beat
	CodeWFOn     AnnotationCode = 39 // (: waveform onset
	CodeWFOff    AnnotationCode = 40 // ): waveform end
	CodeRonT     AnnotationCode = 41 // r: R-on-T premature ventricular contraction

	// MaxAnnotationCode is the largest code an annotation can carry (ACMAX
	// in WFDB); 59-63 are the file format's pseudo-annotations.
	MaxAnnotationCode AnnotationCode = 49
)

// codeMnemonics are the mnemonics of WFDB's annstr() for codes 0-41.
var codeMnemonics = [...]string{
	" ", "N", "L", "R", "a", "V", "F", "J", "A", "S",
	"E", "j", "/", "Q", "~", "", "|", "", "s", "T",
	"*", "D", "\"", "=", "p", "B", "^", "t", "+", "u",
	"?", "!", "[", "]", "e", "n", "@", "x", "f", "(",
	")", "r",
}

// String returns the code's WFDB mnemonic ("N", "V", "+", ...), or "[n]"
// for a code without one, as WFDB's annstr() does.
func (c AnnotationCode) String() string {
	if int(c) < len(codeMnemonics) && codeMnemonics[c] != "" {
		return codeMnemonics[c]
	}
	return "[" + strconv.Itoa(int(c)) + "]"
}

// ParseAnnotationCode returns the code of a WFDB mnemonic (the inverse of
// String, including the "[n]" form for 0 <= n <= MaxAnnotationCode).
func ParseAnnotationCode(mnemonic string) (AnnotationCode, error) {
	for c := 1; c < len(codeMnemonics); c++ {
		if codeMnemonics[c] != "" && codeMnemonics[c] == mnemonic {
			return AnnotationCode(c), nil
		}
	}
	if s, ok := strings.CutPrefix(mnemonic, "["); ok {
		if s, ok := strings.CutSuffix(s, "]"); ok {
			if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= int(MaxAnnotationCode) {
				return AnnotationCode(n), nil
			}
		}
	}
	if mnemonic == " " {
		return CodeNotQRS, nil
	}
	return 0, fmt.Errorf("unknown annotation mnemonic %q", mnemonic)
}

// IsBeat reports whether c labels a QRS complex, as WFDB's isqrs table
// (<wfdb/ecgmap.h>) does: N L R a V F J A S E j / Q B ? ! e n f r (codes 1–13,
// 25, 30, 31, 34, 35, 38, 41). Ventricular flutter waves ("!") count, as bxb
// reads them (and then maps them to no-beat); the MIT-BIH directory's beat
// totals leave them out, so a caller reproducing those excludes CodeFlWave.
func IsBeat(c AnnotationCode) bool {
	switch c {
	case CodeNormal, CodeLBBB, CodeRBBB, CodeAberr, CodePVC, CodeFusion, CodeNPC,
		CodeAPC, CodeSVPB, CodeVEsc, CodeNEsc, CodePace, CodeUnknown,
		CodeBBB, CodeLearn, CodeFlWave, CodeAEsc, CodeSVEsc, CodePFus, CodeRonT:
		return true
	}
	return false
}
