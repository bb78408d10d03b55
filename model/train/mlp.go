package train

import (
	"context"
	"math"
	"strconv"
	"strings"
)

// MLPParams are the hyper-parameters of the multilayer-perceptron baseline
// that the model-family comparison (CompareFamilies) trains against the
// boosted trees. The MLP is not exported to ONNX; it is evidence for the
// choice of family.
type MLPParams struct {
	Hidden           []int   // hidden layer widths (ReLU)
	Epochs           int     // passes over the data
	BatchSize        int     // rows per Adam step
	LearningRate     float64 // Adam step size (Kingma & Ba, ICLR 2015)
	L2               float64 // weight decay
	ClassWeightPower float64 // as Params.ClassWeightPower
	Seed             uint64
}

// DefaultMLPParams is the MLP the comparison uses.
func DefaultMLPParams() MLPParams {
	return MLPParams{Hidden: []int{64, 32}, Epochs: 60, BatchSize: 64, LearningRate: 1e-3, L2: 1e-4, ClassWeightPower: 0.5, Seed: 1}
}

type mlp struct {
	mean, std []float64
	w, b      [][]float64 // layer l: w[l] is out×in, row-major
	sizes     []int
}

// standardised writes (x − mean)/std clipped to ±6 into dst.
func (m *mlp) standardised(dst []float64, x []float32) {
	for j, v := range x {
		z := (float64(v) - m.mean[j]) / m.std[j]
		dst[j] = math.Max(-6, math.Min(6, z))
	}
}

// forward fills acts[l] (acts[0] = input) and returns the output logits.
func (m *mlp) forward(acts [][]float64) []float64 {
	for l := range m.w {
		in, out := acts[l], acts[l+1]
		nIn := m.sizes[l]
		for o := range out {
			s := m.b[l][o]
			row := m.w[l][o*nIn : (o+1)*nIn]
			for i, v := range in {
				s += row[i] * v
			}
			if l < len(m.w)-1 && s < 0 {
				s = 0
			}
			out[o] = s
		}
	}
	return acts[len(acts)-1]
}

// FitMLP trains the baseline on d and returns the raw (logit) scores of
// eval's rows.
func FitMLP(d *Dataset, p MLPParams, eval *Dataset) [][]float64 {
	n, nf := len(d.X), len(d.FeatureNames)
	m := &mlp{mean: make([]float64, nf), std: make([]float64, nf)}
	for _, x := range d.X {
		for j, v := range x {
			m.mean[j] += float64(v) / float64(n)
		}
	}
	for _, x := range d.X {
		for j, v := range x {
			dv := float64(v) - m.mean[j]
			m.std[j] += dv * dv / float64(n)
		}
	}
	for j := range m.std {
		m.std[j] = math.Sqrt(m.std[j])
		if m.std[j] < 1e-9 {
			m.std[j] = 1
		}
	}
	m.sizes = append(append([]int{nf}, p.Hidden...), nClasses)
	rng := splitMix64{state: p.Seed}
	gauss := func() float64 { // Box–Muller
		u1, u2 := rng.float64(), rng.float64()
		return math.Sqrt(-2*math.Log(1-u1)) * math.Cos(2*math.Pi*u2)
	}
	for l := 0; l+1 < len(m.sizes); l++ {
		in, out := m.sizes[l], m.sizes[l+1]
		w := make([]float64, in*out)
		for i := range w {
			w[i] = gauss() * math.Sqrt(2/float64(in)) // He et al., ICCV 2015
		}
		m.w = append(m.w, w)
		m.b = append(m.b, make([]float64, out))
	}
	var count [nClasses]float64
	for _, y := range d.Y {
		count[y]++
	}
	var cw [nClasses]float64
	for c := range cw {
		if count[c] > 0 {
			cw[c] = math.Pow(float64(n)/(nClasses*count[c]), p.ClassWeightPower)
		}
	}
	// Adam state.
	mw, vw := zerosLike(m.w), zerosLike(m.w)
	mb, vb := zerosLike(m.b), zerosLike(m.b)
	gw, gb := zerosLike(m.w), zerosLike(m.b)
	acts := make([][]float64, len(m.sizes))
	deltas := make([][]float64, len(m.sizes))
	for l, s := range m.sizes {
		acts[l] = make([]float64, s)
		deltas[l] = make([]float64, s)
	}
	prob := make([]float64, nClasses)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	step := 0
	for e := 0; e < p.Epochs; e++ {
		for i := n - 1; i > 0; i-- {
			j := rng.intN(i + 1)
			order[i], order[j] = order[j], order[i]
		}
		for start := 0; start < n; start += p.BatchSize {
			end := min(n, start+p.BatchSize)
			for l := range gw {
				clear(gw[l])
				clear(gb[l])
			}
			var wsum float64
			for _, i := range order[start:end] {
				m.standardised(acts[0], d.X[i])
				z := m.forward(acts)
				onnxSoftmax(prob, z, 1)
				wi := cw[d.Y[i]]
				wsum += wi
				last := len(m.sizes) - 1
				for c := range prob {
					y := 0.0
					if c == d.Y[i] {
						y = 1
					}
					deltas[last][c] = wi * (prob[c] - y)
				}
				for l := len(m.w) - 1; l >= 0; l-- {
					nIn := m.sizes[l]
					for o, dl := range deltas[l+1] {
						gb[l][o] += dl
						row := gw[l][o*nIn : (o+1)*nIn]
						for k, a := range acts[l] {
							row[k] += dl * a
						}
					}
					if l > 0 {
						for k := range deltas[l] {
							var s float64
							for o, dl := range deltas[l+1] {
								s += m.w[l][o*nIn+k] * dl
							}
							if acts[l][k] <= 0 {
								s = 0
							}
							deltas[l][k] = s
						}
					}
				}
			}
			step++
			c1 := 1 - math.Pow(beta1, float64(step))
			c2 := 1 - math.Pow(beta2, float64(step))
			update := func(par, g, mm, vv []float64, decay float64) {
				for k := range par {
					gk := g[k]/wsum + decay*par[k]
					mm[k] = beta1*mm[k] + (1-beta1)*gk
					vv[k] = beta2*vv[k] + (1-beta2)*gk*gk
					par[k] -= p.LearningRate * (mm[k] / c1) / (math.Sqrt(vv[k]/c2) + eps)
				}
			}
			for l := range m.w {
				update(m.w[l], gw[l], mw[l], vw[l], p.L2)
				update(m.b[l], gb[l], mb[l], vb[l], 0)
			}
		}
	}
	out := make([][]float64, len(eval.X))
	for i, x := range eval.X {
		m.standardised(acts[0], x)
		out[i] = append([]float64(nil), m.forward(acts)...)
	}
	return out
}

func zerosLike(a [][]float64) [][]float64 {
	out := make([][]float64, len(a))
	for i := range a {
		out[i] = make([]float64, len(a[i]))
	}
	return out
}

// FamilyResult is the out-of-fold figure of one model family.
type FamilyResult struct {
	Family    string
	Confusion Confusion
	LogLoss   float64 // after temperature scaling fitted on the same OOF scores
}

// CompareFamilies cross-validates the boosted trees (p, rounds chosen at
// 25-round checkpoints as TrainDataset does) and the MLP baseline on the
// same folds of d.
func CompareFamilies(ctx context.Context, d *Dataset, p Params, mp MLPParams, k int, seed uint64) ([]FamilyResult, error) {
	folds := StratifiedFolds(d.Y, k, seed)
	p.Seed = seed
	res, err := CrossValidate(ctx, d, p, folds, k, Checkpoints(p.Rounds, 25))
	if err != nil {
		return nil, err
	}
	best, _ := bestCheckpoint(d.Y, res)
	gbdt := res.OOF[best]
	oof := make([][]float64, len(d.Y))
	for f := 0; f < k; f++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var tr, te []int
		for i, v := range folds {
			if v == f {
				te = append(te, i)
			} else {
				tr = append(tr, i)
			}
		}
		pf := mp
		pf.Seed = mp.Seed + uint64(f+1)
		scores := FitMLP(d.Subset(tr), pf, d.Subset(te))
		for j, i := range te {
			oof[i] = scores[j]
		}
	}
	var out []FamilyResult
	for _, r := range []struct {
		name string
		raw  [][]float64
	}{{"GBDT " + strconv.Itoa(res.Checkpoints[best]) + " rounds depth " + strconv.Itoa(p.Depth), gbdt}, {"MLP " + mlpName(mp), oof}} {
		out = append(out, FamilyResult{Family: r.name, Confusion: ConfusionOf(d.Y, r.raw), LogLoss: LogLoss(d.Y, r.raw, FitTemperature(d.Y, r.raw))})
	}
	return out, nil
}

func mlpName(p MLPParams) string {
	parts := make([]string, len(p.Hidden))
	for i, h := range p.Hidden {
		parts[i] = strconv.Itoa(h)
	}
	return strings.Join(parts, "-") + " ReLU"
}
