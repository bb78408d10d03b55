package validation

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Bootstrap settings of every report: percentile intervals from this many
// resamples with this seed, so two runs on the same calls give the same
// intervals. 2000 resamples keep the Monte-Carlo error of a 2.5% quantile
// well below the third decimal (Efron & Tibshirani 1993, ch. 13 ask ≥ 1000).
const (
	DefaultResamples = 2000
	DefaultSeed      = 20170901
)

// Statistic computes one figure from a confusion matrix.
type Statistic func(*Confusion) float64

// BootstrapCI returns percentile-bootstrap 95% intervals of each statistic:
// it draws resamples of the records with replacement (from a PCG generator
// seeded with seed, so the result is reproducible), rebuilds the confusion
// matrix of each resample and takes the 2.5th and 97.5th percentiles of the
// statistic over resamples. A record is given by its cell ref*4+call.
// Resamples where a statistic is undefined (NaN) are left out of its
// percentiles; if all are, both bounds are NaN. resamples must be positive.
func BootstrapCI(cells []uint8, stats []Statistic, resamples int, seed uint64) [][2]float64 {
	if resamples <= 0 {
		panic("validation: BootstrapCI needs resamples > 0")
	}
	out := make([][2]float64, len(stats))
	if len(cells) == 0 {
		for i := range out {
			out[i] = [2]float64{math.NaN(), math.NaN()}
		}
		return out
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vals := make([][]float64, len(stats))
	for i := range vals {
		vals[i] = make([]float64, 0, resamples)
	}
	n := len(cells)
	for range resamples {
		var c Confusion
		for range n {
			cell := cells[rng.IntN(n)]
			c[cell/nClasses][cell%nClasses]++
		}
		for i, s := range stats {
			if v := s(&c); !math.IsNaN(v) {
				vals[i] = append(vals[i], v)
			}
		}
	}
	for i, v := range vals {
		out[i] = percentileInterval(v)
	}
	return out
}

// percentileInterval returns the 2.5th and 97.5th percentiles of v (sorted
// in place), linearly interpolated between order statistics (the default
// "type 7" definition of R and numpy).
func percentileInterval(v []float64) [2]float64 {
	if len(v) == 0 {
		return [2]float64{math.NaN(), math.NaN()}
	}
	slices.Sort(v)
	return [2]float64{quantile(v, 0.025), quantile(v, 0.975)}
}

// quantile returns the q-quantile of sorted v (type 7).
func quantile(sorted []float64, q float64) float64 {
	h := q * float64(len(sorted)-1)
	i := int(math.Floor(h))
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}
