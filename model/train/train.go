package train

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Options configures TrainDataset.
type Options struct {
	// Name and Version go into the ONNX metadata.
	Name, Version string
	// Seed drives fold assignment and subsampling.
	Seed uint64
	// Params are the hyper-parameters; a zero Rounds means DefaultParams.
	// Params.Seed is replaced by Seed.
	Params Params
	// Search, when not empty, lists candidate Params tried by
	// cross-validation before the final fit; the best CinC score wins.
	Search []Params
	// Folds is k of the k-fold cross-validation (default 5).
	Folds int
	// CheckpointStep is the spacing of the boosting rounds compared by CV
	// (default 25).
	CheckpointStep int
	// Log, when not nil, receives one line per stage.
	Log func(format string, args ...any)
}

// CVFigures summarise out-of-fold predictions.
type CVFigures struct {
	Confusion    Confusion
	F1           [nClasses]float64
	CinCScore    float64
	AF           Binary
	LogLossRaw   float64
	LogLossCalib float64
}

// SearchRow is one candidate of the hyper-parameter search.
type SearchRow struct {
	Params Params
	// BestRound is the number of rounds chosen by the one-standard-error
	// rule, with its CV CinC score and log loss.
	BestRound int
	CinCScore float64
	LogLoss   float64
	// TopRound is the checkpoint with the highest CV CinC score,
	// TopCinCScore that score and CinCStdErr its bootstrap standard error.
	TopRound     int
	TopCinCScore float64
	CinCStdErr   float64
}

// Report describes a training run: what was chosen and the cross-validated
// figures (training fold only; the tune fold is not looked at here).
type Report struct {
	Records     int
	ClassCounts [nClasses]int
	Folds       int
	Params      Params
	Search      []SearchRow
	Temperature float64
	// AFThreshold is the smallest P(A) at which calling AF keeps the
	// out-of-fold AF-vs-rest specificity ≥ 0.98 (0 when argmax already
	// does; see AFThresholdFigures).
	AFThreshold        float64
	AFThresholdFigures Binary
	CV                 CVFigures
	SHA256             string
	Bytes              int
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log(format, args...)
	}
}

// TrainDataset chooses the hyper-parameters (when o.Search is set) and the
// number of rounds by stratified k-fold CV on d, fits the temperature on the
// out-of-fold scores, refits on all of d and returns the ONNX bytes.
func TrainDataset(ctx context.Context, d *Dataset, o Options) ([]byte, *Report, error) {
	if len(d.X) == 0 {
		return nil, nil, ErrNoRecords
	}
	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.CheckpointStep == 0 {
		o.CheckpointStep = 25
	}
	p := o.Params
	if p.Rounds == 0 {
		p = DefaultParams()
	}
	p.Seed = o.Seed
	rep := &Report{Records: len(d.Y), Folds: o.Folds}
	for _, y := range d.Y {
		rep.ClassCounts[y]++
	}
	folds := StratifiedFolds(d.Y, o.Folds, o.Seed)

	candidates := []Params{p}
	if len(o.Search) > 0 {
		candidates = nil
		for _, c := range o.Search {
			c.Seed = o.Seed
			candidates = append(candidates, c)
		}
	}
	var best *CVResult
	bestK, bestScore := -1, -1.0
	for i, c := range candidates {
		res, err := CrossValidate(ctx, d, c, folds, o.Folds, Checkpoints(c.Rounds, o.CheckpointStep))
		if err != nil {
			return nil, nil, err
		}
		k, top, se := oneSECheckpoint(d.Y, res)
		conf, topConf := ConfusionOf(d.Y, res.OOF[k]), ConfusionOf(d.Y, res.OOF[top])
		row := SearchRow{Params: c, BestRound: res.Checkpoints[k], CinCScore: conf.CinCScore(), LogLoss: LogLoss(d.Y, res.OOF[k], 1),
			TopRound: res.Checkpoints[top], TopCinCScore: topConf.CinCScore(), CinCStdErr: se}
		rep.Search = append(rep.Search, row)
		o.logf("cv %d/%d: depth %d lr %g l2 %g cw %g cols %g bins %d vector %v → best CinC %.4f ± %.4f at %d rounds; one-SE rule: %d rounds, CinC %.4f, log loss %.4f",
			i+1, len(candidates), c.Depth, c.LearningRate, c.L2, c.ClassWeightPower, c.FeatureSubsample, c.MaxBins, c.VectorLeaves,
			row.TopCinCScore, row.CinCStdErr, row.TopRound, row.BestRound, row.CinCScore, row.LogLoss)
		if s := math.Round(row.TopCinCScore*1e9) / 1e9; s > bestScore {
			best, bestK, bestScore = res, k, s
		}
	}
	p = best.Params
	p.Rounds = best.Checkpoints[bestK]
	rep.Params = p
	oof := best.OOF[bestK]

	rep.Temperature = FitTemperature(d.Y, oof)
	rep.CV = CVFigures{Confusion: ConfusionOf(d.Y, oof), LogLossRaw: LogLoss(d.Y, oof, 1), LogLossCalib: LogLoss(d.Y, oof, rep.Temperature)}
	for c := range rep.CV.F1 {
		rep.CV.F1[c] = rep.CV.Confusion.F1(c)
	}
	rep.CV.CinCScore = rep.CV.Confusion.CinCScore()
	rep.CV.AF = rep.CV.Confusion.AFBinary()
	rep.AFThreshold, rep.AFThresholdFigures = afOperatingPoint(d.Y, oof, rep.Temperature, 0.98)
	o.logf("cv: CinC %.4f, F1 N %.3f A %.3f O %.3f ~ %.3f; temperature %.4f (log loss %.4f → %.4f)",
		rep.CV.CinCScore, rep.CV.F1[0], rep.CV.F1[1], rep.CV.F1[2], rep.CV.F1[3], rep.Temperature, rep.CV.LogLossRaw, rep.CV.LogLossCalib)

	m, _, err := Fit(d, p, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	f := m.Forest
	f.Name, f.Version, f.Temperature = o.Name, o.Version, rep.Temperature
	f.Meta = [][2]string{
		{"af_threshold", strconv.FormatFloat(rep.AFThreshold, 'g', -1, 64)},
		{"training", fmt.Sprintf("records=%d seed=%d folds=%d %s cv_cinc=%.4f", rep.Records, o.Seed, o.Folds, paramString(p), rep.CV.CinCScore)},
		{"training_records_sha256", namesHash(d.Names)},
	}
	b, err := f.MarshalONNX()
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(b)
	rep.SHA256, rep.Bytes = hex.EncodeToString(sum[:]), len(b)
	return b, rep, nil
}

func paramString(p Params) string {
	return fmt.Sprintf("rounds=%d depth=%d lr=%g l2=%g rows=%g cols=%g bins=%d cw=%g vector=%v",
		p.Rounds, p.Depth, p.LearningRate, p.L2, p.RowSubsample, p.FeatureSubsample, p.MaxBins, p.ClassWeightPower, p.VectorLeaves)
}

func namesHash(names []string) string {
	sum := sha256.Sum256([]byte(strings.Join(names, "\n") + "\n"))
	return hex.EncodeToString(sum[:])
}

// afOperatingPoint finds the smallest threshold τ on calibrated P(A) such
// that "AF when P(A) ≥ τ, else the argmax of the other classes" keeps
// AF-vs-rest specificity ≥ minSpec on the out-of-fold scores, and returns τ
// with the figures it gives. τ is searched on a 0.005 grid in [0.05, 0.95].
func afOperatingPoint(y []int, raw [][]float64, temperature, minSpec float64) (float64, Binary) {
	prob := make([][]float64, len(raw))
	for i, r := range raw {
		prob[i] = make([]float64, nClasses)
		onnxSoftmax(prob[i], r, temperature)
	}
	for t := 10; t <= 190; t++ {
		tau := float64(t) * 0.005
		c := ThresholdConfusion(y, prob, tau)
		b := c.AFBinary()
		if b.Specificity().Value >= minSpec {
			return tau, b
		}
	}
	c := ThresholdConfusion(y, prob, 0.95)
	return 0.95, c.AFBinary()
}

// ThresholdConfusion tallies calls "A when P(A) ≥ tau, otherwise the most
// probable of N, O, ~".
func ThresholdConfusion(y []int, prob [][]float64, tau float64) Confusion {
	var c Confusion
	for i, p := range prob {
		c.Add(y[i], CallWithThreshold(p, tau))
	}
	return c
}

// CallWithThreshold returns 1 (A) when p[1] ≥ tau, otherwise the index of
// the largest of p[0], p[2], p[3].
func CallWithThreshold(p []float64, tau float64) int {
	if p[1] >= tau {
		return 1
	}
	best := 0
	for _, k := range []int{2, 3} {
		if p[k] > p[best] {
			best = k
		}
	}
	return best
}
