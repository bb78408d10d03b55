package validation

import "math"

// z975 is the 97.5th percentile of the standard normal distribution, the
// critical value of a two-sided 95% interval.
const z975 = 1.959963984540054

// Wilson returns the Wilson score 95% confidence interval of the proportion
// x/n (Wilson 1927; Agresti & Coull 1998 recommend it over the Wald
// interval, which collapses at 0 and 1 and undercovers for small n):
//
//	centre = (p + z²/2n) / (1 + z²/n)
//	half   = z / (1 + z²/n) · sqrt(p(1−p)/n + z²/4n²)
//
// The bounds are within [0, 1]. For n == 0 both are NaN; x must be in [0, n].
func Wilson(x, n int) (lo, hi float64) {
	if n <= 0 {
		return math.NaN(), math.NaN()
	}
	if x < 0 || x > n {
		panic("validation: Wilson count outside [0, n]")
	}
	nf := float64(n)
	p := float64(x) / nf
	z2 := z975 * z975
	den := 1 + z2/nf
	centre := (p + z2/(2*nf)) / den
	half := z975 / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	lo, hi = math.Max(0, centre-half), math.Min(1, centre+half)
	// Exact bounds at the edges: rounding must not move them off 0 or 1.
	if x == 0 {
		lo = 0
	}
	if x == n {
		hi = 1
	}
	return lo, hi
}
