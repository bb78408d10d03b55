package train

// splitMix64 is Steele, Lea and Flood's SplitMix64 (OOPSLA 2014): fully
// specified, so training never depends on a library generator's version.
type splitMix64 struct{ state uint64 }

func (g *splitMix64) next() uint64 {
	g.state += 0x9e3779b97f4a7c15
	z := g.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float64 returns a uniform number in [0, 1).
func (g *splitMix64) float64() float64 { return float64(g.next()>>11) / (1 << 53) }

// intN returns a uniform integer in [0, n).
func (g *splitMix64) intN(n int) int { return int(g.next() % uint64(n)) }
