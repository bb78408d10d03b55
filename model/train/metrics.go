package train

import "math"

// Confusion is a 4×4 confusion matrix: Confusion[truth][predicted], classes
// in output order N, A, O, ~.
type Confusion [nClasses][nClasses]int

// Add counts one record.
func (c *Confusion) Add(truth, pred int) { c[truth][pred]++ }

// F1 of class k as the CinC 2017 scoring code computes it:
// 2·C[k][k] / (Σ row k + Σ column k); 0 for a class never seen or called.
func (c *Confusion) F1(k int) float64 {
	var row, col int
	for j := 0; j < nClasses; j++ {
		row += c[k][j]
		col += c[j][k]
	}
	if row+col == 0 {
		return 0
	}
	return 2 * float64(c[k][k]) / float64(row+col)
}

// CinCScore is the CinC 2017 challenge score: the mean F1 of N, A and O.
func (c *Confusion) CinCScore() float64 { return (c.F1(0) + c.F1(1) + c.F1(2)) / 3 }

// Binary holds AF-vs-rest counts with records called inconclusive excluded.
type Binary struct {
	TP, FN, TN, FP int
	Inconclusive   int // records called ~ (excluded above)
	Total          int
}

// AFBinary folds c into AF vs everything else, leaving out the records the
// model called inconclusive (DESIGN.md report "af").
func (c *Confusion) AFBinary() Binary {
	var b Binary
	for t := 0; t < nClasses; t++ {
		for p := 0; p < nClasses; p++ {
			n := c[t][p]
			b.Total += n
			switch {
			case p == 3:
				b.Inconclusive += n
			case t == 1 && p == 1:
				b.TP += n
			case t == 1:
				b.FN += n
			case p == 1:
				b.FP += n
			default:
				b.TN += n
			}
		}
	}
	return b
}

// Sensitivity, Specificity and PPV of b with their Wilson 95% intervals.
func (b Binary) Sensitivity() Proportion { return NewProportion(b.TP, b.TP+b.FN) }
func (b Binary) Specificity() Proportion { return NewProportion(b.TN, b.TN+b.FP) }
func (b Binary) PPV() Proportion         { return NewProportion(b.TP, b.TP+b.FP) }

// F1 of AF vs rest.
func (b Binary) F1() float64 {
	if 2*b.TP+b.FP+b.FN == 0 {
		return 0
	}
	return 2 * float64(b.TP) / float64(2*b.TP+b.FP+b.FN)
}

// InconclusiveRate is the fraction of records called ~.
func (b Binary) InconclusiveRate() Proportion { return NewProportion(b.Inconclusive, b.Total) }

// Proportion is k of n with its Wilson score 95% interval.
type Proportion struct {
	K, N      int
	Value     float64
	Low, High float64
}

// NewProportion returns k/n with the Wilson score interval (Wilson, JASA
// 1927) at z = 1.959964; all zero when n is 0.
func NewProportion(k, n int) Proportion {
	if n == 0 {
		return Proportion{}
	}
	const z = 1.959963984540054
	p := float64(k) / float64(n)
	nf := float64(n)
	den := 1 + z*z/nf
	mid := (p + z*z/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / den
	return Proportion{K: k, N: n, Value: p, Low: math.Max(0, mid-half), High: math.Min(1, mid+half)}
}
