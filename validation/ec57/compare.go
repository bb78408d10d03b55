package ec57

import (
	"math"

	"github.com/afscan/afscan/ecg"
)

// shutdownBits are the NOISE subtype bits meaning "signal unreadable" for
// both signals; with both set a NOISE annotation starts a shutdown.
const shutdownBits = 0x30

// Class is an AAMI beat class, or one of bxb's pseudo-beat labels O (no
// beat: an unmatched annotation is paired with it) and X (no beat because
// the other annotator was shut down).
type Class uint8

// The classes, in the order of Result.Counts.
const (
	ClassN Class = iota // normal and bundle branch block beats (and S when not separated)
	ClassS              // supraventricular ectopic beats (Options.SVEB)
	ClassV              // ventricular ectopic beats
	ClassF              // fusion of ventricular and normal
	ClassQ              // unclassifiable, paced, paced fusion, learning
	ClassO              // no beat here
	ClassX              // no beat here, the other annotator being shut down
	nClasses
	classSkip Class = 255 // not counted (test beat in reference VF; before any beat)
)

// String returns the one-letter label bxb prints.
func (c Class) String() string {
	if c < nClasses {
		return string("NSVFQOX"[c])
	}
	return "*"
}

// ClassOf maps a beat annotation code to its AAMI class the way bxb's amap
// does. With sveb false, supraventricular beats count as N (bxb's default
// reports). Codes that are not beats map to ClassO.
func ClassOf(code ecg.AnnotationCode, sveb bool) Class {
	switch code {
	case ecg.CodeNormal, ecg.CodeLBBB, ecg.CodeRBBB, ecg.CodeBBB:
		return ClassN
	case ecg.CodeNPC, ecg.CodeAPC, ecg.CodeSVPB, ecg.CodeAberr, ecg.CodeNEsc, ecg.CodeAEsc, ecg.CodeSVEsc:
		if sveb {
			return ClassS
		}
		return ClassN
	case ecg.CodePVC, ecg.CodeRonT, ecg.CodeVEsc:
		return ClassV
	case ecg.CodeFusion:
		return ClassF
	case ecg.CodeUnknown, ecg.CodePace, ecg.CodePFus, ecg.CodeLearn:
		return ClassQ
	}
	return ClassO
}

// Options sets the comparison. DefaultOptions gives the EC57 settings;
// changing them makes the comparison non-standard, as bxb warns.
type Options struct {
	// MatchWindowIdx is the largest distance, in samples, at which a test
	// beat may match a reference beat (EC57: 150 ms).
	MatchWindowIdx int64
	// StartIdx is the first sample scored; what precedes it is the
	// detector's learning period (EC57 and bxb: 5 minutes).
	StartIdx int64
	// EndIdx is the record length in samples; annotations after it are not
	// scored. Zero or negative: unknown, scoring runs to the last reference
	// annotation (bxb without a record length).
	EndIdx int64
	// SVEB separates S from N (bxb -C/-L/-S reports); it does not change
	// QRS sensitivity or positive predictivity.
	SVEB bool
}

// DefaultOptions returns the EC57 comparison for a record sampled at
// sampleRateHz with nSamples samples: a 150 ms window and a 5 minute
// learning period, both rounded to whole samples as WFDB's strtim does.
func DefaultOptions(sampleRateHz float64, nSamples int64) Options {
	return Options{
		MatchWindowIdx: int64(math.Round(0.150 * sampleRateHz)),
		StartIdx:       int64(math.Round(300 * sampleRateHz)),
		EndIdx:         nSamples,
	}
}

// Result holds the beat-by-beat comparison of one record.
type Result struct {
	// Record names the record (set by the caller; Compare leaves it empty).
	Record string `json:"record"`
	// Counts[ref][test] counts the pairs of reference and test labels,
	// indexed by Class (ClassN…ClassX). Pairs of O or X with O or X do not
	// occur.
	Counts [nClasses][nClasses]int64 `json:"counts"`
	// ShutdownIdx is the time the test annotator was shut down, in samples.
	ShutdownIdx int64 `json:"shutdown_samples"`
}

func isBeatClass(c Class) bool { return c <= ClassQ }

// TP is the number of reference beats matched by a test beat.
func (r *Result) TP() int64 {
	var n int64
	for ref := ClassN; ref <= ClassQ; ref++ {
		for test := ClassN; test <= ClassQ; test++ {
			n += r.Counts[ref][test]
		}
	}
	return n
}

// FN is the number of reference beats no test beat matched.
func (r *Result) FN() int64 {
	var n int64
	for ref := ClassN; ref <= ClassQ; ref++ {
		n += r.Counts[ref][ClassO] + r.Counts[ref][ClassX]
	}
	return n
}

// FP is the number of test beats that matched no reference beat.
func (r *Result) FP() int64 {
	var n int64
	for test := ClassN; test <= ClassQ; test++ {
		n += r.Counts[ClassO][test] + r.Counts[ClassX][test]
	}
	return n
}

// Sensitivity is the QRS sensitivity TP/(TP+FN) as a fraction, NaN when
// there are no reference beats.
func (r *Result) Sensitivity() float64 { return ratio(r.TP(), r.TP()+r.FN()) }

// PositivePredictivity is the QRS positive predictivity TP/(TP+FP) as a
// fraction, NaN when there are no test beats.
func (r *Result) PositivePredictivity() float64 { return ratio(r.TP(), r.TP()+r.FP()) }

func ratio(a, b int64) float64 {
	if b <= 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// Add adds the counts of o to r (gross statistics sum counts over records).
func (r *Result) Add(o *Result) {
	for i := range r.Counts {
		for j := range r.Counts[i] {
			r.Counts[i][j] += o.Counts[i][j]
		}
	}
	r.ShutdownIdx += o.ShutdownIdx
}

// farIdx stands for "no further annotation" (bxb's huge_time).
const farIdx = math.MaxInt64

// stream walks one annotation file the way bxb's getref/gettest do: it
// yields beats and records VF and shutdown intervals met on the way.
type stream struct {
	anns  []ecg.Annotation
	pos   int
	isRef bool
	sveb  bool

	cur, next   int64 // times of the current and next beats (T, T')
	curC, nextC Class // their labels (A, A')

	// Current and previous shutdown and VF intervals; -1 when unset.
	sdOn, sdOff, vfOn, vfOff     int64
	psdOn, psdOff, pvfOn, pvfOff int64
}

func newStream(anns []ecg.Annotation, isRef, sveb bool) *stream {
	return &stream{
		anns: anns, isRef: isRef, sveb: sveb,
		curC: classSkip, nextC: classSkip,
		sdOn: -1, sdOff: -1, vfOn: -1, vfOff: -1,
		psdOn: -1, psdOff: -1, pvfOn: -1, pvfOff: -1,
	}
}

func (s *stream) read() (ecg.Annotation, bool) {
	if s.pos >= len(s.anns) {
		return ecg.Annotation{}, false
	}
	a := s.anns[s.pos]
	s.pos++
	return a, true
}

// advance makes the next beat current and reads the one after it.
// shutdown accumulates the test annotator's shutdown time; endIdx is the
// record length (≤ 0 unknown).
func (s *stream) advance(matchIdx, endIdx int64, shutdown *int64) {
	s.cur, s.curC = s.next, s.nextC
	for {
		a, ok := s.read()
		if !ok {
			break
		}
		if ecg.IsBeat(a.Code) {
			s.next, s.nextC = a.SampleIdx, ClassOf(a.Code, s.sveb)
			return
		}
		switch a.Code {
		case ecg.CodeNoise:
			if a.Subtype&shutdownBits != shutdownBits {
				continue
			}
			s.psdOn, s.psdOff = s.sdOn, s.sdOff
			s.sdOn = a.SampleIdx
			end, ok := s.read()
			if !ok { // shutdown never ends
				s.next, s.nextC = farIdx, classSkip
				if s.isRef {
					s.sdOff = farIdx
				} else if endIdx > 0 {
					*shutdown += endIdx - s.sdOn
				}
				return
			}
			if end.Code == ecg.CodeNoise && end.Subtype&shutdownBits != shutdownBits {
				s.sdOff = end.SampleIdx
			} else {
				// A lone shutdown mark (AHA style): assume shutdown from one
				// window after the last beat or VF end to one window before
				// the next annotation.
				if s.vfOff > s.cur {
					s.sdOn = s.vfOff + matchIdx
				} else {
					s.sdOn = s.cur + matchIdx
				}
				s.sdOff = end.SampleIdx - matchIdx
				s.sdOn = min(s.sdOn, s.sdOff)
				s.pos-- // the next annotation is read again
			}
			if !s.isRef {
				*shutdown += s.sdOff - s.sdOn
			}
		case ecg.CodeVFOn:
			s.pvfOn, s.pvfOff = s.vfOn, s.vfOff
			s.vfOn = a.SampleIdx
			for { // skip everything up to the end of VF
				b, ok := s.read()
				if !ok {
					s.next, s.nextC = farIdx, classSkip
					return
				}
				if b.Code == ecg.CodeVFOff {
					s.vfOff = b.SampleIdx
					break
				}
			}
		}
	}
	s.next, s.nextC = farIdx, classSkip
}

// inVF reports whether t lies in one of the two most recent VF episodes.
func (s *stream) inVF(t int64) bool {
	return (s.vfOn != -1 && s.vfOn <= t && (t <= s.vfOff || s.vfOff == -1)) ||
		(s.pvfOn != -1 && s.pvfOn <= t && t <= s.pvfOff)
}

// inShutdown reports whether t lies in one of the two most recent shutdowns.
func (s *stream) inShutdown(t int64) bool {
	return (s.sdOn != -1 && s.sdOn <= t && (t <= s.sdOff || s.sdOff == -1)) ||
		(s.psdOn != -1 && s.psdOn <= t && t <= s.psdOff)
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Compare scores the test annotations against the reference annotations
// of one record beat by beat, as bxb does (see the package doc). Both
// slices must be in time order, as annotation files are; non-beat
// annotations other than NOISE shutdown marks and VFON/VFOFF are ignored.
func Compare(ref, test []ecg.Annotation, opts Options) Result {
	var res Result
	w := opts.MatchWindowIdx
	start, end := opts.StartIdx, opts.EndIdx
	R := newStream(ref, true, opts.SVEB)
	Tt := newStream(test, false, opts.SVEB)
	getRef := func() { R.advance(w, end, &res.ShutdownIdx) }
	getTest := func() { Tt.advance(w, end, &res.ShutdownIdx) }
	pair := func(refC, testC Class) {
		if refC >= nClasses || testC >= nClasses {
			return
		}
		if !isBeatClass(refC) && !isBeatClass(testC) {
			return
		}
		res.Counts[refC][testC]++
	}
	// refPseudo labels an unmatched test beat at t: skipped in reference
	// VF, X in reference shutdown, O otherwise.
	refPseudo := func(t int64) Class {
		switch {
		case R.inVF(t):
			return classSkip
		case R.inShutdown(t):
			return ClassX
		}
		return ClassO
	}
	// testPseudo labels an unmatched reference beat at t (no special case
	// for test-marked VF, as in bxb).
	testPseudo := func(t int64) Class {
		if Tt.inShutdown(t) {
			return ClassX
		}
		return ClassO
	}

	// The first reference beat at or after the start, and the last test
	// beat before it (with the first one at or after it next).
	for {
		getRef()
		if R.cur >= start {
			break
		}
	}
	for {
		getTest()
		if Tt.next >= start {
			break
		}
	}
	T, t := R.cur, Tt.cur
	if T-t < abs64(T-Tt.next) && T-t <= w {
		// The last test beat of the learning period matches the first
		// scored reference beat.
		if R.curC != classSkip || Tt.curC != classSkip {
			pair(R.curC, Tt.curC)
		}
		getRef()
		getTest()
	} else {
		getTest()
		// Skip a first test beat just after the start when the next one
		// matches the first reference beat better.
		if Tt.cur-start <= w && abs64(R.cur-Tt.next) < abs64(R.cur-Tt.cur) {
			getTest()
		}
	}

	for (end > 0 && (R.cur <= end || Tt.cur <= end)) || (end <= 0 && R.cur != farIdx) {
		T, Tn, t, tn := R.cur, R.next, Tt.cur, Tt.next
		if t < T {
			if T-t <= w && (T-t < abs64(T-tn) || abs64(Tn-tn) < abs64(T-tn)) {
				pair(R.curC, Tt.curC)
				getRef()
				getTest()
			} else {
				pair(refPseudo(t), Tt.curC)
				getTest()
			}
		} else {
			if t-T <= w && (t-T < abs64(t-Tn) || abs64(tn-Tn) < abs64(t-Tn)) {
				pair(R.curC, Tt.curC)
				getTest()
				getRef()
			} else {
				pair(R.curC, testPseudo(T))
				getRef()
			}
		}
	}
	return res
}
