package validation

import (
	"slices"
	"strings"
)

// band is one interval [lo, hi) of a subgroup dimension.
type band struct {
	name   string
	lo, hi float64
}

// dimension splits predictions by one measured quantity. value reports
// false when the quantity is unknown for a prediction (error rows, no beats).
type dimension struct {
	name  string
	bands []band
	value func(p *Prediction) (float64, bool)
}

// The subgroup dimensions. Strip-length bands bracket the 30 s strips that
// dominate CinC 2017 (9–61 s) and the wearables' 30 s recordings; heart-rate
// bands are the clinical bradycardia/tachycardia limits (60 and 100 bpm);
// signal-quality bands split the classifier's own quality index [0, 1].
var dimensions = []dimension{
	{
		name:  "strip_length",
		bands: []band{{"< 20 s", 0, 20}, {"20–40 s", 20, 40}, {"≥ 40 s", 40, inf}},
		value: func(p *Prediction) (float64, bool) { return p.Duration.Seconds(), p.Duration > 0 },
	},
	{
		name:  "heart_rate",
		bands: []band{{"< 60 bpm", 0, 60}, {"60–100 bpm", 60, 100}, {"≥ 100 bpm", 100, inf}},
		value: func(p *Prediction) (float64, bool) {
			return p.Result.HeartRateBPM, p.Err == nil && p.Result.HeartRateBPM > 0
		},
	},
	{
		name:  "signal_quality",
		bands: []band{{"< 0.5", 0, 0.5}, {"0.5–0.8", 0.5, 0.8}, {"≥ 0.8", 0.8, inf}},
		value: func(p *Prediction) (float64, bool) { return p.Result.SignalQuality, p.Err == nil },
	},
}

const inf = 1e308

// subgroups returns the figures of every band of every dimension, in the
// order of dimensions, with an "unknown" band where a quantity is missing.
func subgroups(preds []Prediction) []Subgroup {
	var out []Subgroup
	for _, d := range dimensions {
		groups := make([]Confusion, len(d.bands)+1) // last: unknown
		for i := range preds {
			p := &preds[i]
			g := len(d.bands)
			if v, ok := d.value(p); ok {
				for j, b := range d.bands {
					if v >= b.lo && v < b.hi {
						g = j
						break
					}
				}
			}
			groups[g].Add(p.Reference, p.Call())
		}
		for j := range groups {
			name := "unknown"
			if j < len(d.bands) {
				name = d.bands[j].name
			}
			c := &groups[j]
			if j == len(d.bands) && c.Total() == 0 {
				continue
			}
			out = append(out, subgroup(d.name, name, c))
		}
	}
	// Windows of long records: one subgroup per source record, in run
	// order, so an external validation shows which recordings fail, and one
	// per annotated rhythm, in name order, so it shows which rhythms do
	// (atrial flutter, bigeminy, paced rhythm, … are all reference "O").
	out = append(out, subgroupsBy(preds, "source_record", func(p *Prediction) string { return p.Source })...)
	byRhythm := subgroupsBy(preds, "annotated_rhythm", func(p *Prediction) string { return p.Rhythm })
	slices.SortStableFunc(byRhythm, func(a, b Subgroup) int { return strings.Compare(a.Band, b.Band) })
	return append(out, byRhythm...)
}

// subgroupsBy returns one subgroup per distinct non-empty key of preds, in
// the order the keys first appear.
func subgroupsBy(preds []Prediction, dim string, key func(p *Prediction) string) []Subgroup {
	var keys []string
	byKey := map[string]*Confusion{}
	for i := range preds {
		p := &preds[i]
		k := key(p)
		if k == "" {
			continue
		}
		c, ok := byKey[k]
		if !ok {
			c = new(Confusion)
			byKey[k] = c
			keys = append(keys, k)
		}
		c.Add(p.Reference, p.Call())
	}
	out := make([]Subgroup, 0, len(keys))
	for _, k := range keys {
		out = append(out, subgroup(dim, k, byKey[k]))
	}
	return out
}

func subgroup(dim, band string, c *Confusion) Subgroup {
	n := c.Total()
	correct := 0
	for k := range nClasses {
		correct += c[k][k]
	}
	af := c.AFBinary()
	nInc := c.ColSum(ClassNo)
	return Subgroup{
		Dimension: dim, Band: band, N: n, NAF: c.RowSum(ClassA),
		Accuracy: Num(ratio(correct, n)), AccuracyCI95: wilsonNums(correct, n),
		AFSensitivity: Num(af.Sensitivity()), AFSensitivityCI95: wilsonNums(af.TP, af.TP+af.FN),
		AFSpecificity: Num(af.Specificity()), AFSpecificityCI95: wilsonNums(af.TN, af.TN+af.FP),
		InconclusiveRate: Num(ratio(nInc, n)), InconclusiveRateCI95: wilsonNums(nInc, n),
		CinC2017F1: Num(c.CinC2017Score()),
	}
}
