package ecg

import "testing"

// TestAnnotationCodes checks the mnemonic table against WFDB's annstr()
// and isqrs() (ecgcodes.h, ecgmap.h) and that ParseAnnotationCode inverts
// String.
//
// Verifies: SRS-IO-004
func TestAnnotationCodes(t *testing.T) {
	tests := []struct {
		code     AnnotationCode
		mnemonic string
		beat     bool
	}{
		{CodeNormal, "N", true}, {CodeLBBB, "L", true}, {CodeRBBB, "R", true},
		{CodeAberr, "a", true}, {CodePVC, "V", true}, {CodeFusion, "F", true},
		{CodeNPC, "J", true}, {CodeAPC, "A", true}, {CodeSVPB, "S", true},
		{CodeVEsc, "E", true}, {CodeNEsc, "j", true}, {CodePace, "/", true},
		{CodeUnknown, "Q", true}, {CodeNoise, "~", false}, {CodeArtifact, "|", false},
		{CodeSTCh, "s", false}, {CodeTCh, "T", false}, {CodeSystole, "*", false},
		{CodeDiastole, "D", false}, {CodeNote, "\"", false}, {CodeMeasure, "=", false},
		{CodePWave, "p", false}, {CodeBBB, "B", true}, {CodePaceSP, "^", false},
		{CodeTWave, "t", false}, {CodeRhythm, "+", false}, {CodeUWave, "u", false},
		{CodeLearn, "?", true}, {CodeFlWave, "!", true}, {CodeVFOn, "[", false},
		{CodeVFOff, "]", false}, {CodeAEsc, "e", true}, {CodeSVEsc, "n", true},
		{CodeLink, "@", false}, {CodeNAPC, "x", false}, {CodePFus, "f", true},
		{CodeWFOn, "(", false}, {CodeWFOff, ")", false}, {CodeRonT, "r", true},
		{15, "[15]", false}, {17, "[17]", false}, {42, "[42]", false}, {49, "[49]", false},
		{CodeNotQRS, " ", false},
	}
	nBeat := 0
	for _, tc := range tests {
		t.Run(tc.mnemonic, func(t *testing.T) {
			eq(t, "String", tc.code.String(), tc.mnemonic)
			eq(t, "IsBeat", IsBeat(tc.code), tc.beat)
			got, err := ParseAnnotationCode(tc.mnemonic)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "ParseAnnotationCode", got, tc.code)
		})
		if tc.beat {
			nBeat++
		}
	}
	eq(t, "beat codes", nBeat, 20)
	for c := range 256 {
		if IsBeat(AnnotationCode(c)) && (c < 1 || c > 41) {
			t.Errorf("IsBeat(%d) outside the standard codes", c)
		}
	}
	for _, bad := range []string{"", "NN", "[50]", "[-1]", "[x]", "Z"} {
		if _, err := ParseAnnotationCode(bad); err == nil {
			t.Errorf("ParseAnnotationCode(%q): no error", bad)
		}
	}
}
