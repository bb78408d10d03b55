package validation

import "math"

// Confusion is the 4×4 confusion matrix over the classes N, A, O, ~:
// Confusion[ref][call] counts records whose reference class is ref and whose
// call is call (the orientation of score2017Challenge.m).
type Confusion [nClasses][nClasses]int

// Add counts one record.
func (c *Confusion) Add(ref, call int) { c[ref][call]++ }

// Total returns the number of records counted.
func (c *Confusion) Total() int {
	n := 0
	for i := range c {
		for j := range c[i] {
			n += c[i][j]
		}
	}
	return n
}

// RowSum returns the number of records whose reference is class k.
func (c *Confusion) RowSum(k int) int {
	n := 0
	for j := range c[k] {
		n += c[k][j]
	}
	return n
}

// ColSum returns the number of records called class k.
func (c *Confusion) ColSum(k int) int {
	n := 0
	for i := range c {
		n += c[i][k]
	}
	return n
}

// Counts are the one-vs-rest counts of one class.
type Counts struct {
	TP, FP, FN, TN int
}

// OneVsRest returns the counts of class k against all other classes.
func (c *Confusion) OneVsRest(k int) Counts {
	tp := c[k][k]
	fn := c.RowSum(k) - tp
	fp := c.ColSum(k) - tp
	return Counts{TP: tp, FP: fp, FN: fn, TN: c.Total() - tp - fp - fn}
}

// AFBinary returns the AF-vs-rest counts with inconclusive excluded on both
// sides: records whose reference is noise ("~", no rhythm to compare with)
// and records the classifier called inconclusive are left out, as the
// Apple ECG app and AliveCor clearances report AF detection on classifiable
// strips with the inconclusive rate stated beside it.
func (c *Confusion) AFBinary() Counts {
	var k Counts
	for ref := ClassN; ref <= ClassO; ref++ {
		for call := ClassN; call <= ClassO; call++ {
			n := c[ref][call]
			switch {
			case ref == ClassA && call == ClassA:
				k.TP += n
			case ref == ClassA:
				k.FN += n
			case call == ClassA:
				k.FP += n
			default:
				k.TN += n
			}
		}
	}
	return k
}

// AFIntentToDiagnose returns the AF-vs-rest counts over every record with a
// rhythm reference (N, A, O), inconclusive calls included and counted as
// wrong: an AF record called "~" is a false negative, a non-AF record called
// "~" a false positive (it sends the user to a clinician for nothing). This
// is the conservative intention-to-diagnose reading that sits beside the
// classifiable-strip figures of AFBinary.
func (c *Confusion) AFIntentToDiagnose() Counts {
	k := c.AFBinary()
	k.FN += c[ClassA][ClassNo]
	k.FP += c[ClassN][ClassNo] + c[ClassO][ClassNo]
	return k
}

// ratio returns num/den, NaN when den is 0 (the figure is undefined).
func ratio(num, den int) float64 {
	if den == 0 {
		return math.NaN()
	}
	return float64(num) / float64(den)
}

// Sensitivity is TP/(TP+FN) (recall); NaN without positives.
func (k Counts) Sensitivity() float64 { return ratio(k.TP, k.TP+k.FN) }

// Specificity is TN/(TN+FP); NaN without negatives.
func (k Counts) Specificity() float64 { return ratio(k.TN, k.TN+k.FP) }

// PPV is TP/(TP+FP) (precision); NaN when nothing was called positive.
func (k Counts) PPV() float64 { return ratio(k.TP, k.TP+k.FP) }

// F1 is 2TP/(2TP+FP+FN), the harmonic mean of PPV and sensitivity; NaN when
// the class is neither present nor called.
func (k Counts) F1() float64 { return ratio(2*k.TP, 2*k.TP+k.FP+k.FN) }

// ChallengeF1 returns the F1 of class k exactly as score2017Challenge.m of
// the PhysioNet/CinC Challenge 2017 computes it:
//
//	F1n = 2*AA(1,1)/(sum(AA(1,:))+sum(AA(:,1)))
//
// with AA the confusion matrix (rows: reference, columns: answer). It equals
// Counts.F1 of the one-vs-rest counts. NaN when the denominator is 0 (MATLAB
// yields NaN there too).
func (c *Confusion) ChallengeF1(k int) float64 {
	return ratio(2*c[k][k], c.RowSum(k)+c.ColSum(k))
}

// CinC2017Score returns the challenge's final score, the mean F1 of Normal,
// AF and Other (score2017Challenge.m: F1=(F1n+F1a+F1o)/3; the noise class
// is scored in the 4×4 matrix but not averaged). A record with a missing
// answer counts as called noise, as the challenge rules state.
func (c *Confusion) CinC2017Score() float64 {
	return (c.ChallengeF1(ClassN) + c.ChallengeF1(ClassA) + c.ChallengeF1(ClassO)) / 3
}
